"""The lease rules as pure functions of document data and server times.

Both stores (sync and async) decide with these functions only, so there is one definition of
"expired", "legacy", "who may take over" and "who owns this lease". Times come from Firestore:
a snapshot's ``read_time`` or a write's result, never this machine's clock.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

from google.cloud.firestore_v1 import DELETE_FIELD, SERVER_TIMESTAMP, Increment
from google.cloud.firestore_v1.field_path import FieldPath

from nba_pipeline.lease.model import Lease, LeasePolicy, LockState, Owner, as_utc, processor_of

# Fields the legacy processors read and write; we keep them meaningful.
LEGACY_FIELDS = ("acquired_at", "execution_id", "instance", "processor")
# A document carrying all of these was written by this library (unless a legacy writer since
# rewrote its legacy fields; see ``is_legacy``).
LEASE_FIELDS = ("owner", "fence", "lease_seconds")

ACQUIRE = "acquire"
TAKEOVER = "takeover"
RECOVER = "recover"
RENEW = "renew"
RELEASE = "release"
REFUSAL = "refusal"
LOST_TO_LEGACY = "lost_to_legacy"
FORCE_RELEASE = "force_release"
RESEED = "reseed"


def is_legacy(data: Mapping[str, Any]) -> bool:
    """A legacy processor holds the document.

    Either it has none of our fields, or a legacy acquirer took it over by *updating* the four
    legacy fields and left ours in place: then ``execution_id`` / ``instance`` no longer name
    the owner our fields describe. Ownership is the whole identity written at acquisition.
    """
    if not all(name in data for name in LEASE_FIELDS):
        return True
    try:
        ours = Owner.from_dict(data["owner"])
    except (KeyError, TypeError, ValueError):
        return True
    return data.get("execution_id") != ours.execution_id or data.get("instance") != ours.instance


def _seconds(delta: dt.timedelta) -> float:
    return round(delta.total_seconds(), 3)


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)


def lock_state(
    key: str,
    data: Mapping[str, Any] | None,
    read_time: Any,
    *,
    legacy_stale_seconds: int,
    update_time: Any = None,
) -> LockState:
    """Judge a lock document (``None`` when absent) at the server time it was read."""
    server_time = as_utc(read_time)
    if data is None:
        return LockState(
            key=key, exists=False, holder=None, fence=None, acquired_at=None, expires_at=None,
            server_time=server_time, age_seconds=None, expires_in_seconds=None, expired=False,
            legacy=False, processor=None, execution_id=None, instance=None,
        )
    legacy = is_legacy(data)
    acquired_at = as_utc(data.get("acquired_at"))
    lease_seconds = legacy_stale_seconds if legacy else int(data["lease_seconds"])
    expires_at = acquired_at + dt.timedelta(seconds=lease_seconds) if acquired_at else None
    if expires_at is None:
        # No acquisition time at all: nothing a holder could be renewing, treat as stale.
        expired, age, expires_in = True, None, None
    else:
        age = _seconds(server_time - acquired_at)
        expires_in = _seconds(expires_at - server_time)
        # Legacy rule: stale when *older than* the timeout; ours: over once expires_at is reached.
        expired = age > lease_seconds if legacy else server_time >= expires_at
    granted_at = as_utc(data.get("granted_at")) or acquired_at
    return LockState(
        key=key,
        exists=True,
        holder=None if legacy else Owner.from_dict(data["owner"]),
        fence=None if legacy else int(data["fence"]),
        acquired_at=acquired_at,
        expires_at=expires_at,
        server_time=server_time,
        age_seconds=age,
        expires_in_seconds=expires_in,
        expired=expired,
        legacy=legacy,
        processor=data.get("processor"),
        execution_id=data.get("execution_id"),
        instance=data.get("instance"),
        lease_seconds=None if legacy else lease_seconds,
        granted_at=granted_at,
        held_seconds=_seconds(server_time - granted_at) if granted_at else None,
        renewals=data.get("renewals"),
        update_time=as_utc(update_time),
        self_fence_seconds=None if legacy else _optional_float(data.get("self_fence_seconds")),
        retry_takeover_seconds=None if legacy else _optional_float(data.get("retry_takeover_seconds")),
    )


def acquisition_event(state: LockState, owner: Owner) -> str | None:
    """What ``owner`` may do with the key now: ``acquire``, ``takeover``, ``recover`` or nothing.

    * absent: ``acquire``; expired (ours or legacy, on server time): ``takeover``;
    * held by this very try (a duplicated trigger, a lost commit reply, a resumed task):
      ``recover`` the same lease and fence, never a second grant;
    * held by an *older* try of the same task that has not renewed for longer than its
      ``retry_takeover_seconds`` (it has fenced itself by then): ``takeover`` by the retry;
    * anything else (another task, a newer try, a live legacy lock): ``None``, held.
    """
    if not state.exists:
        return ACQUIRE
    if state.expired:
        return TAKEOVER
    holder = state.holder
    if holder is None:
        return None
    if owner.same_try(holder):
        return RECOVER
    if (
        owner.same_task(holder)
        and holder.try_number < owner.try_number
        and state.retry_takeover_seconds is not None
        and state.age_seconds is not None
        and state.age_seconds > state.retry_takeover_seconds
    ):
        return TAKEOVER
    return None


def highest_fence_on_lock(lock_data: Mapping[str, Any] | None) -> int:
    """The fence written on a lock document, kept even after a legacy writer updated it."""
    try:
        return int((lock_data or {}).get("fence") or 0)
    except (TypeError, ValueError):
        return 0


def next_fence(lock_data: Mapping[str, Any] | None, fence_data: Mapping[str, Any] | None) -> int:
    """One more than any fence ever issued for the key (the counter doc, or the lock if higher)."""
    issued = int((fence_data or {}).get("fence") or 0)
    return max(issued, highest_fence_on_lock(lock_data)) + 1


def counter_problem(key: str, lock_data: Mapping[str, Any] | None,
                    fence_data: Mapping[str, Any] | None, fence_floor: int) -> str | None:
    """Why granting now could reissue a used fence; ``None`` when the counter can be trusted."""
    on_lock = highest_fence_on_lock(lock_data)
    if fence_data is None and on_lock > 0:
        return (f"its fence counter is missing while the lock document carries fence {on_lock} "
                "(was the fence collection deleted?)")
    if fence_data is None and fence_floor > 0:
        return (f"its fence counter is missing while the sink already holds fence {fence_floor} "
                "(was the fence collection deleted?)")
    upcoming = next_fence(lock_data, fence_data)
    if upcoming <= fence_floor:
        return f"the next fence would be {upcoming}, but the sink already holds fence {fence_floor}"
    return None


def _identity_fields(owner: Owner, policy: LeasePolicy, processor: str) -> dict[str, Any]:
    """The whole identity of a holder: written at the grant and again at every renewal."""
    return {
        "acquired_at": SERVER_TIMESTAMP,
        "execution_id": owner.execution_id,
        "instance": owner.instance,
        "processor": processor,
        "owner": owner.to_dict(),
        "lease_seconds": policy.lease_seconds,
        "self_fence_seconds": policy.self_fence_seconds,
        "retry_takeover_seconds": policy.retry_takeover_seconds,
    }


def lock_fields(owner: Owner, fence: int, policy: LeasePolicy, processor: str) -> dict[str, Any]:
    """A fresh lock document: the legacy fields plus ours; both timestamps are set by the server."""
    return {
        **_identity_fields(owner, policy, processor),
        "granted_at": SERVER_TIMESTAMP,
        "fence": fence,
        "renewals": 0,
    }


def renewal_fields(owner: Owner, policy: LeasePolicy, processor: str) -> dict[str, Any]:
    # acquired_at moves forward so a legacy reader never judges a renewed lease stale; the
    # identity is rewritten so the document always names the process that now does the work.
    return {**_identity_fields(owner, policy, processor), "renewals": Increment(1)}


def replacement_fields(old_data: Mapping[str, Any], new_fields: Mapping[str, Any]) -> dict[str, Any]:
    """Field updates turning ``old_data`` into exactly ``new_fields`` (leftovers deleted)."""
    updates = {FieldPath(name).to_api_repr(): value for name, value in new_fields.items()}
    for name in old_data:
        if name not in new_fields:
            updates[FieldPath(name).to_api_repr()] = DELETE_FIELD
    return updates


def ownership_problem(lease: Lease, state: LockState) -> str | None:
    """Why ``lease`` no longer owns the document in ``state``; ``None`` when it still does."""
    if not state.exists:
        return "the lock document is gone"
    if state.legacy:
        return (f"a legacy processor holds the lock ({state.execution_id or 'unknown'} on "
                f"{state.instance or 'unknown'})")
    if state.fence != lease.fence:
        return f"taken over by {state.execution_id} with fence {state.fence} (ours {lease.fence})"
    if state.holder != lease.owner:
        return (f"held by {state.execution_id} on {state.instance}, not by "
                f"{lease.owner.execution_id} on {lease.owner.instance}")
    if lease.processor is not None and state.processor != lease.processor:
        return f"its processor field says {state.processor!r}, not {lease.processor!r}"
    return None


def server_timestamp_of(write_result: Any) -> dt.datetime:
    """The value a SERVER_TIMESTAMP field received in a commit.

    Firestore sets it at request time with millisecond precision, which can be earlier than the
    write's update_time; expiry is judged from the stored value, so read it back from the
    transform results rather than trusting update_time.
    """
    for value in write_result.transform_results:
        if type(value).pb(value).WhichOneof("value_type") == "timestamp_value":
            return as_utc(value.timestamp_value)
    return as_utc(write_result.update_time)


def lease_granted(key: str, owner: Owner, fence: int, lease_seconds: int, write_result: Any,
                  processor: str | None) -> Lease:
    acquired_at = server_timestamp_of(write_result)
    return Lease(
        key=key,
        owner=owner,
        fence=fence,
        lease_seconds=lease_seconds,
        acquired_at=acquired_at,
        expires_at=acquired_at + dt.timedelta(seconds=lease_seconds),
        update_time=as_utc(write_result.update_time),
        processor=processor,
    )


def lease_of(state: LockState) -> Lease:
    """The lease a live lock document describes (a try recovering its own grant)."""
    return Lease(
        key=state.key,
        owner=state.holder,
        fence=state.fence,
        lease_seconds=state.lease_seconds,
        acquired_at=state.acquired_at,
        expires_at=state.expires_at,
        update_time=state.update_time,
        processor=state.processor,
    )


def default_processor(key: str, processor: str | None) -> str:
    return processor or processor_of(key)


def holder_summary(state: LockState | None) -> dict[str, Any] | None:
    """The previous holder as kept in audit records."""
    if state is None or not state.exists:
        return None
    return {
        "owner": state.holder.to_dict() if state.holder else None,
        "fence": state.fence,
        "execution_id": state.execution_id,
        "instance": state.instance,
        "legacy": state.legacy,
        "acquired_at": state.acquired_at,
        "expired": state.expired,
    }


def audit_record(
    event: str,
    key: str,
    *,
    owner: Owner | None,
    fence: int | None,
    previous: LockState | None,
    read_time: Any,
    retention: dt.timedelta,
    **detail: Any,
) -> dict[str, Any]:
    """One audit document. ``expire_at`` (server read time + retention) drives a TTL policy."""
    record = {
        "event": event,
        "key": key,
        "owner": owner.to_dict() if owner else None,
        "execution_id": owner.execution_id if owner else None,
        "instance": owner.instance if owner else None,
        "fence": fence,
        "previous": holder_summary(previous),
        "at": SERVER_TIMESTAMP,
        "expire_at": as_utc(read_time) + retention,
    }
    record.update({name: value for name, value in detail.items() if value is not None})
    return record
