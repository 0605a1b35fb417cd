"""Values of the lease lock: its policy, who owns it, what was granted, what a lock says now.

Plain frozen dataclasses with no Firestore calls, so they can be pickled, compared and sent
through Airflow XCom and trigger kwargs (``to_dict``/``from_dict`` give JSON-safe dicts).
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, Mapping

UTC = dt.timezone.utc


@dataclass(frozen=True)
class LeasePolicy:
    """Where the locks live and how long a lease lasts; one value shared by every lease user.

    * ``lease_seconds``: others may take the key once ``acquired_at + lease_seconds`` has passed
      on server time. Above Airflow's zombie threshold (300 s), so a live task keeps its lease.
    * ``renew_seconds``: the holder's heartbeat interval; every renewal refreshes ``acquired_at``.
    * ``margin_seconds``: slack for request latency and clock rates.
    * ``self_fence_seconds`` (derived): ``min(lease_seconds, legacy_stale_seconds) - margin``.
      A holder with no successful renewal for that long on its own monotonic clock treats its
      lease as lost (cancels its job, fails), before a legacy reader (600 s rule) or anyone else
      may judge it stale.
    * ``retry_takeover_seconds`` (derived): ``self_fence_seconds + margin``. A newer try of the
      same task takes over an older try's lease only once the older try has not renewed for that
      long: the older one has fenced itself by then, so a zombie try and its retry never overlap.
    * ``rpc_timeout_seconds`` / ``rpc_budget_seconds``: each Firestore call's timeout, and how
      long one call may be retried on transient errors (instead of the client's 300 s default).
    """

    collection: str = "processing_locks"
    fence_collection: str = "processing_lock_fences"
    audit_collection: str = "processing_lock_audit"
    lease_seconds: int = 900
    renew_seconds: float = 60.0
    margin_seconds: float = 60.0
    legacy_stale_seconds: int = 600
    rpc_timeout_seconds: float = 10.0
    rpc_budget_seconds: float = 30.0
    audit_retention_days: int = 90

    def __post_init__(self):
        if self.lease_seconds <= 0 or self.legacy_stale_seconds <= 0:
            raise ValueError("lease_seconds and legacy_stale_seconds must be positive")
        if self.renew_seconds <= 0 or self.margin_seconds < 0:
            raise ValueError("renew_seconds must be positive and margin_seconds not negative")
        if self.rpc_timeout_seconds <= 0 or self.rpc_budget_seconds < self.rpc_timeout_seconds:
            raise ValueError("rpc_timeout_seconds must be positive and at most rpc_budget_seconds")
        if self.self_fence_seconds <= self.renew_seconds:
            raise ValueError(
                f"a lease renewed every {self.renew_seconds:g} s would fence itself after "
                f"{self.self_fence_seconds:g} s (min(lease {self.lease_seconds} s, legacy "
                f"{self.legacy_stale_seconds} s) - margin {self.margin_seconds:g} s): renew more often "
                "or lengthen the lease"
            )
        for name in ("collection", "fence_collection", "audit_collection"):
            if not getattr(self, name) or "/" in getattr(self, name):
                raise ValueError(f"{name} must be a plain collection id, not {getattr(self, name)!r}")

    @property
    def self_fence_seconds(self) -> float:
        return min(self.lease_seconds, self.legacy_stale_seconds) - self.margin_seconds

    @property
    def retry_takeover_seconds(self) -> float:
        return self.self_fence_seconds + self.margin_seconds

    def with_lease(self, lease_seconds: int | None) -> LeasePolicy:
        """The same policy with another lease length (``None`` keeps this one).

        A lease too short for this policy's renewal interval and margin gets smaller ones (a
        tenth of the lease for the margin, a third of what is left for renewals), so the holder
        still renews several times and fences itself before the lease runs out.
        """
        if not lease_seconds:
            return self
        lease = int(lease_seconds)
        budget = min(lease, self.legacy_stale_seconds)
        margin = min(self.margin_seconds, budget / 10)
        renew = min(self.renew_seconds, (budget - margin) / 3)
        return replace(self, lease_seconds=lease, margin_seconds=margin, renew_seconds=renew)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> LeasePolicy:
        known = {f.name for f in fields(cls)}
        return cls(**{name: value for name, value in (data or {}).items() if name in known})


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

    def same_try(self, other: Owner | None) -> bool:
        """The same try of the same task, in whatever process (a resumed or duplicated trigger)."""
        return self.same_task(other) and self.try_number == other.try_number

    def here(self) -> Owner:
        """This owner as run by the current process (a try resumed on another worker)."""
        return replace(self, host=socket.gethostname(), pid=os.getpid())

    @classmethod
    def from_ti(cls, ti: Any) -> Owner:
        """The owner of a running Airflow task instance (any object with the TI's attributes).

        Host and process id are this process's, so the lock document says where the work runs.
        """
        map_index = getattr(ti, "map_index", -1)
        return cls(
            dag_id=ti.dag_id,
            run_id=ti.run_id,
            task_id=ti.task_id,
            map_index=-1 if map_index is None else int(map_index),
            try_number=int(ti.try_number or 1),
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
    processor: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "owner": self.owner.to_dict(),
            "fence": self.fence,
            "lease_seconds": self.lease_seconds,
            "acquired_at": _iso(self.acquired_at),
            "expires_at": _iso(self.expires_at),
            "update_time": _iso(self.update_time),
            "processor": self.processor,
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
            processor=data.get("processor"),
        )


@dataclass(frozen=True)
class LockState:
    """What one lock document says, judged at the snapshot's server read time.

    ``age_seconds`` counts from ``acquired_at`` (the last grant or renewal, as legacy readers
    see it); ``held_seconds`` counts from the first grant to the current holder.
    A lock is ``legacy`` when a legacy processor holds it: its document lacks our fields, or a
    legacy acquirer rewrote the legacy identity fields of ours (then ``holder`` is ``None``).
    For a legacy lock ``expires_at`` is ``acquired_at`` plus the legacy stale timeout.
    ``self_fence_seconds`` is the holder's own give-up time, written with its lease.
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
    self_fence_seconds: float | None = None
    retry_takeover_seconds: float | None = None

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
            "self_fence_seconds": self.self_fence_seconds,
            "retry_takeover_seconds": self.retry_takeover_seconds,
            "free": self.free,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LockState:
        """The inverse of ``to_dict`` (a trigger event carries the state as a dict)."""
        times = ("acquired_at", "expires_at", "server_time", "granted_at", "update_time")
        known = {f.name for f in fields(cls)}
        values = {name: value for name, value in data.items() if name in known}
        values.update({name: as_utc(data.get(name)) for name in times})
        holder = data.get("holder")
        values["holder"] = Owner.from_dict(holder) if holder else None
        return cls(**values)

    def describe(self) -> str:
        """One line for logs, sensor messages, task notes and the CLI: who, where, age, expiry."""
        if not self.exists:
            return f"{self.key}: free"
        who = self.execution_id or "unknown holder"
        where = f" on {self.instance}" if self.instance else ""
        kind = "legacy lock" if self.legacy else f"fence {self.fence}"
        if self.expired:
            ago = -(self.expires_in_seconds or 0)
            return f"{self.key}: expired {kind} of {who}{where} (expired {ago:.0f} s ago)"
        age = "unknown" if self.age_seconds is None else f"{self.age_seconds:.0f} s"
        expires = "unknown" if self.expires_in_seconds is None else f"{self.expires_in_seconds:.0f} s"
        return f"{self.key}: held by {who}{where} ({kind}), age {age}, expires in {expires}"


class LeaseError(Exception):
    """Base class of lease lock errors."""


class LeaseHeld(LeaseError):
    """Someone else holds a live lease (ours or a legacy processor's) on the key."""

    def __init__(self, state: LockState):
        self.state = state
        super().__init__(f"lock {state.describe()}")

    def __reduce__(self):
        return type(self), (self.state,)


class FenceCounterLost(LeaseError):
    """The key's fence counter is missing or behind a fence already issued: grants are refused.

    Granting now could issue a fence that an earlier holder already used, which the sink would
    take for the same writer. The person on call restores the counter with
    ``nba-pipeline locks reseed KEY --reason ...`` (audited).
    """

    def __init__(self, key: str, detail: str):
        self.key = key
        self.detail = detail
        super().__init__(
            f"refusing to grant {key}: {detail}. Restore the counter above every fence seen with "
            f"`nba-pipeline locks reseed {key} --reason ...`"
        )

    def __reduce__(self):
        return type(self), (self.key, self.detail)


class LeaseLost(LeaseError):
    """Our lease is gone: released by someone else, taken over, or it could not be renewed."""

    def __init__(self, key: str, reason: str):
        self.key = key
        self.reason = reason
        super().__init__(f"lease on {key} lost: {reason}")

    def __reduce__(self):
        return type(self), (self.key, self.reason)
