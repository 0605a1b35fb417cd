"""Unit tests of the lock operators and sensor, provider style: the hooks are mocked."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
from unittest import mock

import pytest
from airflow.sdk.exceptions import (
    AirflowException,
    AirflowFailException,
    AirflowSensorTimeout,
    AirflowSkipException,
    TaskDeferred,
)

from nba_pipeline.fencing import with_fence
from nba_pipeline.hooks.firestore_lock import LockSettings
from nba_pipeline.lease import FenceCounterLost, Lease, LeaseHeld, LeaseLost, LeasePolicy, LockState, Owner
from nba_pipeline.operators import FirestoreLockOperator, LeaseGuardedBigQueryInsertJobOperator
from nba_pipeline.sensors import FirestoreLockSensor
from nba_pipeline.triggers import FirestoreLockTrigger, LeaseGuardedBigQueryJobTrigger

NOW = dt.datetime(2026, 2, 4, 11, 0, tzinfo=dt.timezone.utc)
KEY = "PlayerGameSummaryProcessor_2026-02-03"
HOLDER = Owner(dag_id="legacy", run_id="r0", task_id="other", host="w2", pid=8)
LOCK_HOOK = "nba_pipeline.hooks.firestore_lock.FirestoreLockHook"
BIGQUERY_HOOK = "airflow.providers.google.cloud.hooks.bigquery.BigQueryHook"
CONFIGURATION = {"query": {"query": "SELECT @fence", "useLegacySql": False}}
SETTINGS = LockSettings(gcp_conn_id="my_gcp", impersonation_chain=("sa@p.iam.gserviceaccount.com",),
                        project_id="locks-project", policy=LeasePolicy(collection="locks"))


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
    return {"ti": FakeTI(), "run_id": "manual__1"}


def owner_of(context) -> Owner:
    return Owner.from_ti(context["ti"])


def store_of(hook):
    """The LeaseStore the mocked hook hands out."""
    return hook.return_value.get_store.return_value


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
    assert {"lock_key", "configuration", "fence_sink", "project_id", "location", "job_id"} <= set(
        LeaseGuardedBigQueryInsertJobOperator.template_fields
    )
    assert "lock_key" in FirestoreLockOperator.template_fields
    assert "lock_key" in FirestoreLockSensor.template_fields


def test_lock_settings_travel_as_one_json_value():
    import json

    again = LockSettings.from_dict(json.loads(json.dumps(SETTINGS.to_dict())))
    assert again == SETTINGS and again.impersonation_chain == ("sa@p.iam.gserviceaccount.com",)
    assert SETTINGS.with_lease(300).policy.lease_seconds == 300 and SETTINGS.with_lease(None) == SETTINGS


def test_no_client_is_built_at_parse_time():
    with mock.patch(LOCK_HOOK) as hook, mock.patch(BIGQUERY_HOOK) as bigquery:
        LeaseGuardedBigQueryInsertJobOperator(task_id="t", lock_key=KEY, configuration=CONFIGURATION)
        FirestoreLockSensor(task_id="s", lock_key=KEY)
        FirestoreLockOperator(task_id="o", lock_key=KEY)
    hook.assert_not_called()
    bigquery.assert_not_called()


class TestLeaseGuardedBigQueryInsertJobOperator:
    def operator(self, **kwargs):
        kwargs.setdefault("lock_settings", SETTINGS)
        return LeaseGuardedBigQueryInsertJobOperator(
            task_id="guarded", lock_key=KEY, configuration=CONFIGURATION, lock_poll_interval=3,
            lock_timeout=60, **kwargs,
        )

    @mock.patch(BIGQUERY_HOOK)
    @mock.patch(LOCK_HOOK)
    def test_hooks_get_the_connection_and_impersonation_chain(self, hook, bigquery):
        operator = self.operator(location="EU", lease_seconds=300)
        _ = operator.lease_store, operator.bigquery_hook
        hook.assert_called_once_with(lock_settings=SETTINGS.with_lease(300))
        bigquery.assert_called_once_with(gcp_conn_id="my_gcp", impersonation_chain=("sa@p.iam.gserviceaccount.com",),
                                         location="EU", use_legacy_sql=False)

    @mock.patch(LOCK_HOOK)
    def test_held_lock_defers_on_the_lock_trigger_with_the_settings(self, hook, context):
        store_of(hook).try_acquire.return_value = None
        store_of(hook).inspect.return_value = held()
        with pytest.raises(TaskDeferred) as deferred:
            self.operator().execute(context)
        trigger = deferred.value.trigger
        assert isinstance(trigger, FirestoreLockTrigger)
        assert deferred.value.method_name == "execute_lease_acquired"
        assert trigger.acquire_when_free and trigger.lock_key == KEY and trigger.poll_interval == 3
        assert trigger.owner == owner_of(context).to_dict()
        assert trigger.deadline == (NOW + dt.timedelta(seconds=60)).isoformat()
        assert LockSettings.from_dict(trigger.lock_settings) == SETTINGS
        assert context["ti"].xcom[("guarded", "lock_wait_started_at")] == NOW.isoformat()

    @mock.patch(BIGQUERY_HOOK)
    @mock.patch(LOCK_HOOK)
    def test_deferrable_job_renews_then_defers_on_the_job_trigger(self, hook, bigquery, context):
        lease = lease_for(owner_of(context))
        renewed = lease_for(owner_of(context))
        store_of(hook).try_acquire.return_value = lease
        store_of(hook).renew.return_value = renewed
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
        store_of(hook).renew.assert_called_once_with(lease)  # right before deferring
        assert deferred.value.trigger.lease == renewed.to_dict()
        store_of(hook).release.assert_not_called()
        bigquery.return_value.cancel_job.assert_not_called()
        fenced = bigquery.return_value.insert_job.call_args.kwargs["configuration"]
        assert fenced["query"]["queryParameters"][-1]["parameterValue"]["value"] == "5"
        assert fenced["labels"]["airflow-task"] == "guarded" and "airflow-dag" in fenced["labels"]

    @staticmethod
    @contextlib.contextmanager
    def finished_job(hook, bigquery, context):
        """A granted lease, a job done at once (12 rows) and a heartbeat that never loses the lease."""
        lease = lease_for(owner_of(context))
        store_of(hook).try_acquire.return_value = lease
        job = bigquery.return_value.insert_job.return_value
        job.job_id, job.error_result, job.errors, job.num_dml_affected_rows = "job_1", None, [], 12
        job.done.return_value = True
        with mock.patch("nba_pipeline.lease.LeaseHeartbeat") as heartbeat:
            heartbeat.return_value.__enter__.return_value = heartbeat.return_value
            heartbeat.return_value.lease = lease
            heartbeat.return_value.lost.is_set.return_value = False
            yield lease

    @mock.patch(BIGQUERY_HOOK)
    @mock.patch(LOCK_HOOK)
    def test_sync_run_releases_and_reports(self, hook, bigquery, context):
        store_of(hook).release.return_value = True
        with self.finished_job(hook, bigquery, context) as lease:
            result = self.operator().execute(context)
        assert result == {"job_id": "job_1", "fence": 5, "lock_key": KEY, "num_dml_affected_rows": 12,
                          "lease_wait_seconds": 0.0}
        store_of(hook).release.assert_called_once_with(lease)
        assert context["ti"].xcom[("guarded", "bigquery_job_detail")]["job_id"] == "job_1"

    @pytest.mark.parametrize(("release", "message"), [
        (False, "was taken from"),
        (ConnectionError("503"), "the lock store did not answer its release"),
    ])
    @mock.patch(BIGQUERY_HOOK)
    @mock.patch(LOCK_HOOK)
    def test_a_finished_job_whose_release_is_not_confirmed_fails_saying_why(self, hook, bigquery, context,
                                                                           release, message):
        if isinstance(release, Exception):
            store_of(hook).release.side_effect = release
        else:
            store_of(hook).release.return_value = release
        with self.finished_job(hook, bigquery, context) as lease, pytest.raises(AirflowException, match=message):
            self.operator().execute(context)
        store_of(hook).release.assert_called_once_with(lease)  # once: no second try on the way out
        bigquery.return_value.cancel_job.assert_not_called()  # the job had finished

    @pytest.mark.parametrize("failure", ["lease_lost", "status_call"])
    @mock.patch(BIGQUERY_HOOK)
    @mock.patch(LOCK_HOOK)
    def test_the_job_is_cancelled_before_the_lease_is_released(self, hook, bigquery, context, failure):
        lease = lease_for(owner_of(context))
        store_of(hook).try_acquire.return_value = lease
        store_of(hook).release.return_value = True
        job = bigquery.return_value.insert_job.return_value
        job.job_id, job.project, job.location = "job_1", "proj", "US"
        order = mock.Mock()
        order.attach_mock(bigquery.return_value.cancel_job, "cancel")
        order.attach_mock(store_of(hook).release, "release")
        with mock.patch("nba_pipeline.lease.LeaseHeartbeat") as heartbeat:
            heartbeat.return_value.__enter__.return_value = heartbeat.return_value
            heartbeat.return_value.lease = lease
            if failure == "lease_lost":
                job.done.return_value = False
                # Still held after the watermark's advance, lost once the job runs.
                heartbeat.return_value.lost.is_set.side_effect = itertools.chain([False], itertools.repeat(True))
                heartbeat.return_value.error = LeaseLost(KEY, "taken over")
                expected = "lost.*cancelled"
            else:
                # A transient error while polling the job: the job may still be writing.
                job.done.side_effect = [ConnectionError("BigQuery unreachable"), False]
                heartbeat.return_value.lost.is_set.return_value = False
                expected = "unreachable"
            with pytest.raises((AirflowException, ConnectionError), match=expected):
                self.operator().execute(context)
        assert [c[0] for c in order.mock_calls] == ["cancel", "release"]
        bigquery.return_value.cancel_job.assert_called_once_with(job_id="job_1", project_id="proj", location="US")

    @mock.patch(BIGQUERY_HOOK)
    @mock.patch(LOCK_HOOK)
    def test_a_lease_lost_while_the_watermark_advances_submits_no_job(self, hook, bigquery, context):
        lease = lease_for(owner_of(context))
        store_of(hook).try_acquire.return_value = lease
        with mock.patch("nba_pipeline.lease.LeaseHeartbeat") as heartbeat:
            heartbeat.return_value.__enter__.return_value = heartbeat.return_value
            heartbeat.return_value.lease = lease
            heartbeat.return_value.lost.is_set.return_value = True
            heartbeat.return_value.error = LeaseLost(KEY, "taken over")
            with pytest.raises(AirflowException, match="lost before its BigQuery job was submitted.*nothing was written"):
                self.operator().execute(context)
        # The advance ran under the heartbeat, the job never started.
        heartbeat.return_value.__enter__.assert_called_once()
        bigquery.return_value.insert_job.assert_not_called()

    @mock.patch(BIGQUERY_HOOK)
    @mock.patch(LOCK_HOOK)
    def test_the_sink_watermark_bounds_the_grant_and_is_advanced_before_the_job(self, hook, bigquery, context):
        lease = lease_for(owner_of(context), fence=5)
        store_of(hook).try_acquire.return_value = lease
        sink = {"table": "nba_analytics.player_game_summary", "date": "2026-02-03"}
        with mock.patch("nba_pipeline.fencing.sink_watermark", return_value=4) as watermark, \
                mock.patch("nba_pipeline.fencing.advance_watermark", return_value=9) as advance:
            with pytest.raises(AirflowFailException, match="carries fence 9.*locks reseed"):
                self.operator(fence_sink=sink).execute(context)
        assert store_of(hook).try_acquire.call_args.kwargs["fence_floor"] == 4
        watermark.assert_called_once()
        assert advance.call_args.kwargs["fence"] == 5
        bigquery.return_value.insert_job.assert_not_called()  # nothing written
        store_of(hook).release.assert_called_once_with(lease)

    @mock.patch(LOCK_HOOK)
    def test_a_lost_fence_counter_fails_without_retries(self, hook, context):
        store_of(hook).try_acquire.side_effect = FenceCounterLost(KEY, "its fence counter is missing")
        with pytest.raises(AirflowFailException, match="locks reseed"):
            self.operator().execute(context)

    @mock.patch(LOCK_HOOK)
    def test_lock_event_timeout_skips_or_fails(self, hook, context):
        event = {"status": "timeout", "state": held().to_dict()}
        with pytest.raises(AirflowSkipException, match=HOLDER.execution_id):
            self.operator(on_lock_timeout="skip").execute_lease_acquired(context, event)
        with pytest.raises(AirflowException, match="gave up waiting"):
            self.operator().execute_lease_acquired(context, event)
        with pytest.raises(AirflowException, match="boom"):
            self.operator().execute_lease_acquired(context, {"status": "error", "message": "boom"})
        store_of(hook).renew.assert_not_called()

    @mock.patch(LOCK_HOOK)
    def test_a_lease_from_the_triggerer_is_renewed_as_this_process(self, hook, context):
        granted = lease_for(owner_of(context).__class__(**{**owner_of(context).to_dict(), "host": "w1", "pid": 1}))
        store_of(hook).renew.return_value = granted
        operator = self.operator()
        with mock.patch.object(operator, "_run_under_lease", return_value={"fence": 5}) as run:
            operator.execute_lease_acquired(context, {"status": "acquired", "lease": granted.to_dict()})
        moved_to = store_of(hook).renew.call_args.kwargs["moved_to"]
        assert moved_to.same_try(granted.owner) and moved_to == owner_of(context)
        assert run.call_args.args[1] == granted

    @mock.patch(LOCK_HOOK)
    def test_superseded_trigger_lease_is_taken_again(self, hook, context):
        stale = lease_for(owner_of(context), fence=5)
        fresh = lease_for(owner_of(context), fence=6)
        store_of(hook).renew.side_effect = LeaseLost(KEY, "taken over")
        store_of(hook).try_acquire.return_value = fresh
        operator = self.operator()
        with mock.patch.object(operator, "_run_under_lease", return_value={"fence": 6}) as run:
            operator.execute_lease_acquired(context, {"status": "acquired", "lease": stale.to_dict()})
        assert run.call_args.args[1] == fresh

    @mock.patch(BIGQUERY_HOOK)
    @mock.patch(LOCK_HOOK)
    def test_execute_complete_releases_on_success_and_cancels_first_on_error(self, hook, bigquery, context):
        lease = lease_for(owner_of(context))
        store_of(hook).release.return_value = True
        job = bigquery.return_value.get_job.return_value
        job.job_id, job.error_result, job.errors, job.num_dml_affected_rows = "job_1", None, [], 3
        result = self.operator().execute_complete(context, {"status": "success", "job_id": "job_1",
                                                            "lease": lease.to_dict()})
        assert result["num_dml_affected_rows"] == 3 and result["fence"] == 5
        bigquery.return_value.cancel_job.assert_not_called()
        order = mock.Mock()
        order.attach_mock(bigquery.return_value.cancel_job, "cancel")
        order.attach_mock(store_of(hook).release, "release")
        with pytest.raises(AirflowException, match="was lost"):
            self.operator().execute_complete(context, {"status": "error", "job_id": "job_1", "lease_lost": True,
                                                       "message": "lease was lost", "lease": lease.to_dict()})
        assert [c[0] for c in order.mock_calls] == ["cancel", "release"]

    @mock.patch(BIGQUERY_HOOK)
    @mock.patch(LOCK_HOOK)
    def test_trigger_failure_cancels_the_job_then_releases(self, hook, bigquery, context):
        from airflow.sdk.exceptions import TaskDeferralTimeout

        lease = lease_for(owner_of(context))
        context["ti"].xcom_push("lease", lease.to_dict())
        context["ti"].xcom_push("bigquery_job_id", "job_1")
        store_of(hook).release.return_value = True
        order = mock.Mock()
        order.attach_mock(bigquery.return_value.cancel_job, "cancel")
        order.attach_mock(store_of(hook).release, "release")
        with pytest.raises(TaskDeferralTimeout):
            self.operator().resume_execution("__fail__", {"error": "Trigger timeout"}, context)
        assert [c[0] for c in order.mock_calls] == ["cancel", "release"]
        store_of(hook).release.assert_called_once_with(lease)

    @mock.patch(BIGQUERY_HOOK)
    @mock.patch(LOCK_HOOK)
    def test_on_kill_cancels_the_running_job_then_releases(self, hook, bigquery):
        operator = self.operator()
        operator._running_job_id = "job_9"
        operator._lease = lease_for(HOLDER)
        store_of(hook).release.return_value = True
        order = mock.Mock()
        order.attach_mock(bigquery.return_value.cancel_job, "cancel")
        order.attach_mock(store_of(hook).release, "release")
        operator.on_kill()
        assert [c[0] for c in order.mock_calls] == ["cancel", "release"]
        bigquery.return_value.cancel_job.assert_called_once_with(job_id="job_9", project_id=None, location=None)
        operator = self.operator(cancel_on_kill=False)
        operator._running_job_id, operator._lease = "job_9", lease_for(HOLDER)
        bigquery.return_value.cancel_job.reset_mock()
        operator.on_kill()
        bigquery.return_value.cancel_job.assert_not_called()


class TestFirestoreLockOperator:
    HOOK = "nba_pipeline.hooks.firestore_lock.FirestoreLockHook"

    @mock.patch(HOOK)
    def test_the_hook_gets_the_settings(self, hook, context):
        store_of(hook).acquire.return_value = lease_for(HOLDER)
        FirestoreLockOperator(task_id="acquire", lock_key=KEY, lock_settings=SETTINGS, lease_seconds=300).execute(context)
        hook.assert_called_once_with(lock_settings=SETTINGS.with_lease(300))

    @mock.patch(HOOK)
    def test_acquire_returns_the_lease(self, hook, context):
        store_of(hook).acquire.return_value = lease_for(HOLDER)
        result = FirestoreLockOperator(task_id="acquire", lock_key=KEY).execute(context)
        assert result == lease_for(HOLDER).to_dict()

    @mock.patch(HOOK)
    def test_acquire_of_a_held_lock_fails_naming_the_holder(self, hook, context):
        store_of(hook).acquire.side_effect = LeaseHeld(held())
        with pytest.raises(AirflowException, match=HOLDER.execution_id):
            FirestoreLockOperator(task_id="acquire", lock_key=KEY).execute(context)

    @mock.patch(HOOK)
    def test_release_without_a_lease_succeeds(self, hook, context):
        operator = FirestoreLockOperator(task_id="release", lock_key=KEY, action="release", lease_task_id="acquire")
        assert operator.execute(context) is None
        store_of(hook).release.assert_not_called()

    @mock.patch(HOOK)
    @pytest.mark.parametrize("still_ours", [True, False])
    def test_release_uses_the_lease_from_xcom(self, hook, context, still_ours):
        context["ti"].xcom[("acquire", "return_value")] = lease_for(HOLDER).to_dict()
        store_of(hook).release.return_value = still_ours
        operator = FirestoreLockOperator(task_id="release", lock_key=KEY, action="release", lease_task_id="acquire")
        assert operator.execute(context) is None
        store_of(hook).release.assert_called_once_with(lease_for(HOLDER))

    @mock.patch(HOOK)
    def test_renew_returns_the_renewed_lease(self, hook, context):
        context["ti"].xcom[("acquire", "return_value")] = lease_for(HOLDER).to_dict()
        store_of(hook).renew.return_value = lease_for(HOLDER, fence=5)
        operator = FirestoreLockOperator(task_id="renew", lock_key=KEY, action="renew", lease_task_id="acquire")
        assert operator.execute(context) == lease_for(HOLDER, fence=5).to_dict()

    def test_bad_arguments(self):
        with pytest.raises(ValueError, match="action"):
            FirestoreLockOperator(task_id="x", lock_key=KEY, action="steal")
        with pytest.raises(ValueError, match="lease_task_id"):
            FirestoreLockOperator(task_id="x", lock_key=KEY, action="release")


class TestFirestoreLockSensor:
    HOOK = "nba_pipeline.hooks.firestore_lock.FirestoreLockHook"

    @mock.patch(HOOK)
    def test_defers_while_held(self, hook, context):
        store_of(hook).inspect.return_value = held()
        sensor = FirestoreLockSensor(task_id="wait", lock_key=KEY, poke_interval=5, timeout=120)
        with pytest.raises(TaskDeferred) as deferred:
            sensor.execute(context)
        trigger = deferred.value.trigger
        assert isinstance(trigger, FirestoreLockTrigger) and deferred.value.method_name == "execute_complete"
        assert not trigger.acquire_when_free and trigger.poll_interval == 5
        assert trigger.deadline == (NOW + dt.timedelta(seconds=120)).isoformat()
        store_of(hook).try_acquire.assert_not_called()

    def test_acquire_when_free_needs_work_that_fits_in_an_unrenewed_lease(self):
        with pytest.raises(ValueError, match="work_timeout"):
            FirestoreLockSensor(task_id="wait", lock_key=KEY, acquire_when_free=True)
        with pytest.raises(ValueError, match="longer than the 540 s"):
            FirestoreLockSensor(task_id="wait", lock_key=KEY, acquire_when_free=True, lock_settings=SETTINGS,
                                work_timeout=dt.timedelta(minutes=30))
        FirestoreLockSensor(task_id="wait", lock_key=KEY, acquire_when_free=True, lock_settings=SETTINGS,
                            work_timeout=dt.timedelta(minutes=5))

    @mock.patch(HOOK)
    def test_downstream_work_without_a_short_enough_timeout_is_refused(self, hook, context):
        sensor = FirestoreLockSensor(task_id="wait", lock_key=KEY, acquire_when_free=True,
                                     work_timeout=dt.timedelta(minutes=5))
        work = mock.Mock(task_id="work", is_teardown=False, execution_timeout=None)
        release = mock.Mock(task_id="unlock", is_teardown=True, execution_timeout=None)
        with mock.patch.object(FirestoreLockSensor, "has_dag", return_value=True), \
                mock.patch.object(FirestoreLockSensor, "get_direct_relatives", return_value=[work, release]):
            with pytest.raises(AirflowException, match="execution_timeout.*work"):
                sensor.execute(context)
            store_of(hook).inspect.assert_not_called()
            work.execution_timeout = dt.timedelta(minutes=4)
            store_of(hook).inspect.return_value = held()
            with pytest.raises(TaskDeferred):
                sensor.execute(context)  # bounded work: the sensor goes on to wait

    @mock.patch(HOOK)
    def test_free_lock_is_taken_without_deferring(self, hook, context):
        free = LockState(key=KEY, exists=False, holder=None, fence=None, acquired_at=None, expires_at=None,
                         server_time=NOW, age_seconds=None, expires_in_seconds=None, expired=False,
                         legacy=False, processor=None, execution_id=None, instance=None)
        store_of(hook).inspect.return_value = free
        store_of(hook).try_acquire.return_value = lease_for(HOLDER)
        sensor = FirestoreLockSensor(task_id="wait", lock_key=KEY, acquire_when_free=True, work_timeout=60)
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


@mock.patch(LOCK_HOOK)
def test_poke_mode_times_out_with_a_skip_naming_the_holder(hook, context):
    store_of(hook).inspect.return_value = held()
    sensor = FirestoreLockSensor(task_id="wait", lock_key=KEY, deferrable=False, poke_interval=0.01,
                                 timeout=0.05, on_timeout="skip")
    with pytest.raises(AirflowSkipException, match=HOLDER.execution_id):
        sensor.execute(context)
    assert store_of(hook).inspect.call_count >= 2
