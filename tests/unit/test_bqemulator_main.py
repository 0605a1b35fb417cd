"""The emulator's memos: a copy of one parsed tree per text (the kept tree itself only for a
read-only parser's own first parse), one translation per text, schema and caller, one result per
pure rewrite; errors never kept; all bounded."""

from __future__ import annotations

import dataclasses
import types

import pytest

from nba_pipeline_dev.local.bqemulator_main import (
    gate_detector,
    hold_marked_statements,
    keep_no_change_snapshots,
    memoise_parse_one,
    memoise_rewriter,
    memoise_translate,
    read_only_parse,
    replace_everywhere,
    report_memos,
)


class Tree:
    def __init__(self, sql: str, serial: int) -> None:
        self.sql, self.serial = sql, serial

    def copy(self) -> Tree:
        return Tree(self.sql, self.serial)


def fake_sqlglot():
    calls = []

    def parse_one(sql, read=None, dialect=None, into=None, **opts):
        calls.append((sql, read, dialect, into, opts))
        if "BAD" in sql:
            raise ValueError("parse error")
        return Tree(sql, len(calls))

    return types.SimpleNamespace(parse_one=parse_one), calls


def test_a_text_is_parsed_once_and_every_caller_gets_its_own_copy():
    sqlglot, calls = fake_sqlglot()
    memoise_parse_one(sqlglot)
    first = sqlglot.parse_one("SELECT 1", read="bigquery")
    second = sqlglot.parse_one("SELECT 1", read="bigquery")
    assert len(calls) == 1
    assert first is not second and first.serial == second.serial == 1
    first.sql = "mutated by a rewrite pass"
    assert sqlglot.parse_one("SELECT 1", read="bigquery").sql == "SELECT 1"


def test_the_dialect_is_part_of_the_key():
    sqlglot, calls = fake_sqlglot()
    memoise_parse_one(sqlglot)
    sqlglot.parse_one("SELECT 1", read="bigquery")
    sqlglot.parse_one("SELECT 1", read="duckdb")
    sqlglot.parse_one("SELECT 1", dialect="duckdb")
    assert len(calls) == 3


def test_errors_are_raised_every_time_and_not_kept():
    sqlglot, calls = fake_sqlglot()
    memoise_parse_one(sqlglot)
    for _ in range(2):
        with pytest.raises(ValueError):
            sqlglot.parse_one("SELECT BAD", read="bigquery")
    assert len(calls) == 2


def test_options_or_dialect_objects_bypass_the_memo():
    sqlglot, calls = fake_sqlglot()
    memoise_parse_one(sqlglot)
    dialect = object()
    for _ in range(2):
        sqlglot.parse_one("SELECT 1", read=dialect)
        sqlglot.parse_one("SELECT 1", read="bigquery", error_level="ignore")
        sqlglot.parse_one("SELECT 1", into=Tree)
    assert len(calls) == 6


def test_the_oldest_tree_goes_when_the_memo_is_full():
    sqlglot, calls = fake_sqlglot()
    memoised = memoise_parse_one(sqlglot, size=2)
    for text in ("SELECT 1", "SELECT 2", "SELECT 1", "SELECT 3", "SELECT 1", "SELECT 2"):
        sqlglot.parse_one(text)
    # SELECT 1 stayed (used again before SELECT 3 came); SELECT 2 had gone and is parsed again.
    assert [c[0] for c in calls] == ["SELECT 1", "SELECT 2", "SELECT 3", "SELECT 2"]
    assert memoised.counts == {"hits": 2, "misses": 4}


def test_with_real_sqlglot_a_rewrite_of_one_copy_reaches_no_later_caller():
    import sqlglot
    from sqlglot import exp

    real = types.SimpleNamespace(parse_one=sqlglot.parse_one)
    memoise_parse_one(real)
    text = "SELECT a FROM `p.d.t` WHERE d = @d"
    tree = real.parse_one(text, read="bigquery")
    for table in tree.find_all(exp.Table):
        table.set("this", exp.to_identifier("renamed"))  # what a rewrite pass does, in place
    again = real.parse_one(text, read="bigquery")
    assert again.sql(dialect="bigquery") == sqlglot.parse_one(text, read="bigquery").sql(dialect="bigquery")
    assert "renamed" not in again.sql(dialect="bigquery") and "renamed" in tree.sql(dialect="bigquery")
    assert real.parse_one.counts == {"hits": 1, "misses": 1}


# --- the translation memo --------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Ok:
    value: str


@dataclasses.dataclass(frozen=True)
class Err:
    error: str


@dataclasses.dataclass(frozen=True)
class Caller:
    principal: str
    groups: tuple = ()
    is_authenticated: bool = True


def fake_translator():
    calls = []

    class Translator:
        def translate(self, bq_sql, *, schema=None, caller=None, **kwargs):
            calls.append((bq_sql, schema, caller, kwargs))
            if "BAD" in bq_sql:
                return Err("parse error")
            return Ok(f"duckdb[{len(calls)}]: {bq_sql}")

    return Translator, calls


def test_a_translation_is_kept_per_text_schema_and_caller():
    translator_class, calls = fake_translator()
    memoised = memoise_translate(translator_class, Ok)
    translator = translator_class()
    schema = {"t": {"a": "BIGINT", "b": "VARCHAR"}}
    first = translator.translate("SELECT * FROM t", schema=schema, caller=Caller("user:a"))
    again = translator.translate("SELECT * FROM t", schema={"t": {"a": "BIGINT", "b": "VARCHAR"}},
                                 caller=Caller("user:a"))
    assert first == again == Ok("duckdb[1]: SELECT * FROM t") and len(calls) == 1
    # Each of these is another key: the translation runs again.
    translator.translate("SELECT * FROM t", schema={"t": {"a": "DOUBLE", "b": "VARCHAR"}}, caller=Caller("user:a"))
    translator.translate("SELECT * FROM t", schema={"t": {"b": "VARCHAR", "a": "BIGINT"}}, caller=Caller("user:a"))
    translator.translate("SELECT * FROM t", schema=None, caller=Caller("user:a"))
    translator.translate("SELECT * FROM t", schema=schema, caller=Caller("user:b"))
    translator.translate("SELECT * FROM t", schema=schema, caller=Caller("user:a", groups=("g",)))
    translator.translate("SELECT * FROM t", schema=schema, caller=None)
    translator.translate("SELECT * FROM t ", schema=schema, caller=Caller("user:a"))
    assert len(calls) == 8
    assert memoised.counts == {"hits": 1, "misses": 8}


def test_failed_translations_are_redone_every_time():
    translator_class, calls = fake_translator()
    memoise_translate(translator_class, Ok)
    for _ in range(2):
        assert translator_class().translate("SELECT BAD") == Err("parse error")
    assert len(calls) == 2


def test_extra_arguments_or_an_unhashable_schema_bypass_the_memo():
    translator_class, calls = fake_translator()
    memoise_translate(translator_class, Ok)
    translator = translator_class()
    for _ in range(2):
        translator.translate("SELECT 1", catalog="reserved for later")
        translator.translate("SELECT 1", schema={"t": {"a": ["not", "hashable"]}})
    assert len(calls) == 4 and calls[0][3] == {"catalog": "reserved for later"}


def test_the_oldest_translation_goes_when_the_memo_is_full():
    translator_class, calls = fake_translator()
    memoised = memoise_translate(translator_class, Ok, size=2)
    translator = translator_class()
    for text in ("SELECT 1", "SELECT 2", "SELECT 1", "SELECT 3", "SELECT 2"):
        translator.translate(text)
    assert [c[0] for c in calls] == ["SELECT 1", "SELECT 2", "SELECT 3", "SELECT 2"]
    assert memoised.counts == {"hits": 1, "misses": 4}


# --- the gated statement detectors ------------------------------------------------------------


class Create(Tree):
    pass


def test_a_detector_answers_without_a_copy_for_other_roots_and_runs_for_its_own():
    sqlglot, calls = fake_sqlglot()
    memoised = memoise_parse_one(sqlglot)
    sqlglot.parse_one = memoised
    seen = []

    def detect(bq_sql, project):
        seen.append((bq_sql, project))
        return "a table"

    module = types.SimpleNamespace(detect=detect)
    elsewhere = types.SimpleNamespace(detect=detect)
    gated = gate_detector([module, elsewhere], "detect", Create, None, memoised.kept)
    assert module.detect is gated and elsewhere.detect is gated
    assert gated("SELECT 1", "p") is None and seen == []          # a Tree root: "not this kind"
    assert gated("SELECT BAD", "p") == "a table"                  # unparseable: the detector decides
    assert gated(b"SELECT 1", "p") == "a table"                   # not text: the detector decides
    assert [c[0] for c in calls] == ["SELECT 1", "SELECT BAD"]
    memoised.kept("CREATE", "bigquery")  # what the root is has no bearing on its copy for others
    assert sqlglot.parse_one("SELECT 1", read="bigquery") is not memoised.kept("SELECT 1", "bigquery")



# --- holds ----------------------------------------------------------------------------------------


def test_a_marked_statement_waits_while_its_hold_file_exists_and_others_go_by(tmp_path):
    import asyncio

    calls = []

    async def execute(project_id, job_id, bq_sql, *args, **kwargs):
        calls.append(bq_sql)
        return f"meta of {job_id}"

    module, routes = types.SimpleNamespace(execute_query_job=execute), types.SimpleNamespace(execute_query_job=execute)
    held = hold_marked_statements([module, routes], str(tmp_path), poll_seconds=0.01)
    assert module.execute_query_job is held and routes.execute_query_job is held
    marked = "/* nba:hold=slow */ SELECT 1"
    (tmp_path / "slow").touch()

    async def scenario():
        waiting = asyncio.ensure_future(held("p", "j1", marked, None, ctx=None))
        assert await held("p", "j2", "SELECT 2") == "meta of j2"
        assert await held("p", "j3", "/* nba:hold=other */ SELECT 3") == "meta of j3"  # no such file
        await asyncio.sleep(0.05)
        assert not waiting.done() and marked not in calls
        (tmp_path / "slow").unlink()
        assert await asyncio.wait_for(waiting, 30) == "meta of j1"

    asyncio.run(scenario())
    assert calls == ["SELECT 2", "/* nba:hold=other */ SELECT 3", marked]


def test_no_shipped_statement_names_a_hold():
    from pathlib import Path

    sql_files = sorted((Path(__file__).resolve().parents[2] / "include" / "sql").rglob("*.sql"))
    assert sql_files
    assert [f.name for f in sql_files if "nba:hold" in f.read_text()] == []


def test_a_read_only_parser_reads_the_kept_tree_and_only_in_its_own_first_parse():
    sqlglot, calls = fake_sqlglot()
    parse = memoise_parse_one(sqlglot)
    kept = parse.kept("SELECT 1", "bigquery")

    @read_only_parse
    def classify(sql):
        first = sqlglot.parse_one(sql, read="bigquery")
        second = sqlglot.parse_one(sql, read="bigquery")  # e.g. a callee that rewrites its copy
        return first, second

    first, second = classify("SELECT 1")
    assert first is kept and second is not kept
    assert sqlglot.parse_one("SELECT 1", read="bigquery") is not kept  # outside: copies again
    assert len(calls) == 1


def test_a_read_only_coroutine_reads_the_kept_tree_and_leaves_other_tasks_copying():
    import asyncio

    sqlglot, _ = fake_sqlglot()
    parse = memoise_parse_one(sqlglot)
    kept = parse.kept("MERGE t", "bigquery")
    seen = {}

    @read_only_parse
    async def capture(sql):
        tree = sqlglot.parse_one(sql, read="bigquery")
        await asyncio.sleep(0)  # another task runs meanwhile
        return tree

    async def other():
        seen["other"] = sqlglot.parse_one("MERGE t", read="bigquery")

    async def both():
        return await asyncio.gather(capture("MERGE t"), other())

    tree, _ = asyncio.run(both())
    assert tree is kept and seen["other"] is not kept


def test_a_read_only_parser_that_raises_leaves_copying_on():
    sqlglot, _ = fake_sqlglot()
    parse = memoise_parse_one(sqlglot)

    @read_only_parse
    def fails(sql):
        raise RuntimeError("before any parse")

    with pytest.raises(RuntimeError):
        fails("SELECT 1")
    assert sqlglot.parse_one("SELECT 1", read="bigquery") is not parse.kept("SELECT 1", "bigquery")


def test_a_pure_rewrite_runs_once_per_arguments_and_errors_run_again():
    calls = []

    def qualify(sql, project_id):
        calls.append((sql, project_id))
        if "bad" in sql:
            raise ValueError("invalid dataset")
        return f"{project_id}:{sql}"

    cached = memoise_rewriter(qualify, size=2)
    assert cached("a.t", "p") == cached("a.t", "p") == "p:a.t"
    assert cached("a.t", "q") == "q:a.t"
    for _ in range(2):
        with pytest.raises(ValueError):
            cached("bad.t", "p")
    assert calls == [("a.t", "p"), ("a.t", "q"), ("bad.t", "p"), ("bad.t", "p")]
    assert cached.counts == {"hits": 1, "misses": 2}
    cached("b.t", "p")  # the memo holds two: the oldest, ("a.t", "p"), goes
    cached("a.t", "p")
    assert calls[-1] == ("a.t", "p")


def test_a_rewrite_with_other_than_text_arguments_is_not_kept():
    calls = []
    cached = memoise_rewriter(lambda sql, schema: calls.append(sql) or sql)
    for _ in range(2):
        cached("SELECT 1", {"t": {"a": "INT"}})
    assert len(calls) == 2


def test_a_replacement_reaches_every_module_that_imported_the_name(monkeypatch):
    import sys

    source = types.ModuleType("nba_fake_rewriter")
    holder = types.ModuleType("nba_fake_holder")
    stranger = types.ModuleType("nba_fake_stranger")

    def rewrite(sql):
        return sql

    source.rewrite = holder.rewrite = rewrite
    stranger.rewrite = lambda sql: sql  # another function of the same name stays
    for module in (source, holder, stranger):
        monkeypatch.setitem(sys.modules, module.__name__, module)
    replacement = replace_everywhere("nba_fake_rewriter", "rewrite", memoise_rewriter)
    assert source.rewrite is holder.rewrite is replacement
    assert stranger.rewrite is not replacement


def test_the_memo_report_prints_counts_only_when_they_change():
    import io
    import time

    counts = {"hits": 1, "misses": 2}
    out = io.StringIO()
    report_memos({"parse": counts}, every=0.01, out=out)
    deadline = time.monotonic() + 30
    while "1 hits" not in out.getvalue() and time.monotonic() < deadline:
        time.sleep(0.01)
    counts["hits"] = 5
    while "5 hits" not in out.getvalue() and time.monotonic() < deadline:
        time.sleep(0.01)
    lines = out.getvalue().splitlines()
    assert lines[:2] == ["memos: parse 1 hits 2 misses", "memos: parse 5 hits 2 misses"]


def test_a_write_announces_its_change_and_copies_nothing():
    published, copied = [], []

    class Manager:
        def __init__(self):
            self._events = types.SimpleNamespace(publish=published.append)
            self._engine = types.SimpleNamespace(execute=copied.append)

        def record_change(self, project_id, dataset_id, table_id):
            self._engine.execute(f"CREATE TABLE snap AS SELECT * FROM {dataset_id}.{table_id}")

        def resolve_time_travel(self, *args):
            return None

    changed = dataclasses.make_dataclass("Changed", ["project", "dataset", "table"])
    keep_no_change_snapshots(Manager, changed, ValueError)
    manager = Manager()
    assert manager.record_change("p", "d", "t") is None
    assert published == [changed("p", "d", "t")] and copied == []
    with pytest.raises(ValueError, match="no time-travel snapshots"):
        manager.resolve_time_travel("p", "d", "t", None)
