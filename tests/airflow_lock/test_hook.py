"""FirestoreLockHook: clients from the connection, settings-driven collections, the thin wrappers."""

from __future__ import annotations

import uuid

import pytest
from google.auth.credentials import AnonymousCredentials

from nba_pipeline.config import settings
from nba_pipeline.hooks import FirestoreLockHook
from nba_pipeline.lease import Owner

pytestmark = pytest.mark.integration


def test_collections_come_from_settings_unless_given(airflow_db, monkeypatch):
    monkeypatch.setenv("NBA_LOCK_COLLECTION", "locks_from_env")
    monkeypatch.setenv("NBA_LEASE_SECONDS", "1200")
    hook = FirestoreLockHook()
    assert (hook.collection, hook.lease_seconds) == ("locks_from_env", 1200)
    assert hook.fence_collection == settings().lock_fence_collection
    assert hook.gcp_conn_id == settings().gcp_conn_id
    hook = FirestoreLockHook(collection="c", fence_collection="f", audit_collection="a", lease_seconds=60)
    assert hook.store_options() == {"collection": "c", "fence_collection": "f", "audit_collection": "a",
                                    "lease_seconds": 60}


def test_emulator_clients_are_anonymous_on_the_connection_project(airflow_db):
    hook = FirestoreLockHook()
    client = hook.get_client()
    assert isinstance(client._credentials, AnonymousCredentials)
    assert client.project == settings().project
    assert FirestoreLockHook(project_id="other-project").get_client().project == "other-project"


def test_wrappers_round_trip_on_the_emulator(airflow_db, lock_key):
    hook = FirestoreLockHook()
    owner = Owner(dag_id="hook_test", run_id=uuid.uuid4().hex, task_id="t")
    lease = hook.acquire(lock_key, owner, processor="TestLockProcessor")
    assert hook.try_acquire(lock_key, Owner(dag_id="x", run_id="y", task_id="z")) is None
    renewed = hook.renew(lease)
    assert renewed.fence == lease.fence and renewed.expires_at >= lease.expires_at
    state = hook.inspect(lock_key)
    assert state.holder == owner and state.processor == "TestLockProcessor"
    assert hook.release(renewed)
    assert not hook.inspect(lock_key).exists
