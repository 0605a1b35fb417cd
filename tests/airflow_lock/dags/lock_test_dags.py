"""DAGs the lock tests run with ``dag.test()``; every value comes from the run's params."""

from __future__ import annotations

import datetime as dt

from airflow.sdk import DAG

from nba_pipeline.hooks.firestore_lock import LockSettings
from nba_pipeline.lease import LeasePolicy
from nba_pipeline.operators import FirestoreLockOperator, LeaseGuardedBigQueryInsertJobOperator
from nba_pipeline.sensors import FirestoreLockSensor

START = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
# The default collections, with renewals every half second so the tests see several.
FAST_RENEWALS = LockSettings(policy=LeasePolicy(renew_seconds=0.5))

with DAG("nba_lock_test_guarded", schedule=None, start_date=START, catchup=False,
         params={"lock_key": "", "sql": "SELECT 1", "game_date": "2026-02-03"}) as guarded_dag:
    LeaseGuardedBigQueryInsertJobOperator(
        task_id="guarded",
        lock_key="{{ params.lock_key }}",
        configuration={
            "query": {
                "query": "{{ params.sql }}",
                "useLegacySql": False,
                "parameterMode": "NAMED",
                "queryParameters": [
                    {"name": "game_date", "parameterType": {"type": "DATE"},
                     "parameterValue": {"value": "{{ params.game_date }}"}},
                    # A stale value the operator must replace with the lease's fence.
                    {"name": "fence", "parameterType": {"type": "INT64"}, "parameterValue": {"value": "-1"}},
                ],
            }
        },
        processor="TestLockProcessor",
        lock_settings=FAST_RENEWALS,
        lock_poll_interval=0.5,
        lock_timeout=dt.timedelta(seconds=60),
        poll_interval=0.5,
        retries=0,
    )

with DAG("nba_lock_test_guarded_skip", schedule=None, start_date=START, catchup=False,
         params={"lock_key": ""}) as guarded_skip_dag:
    LeaseGuardedBigQueryInsertJobOperator(
        task_id="guarded",
        lock_key="{{ params.lock_key }}",
        configuration={"query": {"query": "SELECT @fence AS fence", "useLegacySql": False}},
        lock_poll_interval=0.5,
        lock_timeout=2,
        on_lock_timeout="skip",
        retries=0,
    )

with DAG("nba_lock_test_sensor", schedule=None, start_date=START, catchup=False,
         params={"lock_key": "", "timeout": 60}) as sensor_dag:
    wait = FirestoreLockSensor(
        task_id="wait_for_lock",
        lock_key="{{ params.lock_key }}",
        acquire_when_free=True,
        work_timeout=dt.timedelta(minutes=5),
        poke_interval=0.5,
        timeout=30,
        on_timeout="skip",
        retries=0,
    )
    release = FirestoreLockOperator(
        task_id="release_lock",
        lock_key="{{ params.lock_key }}",
        action="release",
        lease_task_id="wait_for_lock",
    ).as_teardown(setups=wait)

with DAG("nba_lock_test_sensor_timeout", schedule=None, start_date=START, catchup=False,
         params={"lock_key": ""}) as sensor_timeout_dag:
    FirestoreLockSensor(
        task_id="wait_for_lock",
        lock_key="{{ params.lock_key }}",
        poke_interval=0.5,
        timeout=2,
        on_timeout="skip",
        retries=0,
    )
