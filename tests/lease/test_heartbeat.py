"""LeaseHeartbeat on the emulator: renewals move expiry forward, a takeover is noticed."""

from __future__ import annotations

import threading
import time

import pytest

from nba_pipeline.lease import LeaseHeartbeat, LeaseLost, LeaseStore, Owner

from .race import backdate, policy, unique_key

pytestmark = pytest.mark.integration

WORKER = Owner("nba_pipeline", "scheduled__2026-02-04", "player_game_summary")
RESCUER = Owner("nba_pipeline", "manual__2026-02-04", "player_game_summary")


def wait_for(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def store(firestore_client):
    return LeaseStore(firestore_client, policy(30))


def test_renewals_extend_the_lease_on_server_time(store):
    key = unique_key()
    lease = store.acquire(key, WORKER)
    with LeaseHeartbeat(store.__class__(store.client, policy(30, renew_seconds=0.2)), lease) as heartbeat:
        assert wait_for(lambda: heartbeat.renewals >= 3)
    assert not heartbeat.lost.is_set() and heartbeat.error is None
    renewed = heartbeat.lease
    assert renewed.expires_at > lease.expires_at and renewed.fence == lease.fence
    state = store.inspect(key)
    assert state.acquired_at == renewed.acquired_at and state.expires_at == renewed.expires_at
    assert state.renewals == heartbeat.renewals
    assert store.release(lease) is True


def test_a_takeover_after_forced_expiry_is_detected_at_the_next_renewal(store):
    key = unique_key()
    lease = store.acquire(key, WORKER)
    calls = []
    called = threading.Event()

    def on_lost(error):
        calls.append(error)
        called.set()

    renewing = store.__class__(store.client, policy(30, renew_seconds=0.5))
    heartbeat = LeaseHeartbeat(renewing, lease, on_lost=on_lost).start()
    try:
        backdate(store.client, key, 31)
        rescue = store.acquire(key, RESCUER)
        assert called.wait(5)
        assert heartbeat.lost.is_set() and isinstance(heartbeat.error, LeaseLost)
        assert f"fence {rescue.fence}" in heartbeat.error.reason
        time.sleep(0.7)
        assert calls == [heartbeat.error]
        with pytest.raises(LeaseLost):
            heartbeat.raise_if_lost()
    finally:
        heartbeat.stop()
    state = store.inspect(key)
    assert state.holder == RESCUER and state.fence == rescue.fence and state.renewals == 0


def test_the_policy_must_leave_room_for_renewals(store):
    lease = store.acquire(unique_key(), WORKER)
    with pytest.raises(ValueError):
        policy(30, renew_seconds=27)  # renewing every 27 s would fence itself after 27 s
    heartbeat = LeaseHeartbeat(store, lease)
    assert heartbeat.interval == 3 and heartbeat.self_fence_seconds == 27
    store.release(lease)
