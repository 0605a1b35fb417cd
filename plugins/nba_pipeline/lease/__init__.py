"""Firestore lease locks shared with the legacy processors (no Airflow imports here).

A lock is the document ``processing_locks/{ProcessorClass}_{YYYY-MM-DD}``. Expiry is judged on
Firestore server time, every write is a compare-and-swap, and each grant gets a fencing token
that only ever increases. See docs/lease.md for the design.
"""

from nba_pipeline.lease.async_store import AsyncLeaseStore
from nba_pipeline.lease.heartbeat import LeaseHeartbeat
from nba_pipeline.lease.model import (
    FenceCounterLost,
    Lease,
    LeaseError,
    LeaseHeld,
    LeaseLost,
    LeasePolicy,
    LockState,
    Owner,
    lock_key,
)
from nba_pipeline.lease.store import LeaseStore

__all__ = [
    "AsyncLeaseStore",
    "FenceCounterLost",
    "Lease",
    "LeaseError",
    "LeaseHeartbeat",
    "LeaseHeld",
    "LeaseLost",
    "LeasePolicy",
    "LeaseStore",
    "LockState",
    "Owner",
    "lock_key",
]
