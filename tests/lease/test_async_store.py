"""AsyncLeaseStore on the emulator, sharing state and rules with the blocking store."""

from __future__ import annotations

import asyncio

import pytest
from google.auth.credentials import AnonymousCredentials
from google.cloud import firestore

from nba_pipeline.lease import AsyncLeaseStore, LeaseLost, LeaseStore, Owner

from .race import backdate, policy, unique_key

pytestmark = pytest.mark.integration

SENSOR = Owner("nba_pipeline", "backfill__2026-02-04", "wait_player_game_summary")
HOLDER = Owner("nba_pipeline", "scheduled__2026-02-04", "player_game_summary")


def async_store(sync_client) -> AsyncLeaseStore:
    # A new client per event loop: the async gRPC channel belongs to the loop that made it.
    client = firestore.AsyncClient(project=sync_client.project, credentials=AnonymousCredentials())
    return AsyncLeaseStore(client, policy(60))


def test_async_inspect_and_try_acquire(firestore_client):
    key = unique_key()
    sync = LeaseStore(firestore_client, policy(60))
    held = sync.acquire(key, HOLDER)

    async def scenario():
        store = async_store(firestore_client)
        state = await store.inspect(key)
        refused = await store.try_acquire(key, SENSOR)
        backdate(firestore_client, key, 61)
        expired = await store.inspect(key)
        lease = await store.try_acquire(key, SENSOR)
        renewed = await store.renew(lease)
        with pytest.raises(LeaseLost):
            await store.renew(held)
        stale_release = await store.release(held)
        released = await store.release(renewed)
        return state, refused, expired, lease, renewed, stale_release, released

    state, refused, expired, lease, renewed, stale_release, released = asyncio.run(scenario())
    assert state.holder == HOLDER and not state.expired and state.fence == held.fence
    assert refused is None
    assert expired.expired and expired.expires_in_seconds < 0
    assert lease.owner == SENSOR and lease.fence == held.fence + 1
    assert renewed.expires_at > lease.expires_at
    assert stale_release is False and released is True
    assert not sync.inspect(key).exists
    events = [r["event"] for r in sync.audit_log(key)]
    assert events == ["release", "refusal", "refusal", "renew", "takeover", "refusal", "acquire"]


def test_async_contenders_in_one_event_loop_get_one_grant(firestore_client):
    key = unique_key()

    async def scenario():
        stores = [async_store(firestore_client) for _ in range(6)]
        owners = [Owner("nba_pipeline", f"run-{i}", "player_game_summary") for i in range(6)]
        return await asyncio.gather(*(s.try_acquire(key, o) for s, o in zip(stores, owners)))

    grants = [lease for lease in asyncio.run(scenario()) if lease is not None]
    assert len(grants) == 1 and grants[0].fence == 1
