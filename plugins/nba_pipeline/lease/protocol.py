"""The compare-and-swap protocol, written once for the sync and the async Firestore client.

Each operation is a generator that yields the Firestore round trip it needs (``Read``,
``Commit`` or ``Query``) and receives its result (or has its error thrown in). ``LeaseStore``
drives the generators with blocking calls and ``AsyncLeaseStore`` with awaits, so retries,
audit records and logging are shared and the decisions are the pure functions of ``rules``.
Both stores give every call the policy's timeout and retry budget.

Writes are never blind: an absent document is created (``AlreadyExists`` means another
contender won), an existing one is updated or deleted with a ``last_update_time``
precondition (``FailedPrecondition`` means it changed since we read it). A grant changes the
lock document, the key's fence counter and the audit collection in one atomic batch.

A commit whose reply was lost (timeout, unavailable) may or may not have landed. The protocol
never guesses: it reads the document again and decides from what is there, exactly as after a
lost race (a landed grant is then this very try's lock, which it recovers with its fence; a
landed release left no document, which counts as released).

The usual path reads, decides with ``rules`` and writes. When the store itself made the
document's current version (it granted or renewed this very lease, or issued the key's last
fence) it skips the read and writes straight away with that version as the precondition;
if anyone else wrote since, the precondition fails and it falls back to the usual path.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass
from typing import Any, Generator, Iterable, Iterator

from google.api_core import exceptions as api_exceptions
from google.cloud.firestore_v1 import SERVER_TIMESTAMP
from google.cloud.firestore_v1.base_query import FieldFilter
from google.cloud.firestore_v1.field_path import FieldPath

from nba_pipeline.lease import rules
from nba_pipeline.lease.model import (
    FenceCounterLost,
    Lease,
    LeaseHeld,
    LeaseLost,
    LeasePolicy,
    LockState,
    Owner,
    as_utc,
)

log = logging.getLogger("nba_pipeline.lease")

# What a commit raises when another writer got there first.
LOST_RACE = (
    api_exceptions.AlreadyExists,
    api_exceptions.FailedPrecondition,
    api_exceptions.NotFound,
    api_exceptions.Aborted,
)
# Transient errors: reads are retried on them within the policy's budget. A commit is sent once:
# such an error means its outcome is unknown (it may have landed), and the protocol reads again
# and decides from what is there (an automatic resend could not tell "landed" from "lost").
TRANSIENT = (
    api_exceptions.DeadlineExceeded,
    api_exceptions.ServiceUnavailable,
    api_exceptions.InternalServerError,
    api_exceptions.TooManyRequests,
    api_exceptions.Unknown,
)
UNKNOWN_OUTCOME = (*TRANSIENT, api_exceptions.RetryError)
# A lost race is followed by a fresh read, which normally shows the winner; only a key that is
# granted and released again between our read and our write makes us go round again.
RACE_ATTEMPTS = 5


def read_retry_delays(policy: LeasePolicy) -> Iterator[float]:
    """Pauses between attempts of a read that failed transiently, within the policy's budget.

    The stores retry reads themselves: handing the client a ``Retry`` object doubled the cost of
    every read on the emulator (measured), and a commit must never be resent blindly anyway.
    """
    deadline = time.monotonic() + policy.rpc_budget_seconds
    delay = 0.2
    while time.monotonic() + delay < deadline:
        yield delay
        delay = min(2.0, delay * 2)


@dataclass(frozen=True)
class Read:
    """Fetch documents; the result is their snapshots in the same order."""

    refs: tuple[Any, ...]


@dataclass(frozen=True)
class Commit:
    """Commit a write batch; the result is its list of write results."""

    batch: Any


@dataclass(frozen=True)
class Query:
    """Run a query; the result is the list of snapshots."""

    query: Any


Flow = Generator[Any, Any, Any]


def step(flow: Flow, result: Any = None, error: BaseException | None = None) -> tuple[bool, Any]:
    """Resume ``flow`` with a round trip's result or error: ``(finished, next request or value)``."""
    try:
        if error is not None:
            return False, flow.throw(error)
        return False, flow.send(result)
    except StopIteration as done:
        return True, done.value


def ordered(refs: Iterable[Any], snapshots: Iterable[Any]) -> list[Any]:
    """``get_all`` answers in any order: put the snapshots back in the order asked."""
    by_path = {snapshot.reference.path: snapshot for snapshot in snapshots}
    return [by_path[ref.path] for ref in refs]


def _data(snapshot: Any) -> dict[str, Any] | None:
    return snapshot.to_dict() if snapshot.exists else None


def _timestamps_as_text(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return as_utc(value).isoformat()
    if isinstance(value, dict):
        return {name: _timestamps_as_text(item) for name, item in value.items()}
    if isinstance(value, list):
        return [_timestamps_as_text(item) for item in value]
    return value


class LeaseProtocol:
    """Configuration and the operation generators shared by both stores.

    ``client`` is a Firestore client (sync or async, matching the store); ``policy`` the
    collections and timings (``LeasePolicy``; the defaults when omitted).
    """

    def __init__(self, client: Any, policy: LeasePolicy | None = None):
        self.client = client
        self.policy = policy or LeasePolicy()
        # What this store itself last wrote, used for one-round-trip compare-and-swap writes:
        # the last lease granted or renewed per key (and when, on the monotonic clock), the fence
        # counter's value and version, and the latest server time seen (for audit expire_at
        # only). A stale entry only costs a failed precondition and the read-decide-write path.
        self._leases: dict[str, Lease] = {}
        self._written_at: dict[str, float] = {}
        self._fences: dict[str, tuple[int, dt.datetime]] = {}
        self._server_time: dt.datetime | None = None

    @property
    def collection(self) -> str:
        return self.policy.collection

    @property
    def fence_collection(self) -> str:
        return self.policy.fence_collection

    @property
    def audit_collection(self) -> str:
        return self.policy.audit_collection

    @property
    def lease_seconds(self) -> int:
        return self.policy.lease_seconds

    @property
    def legacy_stale_seconds(self) -> int:
        return self.policy.legacy_stale_seconds

    # -- references and helpers -------------------------------------------------------------

    def _lock_ref(self, key: str) -> Any:
        return self.client.collection(self.collection).document(key)

    def _fence_ref(self, key: str) -> Any:
        return self.client.collection(self.fence_collection).document(key)

    def _unchanged_since(self, update_time: Any) -> Any:
        return self.client.write_option(last_update_time=update_time)

    def _seen(self, server_time: Any) -> None:
        server_time = as_utc(server_time)
        if self._server_time is None or server_time > self._server_time:
            self._server_time = server_time

    def _state(self, key: str, snapshot: Any) -> LockState:
        return rules.lock_state(
            key, _data(snapshot), snapshot.read_time,
            legacy_stale_seconds=self.legacy_stale_seconds, update_time=snapshot.update_time,
        )

    def _stage_audit(self, batch: Any, event: str, key: str, *, read_time: Any, **fields: Any) -> Any:
        record = rules.audit_record(
            event, key, read_time=read_time,
            retention=dt.timedelta(days=self.policy.audit_retention_days), **fields,
        )
        ref = self.client.collection(self.audit_collection).document()
        batch.create(ref, record)
        return ref

    def _audit_alone(self, event: str, key: str, *, level: int, message: str, **fields: Any) -> Flow:
        """One audit record in its own commit; a failure to write it never masks the outcome."""
        log.log(level, message)
        batch = self.client.batch()
        self._stage_audit(batch, event, key, **fields)
        try:
            yield Commit(batch)
        except api_exceptions.GoogleAPIError as error:
            log.warning("could not write the %s audit record of %s: %s", event, key, error)

    def _record_refusal(self, action: str, key: str, owner: Owner | None, fence: int | None,
                        state: LockState, reason: str) -> Flow:
        """Log and audit a refused acquire/renew/release; a loss to a legacy writer is its own kind."""
        lost_to_legacy = action != "acquire" and state.exists and state.legacy
        event = rules.LOST_TO_LEGACY if lost_to_legacy else rules.REFUSAL
        # Finding a key held is routine; a refused renew or release means a lease was lost.
        level = logging.INFO if action == "acquire" else logging.WARNING
        yield from self._audit_alone(
            event, key, level=level,
            message=(f"lease {event} {action} key={key} owner={owner.execution_id if owner else None} "
                     f"fence={fence}: {reason}"),
            owner=owner, fence=fence, previous=state, read_time=state.server_time, action=action,
            reason=reason,
        )

    def _remember(self, lease: Lease, started: float) -> None:
        self._leases[lease.key] = lease
        self._written_at[lease.key] = started
        self._seen(lease.update_time)

    def _forget(self, key: str) -> None:
        self._leases.pop(key, None)
        self._written_at.pop(key, None)

    # -- operations -------------------------------------------------------------------------

    def _inspect(self, key: str) -> Flow:
        (snapshot,) = yield Read((self._lock_ref(key),))
        return self._state(key, snapshot)

    def _stage_grant(self, batch: Any, key: str, owner: Owner, fence: int, policy: LeasePolicy,
                     processor: str, *, lock_snapshot: Any, fence_version: Any, event: str,
                     previous: LockState | None, server_time: Any) -> None:
        """Lock document, fence counter and audit record: one atomic batch, all conditional."""
        lock_ref, fence_ref = self._lock_ref(key), self._fence_ref(key)
        fields = rules.lock_fields(owner, fence, policy, processor)
        if lock_snapshot is not None and lock_snapshot.exists:
            batch.update(lock_ref, rules.replacement_fields(lock_snapshot.to_dict(), fields),
                         option=self._unchanged_since(lock_snapshot.update_time))
        else:
            batch.create(lock_ref, fields)
        counter = {"fence": fence, "key": key, "execution_id": owner.execution_id,
                   "updated_at": SERVER_TIMESTAMP}
        if fence_version is not None:
            batch.update(fence_ref, counter, option=self._unchanged_since(fence_version))
        else:
            batch.create(fence_ref, counter)
        self._stage_audit(batch, event, key, owner=owner, fence=fence, previous=previous,
                          read_time=server_time, processor=processor,
                          lease_seconds=policy.lease_seconds)

    def _granted(self, key: str, owner: Owner, fence: int, policy: LeasePolicy, processor: str,
                 results: list, event: str, previous: LockState | None, started: float) -> Lease:
        lease = rules.lease_granted(key, owner, fence, policy.lease_seconds, results[0], processor)
        self._remember(lease, started)
        self._fences[key] = (fence, results[1].update_time)
        if event == rules.TAKEOVER:
            log.info("lease takeover key=%s owner=%s fence=%s from %s (%s)", key,
                     owner.execution_id, fence, previous.execution_id,
                     "expired" if previous.expired else "an older try that stopped renewing")
        else:
            log.info("lease acquire key=%s owner=%s fence=%s expires_at=%s", key,
                     owner.execution_id, fence, lease.expires_at.isoformat())
        return lease

    def _acquire(self, key: str, owner: Owner, processor: str | None, lease_seconds: int | None,
                 fence_floor: int = 0) -> Flow:
        policy = self.policy.with_lease(lease_seconds)
        processor = rules.default_processor(key, processor)
        floor = int(fence_floor or 0)
        known = self._fences.get(key)
        if known is not None and self._server_time is not None and known[0] >= floor:
            # We issued this key's last fence: bet that it is free and the counter unmoved.
            fence, version = known
            batch = self.client.batch()
            self._stage_grant(batch, key, owner, fence + 1, policy, processor, lock_snapshot=None,
                              fence_version=version, event=rules.ACQUIRE, previous=None,
                              server_time=self._server_time)
            started = time.monotonic()
            try:
                results = yield Commit(batch)
            except (*LOST_RACE, *UNKNOWN_OUTCOME):
                self._fences.pop(key, None)
            else:
                return self._granted(key, owner, fence + 1, policy, processor, results,
                                     rules.ACQUIRE, None, started)
        lock_ref, fence_ref = self._lock_ref(key), self._fence_ref(key)
        for _ in range(RACE_ATTEMPTS):
            lock_snapshot, fence_snapshot = yield Read((lock_ref, fence_ref))
            self._seen(lock_snapshot.read_time)
            state = self._state(key, lock_snapshot)
            event = rules.acquisition_event(state, owner)
            if event is None:
                yield from self._record_refusal("acquire", key, owner, None, state, state.describe())
                raise LeaseHeld(state)
            if event == rules.RECOVER:
                return (yield from self._recover(state))
            problem = rules.counter_problem(key, _data(lock_snapshot), _data(fence_snapshot), floor)
            if problem:
                yield from self._audit_alone(
                    rules.REFUSAL, key, level=logging.ERROR,
                    message=f"lease refusal acquire key={key} owner={owner.execution_id}: {problem}",
                    owner=owner, fence=None, previous=state, read_time=lock_snapshot.read_time,
                    action="acquire", reason=problem,
                )
                raise FenceCounterLost(key, problem)
            fence = rules.next_fence(_data(lock_snapshot), _data(fence_snapshot))
            batch = self.client.batch()
            self._stage_grant(batch, key, owner, fence, policy, processor,
                              lock_snapshot=lock_snapshot,
                              fence_version=fence_snapshot.update_time if fence_snapshot.exists else None,
                              event=event, previous=state if state.exists else None,
                              server_time=lock_snapshot.read_time)
            started = time.monotonic()
            try:
                results = yield Commit(batch)
            except (*LOST_RACE, *UNKNOWN_OUTCOME) as error:
                # Lost the race, or do not know whether the grant landed: read and decide again.
                log.debug("lease grant of %s to %s not confirmed: %r", key, owner.execution_id, error)
                continue
            return self._granted(key, owner, fence, policy, processor, results, event, state, started)
        (lock_snapshot,) = yield Read((lock_ref,))
        state = self._state(key, lock_snapshot)
        yield from self._record_refusal("acquire", key, owner, None, state,
                                        f"lost {RACE_ATTEMPTS} races in a row")
        raise LeaseHeld(state)

    def _recover(self, state: LockState) -> Flow:
        """This very try already holds the key: hand back that lease, same fence, no new grant.

        Nothing is written to the lock (a second process of the try must not rewrite the
        identity the first one may already have moved); only an audit record says it happened.
        """
        lease = rules.lease_of(state)
        self._remember(lease, time.monotonic())
        yield from self._audit_alone(
            rules.RECOVER, state.key, level=logging.INFO,
            message=(f"lease recover key={state.key} owner={lease.owner.execution_id} fence={lease.fence}: "
                     "this try already holds it"),
            owner=lease.owner, fence=lease.fence, previous=None, read_time=state.server_time,
        )
        return lease

    def _still_ours(self, lease: Lease) -> bool:
        """True when ``lease`` is exactly what this store last wrote for its key, recently.

        Then a write conditioned on ``lease.update_time`` can only succeed if the document is
        still that very write of ours, so it needs no read first. Any other lease object (a
        copy from XCom after renewals, or a forged owner) goes through read-and-verify, and so
        does one older than ``lease_seconds - margin`` on the monotonic clock, counted from before
        the request that wrote it: it may have run out, and the read path judges on server time
        and marks a late renewal in the audit.
        """
        if self._leases.get(lease.key) != lease:
            return False
        elapsed = time.monotonic() - self._written_at.get(lease.key, float("-inf"))
        return elapsed < lease.lease_seconds - self.policy.margin_seconds

    def _renew(self, lease: Lease, moved_to: Owner | None = None) -> Flow:
        owner = moved_to or lease.owner
        if not owner.same_try(lease.owner):
            raise ValueError(f"{owner.execution_id} cannot renew the lease of {lease.owner.execution_id}")
        processor = rules.default_processor(lease.key, lease.processor)
        policy = self.policy.with_lease(lease.lease_seconds)
        fields = rules.renewal_fields(owner, policy, processor)
        moved_from = lease.owner.instance if owner != lease.owner else None
        lock_ref = self._lock_ref(lease.key)
        if self._still_ours(lease):
            # Never late: the lease is younger than lease_seconds - margin on our monotonic clock,
            # counted from before the server stamped it (see _still_ours).
            batch = self.client.batch()
            batch.update(lock_ref, fields, option=self._unchanged_since(lease.update_time))
            self._stage_audit(batch, rules.RENEW, lease.key, owner=owner, fence=lease.fence,
                              previous=None, read_time=lease.update_time, moved_from=moved_from)
            started = time.monotonic()
            try:
                results = yield Commit(batch)
            except (*LOST_RACE, *UNKNOWN_OUTCOME):
                pass
            else:
                renewed = self._renewed_lease(lease, owner, processor, results[0])
                return self._renewed(lease, renewed, late=False, started=started)
        for _ in range(RACE_ATTEMPTS):
            (snapshot,) = yield Read((lock_ref,))
            state = self._state(lease.key, snapshot)
            problem = rules.ownership_problem(lease, state)
            if problem:
                self._forget(lease.key)
                yield from self._record_refusal("renew", lease.key, lease.owner, lease.fence,
                                                state, problem)
                raise LeaseLost(lease.key, problem)
            batch = self.client.batch()
            batch.update(lock_ref, fields, option=self._unchanged_since(snapshot.update_time))
            # Nobody took the key since our last write, so a late renewal is still safe; note it.
            self._stage_audit(batch, rules.RENEW, lease.key, owner=owner, fence=lease.fence,
                              previous=None, read_time=snapshot.read_time,
                              late=True if state.expired else None, moved_from=moved_from)
            started = time.monotonic()
            try:
                results = yield Commit(batch)
            except (*LOST_RACE, *UNKNOWN_OUTCOME) as error:
                log.debug("lease renewal of %s not confirmed: %r", lease.key, error)
                continue
            return self._renewed(lease, self._renewed_lease(lease, owner, processor, results[0]),
                                 late=state.expired, started=started)
        raise LeaseLost(lease.key, f"the lock document kept changing ({RACE_ATTEMPTS} attempts)")

    @staticmethod
    def _renewed_lease(lease: Lease, owner: Owner, processor: str, write_result: Any) -> Lease:
        return rules.lease_granted(lease.key, owner, lease.fence, lease.lease_seconds, write_result,
                                   processor)

    def _renewed(self, lease: Lease, renewed: Lease, *, late: bool, started: float) -> Lease:
        self._remember(renewed, started)
        if late:
            log.warning("lease renew key=%s owner=%s fence=%s after it had expired "
                        "(nobody took it over)", lease.key, renewed.owner.execution_id, lease.fence)
        else:
            log.info("lease renew key=%s owner=%s fence=%s instance=%s expires_at=%s", lease.key,
                     renewed.owner.execution_id, lease.fence, renewed.owner.instance,
                     renewed.expires_at.isoformat())
        return renewed

    def _release(self, lease: Lease) -> Flow:
        lock_ref = self._lock_ref(lease.key)
        # Set once a delete of ours may have landed without our hearing of it.
        unconfirmed = False
        if self._still_ours(lease):
            batch = self.client.batch()
            batch.delete(lock_ref, option=self._unchanged_since(lease.update_time))
            self._stage_audit(batch, rules.RELEASE, lease.key, owner=lease.owner,
                              fence=lease.fence, previous=None, read_time=lease.update_time)
            try:
                yield Commit(batch)
            except UNKNOWN_OUTCOME:
                unconfirmed = True
            except LOST_RACE:
                pass
            else:
                return self._released(lease)
        for _ in range(RACE_ATTEMPTS):
            (snapshot,) = yield Read((lock_ref,))
            state = self._state(lease.key, snapshot)
            if not state.exists and unconfirmed:
                # Our delete landed but its reply was lost: released, not "taken from us".
                self._forget(lease.key)
                yield from self._audit_alone(
                    rules.RELEASE, lease.key, level=logging.INFO,
                    message=f"lease release key={lease.key} owner={lease.owner.execution_id} "
                            f"fence={lease.fence}: confirmed by reading after a lost reply",
                    owner=lease.owner, fence=lease.fence, previous=None,
                    read_time=snapshot.read_time, confirmed_by_read=True,
                )
                return True
            problem = rules.ownership_problem(lease, state)
            if problem:
                self._forget(lease.key)
                yield from self._record_refusal("release", lease.key, lease.owner, lease.fence,
                                                state, problem)
                return False
            batch = self.client.batch()
            batch.delete(lock_ref, option=self._unchanged_since(snapshot.update_time))
            self._stage_audit(batch, rules.RELEASE, lease.key, owner=lease.owner,
                              fence=lease.fence, previous=None, read_time=snapshot.read_time,
                              held_seconds=state.held_seconds)
            try:
                yield Commit(batch)
            except UNKNOWN_OUTCOME as error:
                unconfirmed = True
                log.debug("lease release of %s not confirmed: %r", lease.key, error)
                continue
            except LOST_RACE as error:
                log.debug("lease release of %s raced: %r", lease.key, error)
                continue
            return self._released(lease)
        log.warning("lease release of %s gave up: the lock document kept changing", lease.key)
        return False

    def _released(self, lease: Lease) -> bool:
        self._forget(lease.key)
        log.info("lease release key=%s owner=%s fence=%s", lease.key, lease.owner.execution_id,
                 lease.fence)
        return True

    def _force_release(self, key: str, reason: str, actor: str) -> Flow:
        if not reason or not actor:
            raise ValueError("force_release needs a reason and an actor")
        lock_ref = self._lock_ref(key)
        for _ in range(RACE_ATTEMPTS):
            (snapshot,) = yield Read((lock_ref,))
            state = self._state(key, snapshot)
            if not state.exists:
                log.info("lease force_release key=%s by %s: nothing to release", key, actor)
                return False
            batch = self.client.batch()
            batch.delete(lock_ref, option=self._unchanged_since(snapshot.update_time))
            self._stage_audit(batch, rules.FORCE_RELEASE, key, owner=None, fence=state.fence,
                              previous=state, read_time=snapshot.read_time, actor=actor,
                              reason=reason)
            try:
                yield Commit(batch)
            except LOST_RACE:
                continue
            log.warning("lease force_release key=%s owner=%s fence=%s by %s: %s", key,
                        state.execution_id, state.fence, actor, reason)
            return True
        log.warning("lease force_release of %s gave up: the lock document kept changing", key)
        return False

    def _reseed(self, key: str, at_least: int, reason: str, actor: str) -> Flow:
        """Raise the key's fence counter to ``at_least`` (never lower it); audited."""
        if not reason or not actor:
            raise ValueError("reseed needs a reason and an actor")
        if at_least < 0:
            raise ValueError("a fence is never negative")
        fence_ref = self._fence_ref(key)
        for _ in range(RACE_ATTEMPTS):
            lock_snapshot, fence_snapshot = yield Read((self._lock_ref(key), fence_ref))
            current = int((_data(fence_snapshot) or {}).get("fence") or 0)
            target = max(at_least, current, rules.highest_fence_on_lock(_data(lock_snapshot)))
            if fence_snapshot.exists and target == current:
                log.info("lease reseed key=%s: counter already at %s", key, current)
                return current
            batch = self.client.batch()
            counter = {"fence": target, "key": key, "execution_id": f"reseed by {actor}",
                       "updated_at": SERVER_TIMESTAMP}
            if fence_snapshot.exists:
                batch.update(fence_ref, counter, option=self._unchanged_since(fence_snapshot.update_time))
            else:
                batch.create(fence_ref, counter)
            self._stage_audit(batch, rules.RESEED, key, owner=None, fence=target, previous=None,
                              read_time=fence_snapshot.read_time, actor=actor, reason=reason,
                              counter_before=current if fence_snapshot.exists else "missing")
            try:
                yield Commit(batch)
            except LOST_RACE:
                continue
            self._fences.pop(key, None)
            log.warning("lease reseed key=%s counter %s -> %s by %s: %s", key,
                        current if fence_snapshot.exists else "missing", target, actor, reason)
            return target
        raise RuntimeError(f"could not reseed {key}: its counter kept changing")

    def _list(self, prefix: str | None) -> Flow:
        query = self.client.collection(self.collection)
        if prefix:
            start = self._lock_ref(prefix)
            # Every id starting with the prefix sorts below prefix + the highest code point.
            end = self._lock_ref(prefix + "\U0010ffff")
            query = query.where(filter=FieldFilter(FieldPath.document_id(), ">=", start)).where(
                filter=FieldFilter(FieldPath.document_id(), "<", end)
            )
        snapshots = yield Query(query)
        return [self._state(snapshot.id, snapshot) for snapshot in snapshots]

    def _audit_log(self, key: str | None, limit: int) -> Flow:
        query = self.client.collection(self.audit_collection)
        if key is not None:
            # Needs a composite index (key ASC, at DESC) in production; see docs/lease.md.
            query = query.where(filter=FieldFilter("key", "==", key))
        query = query.order_by("at", direction="DESCENDING").limit(limit)
        snapshots = yield Query(query)
        return [{"id": snapshot.id, **_timestamps_as_text(snapshot.to_dict())}
                for snapshot in snapshots]

    def _highest_audited_fence(self, key: str) -> Flow:
        """The highest fence any audit record of ``key`` names (for reseeding)."""
        query = self.client.collection(self.audit_collection).where(filter=FieldFilter("key", "==", key))
        snapshots = yield Query(query)
        fences = [int(s.get("fence") or 0) for s in snapshots if s.to_dict().get("fence") is not None]
        return max(fences, default=0)
