"""``AsyncLeaseStore``: the same protocol on ``google.cloud.firestore.AsyncClient``.

Used by the deferrable trigger, which polls and renews inside the triggerer's event loop.
"""

from __future__ import annotations

from typing import Any

from nba_pipeline.lease.model import Lease, LeaseHeld, LockState, Owner
from nba_pipeline.lease.protocol import Commit, Flow, LeaseProtocol, Query, Read, ordered, step


class AsyncLeaseStore(LeaseProtocol):
    """Awaitable twin of ``LeaseStore``; takes the same keyword arguments."""

    async def _perform(self, request: Any) -> Any:
        if isinstance(request, Read):
            found = [snapshot async for snapshot in self.client.get_all(list(request.refs))]
            return ordered(request.refs, found)
        if isinstance(request, Commit):
            return await request.batch.commit()
        if isinstance(request, Query):
            return [snapshot async for snapshot in request.query.stream()]
        raise TypeError(f"unknown request {request!r}")

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
                      lease_seconds: int | None = None) -> Lease:
        return await self._run(self._acquire(key, owner, processor, lease_seconds))

    async def try_acquire(self, key: str, owner: Owner, *, processor: str | None = None,
                          lease_seconds: int | None = None) -> Lease | None:
        try:
            return await self.acquire(key, owner, processor=processor, lease_seconds=lease_seconds)
        except LeaseHeld:
            return None

    async def renew(self, lease: Lease) -> Lease:
        return await self._run(self._renew(lease))

    async def release(self, lease: Lease) -> bool:
        return await self._run(self._release(lease))

    async def inspect(self, key: str) -> LockState:
        return await self._run(self._inspect(key))

    async def list(self, prefix: str | None = None) -> list[LockState]:
        return await self._run(self._list(prefix))

    async def force_release(self, key: str, *, reason: str, actor: str) -> bool:
        return await self._run(self._force_release(key, reason, actor))

    async def audit_log(self, key: str | None = None, limit: int = 50) -> list[dict]:
        return await self._run(self._audit_log(key, limit))
