"""Legacy Cloud Run processors and this package exclude each other on the same documents."""

from __future__ import annotations

import pytest

from nba_pipeline.lease import LeaseHeld, LeaseStore, Owner

from .legacy import LegacyLock
from .race import backdate, policy, unique_key

pytestmark = pytest.mark.integration

OURS = Owner("nba_pipeline", "scheduled__2026-02-04", "player_game_summary")


@pytest.fixture
def store(firestore_client):
    return LeaseStore(firestore_client, policy(900))


@pytest.fixture
def legacy(firestore_client):
    return LegacyLock(firestore_client)


def test_a_legacy_lock_blocks_us_until_ten_minutes_stale(store, legacy):
    key = unique_key()
    assert legacy.acquire(key, "cloud-run-exec-1")
    with pytest.raises(LeaseHeld) as held:
        store.acquire(key, OURS)
    state = held.value.state
    assert state.legacy and state.holder is None and state.execution_id == "cloud-run-exec-1"
    backdate(store.client, key, 590)
    assert store.try_acquire(key, OURS) is None
    backdate(store.client, key, 601)
    assert store.inspect(key).expired
    lease = store.acquire(key, OURS)
    data = store.client.collection("processing_locks").document(key).get().to_dict()
    assert data["execution_id"] == OURS.execution_id and data["fence"] == lease.fence
    assert data["acquired_at"] == lease.acquired_at and not store.inspect(key).legacy
    assert store.audit_log(key, limit=1)[0]["previous"]["legacy"] is True


def test_our_live_lease_blocks_the_legacy_acquirer(store, legacy):
    key = unique_key()
    lease = store.acquire(key, OURS)
    assert legacy.acquire(key, "cloud-run-exec-2") is False
    # Held for longer than the legacy timeout, but renewed: acquired_at stays fresh for them.
    backdate(store.client, key, 550)
    lease = store.renew(lease)
    assert legacy.acquire(key, "cloud-run-exec-2") is False
    assert store.inspect(key).holder == OURS
    assert store.release(lease)
    assert legacy.acquire(key, "cloud-run-exec-2") is True


def test_we_never_delete_a_lock_a_legacy_processor_took_from_us(store, legacy):
    key = unique_key()
    lease = store.acquire(key, OURS)
    backdate(store.client, key, 700)        # we stopped renewing; legacy sees it stale
    assert legacy.acquire(key, "cloud-run-exec-3") is True
    assert store.release(lease) is False
    state = store.inspect(key)
    assert state.legacy and state.execution_id == "cloud-run-exec-3"
