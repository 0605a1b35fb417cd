"""Fencing tokens at the sink: the fence in a job's parameters, and the sink's fence watermark.

A lease's fence is a number that rises at every grant of a key. A writer puts it into its
BigQuery job as the ``@fence`` parameter; the guarded SQL writes it into ``_fence`` and refuses
to write when the sink has already seen a newer fence. The sink's memory of the newest fence is
the watermark table (``fence_watermarks``: one row per table and date), kept outside the data so
that a newer writer whose result is empty cannot make the sink forget it.

Order, for every writer: acquire the lease (with the watermark as ``fence_floor``), advance the
watermark to the lease's fence, then run the guarded job. The watermark only ever rises and is
advanced before the data is written, so it is at all times at least every fence in the data;
the guarded statement reads it in the same statement that writes, so an older fence changes
nothing, empty result or not. (BigQuery could do both writes in one multi-statement
transaction; the local emulator cannot bind query parameters inside scripts, and the order
above gives the same guarantee without one.)
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
from typing import Any

from nba_pipeline.warehouse import run_query_file

log = logging.getLogger(__name__)

FENCE_PARAMETER = "fence"
# Concurrent DML on the watermark table can be refused by BigQuery; a retry then succeeds.
_SERIALIZATION_ERROR = "could not serialize access"
_ADVANCE_ATTEMPTS = 4


def with_fence(configuration: dict[str, Any], fence: int, parameter: str = FENCE_PARAMETER) -> dict[str, Any]:
    """A copy of a query job configuration whose named INT64 parameter ``parameter`` is ``fence``.

    Any parameter of that name already there is replaced, so a stale value can never reach the SQL.
    """
    if "query" not in configuration:
        raise ValueError("the job configuration has no 'query' section; only query jobs can be fenced")
    fenced = copy.deepcopy(configuration)
    query = fenced["query"]
    if query.get("parameterMode", "NAMED").upper() != "NAMED":
        raise ValueError("the fence is a named parameter: the query must use parameterMode NAMED")
    query["parameterMode"] = "NAMED"
    kept = [p for p in query.get("queryParameters", []) if p.get("name") != parameter]
    kept.append(
        {"name": parameter, "parameterType": {"type": "INT64"}, "parameterValue": {"value": str(int(fence))}}
    )
    query["queryParameters"] = kept
    return fenced


def _day(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def sink_watermark(client, sink_table: str, target_date) -> int:
    """The highest fence the sink has seen for ``sink_table`` (``dataset.table``) on ``target_date``."""
    rows = run_query_file(client, "fencing/watermark.sql", sink_table=sink_table, target_date=_day(target_date))
    return int(rows[0]["fence"]) if rows else 0


def advance_watermark(client, sink_table: str, target_date, *, fence: int, lock_key: str, run_id: str) -> int:
    """Raise the watermark to ``fence`` (never lower it); returns the watermark afterwards.

    A result above ``fence`` means a newer lease already wrote (or is writing) this date: the
    caller's fence counter went back, and its job must not run.
    """
    for attempt in range(1, _ADVANCE_ATTEMPTS + 1):
        try:
            run_query_file(client, "fencing/advance_watermark.sql", sink_table=sink_table,
                           target_date=_day(target_date), fence=int(fence), lock_key=lock_key, run_id=run_id)
            break
        except Exception as error:  # BigQuery reports a DML conflict as a plain 400
            if _SERIALIZATION_ERROR not in str(error).lower() or attempt == _ADVANCE_ATTEMPTS:
                raise
            log.warning("watermark of %s %s: concurrent update, attempt %s", sink_table, target_date, attempt)
    current = sink_watermark(client, sink_table, target_date)
    log.info("fence watermark of %s for %s: %s (ours %s)", sink_table, target_date, current, fence)
    return current


def fence_evidence(bigquery_client, lease_store, key: str) -> dict[str, int]:
    """Every fence of ``key`` still on record, by where it was seen (for ``locks reseed``).

    Firestore: the counter, the lock document, the audit records; BigQuery: the sink's
    watermark and the rows of the processor's table for the key's date.
    """
    from nba_pipeline import processors
    from nba_pipeline.lease.model import processor_of

    lock_class, day = processor_of(key), dt.date.fromisoformat(key.rpartition("_")[2])
    processor = next((p for p in processors.PROCESSORS if p.lock_class == lock_class), None)
    if processor is None:
        raise ValueError(f"{key} is not a processor's lock key (known classes: "
                         f"{', '.join(p.lock_class for p in processors.PROCESSORS)})")
    counter = lease_store.client.collection(lease_store.fence_collection).document(key).get()
    lock = lease_store.inspect(key)
    rows = run_query_file(
        bigquery_client, "checks/date_fence.sql",
        extra={"dataset": processor.dataset, "table": processor.table, "date_column": processor.date_column},
        target_date=day,
    )
    return {
        "counter": int((counter.to_dict() or {}).get("fence") or 0) if counter.exists else 0,
        "lock": int(lock.fence or 0),
        "audit": lease_store.highest_audited_fence(key),
        "watermark": sink_watermark(bigquery_client, f"{processor.dataset}.{processor.table}", day),
        "rows": int(rows[0]["max_fence"]) if rows else 0,
    }
