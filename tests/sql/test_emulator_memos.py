"""The local BigQuery stand-in runs with its parse and translation memos, and answers stay per
query: other parameters, another table schema behind the same text; its gated statement
detectors answer what its own answer."""

from __future__ import annotations

import json
import subprocess
from decimal import Decimal
from pathlib import Path

import psutil
import pytest
from google.cloud import bigquery

from .helpers import query

pytestmark = pytest.mark.integration


def test_the_emulator_runs_through_the_memos(local_stack):
    pid = local_stack["bigquery"]["pid"]
    assert pid, "the session's bqemulator has no pid file: it was started outside the local stack"
    command = psutil.Process(pid).cmdline()
    assert any(part.endswith("bqemulator_main.py") for part in command), (
        f"bqemulator runs without the memos ({' '.join(command)}); restart it: nba-pipeline stack stop")


def test_one_text_with_other_parameters_gives_each_its_own_answer(bigquery_client):
    text = "SELECT @n * 2 AS doubled, CONCAT('x', @s) AS tagged"
    for n, s in ((1, "a"), (2, "b"), (1, "c")):
        assert query(bigquery_client, text, n=n, s=s) == [{"doubled": 2 * n, "tagged": f"x{s}"}]


def test_one_text_over_a_recreated_table_follows_the_new_schema(bigquery_client):
    """The translation depends on the column types (a star expands, AVG of NUMERIC stays NUMERIC):
    a table recreated with other columns must not get the old table's translation."""
    client = bigquery_client
    dataset = f"{client.project}.emulator_memo_check"
    client.create_dataset(dataset, exists_ok=True)
    table = f"{dataset}.recreated"
    text = f"SELECT *, (SELECT AVG(x) FROM `{table}`) AS mean FROM `{table}` ORDER BY x"
    try:
        shapes = (
            ([bigquery.SchemaField("x", "NUMERIC"), bigquery.SchemaField("label", "STRING")],
             "(1.5, 'a'), (2.5, 'b')",
             [{"x": Decimal("1.5"), "label": "a", "mean": Decimal("2")},
              {"x": Decimal("2.5"), "label": "b", "mean": Decimal("2")}]),
            ([bigquery.SchemaField("tag", "STRING"), bigquery.SchemaField("x", "FLOAT64")],
             "('p', 1.5), ('q', 3.5)",
             [{"tag": "p", "x": 1.5, "mean": 2.5}, {"tag": "q", "x": 3.5, "mean": 2.5}]),
        )
        for schema, values, expected in shapes:
            client.delete_table(table, not_found_ok=True)
            client.create_table(bigquery.Table(table, schema=schema))
            query(client, f"INSERT INTO `{table}` VALUES {values}")
            for _ in range(2):  # the second run of the text is a memo hit
                rows = query(client, text)
                assert rows == expected
                assert [list(row) for row in rows] == [list(row) for row in expected]
                assert all(type(row["mean"]) is type(expected[0]["mean"]) for row in rows)
    finally:
        client.delete_dataset(dataset, delete_contents=True, not_found_ok=True)


def test_the_gated_detectors_answer_what_bqemulators_own_answer(tmp_path):
    """In the emulator's own interpreter, over statements of every kind the detectors look for."""
    root = Path(__file__).resolve().parents[2]
    python = root / ".venv-bqemulator" / "bin" / "python"
    assert python.exists(), "the BigQuery emulator's virtualenv is missing: run bin/setup"
    statements = [
        "CREATE TABLE `p.d.t` (a INT64, d DATE) PARTITION BY d",
        "CREATE OR REPLACE TABLE d.t AS SELECT 1 AS a",
        "CREATE TABLE IF NOT EXISTS `p.d.t2` (a INT64)",
        "CREATE TABLE d.c CLONE d.t",
        "CREATE VIEW `p.d.v` AS SELECT a FROM d.t",
        "CREATE MATERIALIZED VIEW d.mv AS SELECT a FROM d.t",
        "CREATE SCHEMA IF NOT EXISTS `p.d`",
        "CREATE OR REPLACE TABLE FUNCTION d.f(x DATE) AS SELECT x",
        "DROP TABLE IF EXISTS `p.d.t`", "DROP VIEW d.v", "DROP SCHEMA d CASCADE", "DROP TABLE FUNCTION d.f",
        "MERGE `p.d.t` T USING (SELECT 1 AS a) S ON T.a = S.a WHEN NOT MATCHED THEN INSERT (a) VALUES (a)",
        "SELECT a FROM `p.d.t` WHERE d = @d", "INSERT INTO d.t (a) VALUES (1)", "UPDATE d.t SET a = 2 WHERE TRUE",
        "DELETE FROM d.t WHERE TRUE", "SELECT ((", "",
    ]
    script = tmp_path / "compare.py"
    script.write_text(f"""
import json, sys
sys.path.insert(0, {str(root / 'dev' / 'nba_pipeline_dev' / 'local')!r})
import sqlglot
from sqlglot import exp
from bqemulator.catalog import ddl_sync
import bqemulator_main as m
originals = {{name: getattr(ddl_sync, name) for name, _, _ in m.GATED_DETECTORS}}
statements = json.loads({json.dumps(statements)!r})
def answer(name, fn, sql):
    try:
        out = fn(sql, "p") if name == "_detect_create_schema" else fn(sql)
    except Exception as error:
        return "raised " + type(error).__name__
    return repr(out)
before = {{n: [answer(n, f, s) for s in statements] for n, f in originals.items()}}
kept = m.memoise_parse_one(sqlglot).kept
for name, root, negative in m.GATED_DETECTORS:
    m.gate_detector([ddl_sync], name, getattr(exp, root), negative, kept)
after = {{n: [answer(n, getattr(ddl_sync, n), s) for s in statements] for n in originals}}
print(json.dumps({{"before": before, "after": after}}))
""")
    done = subprocess.run([str(python), str(script)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    answers = json.loads(done.stdout)
    for name, expected in answers["before"].items():
        assert answers["after"][name] == expected, name
    assert any(a != "None" and a != "(None, None)" for answers_of in answers["before"].values() for a in answers_of)


def test_read_only_parsers_and_kept_rewrites_answer_what_bqemulators_own_answer(tmp_path):
    """In the emulator's own interpreter: each read-only parser and memoised rewriter, called twice
    after the change, answers what it answered before it, and no kept tree was changed."""
    root = Path(__file__).resolve().parents[2]
    python = root / ".venv-bqemulator" / "bin" / "python"
    assert python.exists(), "the BigQuery emulator's virtualenv is missing: run bin/setup"
    statements = [
        "MERGE `p.d.t` T USING (SELECT 1 AS a) S ON T.a = S.a WHEN NOT MATCHED THEN INSERT (a) VALUES (a)",
        "INSERT INTO d.snap (a) VALUES (1)", "UPDATE d.t SET a = 2 WHERE TRUE", "DELETE FROM `p.d.t` WHERE a = 1",
        "TRUNCATE TABLE d.t", "SELECT a, x FROM `p.d.t`, UNNEST([1, 2]) AS x WITH OFFSET o WHERE o > 0",
        "SELECT t.a FROM d.t AS t JOIN `other.e.u` u ON t.a = u.a", "SELECT d.f(1)",
        "CREATE TABLE d.n AS SELECT * FROM d.t", "DROP FUNCTION d.f", "DROP PROCEDURE IF EXISTS `p.d.pr`",
        "DROP TABLE FUNCTION d.tvf", "DROP TABLE d.t", 'SELECT * FROM "!!bad!!".t', "SELECT ((", "",
        "DECLARE n INT64 DEFAULT 2; SET n = n + 1; IF n > 2 THEN SELECT n; END IF;", "SELECT 'unclosed",
        "CREATE TEMP FUNCTION f(x INT64) RETURNS INT64 AS (x + 1); SELECT f(1);",
    ]
    script = tmp_path / "compare.py"
    script.write_text(f"""
import asyncio, contextlib, json, sys, types
sys.path.insert(0, {str(root / 'dev' / 'nba_pipeline_dev' / 'local')!r})
import sqlglot
import bqemulator_main as m
from bqemulator.jobs import executor, routine_ddl
from bqemulator.scripting import interpreter
from bqemulator.sql import catalog_schema, table_rewriter
from bqemulator.sql.rewriter import unnest_offset

statements = json.loads({json.dumps(statements)!r})
changes = []
field = types.SimpleNamespace(name="a", type="INT64")
def get_table(project, dataset, table):
    kind = "SNAPSHOT" if table == "snap" else "TABLE"
    return types.SimpleNamespace(table_type=kind, schema_=types.SimpleNamespace(fields=[field]))
@contextlib.asynccontextmanager
async def write_lock():
    yield
ctx = types.SimpleNamespace(
    catalog=types.SimpleNamespace(get_table=get_table), engine=types.SimpleNamespace(write_lock=write_lock),
    snapshots=types.SimpleNamespace(record_change=lambda *ref: changes.append(ref)),
    events=types.SimpleNamespace(publish=lambda event: changes.append(repr(event))))

def outcome(call):
    del changes[:]
    try:
        out = call()
    except Exception as error:
        return "raised " + type(error).__name__
    return repr((out, changes))

def answers():
    return {{
        "immutable": [outcome(lambda: executor._reject_dml_on_immutable("p", s, ctx)) for s in statements],
        "snapshots": [outcome(lambda: asyncio.run(executor._capture_dml_snapshots("p", s, ctx))) for s in statements],
        "classify": [outcome(lambda: executor.classify_statement_type(s)) for s in statements],
        "drop_routine": [outcome(lambda: executor.detect_drop_routine(s, "p")) for s in statements],
        "catalog_schema": [outcome(lambda: catalog_schema.build_catalog_schema(s, project_id="p", catalog=ctx.catalog))
                           for s in statements],
        "table_refs": [outcome(lambda: executor.rewrite_table_refs(s, "p")) for s in statements],
        "unnest_offset": [outcome(lambda: unnest_offset.rewrite_unnest_offset(s)) for s in statements],
        "script": [outcome(lambda: executor._parse_script_or_raise(s)) for s in statements],
    }}

original_parse = sqlglot.parse_one
before = answers()
parse = m.memoise_parse_one(sqlglot)
for module_name, name in m.READ_ONLY_PARSERS:
    m.replace_everywhere(module_name, name, m.read_only_parse)
for module_name, name in m.PURE_REWRITERS:
    m.replace_everywhere(module_name, name, m.memoise_rewriter)
after = [answers(), answers()]
changed = []
for s in statements:
    for dialect in ("bigquery", "duckdb"):
        try:
            fresh = original_parse(s, read=dialect).sql()
        except Exception:
            continue
        if parse.kept(s, dialect).sql() != fresh:
            changed.append([s, dialect])
print("\\n" + json.dumps({{"before": before, "after": after, "changed": changed,
                  "wrapped": executor._capture_dml_snapshots is not routine_ddl.detect_drop_routine
                  and executor.detect_drop_routine is routine_ddl.detect_drop_routine
                  and hasattr(executor.rewrite_table_refs, "counts")
                  and table_rewriter.rewrite_table_refs is executor.rewrite_table_refs
                  and hasattr(executor.parse_script, "counts")
                  and interpreter.parse_script is executor.parse_script}}))
""")
    done = subprocess.run([str(python), str(script)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.splitlines()[-1])  # bqemulator logs to stdout before it
    assert result["wrapped"], "the replacements did not reach the executor's own names"
    for each in result["after"]:
        for name, expected in result["before"].items():
            assert each[name] == expected, name
    assert result["changed"] == [], f"kept trees changed by a read-only parser: {result['changed']}"
    before = result["before"]
    # The corpus reaches each function's interesting answers, not only its "nothing to do".
    assert any("raised InvalidQueryError" in a for a in before["immutable"])
    assert any(a.startswith("raised") for a in before["script"]) and any("IfStmt" in a for a in before["script"])
    assert sum("('p', 'd', 't')" in a for a in before["snapshots"]) >= 3
    assert {"'MERGE'", "'TRUNCATE_TABLE'", "'DROP_FUNCTION'"} <= {a[1:a.index(",")] for a in before["classify"]}
    assert sum("DropRoutineRef" in a for a in before["drop_routine"]) == 3
    assert any("'a': 'BIGINT'" in a for a in before["catalog_schema"])
    assert any("p__d" in a for a in before["table_refs"]) and any(a.startswith("raised") for a in before["table_refs"])
    assert any("o + 1" in a or "o - 1" in a or "OFFSET" in a for a in before["unnest_offset"])


def test_a_view_and_a_row_access_policy_still_apply_to_a_text_seen_before(bigquery_client):
    """The row-access rewriter is skipped only for texts that read no view and no protected
    table, as the catalog stands when the text runs: the same text, once a policy exists on its
    table, returns only what the policy lets the caller see."""
    client = bigquery_client
    dataset = f"{client.project}.emulator_memo_access"
    client.delete_dataset(dataset, delete_contents=True, not_found_ok=True)
    client.create_dataset(dataset)
    table, view = f"{dataset}.scores", f"{dataset}.high_scores"
    try:
        client.create_table(bigquery.Table(table, schema=[bigquery.SchemaField("x", "INT64"),
                                                          bigquery.SchemaField("team", "STRING")]))
        query(client, f"INSERT INTO `{table}` VALUES (1, 'a'), (2, 'b'), (3, 'a')")
        query(client, f"CREATE VIEW `{view}` AS SELECT x FROM `{table}` WHERE x > 1")
        read_table = f"SELECT x FROM `{table}` ORDER BY x"
        read_view = f"SELECT x FROM `{view}` ORDER BY x"
        for _ in range(2):
            assert [r["x"] for r in query(client, read_table)] == [1, 2, 3]
            assert [r["x"] for r in query(client, read_view)] == [2, 3]
        query(client, f"CREATE ROW ACCESS POLICY team_a ON `{table}` GRANT TO ('allUsers') FILTER USING (team = 'a')")
        for _ in range(2):
            assert [r["x"] for r in query(client, read_table)] == [1, 3]
            assert [r["x"] for r in query(client, read_view)] == [3]
    finally:
        client.delete_dataset(dataset, delete_contents=True, not_found_ok=True)


def test_writes_keep_no_time_travel_copy_and_a_time_travel_read_says_so(bigquery_client):
    """The stand-in keeps no snapshot of a table per write (nothing here reads one); the result
    cache still sees each write, and a time-travel read fails instead of reading the live table."""
    client = bigquery_client
    dataset = f"{client.project}.emulator_memo_travel"
    client.delete_dataset(dataset, delete_contents=True, not_found_ok=True)
    client.create_dataset(dataset)
    table = f"{dataset}.counts"
    try:
        client.create_table(bigquery.Table(table, schema=[bigquery.SchemaField("x", "INT64")]))
        total = f"SELECT COUNT(*) AS n FROM `{table}`"
        for n in range(1, 4):
            query(client, f"INSERT INTO `{table}` VALUES ({n})")
            assert query(client, total) == [{"n": n}]  # a cached answer would lag behind
        with pytest.raises(Exception, match="keeps no time-travel snapshots"):
            query(client, f"SELECT COUNT(*) AS n FROM `{table}` FOR SYSTEM_TIME AS OF "
                          "TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 1 SECOND)")
    finally:
        client.delete_dataset(dataset, delete_contents=True, not_found_ok=True)
