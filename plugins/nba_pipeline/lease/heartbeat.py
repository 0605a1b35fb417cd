"""``LeaseHeartbeat``: keeps a lease alive from a background thread while work runs.

Self-fencing: the holder is the only one who can stop in time, so the heartbeat gives the lease
up on its own monotonic clock once no renewal has succeeded for the policy's
``self_fence_seconds`` (``min(lease, legacy 600 s) - margin``), whatever the reason: Firestore
down, a hung call, a process paused for minutes. A watchdog thread judges this independently
of the renewing thread, so a renewal stuck in a call cannot delay the verdict.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable

from nba_pipeline.lease.model import Lease, LeaseLost
from nba_pipeline.lease.store import LeaseStore

log = logging.getLogger("nba_pipeline.lease")


class LeaseHeartbeat:
    """Renew ``lease`` every ``store.policy.renew_seconds`` until stopped, or until it is lost.

    The lease is lost when a renewal is refused (taken over, removed, a legacy writer took it),
    or when no renewal succeeded for ``self_fence_seconds`` (transient errors are retried
    meanwhile). Then ``lost`` is set, ``error`` holds the ``LeaseLost`` and ``on_lost`` is
    called once, so the caller can cancel its BigQuery job and fail the task. Nothing is renewed
    after that. ``renewed_at`` is the ``time.monotonic()`` taken just before the call that
    granted or last renewed ``lease`` (default: now). Stop the heartbeat before releasing.
    """

    def __init__(
        self,
        store: LeaseStore,
        lease: Lease,
        *,
        on_lost: Callable[[LeaseLost], None] | None = None,
        renewed_at: float | None = None,
    ):
        policy = store.policy
        self.store = store
        self.interval = float(policy.renew_seconds)
        self.self_fence_seconds = float(policy.self_fence_seconds)
        if self.self_fence_seconds >= lease.lease_seconds:
            raise ValueError(f"self-fence time {self.self_fence_seconds:g} s must be shorter than the "
                             f"{lease.lease_seconds} s lease")
        self.on_lost = on_lost
        self.lost = threading.Event()
        self.error: LeaseLost | None = None
        self.renewals = 0
        self.failed_renewals = 0
        self.fenced_after: float | None = None
        self._lease = lease
        self._last_ok = time.monotonic() if renewed_at is None else float(renewed_at)
        self._guard = threading.Lock()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def lease(self) -> Lease:
        """The latest renewed lease (its ``expires_at`` moves forward at each renewal)."""
        with self._guard:
            return self._lease

    @property
    def seconds_since_renewal(self) -> float:
        with self._guard:
            return time.monotonic() - self._last_ok

    def start(self) -> LeaseHeartbeat:
        if self._threads:
            raise RuntimeError("heartbeat already started")
        for target, name in ((self._beat, "renew"), (self._watch, "watchdog")):
            thread = threading.Thread(target=target, name=f"lease-{name}-{self._lease.key}", daemon=True)
            self._threads.append(thread)
            thread.start()
        return self

    def stop(self, timeout: float | None = None) -> None:
        """Stop renewing (waits for a renewal in flight); the lease itself is not released."""
        self._stopping.set()
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(timeout)

    def raise_if_lost(self) -> None:
        if self.error is not None:
            raise self.error

    def __enter__(self) -> LeaseHeartbeat:
        return self.start()

    def __exit__(self, *exc_info) -> bool:
        self.stop()
        return False

    def _fence_due(self) -> float:
        """Seconds until the self-fence deadline (negative once it has passed)."""
        with self._guard:
            return self._last_ok + self.self_fence_seconds - time.monotonic()

    def _self_fence(self) -> None:
        elapsed = self.seconds_since_renewal
        self._lose(LeaseLost(
            self._lease.key,
            f"no renewal succeeded for {elapsed:.1f} s (self-fence after {self.self_fence_seconds:g} s): "
            "giving the lease up before anyone else may take it",
        ), fenced_after=elapsed)

    def _watch(self) -> None:
        while not self._stopping.is_set() and not self.lost.is_set():
            remaining = self._fence_due()
            if remaining <= 0:
                self._self_fence()
                return
            self._stopping.wait(remaining)

    def _beat(self) -> None:
        wait = self.interval
        while not self._stopping.wait(wait):
            if self.lost.is_set():
                return
            if self._fence_due() <= 0:
                self._self_fence()
                return
            current = self.lease
            started = time.monotonic()
            try:
                renewed = self.store.renew(current)
            except LeaseLost as error:
                self._lose(error)
                return
            except Exception as error:
                # Unreachable Firestore is not proof of loss yet; the watchdog decides at the deadline.
                self.failed_renewals += 1
                wait = max(0.2, min(self.interval, self._fence_due() / 4))
                log.warning("lease renewal of %s failed (%r); retrying in %.1f s, self-fence in %.0f s",
                            current.key, error, wait, self._fence_due())
                continue
            with self._guard:
                if self.lost.is_set():
                    return
                self._lease = renewed
                self._last_ok = started
            self.renewals += 1
            wait = self.interval

    def _lose(self, error: LeaseLost, *, fenced_after: float | None = None) -> None:
        with self._guard:
            if self.lost.is_set():
                return
            self.error = error
            self.fenced_after = fenced_after
            self.lost.set()
        log.error("lease heartbeat stopped key=%s owner=%s fence=%s: %s", error.key,
                  self._lease.owner.execution_id, self._lease.fence, error.reason)
        if self.on_lost is not None:
            try:
                self.on_lost(error)
            except Exception:
                log.exception("on_lost callback failed for %s", error.key)
