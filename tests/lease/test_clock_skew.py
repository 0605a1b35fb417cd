"""Expiry is judged on Firestore server time: a contender whose clock runs 10 minutes ahead
must not take a live lease (the legacy acquirer, which trusts its clock, does)."""

from __future__ import annotations

import pytest

from nba_pipeline.lease import LeaseStore, Owner

from .legacy import LegacyLock
from .race import backdate, policy, unique_key
from .skewed_clock import try_with_skewed_clock

pytestmark = pytest.mark.integration

HOLDER = Owner("nba_pipeline", "scheduled__2026-02-04", "player_game_summary")


def test_a_fast_clock_does_not_take_a_live_lease(firestore_client):
    key = unique_key()
    store = LeaseStore(firestore_client, policy(300))
    lease = store.acquire(key, HOLDER)
    outcome = try_with_skewed_clock("lease", key, seconds=600, lease_seconds=300)
    assert "error" not in outcome, outcome
    # The contender's clock really was ~10 minutes ahead of the server's.
    assert 590 < outcome["skew_seconds"] < 610
    assert outcome["won"] is False
    state = store.inspect(key)
    assert state.holder == HOLDER and state.fence == lease.fence and not state.expired


def test_the_skewed_contender_takes_over_once_the_server_says_expired(firestore_client):
    key = unique_key()
    store = LeaseStore(firestore_client, policy(300))
    lease = store.acquire(key, HOLDER)
    backdate(firestore_client, key, 301)
    outcome = try_with_skewed_clock("lease", key, seconds=600, lease_seconds=300)
    assert outcome == {"won": True, "skew_seconds": outcome["skew_seconds"]}
    state = store.inspect(key)
    assert state.holder.dag_id == "skewed" and state.fence == lease.fence + 1


def test_control_the_legacy_acquirer_is_fooled_by_the_same_clock(firestore_client):
    key = unique_key()
    assert LegacyLock(firestore_client).acquire(key, "legacy-holder") is True
    outcome = try_with_skewed_clock("legacy", key, seconds=600)
    assert outcome.get("won") is True, outcome
