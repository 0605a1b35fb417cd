"""``LeaseStore``: the lease lock on the blocking Firestore client."""

from __future__ import annotations

from typing import Any

from nba_pipeline.lease.model import Lease, LeaseHeld, LockState, Owner
from nba_pipeline.lease.protocol import Commit, Flow, LeaseProtocol, Query, Read, ordered, step


class LeaseStore(LeaseProtocol):
    """Acquire, renew, release and inspect lease locks in ``processing_locks``.

    ``client`` is a ``google.cloud.firestore.Client``. Keyword arguments name the lock, fence
    counter and audit collections, the default lease length and the legacy stale timeout.
    """

    def _perform(self, request: Any) -> Any:
        if isinstance(request, Read):
            return ordered(request.refs, self.client.get_all(list(request.refs)))
        if isinstance(request, Commit):
            return request.batch.commit()
        if isinstance(request, Query):
            return list(request.query.stream())
        raise TypeError(f"unknown request {request!r}")

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
                lease_seconds: int | None = None) -> Lease:
        """Take the key or raise ``LeaseHeld``; the same task's live lease is taken over."""
        return self._run(self._acquire(key, owner, processor, lease_seconds))

    def try_acquire(self, key: str, owner: Owner, *, processor: str | None = None,
                    lease_seconds: int | None = None) -> Lease | None:
        """Like ``acquire`` but ``None`` when someone else holds the key."""
        try:
            return self.acquire(key, owner, processor=processor, lease_seconds=lease_seconds)
        except LeaseHeld:
            return None

    def renew(self, lease: Lease) -> Lease:
        """Extend the lease from now (server time); ``LeaseLost`` if it is no longer ours."""
        return self._run(self._renew(lease))

    def release(self, lease: Lease) -> bool:
        """Delete the lock if ``lease`` still owns it; otherwise log, audit and return False."""
        return self._run(self._release(lease))

    def inspect(self, key: str) -> LockState:
        return self._run(self._inspect(key))

    def list(self, prefix: str | None = None) -> list[LockState]:
        """Every lock document (ours and legacy), optionally only keys starting with ``prefix``."""
        return self._run(self._list(prefix))

    def force_release(self, key: str, *, reason: str, actor: str) -> bool:
        """Delete whatever lock is on ``key`` (for the person on call); audited with the reason."""
        return self._run(self._force_release(key, reason, actor))

    def audit_log(self, key: str | None = None, limit: int = 50) -> list[dict]:
        """Audit records, newest first, timestamps as ISO strings."""
        return self._run(self._audit_log(key, limit))
