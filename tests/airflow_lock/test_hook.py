"""FirestoreLockHook: clients from the connection, one settings value, stores on the emulator."""

from __future__ import annotations

import uuid
from unittest import mock

import pytest
from google.auth.credentials import AnonymousCredentials

from nba_pipeline.config import settings
from nba_pipeline.hooks import FirestoreLockHook
from nba_pipeline.hooks.firestore_lock import LockSettings
from nba_pipeline.lease import LeasePolicy, Owner

pytestmark = pytest.mark.integration


def test_settings_come_from_the_environment_when_the_task_runs(airflow_db, monkeypatch):
    monkeypatch.setenv("NBA_LOCK_COLLECTION", "locks_from_env")
    monkeypatch.setenv("NBA_LEASE_SECONDS", "1200")
    monkeypatch.setenv("NBA_LEASE_RENEW_SECONDS", "30")
    hook = FirestoreLockHook()
    assert (hook.policy.collection, hook.policy.lease_seconds, hook.policy.renew_seconds) == ("locks_from_env", 1200, 30)
    assert hook.policy.fence_collection == settings().lock_fence_collection
    assert hook.gcp_conn_id == settings().gcp_conn_id
    given = LockSettings(policy=LeasePolicy(collection="c", fence_collection="f", audit_collection="a"))
    hook = FirestoreLockHook(lock_settings=given)
    assert hook.lock_settings == given and hook.get_store().collection == "c"


def test_the_connection_and_impersonation_chain_reach_the_google_base_hook():
    chain = ("sa@p.iam.gserviceaccount.com",)
    with mock.patch("airflow.providers.google.common.hooks.base_google.GoogleBaseHook.__init__",
                    return_value=None) as base:
        FirestoreLockHook(lock_settings=LockSettings(gcp_conn_id="gcp_x", impersonation_chain=chain))
    base.assert_called_once_with(gcp_conn_id="gcp_x", impersonation_chain=chain)


def test_emulator_clients_are_anonymous_on_the_connection_project(airflow_db):
    hook = FirestoreLockHook()
    client = hook.get_client()
    assert isinstance(client._credentials, AnonymousCredentials)
    assert client.project == settings().project
    assert FirestoreLockHook(lock_settings=LockSettings(project_id="other-project")).get_client().project == \
        "other-project"


def test_the_store_round_trips_on_the_emulator(airflow_db, lock_key):
    store = FirestoreLockHook().get_store()
    owner = Owner(dag_id="hook_test", run_id=uuid.uuid4().hex, task_id="t")
    lease = store.acquire(lock_key, owner, processor="TestLockProcessor")
    assert store.try_acquire(lock_key, Owner(dag_id="x", run_id="y", task_id="z")) is None
    renewed = store.renew(lease)
    assert renewed.fence == lease.fence and renewed.expires_at >= lease.expires_at
    state = store.inspect(lock_key)
    assert state.holder == owner and state.processor == "TestLockProcessor"
    assert store.release(renewed)
    assert not store.inspect(lock_key).exists
