"""A parallel backfill through Airflow's scheduler gives the tables a sequential run gives.

Four business dates run one by one by the plain script (each phase's MERGEs in registry order,
no Airflow; the cluster modules prove Airflow's runs equal to it) in one world, and as an
``airflow backfill`` with three runs at a time (the fourth starts while later ones still run)
under ``airflow standalone`` (scheduler, triggerer, dag-processor, API server, LocalExecutor) in
another; every table's rows of every date must hash the same.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
from tests.e2e.support import isolated_world, pipeline_hashes
from tests.sql.helpers import run_phase

from environment import patched_environ
from nba_pipeline import processors
from nba_pipeline.earlier_dates import history_task_ids
from nba_pipeline_dev.local import standalone
from nba_pipeline_dev.local.runs import run_backfill

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

DATES = [dt.date(2026, 2, 1) + dt.timedelta(days=i) for i in range(4)]
SEED_RANGE = {"start": dt.date(2026, 1, 25), "end": dt.date(2026, 2, 5)}


def guard_followed_earlier_post_game_processors(airflow_home):
    """In the metadata database: each date's guard ended after every earlier date's post-game
    processors, the history readers started after the guard, and the guard never poked."""
    import sqlite3

    db = sqlite3.connect(f"file:{airflow_home / 'airflow.db'}?mode=ro", uri=True, timeout=30)
    try:
        rows = db.execute("SELECT r.logical_date, t.task_id, t.start_date, t.end_date FROM task_instance t "
                          "JOIN dag_run r ON r.run_id = t.run_id AND r.dag_id = t.dag_id "
                          "WHERE t.dag_id = 'nba_pipeline'").fetchall()
        pokes = db.execute("SELECT COUNT(*) FROM task_reschedule r JOIN task_instance t ON t.id = r.ti_id "
                           "WHERE t.task_id = 'wait_for_earlier_dates'").fetchone()[0]
    finally:
        db.close()
    tasks = {(logical[:10], task): (start, end) for logical, task, start, end in rows}
    post_game = history_task_ids()
    for day in DATES:
        guard_end = tasks[(day.isoformat(), "wait_for_earlier_dates")][1]
        for earlier in (d for d in DATES if d < day):
            for task in post_game:
                assert tasks[(earlier.isoformat(), task)][1] <= guard_end, (day, earlier, task)
        for p in processors.PROCESSORS:
            if p.reads_earlier_dates or p.phase == 4:
                assert tasks[(day.isoformat(), p.name)][0] >= guard_end, (day, p.name)
    assert pokes == 0, "the guard waits deferred, never by reschedule pokes"


def test_parallel_backfill_equals_sequential_runs(bigquery_client, tmp_path):
    with isolated_world(bigquery_client, tmp_path / "sequential", name="seq", **SEED_RANGE):
        for day in DATES:
            run_phase(bigquery_client, 3, day)
            run_phase(bigquery_client, 4, day)
        sequential = pipeline_hashes(bigquery_client, DATES)

    with isolated_world(bigquery_client, tmp_path / "parallel", name="par", **SEED_RANGE) as world, \
            patched_environ({"NBA_AIRFLOW_PORT": os.environ.get("NBA_TEST_AIRFLOW_PORT", "8093"), "AIRFLOW__CORE__PARALLELISM": "6"}):
        standalone.start()
        try:
            runs = run_backfill(DATES, max_active_runs=3, timeout=900)
        finally:
            standalone.stop()
        assert [r["state"] for r in runs] == ["success"] * len(DATES), runs
        parallel = pipeline_hashes(bigquery_client, DATES)
        guard_followed_earlier_post_game_processors(world.airflow_home)

    assert set(sequential) == set(parallel)
    different = sorted(k for k in sequential if sequential[k] != parallel[k])
    assert not different, f"tables differ between parallel and sequential runs: {different}"
