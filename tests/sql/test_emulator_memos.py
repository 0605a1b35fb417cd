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
