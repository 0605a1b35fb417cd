"""Unit tests of the lock triggers with a mocked lease store and BigQuery hook."""

from __future__ import annotations

import asyncio
import datetime as dt
from unittest import mock

import pytest

from nba_pipeline.hooks.firestore_lock import LockSettings
from nba_pipeline.lease import Lease, LeaseLost, LeasePolicy, LockState, Owner
from nba_pipeline.triggers.firestore_lock import FirestoreLockTrigger, LeaseGuardedBigQueryJobTrigger

NOW = dt.datetime(2026, 2, 4, 11, 0, tzinfo=dt.timezone.utc)
KEY = "PlayerGameSummaryProcessor_2026-02-03"
WAITER = Owner(dag_id="nba_pipeline", run_id="manual__1", task_id="player_game_summary", host="w1", pid=7)
HOLDER = Owner(dag_id="nba_pipeline", run_id="backfill__2", task_id="player_game_summary", host="w2", pid=8)


def state(*, exists=True, expired=False, holder=HOLDER, server_time=NOW, fence=4) -> LockState:
    return LockState(
        key=KEY, exists=exists, holder=holder if exists else None, fence=fence if exists else None,
        acquired_at=NOW - dt.timedelta(seconds=60) if exists else None,
        expires_at=NOW + dt.timedelta(seconds=840) if exists else None,
        server_time=server_time, age_seconds=60.0 if exists else None,
        expires_in_seconds=840.0 if exists else None, expired=expired, legacy=False,
        processor="PlayerGameSummaryProcessor" if exists else None,
        execution_id=holder.execution_id if exists else None, instance="w2:8" if exists else None,
    )


def lease(owner=WAITER, fence=5, at=NOW) -> Lease:
    return Lease(key=KEY, owner=owner, fence=fence, lease_seconds=900, acquired_at=at,
                 expires_at=at + dt.timedelta(seconds=900), update_time=at)


def run_with_store(trigger, store) -> list[dict]:
    async def collect():
        return [event.payload async for event in trigger.run()]

    with mock.patch.object(type(trigger), "open_store", mock.AsyncMock(return_value=(None, store))):
        return asyncio.run(collect())


def lock_trigger(**kwargs) -> FirestoreLockTrigger:
    defaults = {"lock_key": KEY, "poll_interval": 0.01}
    return FirestoreLockTrigger(**{**defaults, **kwargs})


class TestFirestoreLockTrigger:
    def test_serialize_round_trip(self):
        settings = LockSettings(gcp_conn_id="gcp", policy=LeasePolicy(collection="locks", fence_collection="fences",
                                                                      audit_collection="audit"))
        trigger = lock_trigger(owner=WAITER.to_dict(), acquire_when_free=True, processor="P",
                               lease_seconds=600, fence_floor=3, deadline=NOW.isoformat(),
                               lock_settings=settings.to_dict())
        classpath, kwargs = trigger.serialize()
        assert classpath == "nba_pipeline.triggers.firestore_lock.FirestoreLockTrigger"
        from airflow.sdk.module_loading import import_string

        rebuilt = import_string(classpath)(**kwargs)
        assert rebuilt.serialize() == (classpath, kwargs)
        assert kwargs["owner"] == WAITER.to_dict() and kwargs["deadline"] == NOW.isoformat()
        assert LockSettings.from_dict(kwargs["lock_settings"]) == settings and kwargs["fence_floor"] == 3

    def test_acquire_when_free_needs_an_owner(self):
        with pytest.raises(ValueError, match="owner"):
            lock_trigger(acquire_when_free=True)

    def test_free_after_polls(self):
        store = mock.Mock()
        store.inspect = mock.AsyncMock(side_effect=[state(), state(), state(exists=False)])
        events = run_with_store(lock_trigger(), store)
        assert [e["status"] for e in events] == ["free"]
        assert store.inspect.await_count == 3

    def test_expired_lock_counts_as_free(self):
        store = mock.Mock(inspect=mock.AsyncMock(return_value=state(expired=True)))
        assert [e["status"] for e in run_with_store(lock_trigger(), store)] == ["free"]

    def test_acquired_with_the_tasks_own_owner(self):
        store = mock.Mock()
        store.inspect = mock.AsyncMock(side_effect=[state(), state(exists=False)])
        store.try_acquire = mock.AsyncMock(return_value=lease())
        events = run_with_store(lock_trigger(owner=WAITER.to_dict(), acquire_when_free=True, processor="P"), store)
        assert events == [{"status": "acquired", "lock_key": KEY, "lease": lease().to_dict()}]
        store.try_acquire.assert_awaited_once_with(KEY, WAITER, processor="P", lease_seconds=None, fence_floor=0)

    def test_asks_the_store_when_its_own_task_holds_the_lock(self):
        """A duplicate instance of the same try: the store's rules hand back that very lease."""
        store = mock.Mock()
        store.inspect = mock.AsyncMock(return_value=state(holder=WAITER))
        store.try_acquire = mock.AsyncMock(return_value=lease(fence=4))
        events = run_with_store(lock_trigger(owner=WAITER.to_dict(), acquire_when_free=True), store)
        assert [e["status"] for e in events] == ["acquired"]
        assert events[0]["lease"]["fence"] == 4

    def test_lost_race_keeps_waiting(self):
        store = mock.Mock()
        store.inspect = mock.AsyncMock(side_effect=[state(exists=False), state(exists=False)])
        store.try_acquire = mock.AsyncMock(side_effect=[None, lease()])
        events = run_with_store(lock_trigger(owner=WAITER.to_dict(), acquire_when_free=True), store)
        assert [e["status"] for e in events] == ["acquired"]
        assert store.try_acquire.await_count == 2

    def test_timeout_on_server_time(self):
        store = mock.Mock()
        late = NOW + dt.timedelta(seconds=31)
        store.inspect = mock.AsyncMock(side_effect=[state(), state(server_time=late)])
        deadline = (NOW + dt.timedelta(seconds=30)).isoformat()
        events = run_with_store(lock_trigger(deadline=deadline), store)
        assert [e["status"] for e in events] == ["timeout"]
        assert events[0]["state"]["holder"] == HOLDER.to_dict()

    def test_error_is_one_event(self):
        store = mock.Mock(inspect=mock.AsyncMock(side_effect=RuntimeError("Firestore unavailable")))
        events = run_with_store(lock_trigger(), store)
        assert events == [{"status": "error", "lock_key": KEY, "message": "Firestore unavailable"}]


FAST = LockSettings(gcp_conn_id="gcp", policy=LeasePolicy(renew_seconds=0.02, margin_seconds=0.5,
                                                          lease_seconds=3, legacy_stale_seconds=600))


def job_trigger(**kwargs) -> LeaseGuardedBigQueryJobTrigger:
    defaults = {"job_id": "job_1", "project_id": "proj", "location": "US", "lease": lease().to_dict(),
                "poll_interval": 0.01, "lock_settings": FAST.to_dict()}
    return LeaseGuardedBigQueryJobTrigger(**{**defaults, **kwargs})


def run_job_trigger(trigger, store, statuses):
    bigquery = mock.Mock(get_job_status=mock.AsyncMock(side_effect=statuses))
    with mock.patch.object(LeaseGuardedBigQueryJobTrigger, "_get_async_hook", return_value=bigquery), \
            mock.patch.object(LeaseGuardedBigQueryJobTrigger, "cancel_job", mock.AsyncMock()) as cancel:
        return run_with_store(trigger, store), cancel


RUNNING = {"status": "running", "message": "Job running"}
DONE = {"status": "success", "message": "Job completed"}


class TestLeaseGuardedBigQueryJobTrigger:
    def test_serialize_round_trip(self):
        trigger = job_trigger(cancel_on_kill=False)
        classpath, kwargs = trigger.serialize()
        assert classpath == "nba_pipeline.triggers.firestore_lock.LeaseGuardedBigQueryJobTrigger"
        from airflow.sdk.module_loading import import_string

        assert import_string(classpath)(**kwargs).serialize() == (classpath, kwargs)
        assert kwargs["lease"] == lease().to_dict()

    def test_success_carries_the_latest_lease(self):
        renewed = lease(at=NOW + dt.timedelta(seconds=1))
        store = mock.Mock(renew=mock.AsyncMock(return_value=renewed))
        events, cancel = run_job_trigger(job_trigger(), store, [RUNNING, DONE])
        assert events == [{"status": "success", "job_id": "job_1", "lease": renewed.to_dict(),
                           "message": "Job completed"}]
        assert store.renew.await_count >= 1
        cancel.assert_not_awaited()

    def test_job_error_is_reported_without_cancelling(self):
        store = mock.Mock(renew=mock.AsyncMock(return_value=lease()))
        events, cancel = run_job_trigger(job_trigger(), store, [{"status": "error", "message": "Syntax error"}])
        assert len(events) == 1
        assert events[0]["status"] == "error" and events[0]["lease_lost"] is False
        assert events[0]["message"] == "Syntax error"
        cancel.assert_not_awaited()

    def test_a_refused_renewal_cancels_the_job_at_once(self):
        store = mock.Mock(renew=mock.AsyncMock(side_effect=[lease(), LeaseLost(KEY, "taken over")]))
        events, cancel = run_job_trigger(job_trigger(), store, [RUNNING] * 50)
        assert len(events) == 1
        assert events[0]["status"] == "error" and events[0]["lease_lost"] is True
        assert "cancelled" in events[0]["message"] and KEY in events[0]["message"]
        cancel.assert_awaited_once()

    def test_failing_renewals_are_retried_until_the_self_fence_deadline(self):
        calls = []

        async def unreachable(current):
            calls.append(asyncio.get_running_loop().time())
            if len(calls) == 1:
                return current
            raise RuntimeError("Firestore unavailable")

        store = mock.Mock(renew=unreachable)
        events, cancel = run_job_trigger(job_trigger(), store, [RUNNING] * 100_000)
        assert len(events) == 1 and events[0]["lease_lost"] is True
        assert "self-fence" in events[0]["message"]
        assert len(calls) > 2  # retried, not lost at the first failure
        import re

        silent = float(re.search(r"no renewal succeeded for ([0-9.]+) s", events[0]["message"]).group(1))
        assert silent >= FAST.policy.self_fence_seconds
        cancel.assert_awaited_once()

    def test_a_failed_status_call_cancels_the_job_before_the_event(self):
        store = mock.Mock(renew=mock.AsyncMock(return_value=lease()))
        events, cancel = run_job_trigger(job_trigger(), store, RuntimeError("BigQuery unreachable"))
        assert [e["status"] for e in events] == ["error"]
        assert "BigQuery unreachable" in events[0]["message"] and "cancelled" in events[0]["message"]
        cancel.assert_awaited_once()
