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

from nba_pipeline.lease.model import Lease, LockState, Owner, as_utc, processor_of

# Fields the legacy processors read and write; we keep them meaningful.
LEGACY_FIELDS = ("acquired_at", "execution_id", "instance", "processor")
# A document carrying all of these was written by this library.
LEASE_FIELDS = ("owner", "fence", "lease_seconds")

ACQUIRE = "acquire"
TAKEOVER = "takeover"
RENEW = "renew"
RELEASE = "release"
REFUSAL = "refusal"
FORCE_RELEASE = "force_release"


def is_legacy(data: Mapping[str, Any]) -> bool:
    return not all(name in data for name in LEASE_FIELDS)


def _seconds(delta: dt.timedelta) -> float:
    return round(delta.total_seconds(), 3)


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
    )


def acquisition_event(state: LockState, owner: Owner) -> str | None:
    """``acquire`` or ``takeover`` when ``owner`` may take the key now, ``None`` when it is held.

    The same task (an Airflow retry on another try or worker) takes over its own live lease:
    the previous try is dead or about to be, and waiting out its lease would stall the retry.
    """
    if not state.exists:
        return ACQUIRE
    if state.expired or (state.holder is not None and owner.same_task(state.holder)):
        return TAKEOVER
    return None


def next_fence(lock_data: Mapping[str, Any] | None, fence_data: Mapping[str, Any] | None) -> int:
    """One more than any fence ever issued for the key (the counter doc, or the lock if higher)."""
    issued = int((fence_data or {}).get("fence") or 0)
    if lock_data and not is_legacy(lock_data):
        issued = max(issued, int(lock_data["fence"]))
    return issued + 1


def lock_fields(owner: Owner, fence: int, lease_seconds: int, processor: str) -> dict[str, Any]:
    """A fresh lock document: the legacy fields plus ours; both timestamps are set by the server."""
    return {
        "acquired_at": SERVER_TIMESTAMP,
        "granted_at": SERVER_TIMESTAMP,
        "execution_id": owner.execution_id,
        "instance": owner.instance,
        "processor": processor,
        "owner": owner.to_dict(),
        "fence": fence,
        "lease_seconds": lease_seconds,
        "renewals": 0,
    }


def replacement_fields(old_data: Mapping[str, Any], new_fields: Mapping[str, Any]) -> dict[str, Any]:
    """Field updates turning ``old_data`` into exactly ``new_fields`` (leftovers deleted)."""
    updates = {FieldPath(name).to_api_repr(): value for name, value in new_fields.items()}
    for name in old_data:
        if name not in new_fields:
            updates[FieldPath(name).to_api_repr()] = DELETE_FIELD
    return updates


def renewal_fields() -> dict[str, Any]:
    # acquired_at moves forward so a legacy reader never judges a renewed lease stale.
    return {"acquired_at": SERVER_TIMESTAMP, "renewals": Increment(1)}


def ownership_problem(lease: Lease, state: LockState) -> str | None:
    """Why ``lease`` no longer owns the document in ``state``; ``None`` when it still does."""
    if not state.exists:
        return "the lock document is gone"
    if state.legacy:
        return f"a legacy processor holds the lock ({state.execution_id or 'unknown'})"
    if state.fence != lease.fence:
        return f"taken over by {state.execution_id} with fence {state.fence} (ours {lease.fence})"
    if state.holder != lease.owner:
        return f"held by {state.execution_id}, not by {lease.owner.execution_id}"
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


def lease_granted(key: str, owner: Owner, fence: int, lease_seconds: int, write_result: Any) -> Lease:
    acquired_at = server_timestamp_of(write_result)
    return Lease(
        key=key,
        owner=owner,
        fence=fence,
        lease_seconds=lease_seconds,
        acquired_at=acquired_at,
        expires_at=acquired_at + dt.timedelta(seconds=lease_seconds),
        update_time=as_utc(write_result.update_time),
    )


def lease_renewed(lease: Lease, write_result: Any) -> Lease:
    return lease_granted(lease.key, lease.owner, lease.fence, lease.lease_seconds, write_result)


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
        "fence": fence,
        "previous": holder_summary(previous),
        "at": SERVER_TIMESTAMP,
        "expire_at": as_utc(read_time) + retention,
    }
    record.update({name: value for name, value in detail.items() if value is not None})
    return record
