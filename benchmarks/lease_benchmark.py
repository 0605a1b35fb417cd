"""Lease lock benchmark on the local Firestore emulator.

    .venv/bin/python benchmarks/lease_benchmark.py [--iterations 300] [--rounds 50] [--baseline-rounds 5]

Starts the emulator (the local stack's Firestore; honours NBA_FIRESTORE_PORT) unless it is
already up, stops it again if it started it (unless NBA_KEEP_STACK is set), and prints one table:

* uncontended acquire+release of ``LeaseStore`` against a plain document create+delete,
  measured interleaved in the same run (target: p50 ratio <= 2);
* 8 processes racing for one key, round by round, with ``LeaseStore`` (compare-and-swap
  writes) against a baseline that applies the very same rules inside a read-then-write
  Firestore transaction (target: >= 10x faster per round, 0 double grants).

The races reuse the test suite's harness (tests/lease/race.py), so the numbers come from the
code the tests check.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from google.cloud import firestore  # noqa: E402
from tests.lease.race import LeaseContender, RaceReport, policy, run_race  # noqa: E402

from nba_pipeline.lease import LeaseStore, Owner, rules  # noqa: E402

BASELINE_LEASE_SECONDS = 60


@dataclass(frozen=True)
class Grant:
    key: str
    fence: int


class TransactionContender:
    """Baseline only: the lease rules applied in a read-then-write transaction.

    Correct, but the emulator locks documents pessimistically (2 s lock timeout) and the client
    retries aborted transactions without backoff, so contention is slow and attempts run out.
    """

    def __init__(self):
        from nba_pipeline.clients import firestore_client

        self.client = firestore_client()
        self.store = LeaseStore(self.client, policy(BASELINE_LEASE_SECONDS))

    def try_acquire(self, key: str, owner: Owner) -> Grant | None:
        lock_ref = self.client.collection(self.store.collection).document(key)
        fence_ref = self.client.collection(self.store.fence_collection).document(key)

        @firestore.transactional
        def attempt(transaction) -> Grant | None:
            lock = lock_ref.get(transaction=transaction)
            counter = fence_ref.get(transaction=transaction)
            state = rules.lock_state(key, lock.to_dict() if lock.exists else None, lock.read_time,
                                     legacy_stale_seconds=self.store.legacy_stale_seconds)
            if rules.acquisition_event(state, owner) is None:
                return None
            fence = rules.next_fence(lock.to_dict() if lock.exists else None,
                                     counter.to_dict() if counter.exists else None)
            transaction.set(lock_ref, rules.lock_fields(owner, fence, self.store.policy,
                                                        rules.default_processor(key, None)))
            transaction.set(fence_ref, {"fence": fence, "key": key})
            return Grant(key, fence)

        return attempt(self.client.transaction())

    def release(self, grant: Grant) -> None:
        lock_ref = self.client.collection(self.store.collection).document(grant.key)

        @firestore.transactional
        def attempt(transaction) -> None:
            lock = lock_ref.get(transaction=transaction)
            if lock.exists and lock.get("fence") == grant.fence:
                transaction.delete(lock_ref)

        attempt(self.client.transaction())


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def uncontended(client, iterations: int, warmup: int = 20) -> dict[str, list[float]]:
    """Interleave lock and plain round trips so both see the same emulator load.

    ``warm store``: one LeaseStore acquires and releases the same key again and again, so it
    knows the fence counter's version and its own lease (one commit each). ``fresh store``: a
    new store acquires (read + commit) and releases its own lease (one commit), as a task that
    acquires and releases in one process. ``no memory``: acquire and release by two new stores,
    each reading first, as when a teardown task releases a lease taken by another task.
    """
    warm = LeaseStore(client)
    # One key per variant: another store's grant would (rightly) defeat the warm store's bet.
    key, fresh_key, cold_key = (f"BenchmarkProcessor{uuid.uuid4().hex[:8]}_2026-02-03" for _ in range(3))
    owner = Owner("lease_benchmark", "uncontended", "acquire_release")
    plain = client.collection("lease_benchmark_plain").document(key)
    timings: dict[str, list[float]] = {
        "acquire (warm store)": [], "renew (warm store)": [], "release (warm store)": [],
        "acquire+release warm": [], "acquire+release fresh": [], "acquire+release no memory": [],
        "plain create+delete": [],
    }

    def timed(action):
        started = time.perf_counter()
        result = action()
        return result, time.perf_counter() - started

    for i in range(warmup + iterations):
        lease, acquire_s = timed(lambda: warm.acquire(key, owner))
        lease, renew_s = timed(lambda: warm.renew(lease))
        _, release_s = timed(lambda: warm.release(lease))
        fresh = LeaseStore(client)
        _, fresh_s = timed(lambda: fresh.release(fresh.acquire(fresh_key, owner)))
        _, cold_s = timed(lambda: LeaseStore(client).release(LeaseStore(client).acquire(cold_key, owner)))
        _, plain_s = timed(lambda: (plain.create({"n": i}), plain.delete()))
        if i >= warmup:
            for name, seconds in (("acquire (warm store)", acquire_s), ("renew (warm store)", renew_s),
                                  ("release (warm store)", release_s),
                                  ("acquire+release warm", acquire_s + release_s),
                                  ("acquire+release fresh", fresh_s),
                                  ("acquire+release no memory", cold_s),
                                  ("plain create+delete", plain_s)):
                timings[name].append(seconds)
    return timings


def race(factory, rounds: int, contenders: int) -> tuple[RaceReport, float]:
    key = f"BenchmarkProcessor{uuid.uuid4().hex[:8]}_2026-02-03"
    started = time.perf_counter()
    report = run_race(key, contenders=contenders, rounds=rounds, expire_odd=True, factory=factory)
    return report, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=300, help="uncontended samples")
    parser.add_argument("--rounds", type=int, default=50, help="contended rounds for the lease")
    parser.add_argument("--baseline-rounds", type=int, default=10,
                        help="contended rounds for the transaction baseline (slow)")
    parser.add_argument("--contenders", type=int, default=8)
    args = parser.parse_args(argv)

    from nba_pipeline.clients import firestore_client
    from nba_pipeline_dev.local import stack

    with stack.running(["firestore"]):
        client = firestore_client()
        timings = uncontended(client, args.iterations)
        ours, ours_wall = race(LeaseContender, args.rounds, args.contenders)
        baseline, baseline_wall = race(TransactionContender, args.baseline_rounds, args.contenders)

    print(f"Firestore emulator, {args.contenders} contenders, {args.iterations} uncontended samples")
    print()
    plain = timings["plain create+delete"]
    print(f"{'uncontended (ms)':<28}{'p50':>8}{'p95':>8}{'mean':>8}{'p50 ratio':>11}{'p95 ratio':>11}")
    for name, samples in timings.items():
        ratio = name.startswith("acquire+release")
        print(f"{name:<28}{1000 * percentile(samples, 0.5):>8.2f}{1000 * percentile(samples, 0.95):>8.2f}"
              f"{1000 * statistics.fmean(samples):>8.2f}"
              + (f"{percentile(samples, 0.5) / percentile(plain, 0.5):>11.2f}"
                 f"{percentile(samples, 0.95) / percentile(plain, 0.95):>11.2f}" if ratio else ""))
    print("ratio = lock acquire+release / plain create+delete, same run (target <= 2)")
    print()
    print(f"{'contended, one key':<26}{'rounds':>7}{'s/round':>10}{'p95 s':>8}{'double':>8}"
          f"{'no win':>8}{'errors':>8}{'wall s':>8}")
    for name, report, wall in (("lease (CAS)", ours, ours_wall),
                               ("transaction baseline", baseline, baseline_wall)):
        per_round = list(report.round_seconds.values()) or [float("nan")]
        print(f"{name:<26}{report.rounds:>7}{report.mean_round_seconds:>10.3f}"
              f"{percentile(per_round, 0.95):>8.3f}{report.double_grants:>8}"
              f"{report.rounds_without_winner:>8}{len(report.errors):>8}{wall:>8.1f}")
    speedup = baseline.mean_round_seconds / ours.mean_round_seconds
    print(f"speed-up per round: {speedup:.1f}x (target >= 10x); "
          f"half the rounds take over an expired lease")
    if baseline.errors:
        print(f"baseline errors, first: {baseline.errors[0][:160]}")
    failed = ours.double_grants or ours.errors or ours.rounds_without_winner
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
