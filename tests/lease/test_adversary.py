"""The lease library against an adversary, on the real Firestore emulator.

Each test is one scenario that broke the promise "one writer per processor and date" (or failed
a task that did its work) before the library learned to handle it; docs/lease.md lists them.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import signal
import time

import pytest
from google.api_core import exceptions as api_exceptions

from nba_pipeline.lease import FenceCounterLost, LeaseHeartbeat, LeaseHeld, LeaseLost, LeaseStore, Owner
from nba_pipeline.lease.protocol import Commit

from .legacy import LegacyLock
from .race import backdate, policy, unique_key

pytestmark = pytest.mark.integration

ALICE = Owner("nba_pipeline", "scheduled__2026-02-04", "player_game_summary", host="w1", pid=1)
BOB = Owner("nba_pipeline", "backfill__2026-02-04", "player_game_summary", host="w2", pid=2)


def wait_for(condition, timeout: float = 60.0, every: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return condition()


def lock_data(store: LeaseStore, key: str) -> dict | None:
    snapshot = store.client.collection(store.collection).document(key).get()
    return snapshot.to_dict() if snapshot.exists else None


def events(store: LeaseStore, key: str) -> list[str]:
    return [record["event"] for record in reversed(store.audit_log(key, limit=200))]


@pytest.fixture
def store(firestore_client):
    return LeaseStore(firestore_client, policy(900))


# -- 1. a legacy takeover made by updating fields ------------------------------------------------


def test_a_legacy_takeover_by_field_update_is_seen_and_respected(store, firestore_client):
    key = unique_key()
    lease = store.acquire(key, ALICE)
    backdate(firestore_client, key, 700)  # stopped renewing: stale by the legacy 10-minute rule
    assert LegacyLock(firestore_client).acquire(key, "legacy-run-1")
    taken = lock_data(store, key)
    # The legacy transaction updated its four fields and left ours in place.
    assert taken["execution_id"] == "legacy-run-1" and taken["owner"] == ALICE.to_dict()
    assert taken["fence"] == lease.fence

    with pytest.raises(LeaseLost, match="legacy processor"):
        store.renew(lease)
    assert store.release(lease) is False
    assert lock_data(store, key)["execution_id"] == "legacy-run-1"  # never deleted
    # Nobody else gets it while the legacy holder's acquired_at is fresh: not a stranger, not
    # a retry of the old holder (whose owner fields are still on the document).
    assert store.try_acquire(key, BOB) is None
    assert store.try_acquire(key, dataclasses.replace(ALICE, try_number=2)) is None
    assert store.inspect(key).legacy
    kinds = events(store, key)
    assert kinds.count("lost_to_legacy") == 2 and kinds[-2:] == ["refusal", "refusal"]
    # Once the legacy lock is stale too, the next grant goes above the old fence.
    backdate(firestore_client, key, 601)
    assert store.acquire(key, BOB).fence == lease.fence + 1


def test_every_renewal_rewrites_the_whole_identity(store, firestore_client):
    key = unique_key()
    lease = store.acquire(key, ALICE, processor="PlayerGameSummaryProcessor")
    ref = firestore_client.collection(store.collection).document(key)
    ref.update({"instance": "tampered", "processor": "tampered"})  # simulate a partial rewrite
    with pytest.raises(LeaseLost):
        store.renew(lease)  # the identity no longer matches: not ours any more
    key = unique_key()
    lease = store.acquire(key, ALICE, processor="PlayerGameSummaryProcessor")
    renewed = store.renew(lease)
    data = lock_data(store, key)
    assert (data["execution_id"], data["instance"], data["processor"]) == (
        ALICE.execution_id, ALICE.instance, "PlayerGameSummaryProcessor")
    assert data["acquired_at"] == renewed.acquired_at and data["renewals"] == 1


# -- 2. the holder fences itself ------------------------------------------------------------------


@pytest.fixture
def paused_firestore(local_stack):
    """SIGSTOP / SIGCONT for the Firestore emulator process group: every call hangs meanwhile."""
    pid = local_stack["firestore"]["pid"]
    if not pid:
        pytest.fail("the Firestore emulator was not started by this test session (no pid recorded); "
                    "stop the one answering on NBA_FIRESTORE_PORT and run again", pytrace=False)
    group = os.getpgid(int(pid))
    stopped = []

    def pause():
        os.killpg(group, signal.SIGSTOP)
        stopped.append(True)

    yield pause
    if stopped:
        os.killpg(group, signal.SIGCONT)


def test_the_holder_fences_itself_when_every_renewal_hangs(firestore_client, paused_firestore):
    fast = policy(8, renew_seconds=0.5, margin_seconds=1.5, rpc_timeout_seconds=1.0, rpc_budget_seconds=2.0)
    store = LeaseStore(firestore_client, fast)
    key = unique_key()
    started = time.monotonic()
    lease = store.acquire(key, ALICE)
    lost_at = []
    heartbeat = LeaseHeartbeat(store, lease, renewed_at=started,
                               on_lost=lambda error: lost_at.append(time.monotonic())).start()
    try:
        assert wait_for(lambda: heartbeat.renewals >= 2, timeout=30)
        paused_firestore()
        assert wait_for(heartbeat.lost.is_set, timeout=60), "the heartbeat never gave the lease up"
    finally:
        heartbeat.stop(timeout=30)
    assert "self-fence" in heartbeat.error.reason and heartbeat.failed_renewals >= 1
    # It gave up after self_fence_seconds without a successful renewal, before anyone else
    # could take the key over (min(lease, legacy stale) on the same clock).
    assert fast.self_fence_seconds <= heartbeat.fenced_after < min(fast.lease_seconds, fast.legacy_stale_seconds)


def _holder_process(key: str, lease_policy, report) -> None:
    """A holder in its own process: acquire, heartbeat, report renewals and the loss."""
    from nba_pipeline.clients import firestore_client
    from nba_pipeline.lease import LeaseHeartbeat, LeaseStore, Owner

    store = LeaseStore(firestore_client(), lease_policy)
    lease = store.acquire(key, Owner("nba_pipeline", "scheduled__2026-02-04", "paused_task"))
    heartbeat = LeaseHeartbeat(store, lease).start()
    report.put(("acquired", lease.fence))
    while not heartbeat.lost.wait(0.1):
        report.put(("renewals", heartbeat.renewals))
    report.put(("lost", heartbeat.error.reason, heartbeat.renewals, heartbeat.fenced_after))


def test_a_paused_holder_gives_its_lease_up_when_it_wakes_instead_of_renewing(firestore_client):
    fast = policy(8, renew_seconds=0.5, margin_seconds=1.5)
    key = unique_key()
    context = multiprocessing.get_context("spawn")
    report = context.Queue()
    holder = context.Process(target=_holder_process, args=(key, fast, report), daemon=True)
    holder.start()
    try:
        assert report.get(timeout=120)[0] == "acquired"
        while (message := report.get(timeout=60))[1] < 2:
            pass
        os.kill(holder.pid, signal.SIGSTOP)
        store = LeaseStore(firestore_client, fast)
        # Paused past its self-fence time (server time says so; no fixed sleep).
        assert wait_for(lambda: (store.inspect(key).age_seconds or 0) > fast.self_fence_seconds + 0.5)
        renewals_before = store.inspect(key).renewals
        os.kill(holder.pid, signal.SIGCONT)
        while (message := report.get(timeout=60))[0] != "lost":
            pass
        _, reason, renewals, fenced_after = message
        assert "self-fence" in reason and fenced_after >= fast.self_fence_seconds
        assert store.inspect(key).renewals == renewals_before == renewals  # no renewal after waking
    finally:
        os.kill(holder.pid, signal.SIGCONT)
        holder.terminate()
        holder.join(10)


def test_transient_renewal_errors_are_retried_until_the_self_fence_deadline(firestore_client):
    fast = policy(8, renew_seconds=0.3, margin_seconds=1.5)

    class Flaky(LeaseStore):
        failures = 0

        def _perform(self, request):
            if self.failures:  # Firestore unreachable for a few calls: reads fail as well
                self.failures -= 1
                raise api_exceptions.ServiceUnavailable("Firestore hiccup")
            return super()._perform(request)

    store = Flaky(firestore_client, fast)
    key = unique_key()
    lease = store.acquire(key, ALICE)
    store.failures = 4
    with LeaseHeartbeat(store, lease) as heartbeat:
        assert wait_for(lambda: heartbeat.renewals >= 2, timeout=30)
    assert not heartbeat.lost.is_set() and heartbeat.failed_renewals >= 1
    assert store.release(heartbeat.lease)


# -- 3. duplicates of one try never get two grants -------------------------------------------------


def test_the_same_try_recovers_its_lease_with_its_fence(store, firestore_client):
    key = unique_key()
    lease = store.acquire(key, ALICE)
    elsewhere = dataclasses.replace(ALICE, host="triggerer-2", pid=99)
    again = LeaseStore(firestore_client, policy(900)).acquire(key, elsewhere)
    assert again.fence == lease.fence and again.owner == ALICE  # the document's owner, unchanged
    assert lock_data(store, key)["instance"] == ALICE.instance
    assert events(store, key) == ["acquire", "recover"]
    retry = dataclasses.replace(ALICE, try_number=2)
    with pytest.raises(LeaseHeld):
        store.acquire(key, retry)  # a newer try waits while the older one renews


# -- 5. unknown outcomes -----------------------------------------------------------------------------


class LostReply(LeaseStore):
    """The next commit lands on the server, but its reply is lost."""

    lose_next = False

    def _perform(self, request):
        result = super()._perform(request)
        if isinstance(request, Commit) and self.lose_next:
            self.lose_next = False
            raise api_exceptions.DeadlineExceeded("reply lost")
        return result


def test_a_release_whose_reply_was_lost_counts_as_released(firestore_client):
    store = LostReply(firestore_client, policy(900))
    key = unique_key()
    lease = store.acquire(key, ALICE)
    store.lose_next = True
    assert store.release(lease) is True
    assert lock_data(store, key) is None
    record = store.audit_log(key, limit=1)[0]
    assert record["event"] == "release" and record["confirmed_by_read"] is True
    # A lock that vanished without our delete is still reported: not ours to release.
    lease = store.acquire(key, ALICE)
    store.force_release(key, reason="test", actor="pytest")
    assert store.release(lease) is False


def test_an_acquire_whose_reply_was_lost_is_recovered_at_once_and_others_wait(firestore_client):
    store = LostReply(firestore_client, policy(900))
    key = unique_key()
    store.lose_next = True
    lease = store.acquire(key, ALICE)
    assert lease.fence == 1 and lease.owner == ALICE
    assert events(store, key) == ["acquire", "recover"]
    assert LeaseStore(firestore_client, policy(900)).try_acquire(key, BOB) is None
    assert store.release(lease)


# -- 8. losing the fence collection fails closed ---------------------------------------------------


def test_a_missing_fence_counter_refuses_to_grant_until_reseeded(store, firestore_client):
    key = unique_key()
    first = store.acquire(key, ALICE)
    store.release(first)
    second = store.acquire(key, BOB)
    fences = firestore_client.collection(store.fence_collection)
    fences.document(key).delete()
    # The lock document still shows fence 2: granting now would restart the count.
    backdate(firestore_client, key, 3600)
    with pytest.raises(FenceCounterLost, match=key):
        LeaseStore(firestore_client, policy(900)).acquire(key, ALICE)
    store.force_release(key, reason="test", actor="pytest")
    # No lock, no counter, but the sink holds fence 2: refused as well.
    with pytest.raises(FenceCounterLost, match="sink already holds fence 2"):
        LeaseStore(firestore_client, policy(900)).acquire(key, ALICE, fence_floor=second.fence)
    assert events(store, key)[-1] == "refusal"
    restored = store.reseed(key, max(second.fence, store.highest_audited_fence(key)),
                            reason="fence collection restored from backup", actor="oncall@example.com")
    assert restored == second.fence
    record = store.audit_log(key, limit=1)[0]
    assert record["event"] == "reseed" and record["actor"] == "oncall@example.com"
    assert record["counter_before"] == "missing"
    assert LeaseStore(firestore_client, policy(900)).acquire(key, ALICE, fence_floor=second.fence).fence == 3
    # Reseeding never lowers a counter.
    assert store.reseed(key, 1, reason="typo", actor="oncall@example.com") == 3


# -- 9. the audit tells the truth -------------------------------------------------------------------


def test_a_late_renewal_is_marked_late(firestore_client):
    short = policy(4, renew_seconds=0.5, margin_seconds=1.0)
    store = LeaseStore(firestore_client, short)
    key = unique_key()
    lease = store.acquire(key, ALICE)
    assert wait_for(lambda: store.inspect(key).expired, timeout=60)
    renewed = store.renew(lease)  # nobody took it: allowed, and audited as late
    assert renewed.fence == lease.fence
    assert store.audit_log(key, limit=1)[0]["late"] is True


def test_a_try_resumed_elsewhere_is_named_by_the_lock_and_the_audit(store):
    key = unique_key()
    lease = store.acquire(key, ALICE)
    moved = dataclasses.replace(ALICE, host="w7", pid=4242)
    renewed = store.renew(lease, moved_to=moved)
    data = lock_data(store, key)
    assert data["instance"] == "w7:4242" and data["owner"]["host"] == "w7"
    assert renewed.owner == moved
    record = store.audit_log(key, limit=1)[0]
    assert record["instance"] == "w7:4242" and record["moved_from"] == ALICE.instance
    with pytest.raises(LeaseLost):
        store.renew(lease)  # the copy that names the old process is not the holder any more
    with pytest.raises(ValueError):
        store.renew(renewed, moved_to=BOB)
    assert store.release(renewed)
