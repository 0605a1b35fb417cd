"""Pure rules and values: no emulator needed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

from nba_pipeline.lease import FenceCounterLost, Lease, LeaseHeld, LeaseLost, LeasePolicy, Owner, lock_key, rules
from nba_pipeline.lease.model import processor_of

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 2, 4, 12, 0, 0, tzinfo=UTC)
OWNER = Owner("nba_pipeline", "scheduled__2026-02-04", "player_game_summary", host="w1", pid=10)


def ours(acquired_at, *, lease_seconds=900, fence=3, owner=OWNER):
    return {
        "acquired_at": acquired_at, "granted_at": acquired_at, "execution_id": owner.execution_id,
        "instance": owner.instance, "processor": "PlayerGameSummaryProcessor",
        "owner": owner.to_dict(), "fence": fence, "lease_seconds": lease_seconds, "renewals": 0,
        "self_fence_seconds": 540.0, "retry_takeover_seconds": 600.0,
    }


def taken_by_legacy_update(data):
    """What a legacy acquirer's ``transaction.update`` of the four legacy fields leaves behind."""
    return {**data, "execution_id": "cloud-run-7", "instance": "nba-phase3-00042-abc",
            "processor": "PlayerGameSummaryProcessor"}


def legacy(acquired_at):
    return {"acquired_at": acquired_at, "execution_id": "cloud-run-1", "instance": "abc",
            "processor": "PlayerGameSummaryProcessor"}


def state_of(data, read_time=NOW):
    return rules.lock_state("K_2026-02-03", data, read_time, legacy_stale_seconds=600)


def test_lock_key_matches_the_legacy_document_id():
    assert lock_key("PlayerGameSummaryProcessor", dt.date(2026, 2, 3)) == \
        "PlayerGameSummaryProcessor_2026-02-03"
    assert lock_key("PlayerGameSummaryProcessor", "2026-02-03") == "PlayerGameSummaryProcessor_2026-02-03"
    assert processor_of("PlayerGameSummaryProcessor_2026-02-03") == "PlayerGameSummaryProcessor"
    with pytest.raises(ValueError):
        lock_key("PlayerGameSummaryProcessor", "03/02/2026")
    with pytest.raises(TypeError):
        lock_key("PlayerGameSummaryProcessor", dt.datetime(2026, 2, 3, 5))
    with pytest.raises(ValueError):
        lock_key("a/b", "2026-02-03")


def test_owner_identity_and_same_task():
    retry = dataclasses.replace(OWNER, try_number=2, host="w2", pid=99)
    other_map = dataclasses.replace(OWNER, map_index=4)
    assert OWNER.execution_id == "nba_pipeline/scheduled__2026-02-04/player_game_summary/-1/1"
    assert OWNER.same_task(retry) and retry.same_task(OWNER)
    assert not OWNER.same_task(other_map)
    assert not OWNER.same_task(None)
    assert OWNER != retry
    assert Owner.from_dict(OWNER.to_dict()) == OWNER


def test_lease_round_trips_through_json():
    lease = Lease("K_2026-02-03", OWNER, 7, 900, NOW, NOW + dt.timedelta(seconds=900),
                  NOW + dt.timedelta(microseconds=1234))
    again = Lease.from_dict(json.loads(json.dumps(lease.to_dict())))
    assert again == lease
    assert again.update_time.microsecond == 1234


def test_our_lease_expires_exactly_at_acquired_at_plus_lease_seconds():
    acquired = NOW - dt.timedelta(seconds=900)
    assert state_of(ours(acquired)).expired
    live = state_of(ours(acquired + dt.timedelta(milliseconds=1)))
    assert not live.expired and live.expires_in_seconds == 0.001
    assert live.holder == OWNER and live.fence == 3 and not live.legacy


def test_legacy_lock_is_held_until_older_than_ten_minutes():
    exactly_ten = state_of(legacy(NOW - dt.timedelta(seconds=600)))
    assert exactly_ten.legacy and exactly_ten.holder is None and not exactly_ten.expired
    assert state_of(legacy(NOW - dt.timedelta(seconds=600, milliseconds=1))).expired
    assert exactly_ten.execution_id == "cloud-run-1"


def test_who_may_take_a_key():
    retry = dataclasses.replace(OWNER, try_number=2)
    stranger = Owner("nba_pipeline", "backfill__2026-02-04", "player_game_summary")
    assert rules.acquisition_event(state_of(None), stranger) == rules.ACQUIRE
    live = state_of(ours(NOW - dt.timedelta(seconds=10)))
    assert rules.acquisition_event(live, stranger) is None
    expired = state_of(ours(NOW - dt.timedelta(seconds=901)))
    assert rules.acquisition_event(expired, stranger) == rules.TAKEOVER
    assert rules.acquisition_event(state_of(legacy(NOW - dt.timedelta(seconds=60))), retry) is None


def test_the_same_try_recovers_and_a_retry_waits_until_the_older_try_has_fenced_itself():
    elsewhere = dataclasses.replace(OWNER, host="triggerer-2", pid=77)
    retry = dataclasses.replace(OWNER, try_number=2)
    renewing = state_of(ours(NOW - dt.timedelta(seconds=10)))
    assert rules.acquisition_event(renewing, OWNER) == rules.RECOVER
    assert rules.acquisition_event(renewing, elsewhere) == rules.RECOVER
    assert rules.acquisition_event(renewing, retry) is None
    silent = state_of(ours(NOW - dt.timedelta(seconds=600)))
    assert rules.acquisition_event(silent, retry) is None          # not yet: exactly the threshold
    silent = state_of(ours(NOW - dt.timedelta(seconds=600, milliseconds=1)))
    assert rules.acquisition_event(silent, retry) == rules.TAKEOVER
    # A zombie of an older try never takes the lock back from its retry.
    held_by_retry = state_of(ours(NOW - dt.timedelta(seconds=700), owner=retry))
    assert rules.acquisition_event(held_by_retry, OWNER) is None
    # A document written before retry thresholds existed waits for the full lease.
    old_style = {k: v for k, v in ours(NOW - dt.timedelta(seconds=700)).items()
                 if k not in ("self_fence_seconds", "retry_takeover_seconds")}
    assert rules.acquisition_event(state_of(old_style), retry) is None


def test_a_legacy_update_of_our_document_makes_it_a_legacy_lock():
    taken = state_of(taken_by_legacy_update(ours(NOW - dt.timedelta(seconds=5))))
    assert taken.legacy and taken.holder is None and taken.fence is None
    assert not taken.expired and taken.expires_in_seconds == 595
    for contender in (OWNER, dataclasses.replace(OWNER, try_number=2),
                      Owner("nba_pipeline", "backfill__2026-02-04", "player_game_summary")):
        assert rules.acquisition_event(taken, contender) is None
    lease = Lease("K_2026-02-03", OWNER, 3, 900, NOW, NOW, NOW)
    assert "legacy processor" in rules.ownership_problem(lease, taken)
    # Its old fence still counts: the next grant goes above it even without a counter.
    assert rules.next_fence(taken_by_legacy_update(ours(NOW, fence=9)), {"fence": 4}) == 10


def test_a_missing_or_lagging_counter_refuses_to_grant():
    assert rules.counter_problem("K", None, None, 0) is None
    # The counter says 4 was issued last: a sink already at 5 means the counter went back.
    assert "sink already holds fence 5" in rules.counter_problem("K", None, {"fence": 4}, 5)
    assert rules.counter_problem("K", None, {"fence": 4}, 4) is None
    assert "missing" in rules.counter_problem("K", ours(NOW, fence=6), None, 0)
    assert "missing" in rules.counter_problem("K", None, None, 2)


def test_policy_defaults_keep_a_live_lease_fresh_for_legacy_readers():
    policy = LeasePolicy()
    assert (policy.lease_seconds, policy.renew_seconds, policy.margin_seconds) == (900, 60, 60)
    assert policy.self_fence_seconds == 540 < policy.legacy_stale_seconds
    assert policy.retry_takeover_seconds == 600 <= policy.lease_seconds
    assert LeasePolicy.from_dict(json.loads(json.dumps(policy.to_dict()))) == policy
    with pytest.raises(ValueError):
        LeasePolicy(lease_seconds=120, renew_seconds=60, margin_seconds=60)
    # A short lease asked for by one caller keeps renewing and fencing in time.
    short = policy.with_lease(120)
    assert (short.lease_seconds, short.margin_seconds, short.renew_seconds) == (120, 12, 36)
    assert policy.with_lease(1).self_fence_seconds > policy.with_lease(1).renew_seconds
    assert policy.with_lease(None) is policy and policy.with_lease(900) == policy
    with pytest.raises(ValueError):
        LeasePolicy(rpc_timeout_seconds=40, rpc_budget_seconds=30)


def test_fence_never_goes_back():
    assert rules.next_fence(None, None) == 1
    assert rules.next_fence(None, {"fence": 41}) == 42
    # A lock carrying a higher fence than the counter (counter lost or restored) still wins.
    assert rules.next_fence(ours(NOW, fence=50), {"fence": 41}) == 51
    assert rules.next_fence(legacy(NOW), {"fence": 41}) == 42


def test_takeover_removes_leftover_fields():
    updates = rules.replacement_fields({**legacy(NOW), "odd field": 1},
                                       rules.lock_fields(OWNER, 2, LeasePolicy(), "P"))
    assert updates["`odd field`"] is rules.DELETE_FIELD
    assert updates["fence"] == 2 and updates["acquired_at"] is rules.SERVER_TIMESTAMP


def test_ownership_problems_are_explained():
    lease = Lease("K_2026-02-03", OWNER, 3, 900, NOW, NOW, NOW)
    assert rules.ownership_problem(lease, state_of(ours(NOW))) is None
    assert "gone" in rules.ownership_problem(lease, state_of(None))
    assert "legacy" in rules.ownership_problem(lease, state_of(legacy(NOW)))
    assert "fence 4" in rules.ownership_problem(lease, state_of(ours(NOW, fence=4)))
    impostor = dataclasses.replace(lease, owner=dataclasses.replace(OWNER, pid=11))
    assert "not by" in rules.ownership_problem(impostor, state_of(ours(NOW)))
    renamed = dataclasses.replace(lease, processor="TeamOffenseGameSummaryProcessor")
    assert "processor" in rules.ownership_problem(renamed, state_of(ours(NOW)))


def test_errors_pickle_with_their_details():
    import pickle

    lost = pickle.loads(pickle.dumps(LeaseLost("K", "taken over")))
    assert (lost.key, lost.reason) == ("K", "taken over")
    held = pickle.loads(pickle.dumps(LeaseHeld(state_of(ours(NOW)))))
    assert held.state.fence == 3
    lost_counter = pickle.loads(pickle.dumps(FenceCounterLost("K_2026-02-03", "its counter is missing")))
    assert lost_counter.key == "K_2026-02-03" and "locks reseed K_2026-02-03" in str(lost_counter)


def test_lock_state_round_trips_and_describes_the_holder_in_one_format():
    state = state_of(ours(NOW - dt.timedelta(seconds=30)))
    again = rules.LockState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert again == state
    assert again.describe() == state.describe() == (
        f"K_2026-02-03: held by {OWNER.execution_id} on w1:10 (fence 3), age 30 s, expires in 870 s")
