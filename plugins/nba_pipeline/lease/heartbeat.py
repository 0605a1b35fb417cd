"""``LeaseHeartbeat``: keeps a lease alive from a background thread while work runs."""

from __future__ import annotations

import logging
import threading
from typing import Callable

from nba_pipeline.lease.model import Lease, LeaseLost
from nba_pipeline.lease.store import LeaseStore

log = logging.getLogger("nba_pipeline.lease")


class LeaseHeartbeat:
    """Renew ``lease`` every ``interval`` seconds (default a third of the lease).

    The first failed renewal, whatever its cause, ends the heartbeat: ``lost`` is set,
    ``error`` holds the ``LeaseLost`` and ``on_lost`` is called once from the heartbeat thread,
    so the caller can cancel its BigQuery job and fail the task. Stop the heartbeat before
    releasing the lease, or a renewal racing the release reports the lease lost.
    """

    def __init__(
        self,
        store: LeaseStore,
        lease: Lease,
        *,
        interval: float | None = None,
        on_lost: Callable[[LeaseLost], None] | None = None,
    ):
        self.store = store
        self.interval = float(interval if interval is not None else lease.lease_seconds / 3)
        if self.interval <= 0:
            raise ValueError("interval must be positive")
        if self.interval >= lease.lease_seconds:
            raise ValueError(
                f"interval {self.interval} s would let the {lease.lease_seconds} s lease expire "
                "between renewals"
            )
        if self.interval >= store.legacy_stale_seconds:
            log.warning("heartbeat interval %.0f s >= legacy stale timeout %d s: legacy processors "
                        "may judge %s stale between renewals", self.interval,
                        store.legacy_stale_seconds, lease.key)
        self.on_lost = on_lost
        self.lost = threading.Event()
        self.error: LeaseLost | None = None
        self.renewals = 0
        self._lease = lease
        self._guard = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def lease(self) -> Lease:
        """The latest renewed lease (its ``expires_at`` moves forward at each renewal)."""
        with self._guard:
            return self._lease

    def start(self) -> LeaseHeartbeat:
        if self._thread is not None:
            raise RuntimeError("heartbeat already started")
        self._thread = threading.Thread(
            target=self._beat, name=f"lease-heartbeat-{self._lease.key}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self, timeout: float | None = None) -> None:
        """Stop renewing (waits for a renewal in flight); the lease itself is not released."""
        self._stopping.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def raise_if_lost(self) -> None:
        if self.error is not None:
            raise self.error

    def __enter__(self) -> LeaseHeartbeat:
        return self.start()

    def __exit__(self, *exc_info) -> bool:
        self.stop()
        return False

    def _beat(self) -> None:
        while not self._stopping.wait(self.interval):
            current = self.lease
            try:
                renewed = self.store.renew(current)
            except LeaseLost as error:
                self._lose(error)
                return
            except Exception as error:  # Firestore down counts as lost: we can no longer prove we hold it
                self._lose(LeaseLost(current.key, f"renewal failed: {error!r}"))
                return
            with self._guard:
                self._lease = renewed
            self.renewals += 1

    def _lose(self, error: LeaseLost) -> None:
        self.error = error
        self.lost.set()
        log.error("lease heartbeat stopped key=%s owner=%s fence=%s: %s", error.key,
                  self._lease.owner.execution_id, self._lease.fence, error.reason)
        if self.on_lost is not None:
            try:
                self.on_lost(error)
            except Exception:
                log.exception("on_lost callback failed for %s", error.key)
