"""Every query the package runs reads partitioned tables through a partition filter.

Parses every SQL file of ``include/sql`` (views and table functions of the schema folders, checks,
health queries) and every rendered processor MERGE with sqlglot (BigQuery dialect), and fails on
any reference to a partitioned table (partition columns from our DDL, which follows the
platform's contracts) that is not constrained by its partition column in its own scope; see
``pruning.py`` for the rules. The count of checked references is printed.
"""

from __future__ import annotations

import pytest

from nba_pipeline import checks, ddl, merge, processors
from nba_pipeline.sql import load_sql, sql_root

from . import pruning
from .test_rendered_merge import PLATFORM_NAMES

# Identifiers of the generic queries (one table per run), as fencing.py and health.py fill them.
GENERIC = ("checks/date_fence.sql", "health/key_counts_by_date.sql")


def _render(path: str, extra=None) -> str:
    return load_sql(path, PLATFORM_NAMES, extra=extra)


def _generic_extra(processor) -> dict:
    return {
        "dataset": PLATFORM_NAMES.dataset_for(processor.layer),
        "table": processor.table,
        "date_column": processor.date_column,
        "key_columns": processor.key,
        "key_fields": {column: column for column in processor.key},
    }


@pytest.fixture(scope="module")
def catalog() -> pruning.Catalog:
    return pruning.catalog_from_ddl(_render)


def statements():
    """(name, SQL, its DDL definition or None) of every statement the package can run."""
    for processor in processors.PROCESSORS:
        yield f"rendered {processor.name}", merge.render(processor, PLATFORM_NAMES), None
    for phase in (3, 4):  # a phase's duplicate check: one block of checks/duplicate_keys.sql per table
        yield f"duplicate check of phase {phase}", checks.check_sql(processors.phase(phase), PLATFORM_NAMES), None
    definitions = {d.path: d for d in ddl.definitions().values()}
    for path in sorted(p.relative_to(sql_root()).as_posix() for p in sql_root().rglob("*.sql")):
        if path.startswith(("templates/", "phase")) or path == checks.CHECK_SQL:
            continue  # rendered above, as they run
        if path in GENERIC:
            for processor in processors.PROCESSORS:
                yield f"{path} ({processor.table})", _render(path, _generic_extra(processor)), None
            continue
        yield path, _render(path), definitions.get(path)


def check_all(catalog) -> list[pruning.Reference]:
    found = []
    for name, sql, definition in statements():
        arguments = definition.arguments if definition else ()
        for reference in pruning.check(sql, catalog, statement=name, arguments=arguments):
            # A view that passes the partition column through leaves the filter to its readers,
            # whose references to the view are checked instead.
            if (definition is not None and definition.kind == "view" and not reference.constrained
                    and catalog.transparent_views.get(definition.name) == reference.column):
                reference.constrained, reference.why = True, "left to the view's readers"
            found.append(reference)
    return found


def test_every_partitioned_read_is_pruned(catalog):
    references = check_all(catalog)
    unpruned = [r for r in references if not r.constrained]
    statements_checked = len({r.statement for r in references})
    print(f"\npartition pruning: {len(references)} references to partitioned tables, views and table "
          f"functions checked in {statements_checked} statements; {len(unpruned)} unpruned")
    assert references, "the checker found no references at all"
    assert not unpruned, "unpruned reads of partitioned tables:\n" + "\n".join(
        f"  {r.statement}: {r.name} ({r.why})" for r in unpruned)


def test_every_partitioned_table_of_the_ddl_is_known(catalog):
    # The contract tables that require a partition filter are all in the catalog the check uses.
    required = {name for name, d in ddl.definitions().items() if d.kind == "table" and d.require_partition_filter}
    assert required and required <= set(catalog.partitioned)


# --- the checker itself -------------------------------------------------------------------

CATALOG = pruning.Catalog(
    partitioned={"nba_raw.t": "game_date", "nba_raw.u": "report_date"},
    transparent_views={"nba_raw.v": "game_date"},
    functions={"nba_analytics.f": ("start_date", "end_date")},
)


@pytest.mark.parametrize("sql", [
    "SELECT * FROM `p.nba_raw.t` WHERE game_date = @d",
    "SELECT * FROM `p.nba_raw.t` AS x WHERE x.game_date BETWEEN DATE_SUB(@d, INTERVAL 7 DAY) AND @d",
    "SELECT * FROM `p.nba_raw.t` WHERE game_date < @d AND team = 'X'",
    "SELECT * FROM `p.nba_raw.t` WHERE game_date IN (DATE '2026-01-01', @d)",
    "SELECT * FROM `p.nba_raw.v` WHERE game_date = @d",
    "SELECT * FROM `p.nba_analytics.f`(@d, DATE_ADD(@d, INTERVAL 1 DAY))",
    "SELECT * FROM x JOIN `p.nba_raw.t` AS t ON t.game_date = @d AND t.k = x.k",
    "MERGE `p.nba_raw.t` AS T USING (SELECT 1 AS k) AS S ON T.game_date = @d AND T.k = S.k "
    "WHEN MATCHED THEN DELETE",
])
def test_the_checker_accepts_pruned_reads(sql):
    assert [r.constrained for r in pruning.check(sql, CATALOG, statement="t")] == [True]


@pytest.mark.parametrize("sql,why", [
    ("SELECT * FROM `p.nba_raw.t`", "no bound filter"),
    ("SELECT * FROM `p.nba_raw.t` WHERE game_date = @d OR k = 1", "no bound filter"),
    ("SELECT * FROM `p.nba_raw.t` WHERE k = @d", "no bound filter"),
    ("SELECT * FROM `p.nba_raw.u` WHERE report_date <= game_date", "no bound filter"),
    ("SELECT * FROM x JOIN `p.nba_raw.t` AS t ON t.game_date = x.game_date", "no bound filter"),
    ("SELECT * FROM `p.nba_raw.t` WHERE game_date >= (SELECT MIN(d) FROM x)", "no bound filter"),
    ("SELECT * FROM `p.nba_raw.v`", "no bound filter"),
    ("SELECT * FROM (SELECT * FROM `p.nba_raw.t`) WHERE game_date = @d", "no bound filter"),
    ("SELECT * FROM x JOIN `p.nba_analytics.f`(x.d, x.d) AS y ON TRUE", "unbound argument"),
])
def test_the_checker_rejects_unpruned_reads(sql, why):
    (reference,) = pruning.check(sql, CATALOG, statement="t")
    assert not reference.constrained and why in reference.why


def test_table_function_arguments_count_as_bound_inside_its_body():
    body = "SELECT * FROM `p.nba_raw.t` WHERE game_date BETWEEN start_date AND end_date"
    assert [r.constrained for r in pruning.check(body, CATALOG, statement="f",
                                                 arguments=("start_date", "end_date"))] == [True]
    assert [r.constrained for r in pruning.check(body, CATALOG, statement="f")] == [False]
