"""Values of the lease lock: who owns it, what was granted, what a lock document says now.

Plain frozen dataclasses with no Firestore calls, so they can be pickled, compared and sent
through Airflow XCom (``to_dict``/``from_dict`` give JSON-safe dicts).
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from dataclasses import dataclass, field
from typing import Any, Mapping

UTC = dt.timezone.utc


def lock_key(processor_class: str, date: dt.date | str) -> str:
    """The lock document id shared with the legacy processors: ``{ProcessorClass}_{YYYY-MM-DD}``."""
    if not processor_class or "/" in processor_class:
        raise ValueError(f"invalid processor class name {processor_class!r}")
    if isinstance(date, dt.datetime):
        raise TypeError("lock_key takes a date, not a datetime (which day would a timestamp mean?)")
    day = date if isinstance(date, dt.date) else dt.date.fromisoformat(str(date))
    return f"{processor_class}_{day.isoformat()}"


def processor_of(key: str) -> str:
    """The processor class part of a lock key (the whole key when it has no date suffix)."""
    name, _, suffix = key.rpartition("_")
    try:
        dt.date.fromisoformat(suffix)
    except ValueError:
        return key
    return name or key


def as_utc(value: Any) -> dt.datetime | None:
    """A Firestore timestamp (or ISO string) as a plain tz-aware UTC datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if not isinstance(value, dt.datetime):
        raise TypeError(f"not a timestamp: {value!r}")
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    # DatetimeWithNanoseconds would otherwise leak into dataclasses and compare oddly.
    return dt.datetime(value.year, value.month, value.day, value.hour, value.minute,
                       value.second, value.microsecond, tzinfo=UTC)


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass(frozen=True)
class Owner:
    """The task instance holding a lease; only the same owner may renew or release it."""

    dag_id: str
    run_id: str
    task_id: str
    map_index: int = -1
    try_number: int = 1
    host: str = field(default_factory=socket.gethostname)
    pid: int = field(default_factory=os.getpid)

    @property
    def execution_id(self) -> str:
        """Stable and readable; also written to the legacy ``execution_id`` field."""
        return f"{self.dag_id}/{self.run_id}/{self.task_id}/{self.map_index}/{self.try_number}"

    @property
    def instance(self) -> str:
        """The legacy ``instance`` field: which process holds the lock."""
        return f"{self.host}:{self.pid}"

    def same_task(self, other: Owner | None) -> bool:
        """True for the same task instance whatever the try, host or process (an Airflow retry)."""
        return other is not None and (
            (self.dag_id, self.run_id, self.task_id, self.map_index)
            == (other.dag_id, other.run_id, other.task_id, other.map_index)
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "dag_id": self.dag_id,
            "run_id": self.run_id,
            "task_id": self.task_id,
            "map_index": self.map_index,
            "try_number": self.try_number,
            "host": self.host,
            "pid": self.pid,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Owner:
        return cls(
            dag_id=str(data["dag_id"]),
            run_id=str(data["run_id"]),
            task_id=str(data["task_id"]),
            map_index=int(data.get("map_index", -1)),
            try_number=int(data.get("try_number", 1)),
            host=str(data.get("host", "")),
            pid=int(data.get("pid", 0)),
        )


@dataclass(frozen=True)
class Lease:
    """A granted lease; every time is Firestore server time (UTC).

    ``fence`` is the key's fencing token for this grant. ``update_time`` is the lock document's
    update time after our last write to it.
    """

    key: str
    owner: Owner
    fence: int
    lease_seconds: int
    acquired_at: dt.datetime
    expires_at: dt.datetime
    update_time: dt.datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "owner": self.owner.to_dict(),
            "fence": self.fence,
            "lease_seconds": self.lease_seconds,
            "acquired_at": _iso(self.acquired_at),
            "expires_at": _iso(self.expires_at),
            "update_time": _iso(self.update_time),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Lease:
        return cls(
            key=str(data["key"]),
            owner=Owner.from_dict(data["owner"]),
            fence=int(data["fence"]),
            lease_seconds=int(data["lease_seconds"]),
            acquired_at=as_utc(data["acquired_at"]),
            expires_at=as_utc(data["expires_at"]),
            update_time=as_utc(data["update_time"]),
        )


@dataclass(frozen=True)
class LockState:
    """What one lock document says, judged at the snapshot's server read time.

    ``age_seconds`` counts from ``acquired_at`` (the last grant or renewal, as legacy readers
    see it); ``held_seconds`` counts from the first grant to the current holder.
    For a legacy document ``expires_at`` is ``acquired_at`` plus the legacy stale timeout.
    """

    key: str
    exists: bool
    holder: Owner | None
    fence: int | None
    acquired_at: dt.datetime | None
    expires_at: dt.datetime | None
    server_time: dt.datetime | None
    age_seconds: float | None
    expires_in_seconds: float | None
    expired: bool
    legacy: bool
    processor: str | None
    execution_id: str | None
    instance: str | None
    lease_seconds: int | None = None
    granted_at: dt.datetime | None = None
    held_seconds: float | None = None
    renewals: int | None = None
    update_time: dt.datetime | None = None

    @property
    def free(self) -> bool:
        """Nobody holds the key: the document is absent or its lease has run out."""
        return not self.exists or self.expired

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "exists": self.exists,
            "holder": self.holder.to_dict() if self.holder else None,
            "fence": self.fence,
            "acquired_at": _iso(self.acquired_at),
            "expires_at": _iso(self.expires_at),
            "server_time": _iso(self.server_time),
            "age_seconds": self.age_seconds,
            "expires_in_seconds": self.expires_in_seconds,
            "expired": self.expired,
            "legacy": self.legacy,
            "processor": self.processor,
            "execution_id": self.execution_id,
            "instance": self.instance,
            "lease_seconds": self.lease_seconds,
            "granted_at": _iso(self.granted_at),
            "held_seconds": self.held_seconds,
            "renewals": self.renewals,
            "update_time": _iso(self.update_time),
            "free": self.free,
        }

    def describe(self) -> str:
        """One line for logs and sensor messages."""
        if not self.exists:
            return f"{self.key}: free"
        who = self.execution_id or "unknown holder"
        kind = "legacy lock" if self.legacy else f"fence {self.fence}"
        if self.expired:
            return f"{self.key}: expired {kind} of {who} ({-(self.expires_in_seconds or 0):.0f} s ago)"
        return (f"{self.key}: held by {who} ({kind}), age {self.age_seconds:.0f} s, "
                f"expires in {self.expires_in_seconds:.0f} s")


class LeaseError(Exception):
    """Base class of lease lock errors."""


class LeaseHeld(LeaseError):
    """Someone else holds a live lease (ours or a legacy processor's) on the key."""

    def __init__(self, state: LockState):
        self.state = state
        super().__init__(f"lock {state.describe()}")

    def __reduce__(self):
        return type(self), (self.state,)


class LeaseLost(LeaseError):
    """Our lease is gone: released by someone else, taken over, or it could not be renewed."""

    def __init__(self, key: str, reason: str):
        self.key = key
        self.reason = reason
        super().__init__(f"lease on {key} lost: {reason}")

    def __reduce__(self):
        return type(self), (self.key, self.reason)
