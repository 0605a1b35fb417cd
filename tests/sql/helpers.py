"""Helpers for tests that run the pipeline's SQL against the local BigQuery stand-in.

Each test module can work in its own copy of the warehouse (datasets with a suffix), so seeded
raw data and faults of one module never leak into another that shares the emulator.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import uuid

from google.cloud import bigquery

from environment import patched_environ
from nba_pipeline import merge, processors, transforms, warehouse
from nba_pipeline.config import settings

# Which write wrote a row, and when: content comparisons (re-runs, backfill = sequential) ignore
# these, and the write times of the phase 3 tables other phase 3 rows record as their sources.
UPSTREAM_WRITE_TIMES = (
    "source_team_last_updated", "source_boxscore_last_updated",
    # phase 4 rows record when the rows they read were written
    "source_shot_zone_last_updated", "source_player_shot_last_updated", "source_team_defense_last_updated",
    "source_player_game_last_updated", "source_team_offense_last_updated", "source_upcoming_context_last_updated",
    "source_player_context_last_updated", "source_team_context_last_updated",
    # the feature store's record of the phase 4 rows it read
    "source_daily_cache_last_updated", "source_composite_last_updated", "source_shot_zones_last_updated",
)
LINEAGE_COLUMNS = merge.LINEAGE_COLUMNS + tuple(merge.WRITE_CONTEXT) + UPSTREAM_WRITE_TIMES
# Phase 4 tables that write only the teams and players with enough earlier games (15 team games,
# 10 and 3 player games, as the platform gates them): a run without that much history leaves
# them empty.
GATED_BY_HISTORY = ("team_defense_zone_analysis", "player_shot_zone_analysis", "player_daily_cache")
_DATASET_VARIABLES = {
    "raw": "NBA_RAW_DATASET",
    "reference": "NBA_REFERENCE_DATASET",
    "analytics": "NBA_ANALYTICS_DATASET",
    "precompute": "NBA_PRECOMPUTE_DATASET",
    "predictions": "NBA_PREDICTIONS_DATASET",
    "audit": "NBA_AUDIT_DATASET",
}


# This session's mark in dataset names, so two sessions on one local stack never share datasets.
_SESSION = uuid.uuid4().hex[:4]
_open_slots: set[int] = set()


@contextlib.contextmanager
def isolated_warehouse(client, suffix: str | None = None):
    """Point settings at datasets named ``<dataset>_<suffix>``, create them and every table.

    Without ``suffix`` the datasets are named after this session and the lowest slot no other
    open warehouse holds: a module's world gets the names the previous module's had, so the
    statements it sends are the texts the BigQuery stand-in has already parsed and translated
    (its memos are keyed by text; per-module names made every module's first date pay for
    parsing anew). Names are emptied first, so nothing a failed module left behind leaks.
    The datasets are deleted afterwards and the environment is restored.
    """
    slot = None
    if suffix is None:
        slot = min(set(range(1, len(_open_slots) + 2)) - _open_slots)
        _open_slots.add(slot)
        suffix = f"t{_SESSION}w{slot}"
    base = settings()
    names = {variable: f"{base.dataset_for(layer)}_{suffix}" for layer, variable in _DATASET_VARIABLES.items()}
    try:
        with patched_environ(names):
            datasets: list[str] = []
            try:
                _delete_datasets(client, [f"{settings().project}.{name}" for name in names.values()])
                datasets = warehouse.ensure_datasets(client)
                warehouse.ensure_tables(client)
                yield settings()
            finally:
                _delete_datasets(client, reversed(datasets))
    finally:
        _open_slots.discard(slot)


def _delete_datasets(client, dataset_ids) -> None:
    for dataset_id in dataset_ids:
        client.delete_dataset(dataset_id, delete_contents=True, not_found_ok=True)


def table_id(table: str, layer: str = "analytics") -> str:
    config = settings()
    return f"{config.project}.{config.dataset_for(layer)}.{table}"


def query(client, sql: str, **parameters) -> list[dict]:
    """Run a query with named parameters (dates, ints, strings); rows as plain dicts."""
    kinds = {bool: "BOOL", int: "INT64", float: "FLOAT64", str: "STRING", dt.date: "DATE", dt.datetime: "TIMESTAMP"}
    job_config = bigquery.QueryJobConfig(
        query_parameters=[
            bigquery.ScalarQueryParameter(name, kinds[type(value)], value)
            for name, value in parameters.items()
        ]
    )
    return [dict(row.items()) for row in client.query(sql, job_config=job_config).result()]


def seed_dates(client, start: dt.date, end: dt.date, *, seed: int = 7, faults=()):
    """Generate raw data for ``start..end`` with the project's generator and load it."""
    from nba_pipeline_dev import seed as generator

    parsed = [generator.parse_fault(f) if isinstance(f, str) else f for f in faults]
    data = generator.generate(start, end, seed=seed, faults=parsed)
    generator.load(client, data)
    return data


def run(client, processor_name: str, business_date: dt.date, *, fence: int = 1, run_id: str = "test"):
    """Run one processor for business date D through the same job configuration as the DAG."""
    return transforms.run_processor(
        client, processors.get(processor_name), business_date, fence=fence, run_id=run_id
    )


def run_phase(client, phase: int, business_date: dt.date, *, fence: int = 1, run_id: str = "test"):
    """Run every processor of a phase for D, in registry order (upstream before downstream)."""
    for processor in processors.phase(phase):
        transforms.run_processor(client, processor, business_date, fence=fence, run_id=run_id)


def fetch(client, table: str, date_column: str, day: dt.date, layer: str = "analytics",
          columns: str = "*") -> list[dict]:
    """Every row of one date of a table (only ``columns``, when given), as dicts."""
    return query(client, f"SELECT {columns} FROM `{table_id(table, layer)}` WHERE {date_column} = @day", day=day)


def fetch_processor_rows(client, processor_name: str, business_date: dt.date, columns: str = "*") -> list[dict]:
    """The rows a processor wrote for business date D (its own target date)."""
    processor = processors.get(processor_name)
    return fetch(
        client, processor.table, processor.date_column, processor.target_date(business_date), processor.layer,
        columns,
    )


def content_hash(rows: list[dict], exclude: tuple[str, ...] = LINEAGE_COLUMNS) -> str:
    """An order-independent hash of rows, ignoring lineage and write-context columns (fence, run
    id, write times, versions, processing context)."""
    canonical = sorted(
        json.dumps({k: v for k, v in row.items() if k not in exclude}, sort_keys=True, default=str)
        for row in rows
    )
    return hashlib.sha256("\n".join(canonical).encode()).hexdigest()


def table_hash(client, table: str, date_column: str, day: dt.date, layer: str = "analytics",
               exclude: tuple[str, ...] = LINEAGE_COLUMNS) -> str:
    """An order-independent fingerprint of one date of a table, computed on the server."""
    return table_hashes(client, table, date_column, [day], layer, exclude)[day]


def table_hashes(client, table: str, date_column: str, days, layer: str = "analytics",
                 exclude: tuple[str, ...] = LINEAGE_COLUMNS) -> dict[dt.date, str]:
    """Fingerprints of several dates of a table in one query, ``{day: fingerprint}``.

    Each row (lineage and write-context columns left out) becomes the MD5 of its JSON; per date,
    the row count and the MD5 of the sorted row digests make the result, so one row per date
    comes back however big the table, and a duplicated row changes it. A date without rows is
    ``0:``. (MD5 runs natively in the stand-in; its FARM_FINGERPRINT is a Python function called
    row by row: 2.4 s against 0.04 s for 20,000 rows, ``benchmarks/fingerprint_benchmark.py``.)
    """
    days = sorted(set(days))
    reference = table_id(table, layer)
    columns = [field.name for field in client.get_table(reference).schema if field.name not in exclude]
    rows = query(client, f"""
        SELECT day, COUNT(*) AS row_count, TO_HEX(MD5(STRING_AGG(row_digest, ',' ORDER BY row_digest))) AS digest
        FROM (SELECT {date_column} AS day, TO_HEX(MD5(TO_JSON_STRING(t))) AS row_digest
              FROM (SELECT {", ".join(f"`{c}`" for c in columns)} FROM `{reference}`
                    WHERE {date_column} BETWEEN @first AND @last) t)
        GROUP BY day""", first=days[0], last=days[-1])
    found = {row["day"]: "{row_count}:{digest}".format(**row) for row in rows}
    return {day: found.get(day, "0:") for day in days}


def duplicate_keys(client, processor_name: str) -> list[dict]:
    """Keys of a processor's table that occur more than once, over all dates."""
    processor = processors.get(processor_name)
    key = ", ".join(processor.key)
    return query(
        client,
        f"SELECT {key}, COUNT(*) AS n FROM `{table_id(processor.table, processor.layer)}` "
        f"GROUP BY {key} HAVING COUNT(*) > 1",
    )


def copy_history(client, tables, first: dt.date, last: dt.date, shift_days: int) -> None:
    """Copy the rows of first..last of phase 3 post-game tables to ``shift_days`` earlier.

    Seeding and running phase 3 over a whole season takes many minutes; copies give teams and
    players the games phase 4 needs. Copied games get their own ids, so no play-by-play matches.
    """
    for table in tables:
        target = table_id(table)
        columns = [field.name for field in client.get_table(target).schema]
        new_date = "DATE_SUB(game_date, INTERVAL @shift DAY)"
        shifted = {
            "game_date": new_date,
            "game_id": f"CONCAT(FORMAT_DATE('%Y%m%d', {new_date}), SUBSTR(game_id, 9))",
            "nba_game_id": "CONCAT('H', CAST(@shift AS STRING), '_', nba_game_id)",
        }
        query(
            client,
            f"INSERT INTO `{target}` ({', '.join(columns)}) "
            f"SELECT {', '.join(shifted.get(c, c) for c in columns)} FROM `{target}` "
            "WHERE game_date BETWEEN @first AND @last",
            shift=shift_days, first=first, last=last,
        )
