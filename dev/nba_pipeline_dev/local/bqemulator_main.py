"""Runs bqemulator (in its own virtualenv's Python) with sqlglot's ``parse_one`` memoised.

Measured on the local stack (py-spy on the emulator while the feature store's MERGE ran): 82% of
the emulator's CPU is sqlglot parsing, not DuckDB. Each of its rewrite passes parses the statement
text again, and the tests and backfills send the same statement texts date after date. Parsing
is a pure function of the text and dialect, so a parsed tree is kept and a copy handed out
(copying a tree costs about a fourteenth of parsing it: 0.04 s against 0.6 s for the feature
store's statement); callers may mutate their copy. Errors are not kept: a bad statement raises
every time, as before.

With parsing memoised, the same profile (over the phase 4 test module) put 45% of the emulator's
CPU in its BigQuery-to-DuckDB translator: copying, rewriting and printing trees for a text it
translated before. Its translator is documented as stateless (its rules keep no state; the
rewriters before it are functions of the text), so a translation is a function of the text, the
catalog's column types for the tables the text names (which bqemulator builds afresh for every
statement and passes in) and the caller. Successful translations are kept under exactly that key;
a changed table schema, another caller or another text translates anew.

With both memos, the same profile put 37% of its CPU under the parse memo (nearly all of it
copying kept trees), 14 points of that for statement detectors that parse a text only to answer
"not a CREATE TABLE" (or view, schema, drop) for it. Those answer from the kept tree's root
without a copy.

The same profile over the health module's set-up, with all of the above, still put 51% of the
emulator's CPU in copying kept trees. Most of it was for callers that only read the tree (its DML
target and immutability checks, statement classification, the routine-drop detector, the catalog
schema builder: 26 points), and they now read the kept tree itself. The rest came from two
rewriters that are functions of their arguments alone (table-reference qualification, ``WITH
OFFSET`` rebasing), and their successful results are kept. Over the health module, emulator CPU
went from 138.5 s to 91.6 s and the module from 145 s to 102 s.

A later profile (py-spy on the emulator during the whole suite) put 17% of its CPU in tokenizing
every statement again in its scripting parser, which splits a request into statements before
anything runs. That parse is a function of the text and its tree is immutable, so it is kept too.
The same profile put 5-8% in its row-access rewriter copying every statement's tree to look for
views and protected tables; it now looks in the kept tree and copies only when it finds one.
It also put 3-7% in copying the whole target table after every write, a time-travel snapshot kept
for 7 days that nothing here reads: a season's backfill would keep a copy of each table per date
(quadratic memory) and pay a growing copy per MERGE. The stand-in keeps none, and a time-travel
read fails saying so.

``NBA_BQEMULATOR_MEMOS=0`` runs the emulator unchanged (no memo, no gate).

``--hold-dir DIR`` (the local stack passes its own) lets a test keep one job in flight for as long
as it needs: a statement whose text names a hold (``nba:hold=NAME``, in a comment) waits before it
runs while the file ``DIR/NAME`` exists; the emulator answers other statements meanwhile.

This file runs with the emulator's interpreter, so it imports nothing of this project.
"""

from __future__ import annotations

import asyncio
import collections
import contextvars
import functools
import importlib
import inspect
import os
import re
import sys
import threading
import time

TREES_KEPT = 512
TRANSLATIONS_KEPT = 1024
REWRITES_KEPT = 1024
# bqemulator's detectors (in its catalog.ddl_sync) that answer "not this kind" for any tree whose
# root is not of one class, with what they answer then; read in its 1.4.0 source.
GATED_DETECTORS = (
    ("_detect_plain_create_table", "Create", None),
    ("_detect_plain_create_view", "Create", (None, None)),
    ("_detect_create_schema", "Create", None),
    ("_detect_catalog_drop", "Drop", None),
)
# Functions whose first parse reads the tree and never changes it (read in bqemulator 1.4.0):
# they are handed the kept tree itself for that parse.
READ_ONLY_PARSERS = (
    ("bqemulator.jobs.executor", "_reject_dml_on_immutable"),
    ("bqemulator.jobs.executor", "_capture_dml_snapshots"),
    ("bqemulator.jobs.executor", "_parse_for_classification"),
    ("bqemulator.jobs.routine_ddl", "detect_drop_routine"),
    ("bqemulator.sql.catalog_schema", "build_catalog_schema"),
)
# Functions of their text arguments alone (no catalog, no caller, no clock) whose results nobody
# changes: two text rewriters, and the scripting parser, whose trees are frozen dataclasses.
PURE_REWRITERS = (
    ("bqemulator.sql.table_rewriter", "rewrite_table_refs"),
    ("bqemulator.sql.rewriter.unnest_offset", "rewrite_unnest_offset"),
    ("bqemulator.scripting.parser", "parse_script"),
)
# Set by a read-only parser's wrapper; its first parse takes it back.
_READING = contextvars.ContextVar("nba_read_only_parse", default=False)


class Memo:
    """A bounded, thread-safe map that forgets its least recently used entry; counts its hits."""

    MISSING = object()

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: collections.OrderedDict = collections.OrderedDict()
        self.lock = threading.Lock()
        self.counts = {"hits": 0, "misses": 0}

    def get(self, key):
        with self.lock:
            value = self.entries.get(key, self.MISSING)
            if value is not self.MISSING:
                self.entries.move_to_end(key)
                self.counts["hits"] += 1
            return value

    def put(self, key, value) -> None:
        with self.lock:
            self.counts["misses"] += 1
            self.entries[key] = value
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)


def memoise_parse_one(sqlglot, size: int = TREES_KEPT):
    parse_one = sqlglot.parse_one
    trees = Memo(size)

    def kept(sql, read=None, dialect=None):
        """The kept tree of ``sql`` itself, parsed now if it is not kept: never to be changed."""
        key = (sql, read, dialect)
        tree = trees.get(key)
        if tree is Memo.MISSING:
            tree = parse_one(sql, read=read, dialect=dialect)
            trees.put(key, tree)
        return tree

    def cached_parse_one(sql, read=None, dialect=None, into=None, **opts):
        reading = _READING.get()
        if reading:
            _READING.set(False)  # only the wrapped function's own first parse
        if into is not None or opts or not isinstance(sql, str) or not all(
                d is None or isinstance(d, str) for d in (read, dialect)):
            return parse_one(sql, read=read, dialect=dialect, into=into, **opts)
        tree = kept(sql, read, dialect)
        return tree if reading else tree.copy()

    cached_parse_one.counts = trees.counts
    cached_parse_one.kept = kept
    sqlglot.parse_one = cached_parse_one
    return cached_parse_one


def gate_detector(namespaces, name: str, root_class, negative, kept):
    """Answer ``negative`` without a copy when the statement's root is not a ``root_class``.

    For bqemulator's statement detectors that parse a text only to answer "not this kind" unless
    the tree's root is of one class (a ``CREATE``, a ``DROP``); every other text runs the
    detector as before. ``namespaces`` are the modules that hold the detector under ``name``.
    """
    detect = getattr(namespaces[0], name)

    def gated(bq_sql, *args, **kwargs):
        if isinstance(bq_sql, str):
            try:
                root = kept(bq_sql, "bigquery")
            except Exception:  # noqa: BLE001 - the detector answers unparseable text itself
                root = None
            if root is not None and not isinstance(root, root_class):
                return negative
        return detect(bq_sql, *args, **kwargs)

    for namespace in namespaces:
        setattr(namespace, name, gated)
    return gated


def reads_a_view_or_a_protected_table(tree, project_id: str, catalog) -> bool:
    """Whether any table ``tree`` names is a view or has row access policies: the only tables
    bqemulator's row-access rewriter changes (read in its 1.4.0 ``_Rewriter._rewrite_table``,
    with its own name resolution; this also counts write targets, which it leaves alone)."""
    from bqemulator.sql.rewriter import row_access_filter
    from sqlglot import exp

    resolver = row_access_filter._Rewriter(project_id=project_id, catalog=catalog, matcher=None)
    for node in tree.find_all(exp.Table):
        project, dataset, table = resolver._resolve_qualified(node)
        if project is None or dataset is None or table is None or dataset in row_access_filter._RESERVED_SCHEMAS:
            continue
        meta = catalog.get_table(project, dataset, table)
        if meta is not None and meta.table_type == "VIEW" and meta.view_query:
            return True
        if catalog.list_row_access_policies(project, dataset, table):
            return True
    return False


def gate_row_access(rewrite, kept):
    """``rewrite`` (bqemulator's row-access rewriter, which parses a copy of every statement and
    hands the text back unchanged unless it reads a view or a protected table) answering the
    unchanged text from the kept tree, without the copy, when no table it names is either."""
    @functools.wraps(rewrite)
    def gated(bq_sql, *, project_id, caller, catalog):
        if isinstance(bq_sql, str):
            try:
                tree = kept(bq_sql, "bigquery")
            except Exception:  # noqa: BLE001 - the rewriter answers unparseable text itself
                tree = None
            if tree is not None and not reads_a_view_or_a_protected_table(tree, project_id, catalog):
                return bq_sql
        return rewrite(bq_sql, project_id=project_id, caller=caller, catalog=catalog)

    return gated


NO_TIME_TRAVEL = ("the local BigQuery stand-in keeps no time-travel snapshots, so FOR SYSTEM_TIME AS OF "
                  "cannot be answered (NBA_BQEMULATOR_MEMOS=0 runs it with them)")


def keep_no_change_snapshots(manager_class, table_data_changed, error_class):
    """Every write without bqemulator's copy of the whole table it wrote (its time-travel snapshot,
    kept 7 days): the change is still announced (its result cache and materialized views listen),
    and a ``FOR SYSTEM_TIME AS OF`` read fails with a clear error instead of reading the live table."""
    def record_change(self, project_id, dataset_id, table_id):
        self._events.publish(table_data_changed(project_id, dataset_id, table_id))

    def resolve_time_travel(self, *args, **kwargs):
        raise error_class(NO_TIME_TRAVEL)

    manager_class.record_change = record_change
    manager_class.resolve_time_travel = resolve_time_travel


def replace_everywhere(module_name: str, name: str, make):
    """Put ``make(original)`` in place of ``module_name.name``, and in every loaded module that
    imported it by name; modules imported later take it from ``module_name``."""
    module = importlib.import_module(module_name)
    original = getattr(module, name)
    replacement = make(original)
    for namespace in list(sys.modules.values()):
        if getattr(namespace, "__dict__", {}).get(name) is original:
            setattr(namespace, name, replacement)
    return replacement


def read_only_parse(function):
    """``function`` with its first ``parse_one`` handed the kept tree, not a copy."""
    if inspect.iscoroutinefunction(function):
        @functools.wraps(function)
        async def reading_async(*args, **kwargs):
            token = _READING.set(True)
            try:
                return await function(*args, **kwargs)
            finally:
                _READING.reset(token)
        return reading_async

    @functools.wraps(function)
    def reading(*args, **kwargs):
        token = _READING.set(True)
        try:
            return function(*args, **kwargs)
        finally:
            _READING.reset(token)
    return reading


def memoise_rewriter(function, size: int = REWRITES_KEPT):
    """Keep what ``function`` returned for string arguments; an error is raised again next time."""
    results = Memo(size)

    @functools.wraps(function)
    def cached(*args, **kwargs):
        if not all(isinstance(v, str) for v in (*args, *kwargs.values())):
            return function(*args, **kwargs)
        key = (args, tuple(sorted(kwargs.items())))
        result = results.get(key)
        if result is Memo.MISSING:
            result = function(*args, **kwargs)
            results.put(key, result)
        return result

    cached.counts = results.counts
    return cached


def translation_key(bq_sql, schema, caller):
    """(text, column types in their own order, caller), or None when not hashable.

    The schema keeps its order because a star expands in it.
    """
    if not isinstance(bq_sql, str):
        return None
    try:
        frozen_schema = None if schema is None else tuple(
            (table, tuple(columns.items())) for table, columns in schema.items())
        who = None if caller is None else (caller.principal, tuple(caller.groups), caller.is_authenticated)
        key = (bq_sql, frozen_schema, who)
        hash(key)
    except (AttributeError, TypeError):
        return None
    return key


def memoise_translate(translator_class, ok_class, size: int = TRANSLATIONS_KEPT):
    """Keep each successful ``translate`` result under its translation key; errors redo."""
    translate = translator_class.translate
    translations = Memo(size)

    def cached_translate(self, bq_sql, *, schema=None, caller=None, **kwargs):
        key = None if kwargs else translation_key(bq_sql, schema, caller)
        if key is None:
            return translate(self, bq_sql, schema=schema, caller=caller, **kwargs)
        duckdb_sql = translations.get(key)
        if duckdb_sql is not Memo.MISSING:
            return ok_class(duckdb_sql)
        result = translate(self, bq_sql, schema=schema, caller=caller)
        if isinstance(result, ok_class) and isinstance(result.value, str):
            translations.put(key, result.value)
        return result

    cached_translate.counts = translations.counts
    translator_class.translate = cached_translate
    return cached_translate


def report_memos(memos: dict, every: float = 60.0, out=None) -> threading.Thread:
    """Print each memo's hits and misses to the emulator's log every ``every`` s while they change."""
    def line() -> str:
        return "memos: " + ", ".join(f"{name} {c['hits']} hits {c['misses']} misses" for name, c in memos.items())

    def loop() -> None:
        last = None
        while True:
            time.sleep(every)
            now = line()
            if now != last:
                print(now, file=out or sys.stderr, flush=True)
                last = now

    thread = threading.Thread(target=loop, name="memo-report", daemon=True)
    thread.start()
    return thread


HOLD_MARKER = re.compile(r"nba:hold=([A-Za-z0-9_-]+)")


def hold_marked_statements(namespaces, hold_dir: str, poll_seconds: float = 0.2):
    """Make ``execute_query_job`` (held under that name in each of ``namespaces``) wait while a
    statement's hold file exists."""
    execute = namespaces[0].execute_query_job

    async def execute_query_job(project_id, job_id, bq_sql, *args, **kwargs):
        marked = HOLD_MARKER.search(bq_sql) if isinstance(bq_sql, str) else None
        if marked:
            path = os.path.join(hold_dir, marked.group(1))
            while os.path.exists(path):
                await asyncio.sleep(poll_seconds)
        return await execute(project_id, job_id, bq_sql, *args, **kwargs)

    for namespace in namespaces:
        namespace.execute_query_job = execute_query_job
    return execute_query_job


def _pop_option(argv: list[str], name: str) -> str | None:
    if name not in argv:
        return None
    at = argv.index(name)
    value = argv[at + 1]
    del argv[at:at + 2]
    return value


def main() -> int:
    hold_dir = _pop_option(sys.argv, "--hold-dir")
    if hold_dir:
        from bqemulator.api.routes import jobs
        from bqemulator.jobs import executor

        hold_marked_statements([executor, jobs], hold_dir)
    if os.environ.get("NBA_BQEMULATOR_MEMOS", "1") != "0":
        import sqlglot

        parse_one = memoise_parse_one(sqlglot)
        from bqemulator.catalog import ddl_sync
        from sqlglot import exp
        for name, root_class, negative in GATED_DETECTORS:
            gate_detector([ddl_sync], name, getattr(exp, root_class), negative, parse_one.kept)
        from bqemulator.domain.result import Ok
        from bqemulator.sql.translator import SQLTranslator

        translate = memoise_translate(SQLTranslator, Ok)
        for module_name, name in READ_ONLY_PARSERS:
            replace_everywhere(module_name, name, read_only_parse)
        replace_everywhere("bqemulator.sql.rewriter.row_access_filter", "rewrite_for_row_access",
                           lambda rewrite: gate_row_access(rewrite, parse_one.kept))
        from bqemulator.domain.errors import ValidationError
        from bqemulator.versioning import snapshots

        keep_no_change_snapshots(snapshots.SnapshotManager, snapshots.TableDataChanged, ValidationError)
        memos = {"parse": parse_one.counts, "translate": translate.counts}
        for module_name, name in PURE_REWRITERS:
            memos[name] = replace_everywhere(module_name, name, memoise_rewriter).counts
        report_memos(memos)
    from bqemulator.cli import main as bqemulator

    sys.argv[0] = "bqemulator"
    return bqemulator()


if __name__ == "__main__":
    sys.exit(main())
