"""``LeaseStore``: the lease lock on the blocking Firestore client."""

from __future__ import annotations

import time
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


class LeaseStore(LeaseProtocol):
    """Acquire, renew, release and inspect lease locks in ``processing_locks``.

    ``client`` is a ``google.cloud.firestore.Client``; ``policy`` a ``LeasePolicy`` (collections,
    lease length, renewal and self-fence timings, each call's timeout and retry budget).
    """

    def _perform(self, request: Any) -> Any:
        timeout = self.policy.rpc_timeout_seconds
        if isinstance(request, Commit):
            return request.batch.commit(retry=None, timeout=timeout)
        delays = read_retry_delays(self.policy)
        while True:
            try:
                if isinstance(request, Read):
                    return ordered(request.refs, self.client.get_all(list(request.refs), retry=None, timeout=timeout))
                if isinstance(request, Query):
                    return list(request.query.stream(retry=None, timeout=timeout))
                raise TypeError(f"unknown request {request!r}")
            except TRANSIENT:
                delay = next(delays, None)
                if delay is None:
                    raise
                time.sleep(delay)

    def _run(self, flow: Flow) -> Any:
        finished, value = step(flow)
        while not finished:
            try:
                result = self._perform(value)
            except Exception as error:  # the flow decides: retry after a lost race, or re-raise
                finished, value = step(flow, error=error)
            else:
                finished, value = step(flow, result)
        return value

    def acquire(self, key: str, owner: Owner, *, processor: str | None = None,
                lease_seconds: int | None = None, fence_floor: int = 0) -> Lease:
        """Take the key or raise ``LeaseHeld`` (see ``rules.acquisition_event`` for who may).

        ``fence_floor`` is the highest fence the sink already holds for this key: a grant whose
        fence would not exceed it raises ``FenceCounterLost`` instead (so does a missing counter
        while the lock or the sink shows a fence).
        """
        return self._run(self._acquire(key, owner, processor, lease_seconds, fence_floor))

    def try_acquire(self, key: str, owner: Owner, *, processor: str | None = None,
                    lease_seconds: int | None = None, fence_floor: int = 0) -> Lease | None:
        """Like ``acquire`` but ``None`` when someone else holds the key."""
        try:
            return self.acquire(key, owner, processor=processor, lease_seconds=lease_seconds,
                                fence_floor=fence_floor)
        except LeaseHeld:
            return None

    def renew(self, lease: Lease, *, moved_to: Owner | None = None) -> Lease:
        """Extend the lease from now (server time); ``LeaseLost`` if it is no longer ours.

        ``moved_to``: the same try now running in another process (``owner.here()``); the lock's
        ``instance`` and owner then name that process.
        """
        return self._run(self._renew(lease, moved_to))

    def release(self, lease: Lease) -> bool:
        """Delete the lock if ``lease`` still owns it (or it is already gone); else log, audit, False."""
        return self._run(self._release(lease))

    def inspect(self, key: str) -> LockState:
        return self._run(self._inspect(key))

    def list(self, prefix: str | None = None) -> list[LockState]:
        """Every lock document (ours and legacy), optionally only keys starting with ``prefix``."""
        return self._run(self._list(prefix))

    def force_release(self, key: str, *, reason: str, actor: str) -> bool:
        """Delete whatever lock is on ``key`` (for the person on call); audited with the reason."""
        return self._run(self._force_release(key, reason, actor))

    def reseed(self, key: str, at_least: int, *, reason: str, actor: str) -> int:
        """Raise the key's fence counter to at least ``at_least``; returns the counter's value."""
        return self._run(self._reseed(key, at_least, reason, actor))

    def highest_audited_fence(self, key: str) -> int:
        return self._run(self._highest_audited_fence(key))

    def audit_log(self, key: str | None = None, limit: int = 50) -> list[dict]:
        """Audit records, newest first, timestamps as ISO strings."""
        return self._run(self._audit_log(key, limit))
