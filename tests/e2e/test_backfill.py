"""A parallel backfill through Airflow's scheduler gives the tables a sequential run gives.

Six business dates run one by one (``dag.test()``) in one world, and as an ``airflow backfill``
with three runs at a time under ``airflow standalone`` (scheduler, triggerer, dag-processor,
API server, LocalExecutor) in another; every table's rows of every date must hash the same.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest

from environment import patched_environ
from nba_pipeline_dev.local import standalone
from nba_pipeline_dev.local.runs import run_backfill
from tests.e2e.support import isolated_world, pipeline_hashes

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

DATES = [dt.date(2026, 2, 1) + dt.timedelta(days=i) for i in range(6)]
SEED_RANGE = {"start": dt.date(2026, 1, 25), "end": dt.date(2026, 2, 7)}


def test_parallel_backfill_equals_sequential_runs(bigquery_client, tmp_path):
    with isolated_world(bigquery_client, tmp_path / "sequential", name="seq", **SEED_RANGE) as world:
        outcomes = world.run(DATES)
        assert [o["state"] for o in outcomes] == ["success"] * len(DATES), outcomes
        sequential = pipeline_hashes(bigquery_client, DATES)

    with isolated_world(bigquery_client, tmp_path / "parallel", name="par", **SEED_RANGE), \
            patched_environ({"NBA_AIRFLOW_PORT": os.environ.get("NBA_TEST_AIRFLOW_PORT", "8093"), "AIRFLOW__CORE__PARALLELISM": "6"}):
        standalone.start()
        try:
            runs = run_backfill(DATES, max_active_runs=3, timeout=900)
        finally:
            standalone.stop()
        assert [r["state"] for r in runs] == ["success"] * len(DATES), runs
        parallel = pipeline_hashes(bigquery_client, DATES)

    assert set(sequential) == set(parallel)
    different = sorted(k for k in sequential if sequential[k] != parallel[k])
    assert not different, f"tables differ between parallel and sequential runs: {different}"
