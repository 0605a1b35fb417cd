"""Unit tests of the lock operators and sensor, provider style: the hooks are mocked."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from airflow.sdk.exceptions import AirflowException, AirflowSensorTimeout, AirflowSkipException, TaskDeferred

from nba_pipeline.lease import Lease, LeaseHeld, LeaseLost, LockState, Owner
from nba_pipeline.operators import FirestoreLockOperator, LeaseGuardedBigQueryInsertJobOperator
from nba_pipeline.operators.guarded_bigquery import with_fence
from nba_pipeline.sensors import FirestoreLockSensor
from nba_pipeline.triggers import FirestoreLockTrigger, LeaseGuardedBigQueryJobTrigger

NOW = dt.datetime(2026, 2, 4, 11, 0, tzinfo=dt.timezone.utc)
KEY = "PlayerGameSummaryProcessor_2026-02-03"
HOLDER = Owner(dag_id="legacy", run_id="r0", task_id="other", host="w2", pid=8)
GUARDED = "nba_pipeline.operators.guarded_bigquery"
CONFIGURATION = {"query": {"query": "SELECT @fence", "useLegacySql": False}}


def held(holder=HOLDER) -> LockState:
    return LockState(
        key=KEY, exists=True, holder=holder, fence=4, acquired_at=NOW, expires_at=NOW + dt.timedelta(seconds=900),
        server_time=NOW, age_seconds=0.0, expires_in_seconds=900.0, expired=False, legacy=False,
        processor="PlayerGameSummaryProcessor", execution_id=holder.execution_id, instance="w2:8",
    )


def lease_for(owner: Owner, fence: int = 5) -> Lease:
    return Lease(key=KEY, owner=owner, fence=fence, lease_seconds=900, acquired_at=NOW,
                 expires_at=NOW + dt.timedelta(seconds=900), update_time=NOW)


class FakeTI:
    """The task instance fields the operators read, and an in-memory XCom."""

    def __init__(self, task_id="guarded", try_number=1):
        self.dag_id, self.run_id, self.task_id = "nba_pipeline", "manual__1", task_id
        self.map_index, self.try_number = -1, try_number
        self.xcom: dict = {}

    def xcom_push(self, key, value):
        self.xcom[(self.task_id, key)] = value

    def xcom_pull(self, task_ids, key="return_value"):
        return self.xcom.get((task_ids, key))


@pytest.fixture
def context():
    return {"ti": FakeTI()}


def task_owner_of(context) -> Owner:
    from nba_pipeline.operators.firestore_lock import task_owner

    return task_owner(context)


def test_with_fence_replaces_a_stale_parameter_and_keeps_others():
    configuration = {"query": {"query": "q", "queryParameters": [
        {"name": "fence", "parameterType": {"type": "INT64"}, "parameterValue": {"value": "1"}},
        {"name": "game_date", "parameterType": {"type": "DATE"}, "parameterValue": {"value": "2026-02-03"}},
    ]}}
    fenced = with_fence(configuration, 42)
    parameters = {p["name"]: p["parameterValue"]["value"] for p in fenced["query"]["queryParameters"]}
    assert parameters == {"fence": "42", "game_date": "2026-02-03"}
    assert fenced["query"]["parameterMode"] == "NAMED"
    assert configuration["query"]["queryParameters"][0]["parameterValue"]["value"] == "1"  # not mutated
    assert with_fence(CONFIGURATION, 7, "lock_fence")["query"]["queryParameters"][0]["name"] == "lock_fence"


@pytest.mark.parametrize("configuration", [{"load": {}}, {"query": {"query": "q", "parameterMode": "POSITIONAL"}}])
def test_with_fence_rejects_what_cannot_be_fenced(configuration):
    with pytest.raises(ValueError):
        with_fence(configuration, 1)


def test_template_fields():
    assert {"lock_key", "configuration", "project_id", "location", "job_id"} <= set(
        LeaseGuardedBigQueryInsertJobOperator.template_fields
    )
    assert "lock_key" in FirestoreLockOperator.template_fields
    assert "lock_key" in FirestoreLockSensor.template_fields


def test_no_client_is_built_at_parse_time():
    with mock.patch(f"{GUARDED}.FirestoreLockHook") as hook:
        LeaseGuardedBigQueryInsertJobOperator(task_id="t", lock_key=KEY, configuration=CONFIGURATION)
        FirestoreLockSensor(task_id="s", lock_key=KEY)
    hook.assert_not_called()


class TestLeaseGuardedBigQueryInsertJobOperator:
    def operator(self, **kwargs):
        return LeaseGuardedBigQueryInsertJobOperator(
            task_id="guarded", lock_key=KEY, configuration=CONFIGURATION, lock_poll_interval=3,
            lock_timeout=60, **kwargs,
        )

    @mock.patch(f"{GUARDED}.FirestoreLockHook")
    def test_held_lock_defers_on_the_lock_trigger(self, hook, context):
        hook.return_value.try_acquire.return_value = None
        hook.return_value.inspect.return_value = held()
        with pytest.raises(TaskDeferred) as deferred:
            self.operator().execute(context)
        trigger = deferred.value.trigger
        assert isinstance(trigger, FirestoreLockTrigger)
        assert deferred.value.method_name == "execute_lease_acquired"
        assert trigger.acquire_when_free and trigger.lock_key == KEY and trigger.poll_interval == 3
        assert trigger.owner == task_owner_of(context).to_dict()
        assert trigger.deadline == (NOW + dt.timedelta(seconds=60)).isoformat()
        assert context["ti"].xcom[("guarded", "lock_wait_started_at")] == NOW.isoformat()

    @mock.patch("airflow.providers.google.cloud.hooks.bigquery.BigQueryHook")
    @mock.patch(f"{GUARDED}.FirestoreLockHook")
    def test_deferrable_job_defers_on_the_job_trigger_keeping_the_lease(self, hook, bigquery, context):
        lease = lease_for(task_owner_of(context))
        hook.return_value.try_acquire.return_value = lease
        job = bigquery.return_value.insert_job.return_value
        job.job_id, job.project, job.location = "job_1", "proj", "US"
        job.done.return_value = False
        with mock.patch("nba_pipeline.lease.LeaseHeartbeat") as heartbeat:
            heartbeat.return_value.lease = lease
            heartbeat.return_value.lost.is_set.return_value = False
            with pytest.raises(TaskDeferred) as deferred:
                self.operator(deferrable=True).execute(context)
        assert isinstance(deferred.value.trigger, LeaseGuardedBigQueryJobTrigger)
        assert deferred.value.method_name == "execute_complete"
        assert deferred.value.trigger.lease == lease.to_dict()
        hook.return_value.release.assert_not_called()
        fenced = bigquery.return_value.insert_job.call_args.kwargs["configuration"]
        assert fenced["query"]["queryParameters"][-1]["parameterValue"]["value"] == "5"

    @mock.patch("airflow.providers.google.cloud.hooks.bigquery.BigQueryHook")
    @mock.patch(f"{GUARDED}.FirestoreLockHook")
    def test_sync_run_releases_and_reports(self, hook, bigquery, context):
        lease = lease_for(task_owner_of(context))
        hook.return_value.try_acquire.return_value = lease
        hook.return_value.release.return_value = True
        job = bigquery.return_value.insert_job.return_value
        job.job_id, job.error_result, job.errors, job.num_dml_affected_rows = "job_1", None, [], 12
        job.done.return_value = True
        with mock.patch("nba_pipeline.lease.LeaseHeartbeat") as heartbeat:
            heartbeat.return_value.__enter__.return_value = heartbeat.return_value
            heartbeat.return_value.lease = lease
            heartbeat.return_value.lost.is_set.return_value = False
            result = self.operator().execute(context)
        assert result == {"job_id": "job_1", "fence": 5, "lock_key": KEY, "num_dml_affected_rows": 12,
                          "lease_wait_seconds": 0.0}
        hook.return_value.release.assert_called_once_with(lease)

    @mock.patch("airflow.providers.google.cloud.hooks.bigquery.BigQueryHook")
    @mock.patch(f"{GUARDED}.FirestoreLockHook")
    def test_lost_lease_cancels_the_job_and_fails(self, hook, bigquery, context):
        lease = lease_for(task_owner_of(context))
        hook.return_value.try_acquire.return_value = lease
        hook.return_value.release.return_value = False
        job = bigquery.return_value.insert_job.return_value
        job.job_id, job.project, job.location = "job_1", "proj", "US"
        job.done.return_value = False
        with mock.patch("nba_pipeline.lease.LeaseHeartbeat") as heartbeat:
            heartbeat.return_value.__enter__.return_value = heartbeat.return_value
            heartbeat.return_value.lease = lease
            heartbeat.return_value.lost.is_set.return_value = True
            heartbeat.return_value.error = LeaseLost(KEY, "taken over")
            with pytest.raises(AirflowException, match="lost.*cancelled"):
                self.operator().execute(context)
        bigquery.return_value.cancel_job.assert_called_once_with(job_id="job_1", project_id="proj", location="US")
        hook.return_value.release.assert_called_once_with(lease)

    @mock.patch(f"{GUARDED}.FirestoreLockHook")
    def test_lock_event_timeout_skips_or_fails(self, hook, context):
        event = {"status": "timeout", "state": held().to_dict()}
        with pytest.raises(AirflowSkipException, match=HOLDER.execution_id):
            self.operator(on_lock_timeout="skip").execute_lease_acquired(context, event)
        with pytest.raises(AirflowException, match="gave up waiting"):
            self.operator().execute_lease_acquired(context, event)
        with pytest.raises(AirflowException, match="boom"):
            self.operator().execute_lease_acquired(context, {"status": "error", "message": "boom"})
        hook.return_value.renew.assert_not_called()

    @mock.patch(f"{GUARDED}.FirestoreLockHook")
    def test_superseded_trigger_lease_is_taken_again(self, hook, context):
        stale = lease_for(task_owner_of(context), fence=5)
        fresh = lease_for(task_owner_of(context), fence=6)
        hook.return_value.renew.side_effect = LeaseLost(KEY, "taken over by the same task")
        hook.return_value.acquire.return_value = fresh
        operator = self.operator()
        with mock.patch.object(operator, "_run_under_lease", return_value={"fence": 6}) as run:
            operator.execute_lease_acquired(context, {"status": "acquired", "lease": stale.to_dict()})
        assert run.call_args.args[1] == fresh

    @mock.patch("airflow.providers.google.cloud.hooks.bigquery.BigQueryHook")
    @mock.patch(f"{GUARDED}.FirestoreLockHook")
    def test_execute_complete_releases_on_success_and_on_error(self, hook, bigquery, context):
        lease = lease_for(task_owner_of(context))
        hook.return_value.release.return_value = True
        job = bigquery.return_value.get_job.return_value
        job.job_id, job.error_result, job.errors, job.num_dml_affected_rows = "job_1", None, [], 3
        result = self.operator().execute_complete(context, {"status": "success", "job_id": "job_1",
                                                            "lease": lease.to_dict()})
        assert result["num_dml_affected_rows"] == 3 and result["fence"] == 5
        with pytest.raises(AirflowException, match="was lost"):
            self.operator().execute_complete(context, {"status": "error", "job_id": "job_1", "lease_lost": True,
                                                       "message": "lease was lost", "lease": lease.to_dict()})
        assert hook.return_value.release.call_count == 2

    @mock.patch("airflow.providers.google.cloud.hooks.bigquery.BigQueryHook")
    @mock.patch(f"{GUARDED}.FirestoreLockHook")
    def test_trigger_failure_cancels_the_job_and_releases(self, hook, bigquery, context):
        from airflow.sdk.exceptions import TaskDeferralTimeout

        lease = lease_for(task_owner_of(context))
        context["ti"].xcom_push("lease", lease.to_dict())
        context["ti"].xcom_push("bigquery_job_id", "job_1")
        with pytest.raises(TaskDeferralTimeout):
            self.operator().resume_execution("__fail__", {"error": "Trigger timeout"}, context)
        bigquery.return_value.cancel_job.assert_called_once()
        hook.return_value.release.assert_called_once_with(lease)


class TestFirestoreLockOperator:
    @mock.patch("nba_pipeline.operators.firestore_lock.FirestoreLockHook")
    def test_acquire_returns_the_lease(self, hook, context):
        hook.return_value.acquire.return_value = lease_for(HOLDER)
        result = FirestoreLockOperator(task_id="acquire", lock_key=KEY).execute(context)
        assert result == lease_for(HOLDER).to_dict()

    @mock.patch("nba_pipeline.operators.firestore_lock.FirestoreLockHook")
    def test_acquire_of_a_held_lock_fails_naming_the_holder(self, hook, context):
        hook.return_value.acquire.side_effect = LeaseHeld(held())
        with pytest.raises(AirflowException, match=HOLDER.execution_id):
            FirestoreLockOperator(task_id="acquire", lock_key=KEY).execute(context)

    @mock.patch("nba_pipeline.operators.firestore_lock.FirestoreLockHook")
    def test_release_without_a_lease_succeeds(self, hook, context):
        operator = FirestoreLockOperator(task_id="release", lock_key=KEY, action="release", lease_task_id="acquire")
        assert operator.execute(context) is None
        hook.return_value.release.assert_not_called()

    @mock.patch("nba_pipeline.operators.firestore_lock.FirestoreLockHook")
    @pytest.mark.parametrize("still_ours", [True, False])
    def test_release_uses_the_lease_from_xcom(self, hook, context, still_ours):
        context["ti"].xcom[("acquire", "return_value")] = lease_for(HOLDER).to_dict()
        hook.return_value.release.return_value = still_ours
        operator = FirestoreLockOperator(task_id="release", lock_key=KEY, action="release", lease_task_id="acquire")
        assert operator.execute(context) is None
        hook.return_value.release.assert_called_once_with(lease_for(HOLDER))

    @mock.patch("nba_pipeline.operators.firestore_lock.FirestoreLockHook")
    def test_renew_returns_the_renewed_lease(self, hook, context):
        context["ti"].xcom[("acquire", "return_value")] = lease_for(HOLDER).to_dict()
        hook.return_value.renew.return_value = lease_for(HOLDER, fence=5)
        operator = FirestoreLockOperator(task_id="renew", lock_key=KEY, action="renew", lease_task_id="acquire")
        assert operator.execute(context) == lease_for(HOLDER, fence=5).to_dict()

    def test_bad_arguments(self):
        with pytest.raises(ValueError, match="action"):
            FirestoreLockOperator(task_id="x", lock_key=KEY, action="steal")
        with pytest.raises(ValueError, match="lease_task_id"):
            FirestoreLockOperator(task_id="x", lock_key=KEY, action="release")


class TestFirestoreLockSensor:
    @mock.patch("nba_pipeline.sensors.firestore_lock.FirestoreLockHook")
    def test_defers_while_held(self, hook, context):
        hook.return_value.inspect.return_value = held()
        sensor = FirestoreLockSensor(task_id="wait", lock_key=KEY, acquire_when_free=True, poke_interval=5, timeout=120)
        with pytest.raises(TaskDeferred) as deferred:
            sensor.execute(context)
        trigger = deferred.value.trigger
        assert isinstance(trigger, FirestoreLockTrigger) and deferred.value.method_name == "execute_complete"
        assert trigger.acquire_when_free and trigger.poll_interval == 5
        assert trigger.deadline == (NOW + dt.timedelta(seconds=120)).isoformat()
        hook.return_value.try_acquire.assert_not_called()

    @mock.patch("nba_pipeline.sensors.firestore_lock.FirestoreLockHook")
    def test_free_lock_is_taken_without_deferring(self, hook, context):
        free = LockState(key=KEY, exists=False, holder=None, fence=None, acquired_at=None, expires_at=None,
                         server_time=NOW, age_seconds=None, expires_in_seconds=None, expired=False,
                         legacy=False, processor=None, execution_id=None, instance=None)
        hook.return_value.inspect.return_value = free
        hook.return_value.try_acquire.return_value = lease_for(HOLDER)
        sensor = FirestoreLockSensor(task_id="wait", lock_key=KEY, acquire_when_free=True)
        assert sensor.execute(context) == lease_for(HOLDER).to_dict()

    def test_execute_complete_for_each_event(self, context):
        sensor = FirestoreLockSensor(task_id="wait", lock_key=KEY, on_timeout="skip")
        lease = lease_for(HOLDER).to_dict()
        assert sensor.execute_complete(context, {"status": "acquired", "lease": lease}) == lease
        assert sensor.execute_complete(context, {"status": "free", "state": {"exists": False}}) == {"exists": False}
        with pytest.raises(AirflowSkipException, match=HOLDER.execution_id):
            sensor.execute_complete(context, {"status": "timeout", "state": held().to_dict()})
        failing = FirestoreLockSensor(task_id="wait", lock_key=KEY)
        with pytest.raises(AirflowSensorTimeout, match=HOLDER.execution_id):
            failing.execute_complete(context, {"status": "timeout", "state": held().to_dict()})
        with pytest.raises(AirflowException, match="unavailable"):
            failing.execute_complete(context, {"status": "error", "message": "Firestore unavailable"})

    def test_bad_on_timeout(self):
        with pytest.raises(ValueError):
            FirestoreLockSensor(task_id="wait", lock_key=KEY, on_timeout="retry")


@mock.patch("nba_pipeline.sensors.firestore_lock.FirestoreLockHook")
def test_poke_mode_times_out_with_a_skip_naming_the_holder(hook, context):
    hook.return_value.inspect.return_value = held()
    sensor = FirestoreLockSensor(task_id="wait", lock_key=KEY, deferrable=False, poke_interval=0.01,
                                 timeout=0.05, on_timeout="skip")
    with pytest.raises(AirflowSkipException, match=HOLDER.execution_id):
        sensor.execute(context)
    assert hook.return_value.inspect.call_count >= 2
