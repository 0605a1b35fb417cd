"""Run a contender in a process whose clock is wrong, to prove expiry ignores local time.

Nothing from the package is imported at module level: the clock is skewed first, so every
later import (the lease library, the Firestore client) sees only the wrong clock.
"""

from __future__ import annotations

import sys


def skew_clock(seconds: float) -> None:
    """Make ``time.time``, ``time.time_ns`` and ``datetime.now/utcnow/today`` run ahead."""
    import datetime as dt
    import time

    real_time, real_time_ns = time.time, time.time_ns
    time.time = lambda: real_time() + seconds
    time.time_ns = lambda: real_time_ns() + int(seconds * 1e9)
    shift = dt.timedelta(seconds=seconds)
    real_datetime = dt.datetime

    class SkewedDatetime(real_datetime):
        @classmethod
        def now(cls, tz=None):
            return real_datetime.now(tz) + shift

        @classmethod
        def utcnow(cls):
            return real_datetime.utcnow() + shift

        @classmethod
        def today(cls):
            return real_datetime.today() + shift

    dt.datetime = SkewedDatetime


def _run(kind: str, key: str, seconds: float, lease_seconds: int, results) -> None:
    try:
        already = [name for name in sys.modules if name.startswith("nba_pipeline.lease")]
        if already:
            raise RuntimeError(f"imported before the clock was skewed: {already}")
        skew_clock(seconds)
        import datetime as dt

        from nba_pipeline.clients import firestore_client

        client = firestore_client()
        local_now = dt.datetime.now(dt.timezone.utc)
        server_now = client.collection("clock_probe").document("now").get().read_time
        if kind == "lease":
            from tests.lease.race import policy

            from nba_pipeline.lease import LeaseStore, Owner

            store = LeaseStore(client, policy(lease_seconds))
            lease = store.try_acquire(key, Owner("skewed", "run", "contender"))
            won = lease is not None
        else:
            from .legacy import LegacyLock

            won = LegacyLock(client).acquire(key, "skewed-legacy")
        results.put({"won": won, "skew_seconds": (local_now - server_now).total_seconds()})
    except Exception as error:
        results.put({"error": repr(error)})


def try_with_skewed_clock(kind: str, key: str, *, seconds: float = 600, lease_seconds: int = 300,
                          timeout: float = 60) -> dict:
    """In a fresh process ``seconds`` ahead, try ``key`` with ``kind`` ``lease`` or ``legacy``."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    process = context.Process(target=_run, args=(kind, key, seconds, lease_seconds, results))
    process.start()
    try:
        return results.get(timeout=timeout)
    finally:
        process.join(timeout=30)
        if process.is_alive():
            process.terminate()
