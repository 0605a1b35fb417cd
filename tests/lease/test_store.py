"""LeaseStore on the Firestore emulator: grants, refusals, ownership, fencing and audit."""

from __future__ import annotations

import dataclasses
import json
import logging

import pytest

from nba_pipeline.lease import LeaseHeld, LeaseLost, LeaseStore, Owner

from .race import backdate, policy, unique_key

pytestmark = pytest.mark.integration

ALICE = Owner("nba_pipeline", "scheduled__2026-02-04", "player_game_summary", host="w1", pid=1)
BOB = Owner("nba_pipeline", "backfill__2026-02-04", "player_game_summary", host="w2", pid=2)


@pytest.fixture
def store(firestore_client):
    return LeaseStore(firestore_client, policy(120))


@pytest.fixture
def key():
    return unique_key()


def lock_snapshot(store, key):
    return store.client.collection(store.collection).document(key).get()


def test_acquire_writes_legacy_and_lease_fields_on_server_time(store, key):
    lease = store.acquire(key, ALICE, processor="PlayerGameSummaryProcessor")
    snapshot = lock_snapshot(store, key)
    data = snapshot.to_dict()
    assert data["acquired_at"] == lease.acquired_at
    assert data["execution_id"] == ALICE.execution_id and data["instance"] == "w1:1"
    assert data["processor"] == "PlayerGameSummaryProcessor"
    assert data["owner"] == ALICE.to_dict() and data["fence"] == lease.fence == 1
    assert (lease.expires_at - lease.acquired_at).total_seconds() == 120
    # Granted on server time: within the write's own commit, not this machine's clock.
    assert abs((snapshot.update_time - lease.acquired_at).total_seconds()) < 1
    assert lease.update_time == snapshot.update_time
    json.dumps(lease.to_dict())


def test_a_live_lease_refuses_everyone_else(store, key):
    store.acquire(key, ALICE)
    with pytest.raises(LeaseHeld) as held:
        store.acquire(key, BOB)
    assert held.value.state.holder == ALICE and not held.value.state.expired
    assert 0 < held.value.state.expires_in_seconds <= 120
    assert store.try_acquire(key, BOB) is None
    assert store.inspect(key).holder == ALICE


def test_a_retry_takes_over_only_after_the_older_try_stopped_renewing(store, key):
    first = store.acquire(key, ALICE)
    retry_owner = dataclasses.replace(ALICE, try_number=2, host="w9", pid=9)
    assert store.try_acquire(key, retry_owner) is None           # the older try still renews
    backdate(store.client, key, store.policy.retry_takeover_seconds - 2)
    assert store.try_acquire(key, retry_owner) is None
    backdate(store.client, key, store.policy.retry_takeover_seconds + 1)
    retry = store.acquire(key, retry_owner)
    assert retry.fence == first.fence + 1
    assert store.release(first) is False
    assert store.inspect(key).holder.try_number == 2
    with pytest.raises(LeaseLost):
        store.renew(first)


def test_takeover_only_after_expiry_on_server_time(store, key):
    first = store.acquire(key, ALICE)
    backdate(store.client, key, 119)
    assert store.try_acquire(key, BOB) is None
    backdate(store.client, key, 121)
    state = store.inspect(key)
    assert state.expired and state.expires_in_seconds < 0
    taken = store.acquire(key, BOB)
    assert taken.fence == first.fence + 1
    assert store.audit_log(key, limit=1)[0]["event"] == "takeover"
    assert store.audit_log(key, limit=1)[0]["previous"]["fence"] == first.fence


def test_non_owner_release_and_renew_change_nothing(store, key):
    lease = store.acquire(key, ALICE)
    before = lock_snapshot(store, key)
    impostor = dataclasses.replace(lease, owner=BOB)
    assert store.release(impostor) is False
    with pytest.raises(LeaseLost) as lost:
        store.renew(impostor)
    assert "not by" in lost.value.reason
    forged_fence = dataclasses.replace(lease, fence=lease.fence + 1)
    assert store.release(forged_fence) is False
    after = lock_snapshot(store, key)
    assert after.update_time == before.update_time and after.to_dict() == before.to_dict()
    refusals = [r for r in store.audit_log(key) if r["event"] == "refusal"]
    assert {r["action"] for r in refusals} == {"release", "renew"} and len(refusals) == 3


def test_old_owner_cannot_release_or_renew_after_a_takeover(store, key):
    old = store.acquire(key, ALICE)
    backdate(store.client, key, 3600)
    new = store.acquire(key, BOB)
    before = lock_snapshot(store, key)
    assert store.release(old) is False
    with pytest.raises(LeaseLost) as lost:
        store.renew(old)
    assert f"fence {new.fence}" in lost.value.reason
    after = lock_snapshot(store, key)
    assert after.update_time == before.update_time and after.get("fence") == new.fence
    assert store.release(new) is True and not store.inspect(key).exists


def test_release_works_with_a_lease_older_than_the_last_renewal(store, key):
    # The teardown task releases with the lease from XCom while the heartbeat renewed since.
    lease = store.acquire(key, ALICE)
    store.renew(store.renew(lease))
    assert store.release(lease) is True
    assert not lock_snapshot(store, key).exists


def test_renew_moves_acquired_at_forward(store, key):
    lease = store.acquire(key, ALICE)
    renewed = store.renew(lease)
    assert renewed.acquired_at > lease.acquired_at and renewed.expires_at > lease.expires_at
    assert renewed.fence == lease.fence
    data = lock_snapshot(store, key).to_dict()
    assert data["acquired_at"] == renewed.acquired_at and data["renewals"] == 1
    assert data["granted_at"] == lease.acquired_at


def test_late_renewal_is_allowed_only_while_nobody_took_the_key(store, key):
    lease = store.acquire(key, ALICE)
    backdate(store.client, key, 500)
    assert store.inspect(key).expired
    renewed = store.renew(lease)
    assert not store.inspect(key).expired and renewed.fence == lease.fence
    assert store.audit_log(key, limit=1)[0]["late"] is True


def test_fence_strictly_increases_across_every_kind_of_grant(store, key):
    fences = []
    lease = store.acquire(key, ALICE)
    fences.append(lease.fence)
    store.release(lease)                         # document deleted
    lease = store.acquire(key, BOB)
    fences.append(lease.fence)
    backdate(store.client, key, 3600)            # expired takeover
    lease = store.acquire(key, ALICE)
    fences.append(lease.fence)
    backdate(store.client, key, store.policy.retry_takeover_seconds + 1)
    lease = store.acquire(key, dataclasses.replace(ALICE, try_number=2))  # a retry after a dead try
    fences.append(lease.fence)
    assert store.force_release(key, reason="stuck", actor="oncall@example.com") is True
    lease = store.acquire(key, BOB)
    fences.append(lease.fence)
    store.release(lease)
    assert fences == sorted(set(fences)) and len(fences) == 5
    counter = store.client.collection(store.fence_collection).document(key).get()
    assert counter.get("fence") == fences[-1]
    assert store.acquire(key, ALICE).fence == fences[-1] + 1


def test_force_release_is_audited_with_reason_and_actor(store, key):
    lease = store.acquire(key, ALICE)
    assert store.force_release(key, reason="worker died", actor="oncall@example.com") is True
    assert store.force_release(key, reason="again", actor="oncall@example.com") is False
    record = store.audit_log(key, limit=1)[0]
    assert record["event"] == "force_release" and record["actor"] == "oncall@example.com"
    assert record["reason"] == "worker died" and record["previous"]["fence"] == lease.fence
    assert record["expire_at"] > record["at"]
    assert store.release(lease) is False


def test_audit_log_is_newest_first_and_complete(store, key):
    lease = store.acquire(key, ALICE)
    store.try_acquire(key, BOB)
    lease = store.renew(lease)
    store.release(lease)
    events = [(r["event"], r.get("action")) for r in store.audit_log(key)]
    assert events == [("release", None), ("renew", None), ("refusal", "acquire"), ("acquire", None)]
    for record in store.audit_log(key):
        assert record["key"] == key and record["fence"] in (lease.fence, None)
        assert record["owner"]["task_id"] == "player_game_summary"


def test_every_event_is_logged_with_key_owner_and_fence(store, key, caplog):
    caplog.set_level(logging.INFO, logger="nba_pipeline.lease")
    lease = store.acquire(key, ALICE)
    store.try_acquire(key, BOB)
    store.release(store.renew(lease))
    messages = [r.getMessage() for r in caplog.records if r.name == "nba_pipeline.lease"]
    for verb in ("acquire", "refusal acquire", "renew", "release"):
        line = next(m for m in messages if m.startswith(f"lease {verb} "))
        assert f"key={key}" in line and "owner=nba_pipeline/" in line and "fence=" in line


def test_list_and_inspect(store, key):
    other = key.replace("_2026-02-03", "_2026-02-04")
    store.acquire(key, ALICE)
    store.acquire(other, BOB)
    prefix = key.rsplit("_", 1)[0]
    states = {s.key: s for s in store.list(prefix)}
    assert set(states) == {key, other}
    assert states[other].holder == BOB and states[key].fence == 1
    assert store.list(prefix + "_2026-02-04")[0].key == other
    absent = store.inspect(prefix + "_1999-01-01")
    assert not absent.exists and absent.free and absent.server_time is not None
    json.dumps(states[key].to_dict())


class CountingStore(LeaseStore):
    """Counts Firestore round trips by kind."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.trips: list[str] = []

    def _perform(self, request):
        self.trips.append(type(request).__name__)
        return super()._perform(request)


def test_known_leases_and_fences_cost_one_round_trip(firestore_client, key):
    store = CountingStore(firestore_client)
    store.release(store.acquire(key, ALICE))
    assert store.trips == ["Read", "Commit", "Commit"]
    store.trips.clear()
    lease = store.acquire(key, ALICE)
    lease = store.renew(lease)
    assert store.release(lease) is True
    assert store.trips == ["Commit", "Commit", "Commit"]
    assert lease.fence == 2 and not store.inspect(key).exists


def test_a_stale_memory_never_reissues_a_fence_or_steals_a_lock(firestore_client, key):
    first, second = CountingStore(firestore_client), LeaseStore(firestore_client)
    first.release(first.acquire(key, ALICE))
    second.release(second.acquire(key, BOB))            # fence 2, unknown to `first`
    first.trips.clear()
    lease = first.acquire(key, ALICE)
    assert lease.fence == 3
    assert first.trips == ["Commit", "Read", "Commit"]  # failed bet, then read-decide-write
    first.release(lease)
    bob = second.acquire(key, BOB)
    before = lock_snapshot(first, key)
    with pytest.raises(LeaseHeld):
        first.acquire(key, ALICE)                       # the bet's create fails; then refused
    after = lock_snapshot(first, key)
    assert after.update_time == before.update_time and after.get("fence") == bob.fence == 4
