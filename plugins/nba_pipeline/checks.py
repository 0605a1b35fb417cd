"""Duplicate merge-key checks of the output tables, and their history in the audit dataset.

One generic query block (``include/sql/checks/duplicate_keys.sql``) checks one table on one
date, grouped by exactly the merge key the processor registry declares, so the check and the
MERGE can never disagree about what a duplicate is; a phase checks all its tables in one job.
A phase's results are appended to ``duplicate_check_results`` before anyone decides to fail
the run, so a failed check is still on record for the health check.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from nba_pipeline import processors
from nba_pipeline.config import Settings, settings
from nba_pipeline.processors import Processor
from nba_pipeline.sql import load_sql

log = logging.getLogger(__name__)

CHECK_SQL = "checks/duplicate_keys.sql"
HISTORY_SQL = "checks/duplicate_check_history.sql"
AUDIT_TABLE = "duplicate_check_results"


def _plain(value):
    """A key value as JSON and text show it (dates as ISO strings)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class DuplicateCheckResult:
    """The outcome of one table's check on one date.

    ``offending`` holds up to 10 duplicated keys, most rows first, each as
    ``({column: value}, rows with that key)``.
    """

    table: str
    dataset: str
    phase: int
    date_column: str
    date: dt.date
    key_columns: tuple[str, ...]
    row_count: int
    distinct_keys: int
    duplicated_keys: int
    excess_rows: int
    offending: list[tuple[dict, int]] = field(default_factory=list)
    passed: bool = True
    checked_at: dt.datetime | None = None

    @property
    def qualified_table(self) -> str:
        return f"{self.dataset}.{self.table}"

    def message(self) -> str:
        """What was checked and, on failure, every reported offending key with its row count."""
        keys = ", ".join(self.key_columns)
        where = f"{self.qualified_table} on {self.date_column} = {self.date.isoformat()}"
        if self.passed:
            return (
                f"No duplicate keys in {where} (key: {keys}): "
                f"{self.row_count} rows, {self.distinct_keys} distinct keys"
            )
        lines = [
            f"Duplicate keys in {where}",
            f"  key columns: {keys}",
            f"  rows: {self.row_count}, distinct keys: {self.distinct_keys}, "
            f"duplicated keys: {self.duplicated_keys}, excess rows: {self.excess_rows}",
            f"  offending keys ({len(self.offending)} of {self.duplicated_keys}, most rows first):",
        ]
        for key, count in self.offending:
            shown = ", ".join(f"{column}={_plain(value)}" for column, value in key.items())
            lines.append(f"    {shown}: {count} rows")
        return "\n".join(lines)

    def audit_row(self, *, run_id: str, check_id: str | None = None) -> dict:
        """The result as a row of the ``duplicate_check_results`` audit table (JSON-ready)."""
        return {
            "check_id": check_id or uuid.uuid4().hex,
            "checked_at": (self.checked_at or dt.datetime.now(dt.timezone.utc)).isoformat(),
            "run_id": run_id,
            "phase": self.phase,
            "table_name": self.table,
            "date_column": self.date_column,
            "target_date": self.date.isoformat(),
            "key_columns": ",".join(self.key_columns),
            "row_count": self.row_count,
            "distinct_keys": self.distinct_keys,
            "duplicated_keys": self.duplicated_keys,
            "excess_rows": self.excess_rows,
            "offending_keys": json.dumps(
                [
                    {"key": {column: _plain(value) for column, value in key.items()}, "row_count": count}
                    for key, count in self.offending
                ]
            ),
            "passed": self.passed,
        }


class DuplicateKeysFound(Exception):
    """One or more output tables hold a merge key more than once; ``results`` are the failures."""

    def __init__(self, results: Iterable[DuplicateCheckResult]):
        self.results = list(results)
        tables = ", ".join(r.qualified_table for r in self.results)
        details = "\n\n".join(r.message() for r in self.results)
        super().__init__(f"duplicate merge keys in {len(self.results)} table(s): {tables}\n\n{details}")


def _processor(processor: Processor | str) -> Processor:
    return processors.get(processor) if isinstance(processor, str) else processor


def check_duplicates(
    client, processor: Processor | str, business_date: dt.date, config: Settings | None = None
) -> DuplicateCheckResult:
    """Check one processor's table on the date it writes for business date D (D or D + 1)."""
    return check_tables(client, [processor], business_date, config)[0]


def check_tables(
    client, tables: Iterable[Processor | str], business_date: dt.date, config: Settings | None = None
) -> list[DuplicateCheckResult]:
    """Check several processors' tables for business date D in one query, results in their order.

    One block of ``duplicate_keys.sql`` per table, joined with UNION ALL: a phase's check is one
    BigQuery job, not one per table.
    """
    from google.cloud import bigquery

    config = config or settings()
    checked = [_processor(processor) for processor in tables]
    if not checked:
        return []
    parameters = [
        bigquery.ScalarQueryParameter(f"target_date_{number}", "DATE", processor.target_date(business_date))
        for number, processor in enumerate(checked)
    ]
    job_config = bigquery.QueryJobConfig(
        query_parameters=parameters,
        labels={"nba_check": "duplicate_keys", "nba_phase": "-".join(sorted({str(p.phase) for p in checked})),
                **({"nba_processor": checked[0].name} if len(checked) == 1 else {})},
    )
    rows = {row["table_name"]: row for row in client.query(check_sql(checked, config), job_config=job_config).result()}
    return [_result(processor, rows[processor.table], business_date, config) for processor in checked]


def check_sql(tables: Iterable[Processor | str], config: Settings | None = None) -> str:
    """The one query that checks ``tables``: the dates are parameters ``@target_date_0``, ..."""
    config = config or settings()
    blocks = []
    for number, processor in enumerate(_processor(p) for p in tables):
        block = load_sql(
            CHECK_SQL,
            config,
            extra={
                "dataset": config.dataset_for(processor.layer),
                "table": processor.table,
                "date_column": processor.date_column,
                "key_columns": processor.key,
                "key_fields": {column: column for column in processor.key},
                "date_parameter": f"target_date_{number}",
            },
        )
        blocks.append(f"SELECT * FROM (\n{block}\n)")
    return "\nUNION ALL\n".join(blocks)


def _result(processor: Processor, row, business_date: dt.date, config: Settings) -> DuplicateCheckResult:
    def typed(column, value):
        # JSON carries the date column as an ISO string; the result keeps it a date.
        return dt.date.fromisoformat(value) if column == processor.date_column and value is not None else value

    offending = [
        ({column: typed(column, item[column]) for column in processor.key}, int(item["row_count"]))
        for item in (json.loads(row["offending_keys"] or "null") or [])
    ]
    return DuplicateCheckResult(
        table=processor.table,
        dataset=config.dataset_for(processor.layer),
        phase=processor.phase,
        date_column=processor.date_column,
        date=processor.target_date(business_date),
        key_columns=tuple(processor.key),
        row_count=int(row["row_count"]),
        distinct_keys=int(row["distinct_keys"]),
        duplicated_keys=int(row["duplicated_keys"]),
        excess_rows=int(row["excess_rows"]),
        offending=offending,
        passed=int(row["duplicated_keys"]) == 0,
        checked_at=row["checked_at"],
    )


def audit_table_id(config: Settings | None = None) -> str:
    config = config or settings()
    return f"{config.project}.{config.audit_dataset}.{AUDIT_TABLE}"


def record_results(
    client, results: Iterable[DuplicateCheckResult], *, run_id: str, config: Settings | None = None
) -> int:
    """Append results to the audit table with one load job; returns the rows written.

    A load job rather than streaming inserts: loading is free, and rows still in BigQuery's
    streaming buffer cannot be changed by DML (a later clean-up) for up to 90 minutes.
    """
    from google.cloud import bigquery

    rows = [result.audit_row(run_id=run_id) for result in results]
    if not rows:
        return 0
    payload = "\n".join(json.dumps(row) for row in rows).encode()
    job_config = bigquery.LoadJobConfig(
        source_format=bigquery.SourceFormat.NEWLINE_DELIMITED_JSON,
        write_disposition=bigquery.WriteDisposition.WRITE_APPEND,
    )
    client.load_table_from_file(io.BytesIO(payload), audit_table_id(config), job_config=job_config).result()
    return len(rows)


def check_phase(
    client,
    phase: int,
    business_date: dt.date,
    *,
    run_id: str,
    persist: bool = True,
    only: Iterable[str] | None = None,
    config: Settings | None = None,
) -> list[DuplicateCheckResult]:
    """Check every table of a phase for business date D, or those named in ``only``.

    ``only`` may name processors of either phase (an on-demand run's subset); each name must
    exist, and those of the other phase are left out here.

    Results are persisted first and returned; failing the run is the caller's decision
    (``assert_no_duplicates``), so a failed check is recorded either way.
    """
    config = config or settings()
    wanted = set(processors.validate_names(only)) if only is not None else None
    chosen = [p for p in processors.phase(phase) if wanted is None or p.name in wanted]
    results = check_tables(client, chosen, business_date, config)
    for result in results:
        (log.info if result.passed else log.error)("%s", result.message())
    if persist:
        record_results(client, results, run_id=run_id, config=config)
    return results


def assert_no_duplicates(results: Iterable[DuplicateCheckResult]) -> None:
    """Raise ``DuplicateKeysFound`` naming every failed table and its offending keys."""
    failed = [result for result in results if not result.passed]
    if failed:
        raise DuplicateKeysFound(failed)


def check_history(
    client,
    start: dt.date,
    end: dt.date,
    *,
    latest_only: bool = False,
    config: Settings | None = None,
) -> list[dict]:
    """Audit rows whose checked date is in ``[start, end]``, oldest date first.

    ``offending_keys`` comes back parsed (a list of ``{"key": {...}, "row_count": n}``) and
    ``key_columns`` as a list. ``latest_only`` keeps the last check of each table and date.
    """
    from google.cloud import bigquery

    config = config or settings()
    job_config = bigquery.QueryJobConfig(
        query_parameters=[
            bigquery.ScalarQueryParameter("start_date", "DATE", start),
            bigquery.ScalarQueryParameter("end_date", "DATE", end),
        ]
    )
    history = []
    for row in client.query(load_sql(HISTORY_SQL, config), job_config=job_config).result():
        record = dict(row.items())
        record["offending_keys"] = json.loads(record["offending_keys"])
        record["key_columns"] = record["key_columns"].split(",")
        history.append(record)
    if latest_only:
        latest = {}
        for record in history:  # ordered by checked_at within a table and date
            latest[(record["target_date"], record["table_name"])] = record
        history = list(latest.values())
    return history
