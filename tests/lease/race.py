"""Real multi-process races on the Firestore emulator, for the tests and the benchmark.

Each contender is a separate spawned process with its own Firestore client. Rounds are
lined up with a barrier so all contenders hit the same key at the same moment. A contender
factory is any picklable callable returning an object with ``client`` (its Firestore client),
``try_acquire(key, owner)`` (a grant with a ``fence``, or ``None``) and ``release(grant)``.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import random
import time
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable

from google.api_core import exceptions as api_exceptions

from nba_pipeline.lease import LeasePolicy, LeaseStore, Owner

LOCKS = "processing_locks"


def policy(lease_seconds: int = 900, **overrides) -> LeasePolicy:
    """A lease policy of ``lease_seconds`` with renewal and margin scaled to it (tests use short ones)."""
    scaled = {"renew_seconds": max(0.5, lease_seconds / 10), "margin_seconds": max(0.5, lease_seconds / 10)}
    if lease_seconds >= 600:
        scaled = {}
    return LeasePolicy(lease_seconds=lease_seconds, **{**scaled, **overrides})


def backdate(client, key: str, seconds: float, collection: str = LOCKS,
             missing_ok: bool = False) -> dt.datetime | None:
    """Move ``acquired_at`` ``seconds`` into the past on server time: a holder that stopped renewing.

    A compare-and-swap like everything else, so a concurrent renewal is never overwritten.
    """
    ref = client.collection(collection).document(key)
    for _ in range(10):
        snapshot = ref.get()
        if not snapshot.exists:
            if missing_ok:
                return None
            raise LookupError(f"no lock document {key}")
        past = snapshot.read_time - dt.timedelta(seconds=seconds)
        try:
            ref.update({"acquired_at": past},
                       option=client.write_option(last_update_time=snapshot.update_time))
            return past
        except api_exceptions.FailedPrecondition:
            continue
    raise RuntimeError(f"could not backdate {key}: it kept changing")


class LeaseContender:
    """Contender using this package's ``LeaseStore`` (the default factory)."""

    def __init__(self):
        from nba_pipeline.clients import firestore_client

        self.client = firestore_client()
        self.store = LeaseStore(self.client, policy(60))

    def try_acquire(self, key: str, owner: Owner):
        return self.store.try_acquire(key, owner)

    def release(self, grant) -> None:
        if not self.store.release(grant):
            raise AssertionError(f"the winner could not release {grant.key}")


@dataclass
class RaceReport:
    """Per round: who won with which fence, how long the round took, and any errors."""

    rounds: int
    contenders: int
    winners: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    round_seconds: dict[int, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def double_grants(self) -> int:
        return sum(max(0, len(won) - 1) for won in self.winners.values())

    @property
    def rounds_without_winner(self) -> int:
        return sum(1 for r in range(self.rounds) if not self.winners.get(r))

    @property
    def fences(self) -> list[int]:
        return [fence for r in sorted(self.winners) for _, fence in self.winners[r]]

    @property
    def mean_round_seconds(self) -> float:
        return sum(self.round_seconds.values()) / max(1, len(self.round_seconds))


def _contend(factory: Callable[[], Any], index: int, key: str, rounds: int, expire_odd: bool,
             barrier, results) -> None:
    outcomes, errors = [], []
    try:
        contender = factory()
        for r in range(rounds):
            if expire_odd and r % 2 == 1 and index == 0:
                # The lease won in round r - 1 was never released; make it run out. (A round
                # nobody won, which the transaction baseline can produce, leaves nothing.)
                backdate(contender.client, key, 3600, missing_ok=True)
            barrier.wait()
            owner = Owner("race", key, f"contender-{index}", try_number=r + 1)
            started = time.perf_counter()
            try:
                grant = contender.try_acquire(key, owner)
            except Exception as error:  # a failed attempt is not a grant; the report shows it
                grant = None
                errors.append(f"round {r} contender {index}: {error!r}")
            elapsed = time.perf_counter() - started
            outcomes.append((r, grant.fence if grant else None, elapsed))
            barrier.wait()
            if grant is not None and (not expire_odd or r % 2 == 1):
                contender.release(grant)
    except Exception:
        errors.append(f"contender {index} crashed: {traceback.format_exc()}")
        barrier.abort()
    results.put((index, outcomes, errors))


def run_race(key: str, *, contenders: int = 8, rounds: int = 50, expire_odd: bool = True,
             factory: Callable[[], Any] = LeaseContender, timeout: float = 600) -> RaceReport:
    """Race ``contenders`` processes for ``key`` over ``rounds`` rounds.

    Even rounds start with the key free; with ``expire_odd`` odd rounds start with the previous
    winner's lease expired on server time (so they race to take it over).
    """
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(contenders, timeout=timeout)
    results = context.Queue()
    processes = [
        context.Process(target=_contend, args=(factory, i, key, rounds, expire_odd, barrier, results))
        for i in range(contenders)
    ]
    for process in processes:
        process.start()
    report = RaceReport(rounds=rounds, contenders=contenders)
    try:
        for _ in processes:
            index, outcomes, errors = results.get(timeout=timeout)
            report.errors.extend(errors)
            for r, fence, elapsed in outcomes:
                if fence is not None:
                    report.winners.setdefault(r, []).append((index, fence))
                report.round_seconds[r] = max(report.round_seconds.get(r, 0.0), elapsed)
    finally:
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.terminate()
    return report


def _grab(factory: Callable[[], Any], index: int, keys: list[str], barrier, results) -> None:
    won, errors = [], []
    try:
        contender = factory()
        order = list(keys)
        random.Random(index).shuffle(order)
        owner = Owner("race", "many-keys", f"contender-{index}")
        barrier.wait()
        for key in order:
            grant = contender.try_acquire(key, owner)
            if grant is not None:
                won.append((key, grant.fence))
    except Exception:
        errors.append(f"contender {index} crashed: {traceback.format_exc()}")
        barrier.abort()
    results.put((index, won, errors))


def grab_keys(keys: list[str], *, contenders: int = 8, factory: Callable[[], Any] = LeaseContender,
              timeout: float = 300) -> tuple[dict[str, list[int]], list[str]]:
    """Every contender tries every key once, each in its own order; returns key -> winners."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(contenders, timeout=timeout)
    results = context.Queue()
    processes = [context.Process(target=_grab, args=(factory, i, keys, barrier, results))
                 for i in range(contenders)]
    for process in processes:
        process.start()
    winners: dict[str, list[int]] = {key: [] for key in keys}
    errors: list[str] = []
    try:
        for _ in processes:
            index, won, failed = results.get(timeout=timeout)
            errors.extend(failed)
            for key, _fence in won:
                winners[key].append(index)
    finally:
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.terminate()
    return winners, errors


def unique_key(processor: str = "PlayerGameSummaryProcessor") -> str:
    """A lock key no other test uses: a random processor suffix on a fixed date."""
    import uuid

    return f"{processor}{uuid.uuid4().hex[:10]}_2026-02-03"
