"""The lock triggers' ``run()`` against the Firestore emulator (and bqemulator for the job trigger)."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time
import uuid
from unittest import mock

import pytest

from nba_pipeline.lease import Lease, Owner
from nba_pipeline.triggers.firestore_lock import FirestoreLockTrigger, LeaseGuardedBigQueryJobTrigger

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def _connection(airflow_db):
    """Triggers build their hooks from the connection the local stack exports."""


def owner(task_id: str = "waiter", try_number: int = 1) -> Owner:
    return Owner(dag_id="lock_trigger_test", run_id=f"run_{uuid.uuid4().hex[:6]}", task_id=task_id,
                 try_number=try_number)


async def events_of(trigger) -> list[dict]:
    return [event.payload async for event in trigger.run()]


def deadline_after(lease_store, key: str, seconds: float) -> str:
    return (lease_store.inspect(key).server_time + dt.timedelta(seconds=seconds)).isoformat()


def test_yields_free_once_the_holder_releases(lease_store, lock_key):
    held = lease_store.acquire(lock_key, owner("holder"))
    threading.Timer(1.5, lease_store.release, args=(held,)).start()
    trigger = FirestoreLockTrigger(lock_key=lock_key, poll_interval=0.2,
                                   deadline=deadline_after(lease_store, lock_key, 30))
    started = time.monotonic()
    events = asyncio.run(events_of(trigger))
    assert [event["status"] for event in events] == ["free"]
    assert time.monotonic() - started >= 1.4
    assert events[0]["state"]["exists"] is False


def test_yields_timeout_with_the_holder_when_the_deadline_passes(lease_store, lock_key):
    held = lease_store.acquire(lock_key, owner("holder"))
    try:
        trigger = FirestoreLockTrigger(lock_key=lock_key, owner=owner().to_dict(), acquire_when_free=True,
                                       poll_interval=0.2, deadline=deadline_after(lease_store, lock_key, 1))
        events = asyncio.run(events_of(trigger))
        assert [event["status"] for event in events] == ["timeout"]
        state = events[0]["state"]
        assert state["holder"] == held.owner.to_dict() and state["fence"] == held.fence
        assert lease_store.inspect(lock_key).fence == held.fence  # nothing was taken
    finally:
        lease_store.release(held)


def test_acquire_when_free_takes_the_lock_for_the_waiting_task(lease_store, lock_key):
    held = lease_store.acquire(lock_key, owner("holder"))
    threading.Timer(1.0, lease_store.release, args=(held,)).start()
    waiter = owner()
    trigger = FirestoreLockTrigger(lock_key=lock_key, owner=waiter.to_dict(), acquire_when_free=True,
                                   poll_interval=0.2, processor="TestLockProcessor")
    (event,) = asyncio.run(events_of(trigger))
    assert event["status"] == "acquired"
    lease = Lease.from_dict(event["lease"])
    assert lease.owner == waiter and lease.fence == held.fence + 1
    state = lease_store.inspect(lock_key)
    assert state.holder == waiter and state.processor == "TestLockProcessor"
    assert lease_store.release(lease)


def test_two_instances_of_one_waiting_try_share_one_grant(lease_store, lock_key):
    """Triggerer fail-over runs one trigger twice: one lease, one fence, never a takeover."""
    held = lease_store.acquire(lock_key, owner("holder"))
    threading.Timer(1.0, lease_store.release, args=(held,)).start()
    waiter = owner()
    kwargs = {"lock_key": lock_key, "owner": waiter.to_dict(), "acquire_when_free": True, "poll_interval": 0.1}

    async def both():
        return await asyncio.gather(events_of(FirestoreLockTrigger(**kwargs)),
                                    events_of(FirestoreLockTrigger(**kwargs)))

    first, second = asyncio.run(both())
    assert len(first) == len(second) == 1
    leases = [Lease.from_dict(events[0]["lease"]) for events in (first, second)]
    assert {lease.fence for lease in leases} == {held.fence + 1}
    assert {lease.owner for lease in leases} == {waiter}
    grants = [r["event"] for r in lease_store.audit_log(lock_key) if r["fence"] == held.fence + 1]
    assert sorted(grants) == ["acquire", "recover"]  # one grant; the duplicate recovered it
    state = lease_store.inspect(lock_key)
    assert state.holder == waiter and state.fence == held.fence + 1
    assert lease_store.release(lease_store.renew(leases[0]))


def test_acquire_when_free_never_grants_twice_to_different_tasks(lease_store, lock_key):
    held = lease_store.acquire(lock_key, owner("holder"))
    threading.Timer(1.0, lease_store.release, args=(held,)).start()
    deadline = deadline_after(lease_store, lock_key, 4)
    waiters = [owner(f"waiter_{n}") for n in range(5)]

    async def race():
        return await asyncio.gather(*(
            events_of(FirestoreLockTrigger(lock_key=lock_key, owner=w.to_dict(), acquire_when_free=True,
                                           poll_interval=0.05, deadline=deadline))
            for w in waiters
        ))

    results = asyncio.run(race())
    statuses = sorted(events[0]["status"] for events in results)
    assert all(len(events) == 1 for events in results)
    assert statuses == ["acquired", "timeout", "timeout", "timeout", "timeout"]
    (winner,) = [Lease.from_dict(e[0]["lease"]) for e in results if e[0]["status"] == "acquired"]
    assert lease_store.inspect(lock_key).holder == winner.owner
    assert lease_store.release(winner)


@pytest.fixture
def finished_job(bigquery_client):
    job = bigquery_client.query("SELECT 1 AS one")
    job.result()
    return job


def job_trigger(job, lease: Lease, renew_seconds: float | None = None, **kwargs) -> LeaseGuardedBigQueryJobTrigger:
    import dataclasses

    from nba_pipeline.hooks.firestore_lock import LockSettings

    settings = LockSettings.from_env()
    if renew_seconds:
        settings = dataclasses.replace(settings, policy=dataclasses.replace(settings.policy, renew_seconds=renew_seconds))
    return LeaseGuardedBigQueryJobTrigger(
        job_id=job.job_id, project_id=job.project, location=job.location,
        lease=lease.to_dict(), poll_interval=0.1, lock_settings=settings.to_dict(), **kwargs,
    )


def test_job_trigger_renews_the_lease_and_reports_success(lease_store, lock_key, finished_job):
    lease = lease_store.acquire(lock_key, owner("guarded"))
    (event,) = asyncio.run(events_of(job_trigger(finished_job, lease)))
    assert event["status"] == "success" and event["job_id"] == finished_job.job_id
    renewed = Lease.from_dict(event["lease"])
    assert renewed.fence == lease.fence and renewed.expires_at > lease.expires_at
    assert lease_store.release(renewed)  # the event's lease is the current one


def test_job_trigger_cancels_the_job_when_the_lease_is_taken_mid_run(lease_store, lock_key, finished_job):
    from airflow.providers.google.cloud.hooks.bigquery import BigQueryAsyncHook

    lease = lease_store.acquire(lock_key, owner("guarded"))
    usurper = owner("usurper")

    def take_over():
        lease_store.force_release(lock_key, reason="test takeover", actor="pytest")
        lease_store.acquire(lock_key, usurper)

    # bqemulator finishes every job inside jobs.insert, so "still running" is simulated.
    running = {"status": "running", "message": "Job running"}
    threading.Timer(1.0, take_over).start()
    started = time.monotonic()
    with mock.patch.object(BigQueryAsyncHook, "get_job_status", return_value=running), \
            mock.patch.object(LeaseGuardedBigQueryJobTrigger, "cancel_job", autospec=True,
                              side_effect=LeaseGuardedBigQueryJobTrigger.cancel_job) as cancel:
        events = asyncio.run(events_of(job_trigger(finished_job, lease, renew_seconds=0.3)))

    assert len(events) == 1
    event = events[0]
    assert event["status"] == "error" and event["lease_lost"] is True
    assert lock_key in event["message"] and "cancelled" in event["message"]
    assert cancel.call_count == 1
    assert 1.0 <= time.monotonic() - started < 10
    assert lease_store.inspect(lock_key).holder == usurper
