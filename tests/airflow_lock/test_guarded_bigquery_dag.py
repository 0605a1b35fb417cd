"""The guarded BigQuery operator end to end: ``dag.test()`` on Firestore and bqemulator."""

from __future__ import annotations

import threading
import time
import uuid
from unittest import mock

import pytest

from nba_pipeline.config import settings
from nba_pipeline.lease import Owner

pytestmark = pytest.mark.integration

GAME_DATE = "2026-02-03"
DATASET = "nba_lock_test"
# A cross join DuckDB needs a few seconds for: long enough to take the lease away mid-job.
SLOW_ROWS = 25000


@pytest.fixture
def scores_table(bigquery_client):
    """An empty fenced table, like the processors' outputs: one row per (game_date, player)."""
    project = settings().project
    bigquery_client.create_dataset(f"{project}.{DATASET}", exists_ok=True)
    table = f"{project}.{DATASET}.scores_{uuid.uuid4().hex[:8]}"
    bigquery_client.query(
        f"CREATE TABLE `{table}` (game_date DATE, player STRING, points INT64, _fence INT64)"
    ).result()
    return table


def merge_sql(table: str, burn_rows: int = 0) -> str:
    """The fenced, idempotent MERGE of one date (the pattern every processor SQL uses)."""
    burn = (
        f"CROSS JOIN (SELECT COUNT(*) AS burn FROM UNNEST(GENERATE_ARRAY(1, {burn_rows})) AS a "
        f"CROSS JOIN UNNEST(GENERATE_ARRAY(1, {burn_rows})) AS b WHERE MOD(a * b, 7) = 3)"
        if burn_rows else ""
    )
    return f"""
MERGE `{table}` AS T
USING (
  SELECT src.game_date, src.player, src.points
  FROM UNNEST([
    STRUCT(@game_date AS game_date, 'lebronjames' AS player, 31 AS points),
    STRUCT(@game_date AS game_date, 'stephencurry' AS player, 27 AS points)
  ]) AS src {burn}
  WHERE @fence >= (SELECT IFNULL(MAX(_fence), 0) FROM `{table}` WHERE game_date = @game_date)
) AS S
ON T.game_date = S.game_date AND T.player = S.player
WHEN MATCHED AND T._fence <= @fence THEN UPDATE SET points = S.points, _fence = @fence
WHEN NOT MATCHED BY TARGET THEN INSERT (game_date, player, points, _fence)
  VALUES (S.game_date, S.player, S.points, @fence)
WHEN NOT MATCHED BY SOURCE AND T.game_date = @game_date AND T._fence <= @fence THEN DELETE
"""


def rows(bigquery_client, table):
    return sorted(
        tuple(row.values())
        for row in bigquery_client.query(f"SELECT player, points, _fence FROM `{table}`").result()
    )


def other_owner() -> Owner:
    return Owner(dag_id="legacy_or_other", run_id=f"run_{uuid.uuid4().hex[:6]}", task_id="other")


def release_after_refusal(lease_store, lease, hold_seconds: float, timeout: float = 60.0) -> None:
    """Release ``lease`` ``hold_seconds`` after the lock refused someone else (the audit says when)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(record["event"] == "refusal" for record in lease_store.audit_log(lease.key)):
            time.sleep(hold_seconds)
            break
        time.sleep(0.1)
    lease_store.release(lease)


def test_fence_lands_in_rows_and_lease_is_released(
    run_lock_dag, lease_store, lock_key, scores_table, bigquery_client
):
    # A previous grant of the key, so the fence must be the next one, not 1.
    earlier = lease_store.acquire(lock_key, other_owner())
    assert lease_store.release(earlier)

    state, tasks, xcoms = run_lock_dag("nba_lock_test_guarded", lock_key=lock_key, sql=merge_sql(scores_table))

    assert (state, tasks["guarded"]) == ("success", "success")
    result = xcoms["guarded"]["return_value"]
    assert result["fence"] == earlier.fence + 1
    assert result["lock_key"] == lock_key
    assert result["num_dml_affected_rows"] == 2
    assert result["lease_wait_seconds"] == 0
    assert result["job_id"]
    # The stale fence parameter (-1) in the DAG was replaced by the lease's.
    assert rows(bigquery_client, scores_table) == [
        ("lebronjames", 31, result["fence"]), ("stephencurry", 27, result["fence"])
    ]
    assert not lease_store.inspect(lock_key).exists
    # Renewals in between depend on how long the job took; the grant and the release do not.
    events = [record["event"] for record in lease_store.audit_log(lock_key) if record["event"] != "renew"]
    assert events[:2] == ["release", "acquire"]


def test_held_lock_makes_the_task_wait_then_proceed(
    run_lock_dag, lease_store, lock_key, scores_table, bigquery_client
):
    blocker = lease_store.acquire(lock_key, other_owner())
    releaser = threading.Thread(target=release_after_refusal, args=(lease_store, blocker, 2.0))
    releaser.start()
    try:
        state, tasks, xcoms = run_lock_dag("nba_lock_test_guarded", lock_key=lock_key, sql=merge_sql(scores_table))
    finally:
        releaser.join()

    assert (state, tasks["guarded"]) == ("success", "success")
    result = xcoms["guarded"]["return_value"]
    assert result["fence"] == blocker.fence + 1
    # Measured on Firestore server time from the refused acquire to the grant.
    assert 2.0 <= result["lease_wait_seconds"] < 30
    assert {r[2] for r in rows(bigquery_client, scores_table)} == {result["fence"]}
    assert not lease_store.inspect(lock_key).exists


def test_lock_timeout_skips_with_the_holder_named(run_lock_dag, lease_store, lock_key):
    blocker = lease_store.acquire(lock_key, other_owner())
    try:
        state, tasks, _ = run_lock_dag("nba_lock_test_guarded_skip", lock_key=lock_key)
        assert tasks["guarded"] == "skipped"
        after = lease_store.inspect(lock_key)
        assert after.holder == blocker.owner and after.fence == blocker.fence
    finally:
        lease_store.release(blocker)


def test_failing_sql_still_releases_the_lease(run_lock_dag, lease_store, lock_key):
    sql = f"MERGE `{settings().project}.{DATASET}.no_such_table_{uuid.uuid4().hex[:6]}` T USING (SELECT 1 AS k) S ON FALSE WHEN NOT MATCHED THEN INSERT (k) VALUES (@fence)"
    state, tasks, _ = run_lock_dag("nba_lock_test_guarded", lock_key=lock_key, sql=sql)

    assert (state, tasks["guarded"]) == ("failed", "failed")
    assert not lease_store.inspect(lock_key).exists
    # Renewals in between depend on how long the job took; the grant and the release do not.
    events = [record["event"] for record in lease_store.audit_log(lock_key) if record["event"] != "renew"]
    assert events[:2] == ["release", "acquire"]


def test_takeover_mid_job_cancels_the_job_and_fails_the_task(
    run_lock_dag, lease_store, lock_key, scores_table, bigquery_client
):
    from airflow.providers.google.cloud.hooks.bigquery import BigQueryHook

    usurper = other_owner()
    taken: dict = {}

    def take_over_while_the_job_runs():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            state = lease_store.inspect(lock_key)
            if state.holder is not None and state.holder.task_id == "guarded":
                time.sleep(1.0)  # the job is running by now
                lease_store.force_release(lock_key, reason="test takeover", actor="pytest")
                taken["lease"] = lease_store.acquire(lock_key, usurper)
                return
            time.sleep(0.05)

    thief = threading.Thread(target=take_over_while_the_job_runs)
    thief.start()
    with mock.patch.object(BigQueryHook, "cancel_job", autospec=True, side_effect=BigQueryHook.cancel_job) as cancel:
        state, tasks, xcoms = run_lock_dag(
            "nba_lock_test_guarded", lock_key=lock_key, sql=merge_sql(scores_table, burn_rows=SLOW_ROWS)
        )
    thief.join()

    assert "lease" in taken, "the lease was never seen held by the guarded task"
    assert (state, tasks["guarded"]) == ("failed", "failed")
    assert cancel.call_count == 1
    assert "return_value" not in xcoms.get("guarded", {})
    # The new holder keeps its lease: the failed task's release was refused, not a delete.
    after = lease_store.inspect(lock_key)
    assert after.holder == usurper and after.fence == taken["lease"].fence
    events = [record["event"] for record in lease_store.audit_log(lock_key, limit=20)]
    assert "force_release" in events and "refusal" in events
    lease_store.release(taken["lease"])
