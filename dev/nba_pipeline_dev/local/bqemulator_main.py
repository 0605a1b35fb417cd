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

``NBA_BQEMULATOR_MEMOS=0`` runs the emulator unchanged (no memo, no gate).

``--hold-dir DIR`` (the local stack passes its own) lets a test keep one job in flight for as long
as it needs: a statement whose text names a hold (``nba:hold=NAME``, in a comment) waits before it
runs while the file ``DIR/NAME`` exists; the emulator answers other statements meanwhile.

This file runs with the emulator's interpreter, so it imports nothing of this project.
"""

from __future__ import annotations

import asyncio
import collections
import os
import re
import sys
import threading

TREES_KEPT = 512
TRANSLATIONS_KEPT = 1024
# bqemulator's detectors (in its catalog.ddl_sync) that answer "not this kind" for any tree whose
# root is not of one class, with what they answer then; read in its 1.4.0 source.
GATED_DETECTORS = (
    ("_detect_plain_create_table", "Create", None),
    ("_detect_plain_create_view", "Create", (None, None)),
    ("_detect_create_schema", "Create", None),
    ("_detect_catalog_drop", "Drop", None),
)


def memoise_parse_one(sqlglot, size: int = TREES_KEPT):
    parse_one = sqlglot.parse_one
    trees: collections.OrderedDict = collections.OrderedDict()
    lock = threading.Lock()
    counts = {"hits": 0, "misses": 0}

    def kept(sql, read=None, dialect=None):
        """The kept tree of ``sql`` itself, parsed now if it is not kept: never to be changed."""
        key = (sql, read, dialect)
        with lock:
            tree = trees.get(key)
            if tree is not None:
                trees.move_to_end(key)
                counts["hits"] += 1
        if tree is None:
            tree = parse_one(sql, read=read, dialect=dialect)
            with lock:
                counts["misses"] += 1
                trees[key] = tree
                while len(trees) > size:
                    trees.popitem(last=False)
        return tree

    def cached_parse_one(sql, read=None, dialect=None, into=None, **opts):
        if into is not None or opts or not isinstance(sql, str) or not all(
                d is None or isinstance(d, str) for d in (read, dialect)):
            return parse_one(sql, read=read, dialect=dialect, into=into, **opts)
        return kept(sql, read, dialect).copy()

    cached_parse_one.counts = counts
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
    translations: collections.OrderedDict = collections.OrderedDict()
    lock = threading.Lock()
    counts = {"hits": 0, "misses": 0}

    def cached_translate(self, bq_sql, *, schema=None, caller=None, **kwargs):
        key = None if kwargs else translation_key(bq_sql, schema, caller)
        if key is None:
            return translate(self, bq_sql, schema=schema, caller=caller, **kwargs)
        with lock:
            duckdb_sql = translations.get(key)
            if duckdb_sql is not None:
                translations.move_to_end(key)
                counts["hits"] += 1
                return ok_class(duckdb_sql)
        result = translate(self, bq_sql, schema=schema, caller=caller)
        if isinstance(result, ok_class) and isinstance(result.value, str):
            with lock:
                counts["misses"] += 1
                translations[key] = result.value
                while len(translations) > size:
                    translations.popitem(last=False)
        return result

    cached_translate.counts = counts
    translator_class.translate = cached_translate
    return cached_translate


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

        memoise_translate(SQLTranslator, Ok)
    from bqemulator.cli import main as bqemulator

    sys.argv[0] = "bqemulator"
    return bqemulator()


if __name__ == "__main__":
    sys.exit(main())
