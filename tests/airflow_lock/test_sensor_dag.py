"""The deferrable lock sensor and the release teardown, run with ``dag.test()`` on Firestore."""

from __future__ import annotations

import threading
import time
import uuid
from unittest import mock

import pytest
from airflow.models.taskinstance import TaskInstance
from airflow.utils.session import create_session
from sqlalchemy import or_, select

from nba_pipeline.lease import Lease, Owner

pytestmark = pytest.mark.integration


def other_owner() -> Owner:
    return Owner(dag_id="other_dag", run_id=f"run_{uuid.uuid4().hex[:6]}", task_id="other")


def release_once_running(lease_store, lease, dag_id: str, hold_seconds: float = 1.0, timeout: float = 60.0) -> None:
    """Release ``lease`` ``hold_seconds`` after a task of ``dag_id`` runs or has deferred."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with create_session() as session:
            seen = session.scalar(
                select(TaskInstance.task_id).where(
                    TaskInstance.dag_id == dag_id,
                    or_(TaskInstance.state == "running", TaskInstance.next_method.is_not(None)),
                )
            )
        if seen:
            time.sleep(hold_seconds)
            break
        time.sleep(0.02)
    lease_store.release(lease)


def test_sensor_defers_then_acquires_and_the_teardown_releases(run_lock_dag, lease_store, lock_key):
    from nba_pipeline.sensors.firestore_lock import FirestoreLockSensor

    blocker = lease_store.acquire(lock_key, other_owner())
    releaser = threading.Thread(target=release_once_running, args=(lease_store, blocker, "nba_lock_test_sensor"))
    releaser.start()
    try:
        with mock.patch.object(FirestoreLockSensor, "execute_complete", autospec=True,
                               side_effect=FirestoreLockSensor.execute_complete) as resumed:
            state, tasks, xcoms = run_lock_dag("nba_lock_test_sensor", lock_key=lock_key)
    finally:
        releaser.join()

    # Resumed from the trigger's event: the sensor deferred instead of finishing on its first look.
    assert resumed.call_count == 1
    assert resumed.call_args.kwargs["event"]["status"] == "acquired"

    assert state == "success"
    assert tasks == {"wait_for_lock": "success", "release_lock": "success"}
    lease = Lease.from_dict(xcoms["wait_for_lock"]["return_value"])
    assert lease.owner.task_id == "wait_for_lock" and lease.fence == blocker.fence + 1
    assert not lease_store.inspect(lock_key).exists
    events = [(r["event"], (r.get("owner") or {}).get("task_id")) for r in lease_store.audit_log(lock_key)]
    assert events[:2] == [("release", "wait_for_lock"), ("acquire", "wait_for_lock")]


def test_sensor_timeout_skips_and_leaves_the_holder_alone(run_lock_dag, lease_store, lock_key):
    blocker = lease_store.acquire(lock_key, other_owner())
    try:
        _, tasks, _ = run_lock_dag("nba_lock_test_sensor_timeout", lock_key=lock_key)
        assert tasks == {"wait_for_lock": "skipped"}
        after = lease_store.inspect(lock_key)
        assert after.holder == blocker.owner and after.fence == blocker.fence
    finally:
        assert lease_store.release(blocker)
