"""``AsyncLeaseStore``: the same protocol on ``google.cloud.firestore.AsyncClient``.

Used by the deferrable triggers, which poll and renew inside the triggerer's event loop.
"""

from __future__ import annotations

import asyncio
from typing import Any

from nba_pipeline.lease.model import Lease, LeaseHeld, LockState, Owner
from nba_pipeline.lease.protocol import (
    TRANSIENT,
    Commit,
    Flow,
    LeaseProtocol,
    Query,
    Read,
    ordered,
    read_retry_delays,
    step,
)


class AsyncLeaseStore(LeaseProtocol):
    """Awaitable twin of ``LeaseStore``; takes the same arguments."""

    async def _perform(self, request: Any) -> Any:
        timeout = self.policy.rpc_timeout_seconds
        if isinstance(request, Commit):
            return await request.batch.commit(retry=None, timeout=timeout)
        delays = read_retry_delays(self.policy)
        while True:
            try:
                if isinstance(request, Read):
                    refs = list(request.refs)
                    found = [s async for s in self.client.get_all(refs, retry=None, timeout=timeout)]
                    return ordered(request.refs, found)
                if isinstance(request, Query):
                    return [snapshot async for snapshot in request.query.stream(retry=None, timeout=timeout)]
                raise TypeError(f"unknown request {request!r}")
            except TRANSIENT:
                delay = next(delays, None)
                if delay is None:
                    raise
                await asyncio.sleep(delay)

    async def _run(self, flow: Flow) -> Any:
        finished, value = step(flow)
        while not finished:
            try:
                result = await self._perform(value)
            except Exception as error:  # the flow decides: retry after a lost race, or re-raise
                finished, value = step(flow, error=error)
            else:
                finished, value = step(flow, result)
        return value

    async def acquire(self, key: str, owner: Owner, *, processor: str | None = None,
                      lease_seconds: int | None = None, fence_floor: int = 0) -> Lease:
        return await self._run(self._acquire(key, owner, processor, lease_seconds, fence_floor))

    async def try_acquire(self, key: str, owner: Owner, *, processor: str | None = None,
                          lease_seconds: int | None = None, fence_floor: int = 0) -> Lease | None:
        try:
            return await self.acquire(key, owner, processor=processor, lease_seconds=lease_seconds,
                                      fence_floor=fence_floor)
        except LeaseHeld:
            return None

    async def renew(self, lease: Lease, *, moved_to: Owner | None = None) -> Lease:
        return await self._run(self._renew(lease, moved_to))

    async def release(self, lease: Lease) -> bool:
        return await self._run(self._release(lease))

    async def inspect(self, key: str) -> LockState:
        return await self._run(self._inspect(key))

    async def list(self, prefix: str | None = None) -> list[LockState]:
        return await self._run(self._list(prefix))

    async def force_release(self, key: str, *, reason: str, actor: str) -> bool:
        return await self._run(self._force_release(key, reason, actor))

    async def reseed(self, key: str, at_least: int, *, reason: str, actor: str) -> int:
        return await self._run(self._reseed(key, at_least, reason, actor))

    async def highest_audited_fence(self, key: str) -> int:
        return await self._run(self._highest_audited_fence(key))

    async def audit_log(self, key: str | None = None, limit: int = 50) -> list[dict]:
        return await self._run(self._audit_log(key, limit))
