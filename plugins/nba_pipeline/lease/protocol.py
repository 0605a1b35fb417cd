"""The compare-and-swap protocol, written once for the sync and the async Firestore client.

Each operation is a generator that yields the Firestore round trip it needs (``Read``,
``Commit`` or ``Query``) and receives its result (or has its error thrown in). ``LeaseStore``
drives the generators with blocking calls and ``AsyncLeaseStore`` with awaits, so retries,
audit records and logging are shared and the decisions are the pure functions of ``rules``.

Writes are never blind: an absent document is created (``AlreadyExists`` means another
contender won), an existing one is updated or deleted with a ``last_update_time``
precondition (``FailedPrecondition`` means it changed since we read it). A grant changes the
lock document, the key's fence counter and the audit collection in one atomic batch.

The usual path reads, decides with ``rules`` and writes. When the store itself made the
document's current version (it granted or renewed this very lease, or issued the key's last
fence) it skips the read and writes straight away with that version as the precondition;
if anyone else wrote since, the precondition fails and it falls back to the usual path.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any, Generator, Iterable

from google.api_core import exceptions as api_exceptions
from google.cloud.firestore_v1 import SERVER_TIMESTAMP
from google.cloud.firestore_v1.base_query import FieldFilter
from google.cloud.firestore_v1.field_path import FieldPath

from nba_pipeline.lease import rules
from nba_pipeline.lease.model import Lease, LeaseHeld, LeaseLost, LockState, Owner, as_utc

log = logging.getLogger("nba_pipeline.lease")

# What a commit raises when another writer got there first.
LOST_RACE = (
    api_exceptions.AlreadyExists,
    api_exceptions.FailedPrecondition,
    api_exceptions.NotFound,
    api_exceptions.Aborted,
)
# A lost race is followed by a fresh read, which normally shows the winner; only a key that is
# granted and released again between our read and our write makes us go round again.
RACE_ATTEMPTS = 5


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
    """Configuration and the operation generators shared by both stores."""

    def __init__(
        self,
        client: Any,
        *,
        collection: str = "processing_locks",
        fence_collection: str = "processing_lock_fences",
        audit_collection: str = "processing_lock_audit",
        lease_seconds: int = 900,
        legacy_stale_seconds: int = 600,
        audit_retention_days: int = 90,
    ):
        if lease_seconds <= 0 or legacy_stale_seconds <= 0:
            raise ValueError("lease_seconds and legacy_stale_seconds must be positive")
        self.client = client
        self.collection = collection
        self.fence_collection = fence_collection
        self.audit_collection = audit_collection
        self.lease_seconds = int(lease_seconds)
        self.legacy_stale_seconds = int(legacy_stale_seconds)
        self.audit_retention = dt.timedelta(days=audit_retention_days)
        # What this store itself last wrote, used for one-round-trip compare-and-swap writes:
        # the last lease granted or renewed per key, the fence counter's value and version,
        # and the latest server time seen (for audit expire_at only). A stale entry only costs
        # a failed precondition and the ordinary read-decide-write path.
        self._leases: dict[str, Lease] = {}
        self._fences: dict[str, tuple[int, dt.datetime]] = {}
        self._server_time: dt.datetime | None = None

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

    def _stage_audit(self, batch: Any, event: str, key: str, *, read_time: Any, **fields: Any) -> None:
        record = rules.audit_record(
            event, key, read_time=read_time, retention=self.audit_retention, **fields
        )
        batch.create(self.client.collection(self.audit_collection).document(), record)

    def _record_refusal(self, action: str, key: str, owner: Owner | None, fence: int | None,
                        state: LockState, reason: str) -> Flow:
        """Log and audit a refused acquire/renew/release; an audit failure never masks the refusal."""
        # Finding a key held is routine; a refused renew or release means a lease was lost.
        level = logging.INFO if action == "acquire" else logging.WARNING
        log.log(level, "lease refused %s key=%s owner=%s fence=%s: %s", action, key,
                owner.execution_id if owner else None, fence, reason)
        batch = self.client.batch()
        self._stage_audit(batch, rules.REFUSAL, key, owner=owner, fence=fence, previous=state,
                          read_time=state.server_time, action=action, reason=reason)
        try:
            yield Commit(batch)
        except api_exceptions.GoogleAPIError as error:
            log.warning("could not write the audit record of a refused %s on %s: %s", action, key, error)

    # -- operations -------------------------------------------------------------------------

    def _inspect(self, key: str) -> Flow:
        (snapshot,) = yield Read((self._lock_ref(key),))
        return self._state(key, snapshot)

    def _stage_grant(self, batch: Any, key: str, owner: Owner, fence: int, seconds: int,
                     processor: str, *, lock_snapshot: Any, fence_version: Any, event: str,
                     previous: LockState | None, server_time: Any) -> None:
        """Lock document, fence counter and audit record: one atomic batch, all conditional."""
        lock_ref, fence_ref = self._lock_ref(key), self._fence_ref(key)
        fields = rules.lock_fields(owner, fence, seconds, processor)
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
                          read_time=server_time, processor=processor, lease_seconds=seconds)

    def _granted(self, key: str, owner: Owner, fence: int, seconds: int, results: list,
                 event: str, previous: LockState | None) -> Lease:
        lease = rules.lease_granted(key, owner, fence, seconds, results[0])
        self._leases[key] = lease
        self._fences[key] = (fence, results[1].update_time)
        self._seen(lease.update_time)
        if event == rules.TAKEOVER:
            log.info("lease takeover key=%s owner=%s fence=%s from %s (%s)", key,
                     owner.execution_id, fence, previous.execution_id,
                     "expired" if previous.expired else "same task")
        else:
            log.info("lease acquire key=%s owner=%s fence=%s expires_at=%s", key,
                     owner.execution_id, fence, lease.expires_at.isoformat())
        return lease

    def _acquire(self, key: str, owner: Owner, processor: str | None,
                 lease_seconds: int | None) -> Flow:
        seconds = int(lease_seconds or self.lease_seconds)
        if seconds <= 0:
            raise ValueError("lease_seconds must be positive")
        processor = rules.default_processor(key, processor)
        known = self._fences.get(key)
        if known is not None and self._server_time is not None:
            # We issued this key's last fence: bet that it is free and the counter unmoved.
            fence, version = known
            batch = self.client.batch()
            self._stage_grant(batch, key, owner, fence + 1, seconds, processor, lock_snapshot=None,
                              fence_version=version, event=rules.ACQUIRE, previous=None,
                              server_time=self._server_time)
            try:
                results = yield Commit(batch)
            except LOST_RACE:
                self._fences.pop(key, None)
            else:
                return self._granted(key, owner, fence + 1, seconds, results, rules.ACQUIRE, None)
        lock_ref, fence_ref = self._lock_ref(key), self._fence_ref(key)
        for _ in range(RACE_ATTEMPTS):
            lock_snapshot, fence_snapshot = yield Read((lock_ref, fence_ref))
            self._seen(lock_snapshot.read_time)
            state = self._state(key, lock_snapshot)
            event = rules.acquisition_event(state, owner)
            if event is None:
                yield from self._record_refusal("acquire", key, owner, None, state, state.describe())
                raise LeaseHeld(state)
            fence = rules.next_fence(_data(lock_snapshot), _data(fence_snapshot))
            batch = self.client.batch()
            self._stage_grant(batch, key, owner, fence, seconds, processor,
                              lock_snapshot=lock_snapshot,
                              fence_version=fence_snapshot.update_time if fence_snapshot.exists else None,
                              event=event, previous=state if state.exists else None,
                              server_time=lock_snapshot.read_time)
            try:
                results = yield Commit(batch)
            except LOST_RACE as error:
                log.debug("lease race lost on %s by %s: %s", key, owner.execution_id, error)
                continue
            return self._granted(key, owner, fence, seconds, results, event, state)
        (lock_snapshot,) = yield Read((lock_ref,))
        state = self._state(key, lock_snapshot)
        yield from self._record_refusal("acquire", key, owner, None, state,
                                        f"lost {RACE_ATTEMPTS} races in a row")
        raise LeaseHeld(state)

    def _still_ours(self, lease: Lease) -> bool:
        """True when ``lease`` is exactly what this store last wrote for its key.

        Then a write conditioned on ``lease.update_time`` can only succeed if the document is
        still that very write of ours, so it needs no read first. Any other lease object (a
        copy from XCom after renewals, or a forged owner) goes through read-and-verify.
        """
        return self._leases.get(lease.key) == lease

    def _renew(self, lease: Lease) -> Flow:
        lock_ref = self._lock_ref(lease.key)
        if self._still_ours(lease):
            batch = self.client.batch()
            batch.update(lock_ref, rules.renewal_fields(),
                         option=self._unchanged_since(lease.update_time))
            self._stage_audit(batch, rules.RENEW, lease.key, owner=lease.owner, fence=lease.fence,
                              previous=None, read_time=lease.update_time)
            try:
                results = yield Commit(batch)
            except LOST_RACE:
                pass
            else:
                renewed = rules.lease_renewed(lease, results[0])
                return self._renewed(lease, renewed, late=renewed.acquired_at >= lease.expires_at)
        for _ in range(RACE_ATTEMPTS):
            (snapshot,) = yield Read((lock_ref,))
            state = self._state(lease.key, snapshot)
            problem = rules.ownership_problem(lease, state)
            if problem:
                self._leases.pop(lease.key, None)
                yield from self._record_refusal("renew", lease.key, lease.owner, lease.fence,
                                                state, problem)
                raise LeaseLost(lease.key, problem)
            batch = self.client.batch()
            batch.update(lock_ref, rules.renewal_fields(),
                         option=self._unchanged_since(snapshot.update_time))
            # Nobody took the key since our last write, so a late renewal is still safe; note it.
            self._stage_audit(batch, rules.RENEW, lease.key, owner=lease.owner, fence=lease.fence,
                              previous=None, read_time=snapshot.read_time,
                              late=True if state.expired else None)
            try:
                results = yield Commit(batch)
            except LOST_RACE as error:
                log.debug("lease renewal of %s raced: %s", lease.key, error)
                continue
            return self._renewed(lease, rules.lease_renewed(lease, results[0]), late=state.expired)
        raise LeaseLost(lease.key, f"the lock document kept changing ({RACE_ATTEMPTS} attempts)")

    def _renewed(self, lease: Lease, renewed: Lease, *, late: bool) -> Lease:
        self._leases[lease.key] = renewed
        self._seen(renewed.update_time)
        if late:
            log.warning("lease renew key=%s owner=%s fence=%s after it had expired "
                        "(nobody took it over)", lease.key, lease.owner.execution_id, lease.fence)
        else:
            log.info("lease renew key=%s owner=%s fence=%s expires_at=%s", lease.key,
                     lease.owner.execution_id, lease.fence, renewed.expires_at.isoformat())
        return renewed

    def _release(self, lease: Lease) -> Flow:
        lock_ref = self._lock_ref(lease.key)
        if self._still_ours(lease):
            batch = self.client.batch()
            batch.delete(lock_ref, option=self._unchanged_since(lease.update_time))
            self._stage_audit(batch, rules.RELEASE, lease.key, owner=lease.owner,
                              fence=lease.fence, previous=None, read_time=lease.update_time)
            try:
                yield Commit(batch)
            except LOST_RACE:
                pass
            else:
                return self._released(lease)
        for _ in range(RACE_ATTEMPTS):
            (snapshot,) = yield Read((lock_ref,))
            state = self._state(lease.key, snapshot)
            problem = rules.ownership_problem(lease, state)
            if problem:
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
            except LOST_RACE as error:
                log.debug("lease release of %s raced: %s", lease.key, error)
                continue
            return self._released(lease)
        log.warning("lease release of %s gave up: the lock document kept changing", lease.key)
        return False

    def _released(self, lease: Lease) -> bool:
        self._leases.pop(lease.key, None)
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
