"""Separate processes racing for locks on the emulator: never two holders at once."""

from __future__ import annotations

import time

import pytest

from nba_pipeline.lease import LeaseStore

from .race import grab_keys, run_race, unique_key

pytestmark = pytest.mark.integration


def test_eight_processes_fifty_rounds_one_winner_each(firestore_client):
    key = unique_key()
    started = time.monotonic()
    report = run_race(key, contenders=8, rounds=50, expire_odd=True)
    elapsed = time.monotonic() - started
    assert report.errors == []
    assert report.double_grants == 0
    assert report.rounds_without_winner == 0
    assert all(len(report.winners[r]) == 1 for r in range(50))
    # Half the rounds were takeovers of an expired lease; fences rose at every grant.
    fences = report.fences
    assert len(fences) == 50 and fences == sorted(set(fences))
    assert elapsed < 90, f"race took {elapsed:.1f} s"
    audit = LeaseStore(firestore_client).audit_log(key, limit=1000)
    assert sum(1 for r in audit if r["event"] == "takeover") == 25
    assert sum(1 for r in audit if r["event"] == "acquire") == 25


def test_many_keys_at_once_each_granted_exactly_once(firestore_client):
    keys = [unique_key() for _ in range(24)]
    winners, errors = grab_keys(keys, contenders=8)
    assert errors == []
    assert {key: len(won) for key, won in winners.items()} == {key: 1 for key in keys}
    store = LeaseStore(firestore_client)
    for key in keys:
        state = store.inspect(key)
        assert state.holder.task_id == f"contender-{winners[key][0]}" and state.fence == 1
