"""The lease under contention and under lost processes, on the multi-worker cluster.

One cluster serves the module. Its DAG starts paused, so the first proof decides when the
scheduler creates the scheduled run (the latest 06:00 America/New_York tick, for business date
D = yesterday): that run, a manual trigger of D and a backfill over D-2..D start together.
The later proofs use earlier dates of the same seeded world; the clean reference warehouse runs
the dates in the same order. Each proof polls observed states with deadlines and ends by
checking that nothing was lost or duplicated: zero duplicate merge keys in all ten tables,
lease intervals per key that never overlap (from the lock audit), the runs' final states and
the tables equal to the clean run.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.cluster.support import (
    DAG_ID,
    RETRY_TAKEOVER_SECONDS,
    SELF_FENCE_SECONDS,
    SLOW_PROCESSOR,
    backfill_dates,
    clear_merge_delays,
    cluster_world,
    delay_merge,
    hold_merge,
    lease_history,
    log_has,
    merge_rounds_for,
    release_merge,
    report_intervals,
    wait_for,
)
from tests.lease.legacy import LegacyLock

from nba_pipeline import fencing, processors, transforms
from nba_pipeline.clients import firestore_client
from nba_pipeline.config import settings
from nba_pipeline.run_dates import EASTERN, scheduled_logical_date
from nba_pipeline_dev.local import cluster, stack
from nba_pipeline_dev.seed.generator import games_between

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

RUN_TIMEOUT = 900
LEGACY_HELD = "team_offense_game_summary"
LEGACY_EXECUTION = "legacy-cloud-run-exec-incident"


def scheduled_business_date(now: dt.datetime) -> dt.date:
    """D of the run the scheduler creates when the DAG is unpaused (catchup off: the latest tick)."""
    local = now.astimezone(EASTERN)
    tick_day = local.date() if local.hour >= 6 else local.date() - dt.timedelta(days=1)
    return tick_day - dt.timedelta(days=1)


D = scheduled_business_date(dt.datetime.now(dt.timezone.utc))
SEED = {"start": D - dt.timedelta(days=12), "end": D + dt.timedelta(days=1)}


def _game_day_at_or_before(day: dt.date) -> dt.date:
    with_games = {g.game_date for g in games_between(SEED["start"], day, 7)}
    return max(d for d in with_games if d <= day)


KILLED_DATE = _game_day_at_or_before(D - dt.timedelta(days=5))
OUTAGE_DATE = _game_day_at_or_before(KILLED_DATE - dt.timedelta(days=2))


@pytest.fixture(scope="module")
def cw(bigquery_client, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("leases")
    extra = {"AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
             "NBA_FIRESTORE_DATA_DIR": str(tmp / "firestore-data")}
    with cluster_world(bigquery_client, tmp, name="leases", extra_env=extra, **SEED) as world:
        print(f"cluster ready in {world.seconds_to_start} s; D = {D}, worker kill on {KILLED_DATE}, "
              f"Firestore outage on {OUTAGE_DATE}")
        yield world


@pytest.fixture(scope="module")
def unpaused(cw):
    """The DAG unpaused (what the first proof does on purpose; later proofs only need it on)."""
    cw.api.set_paused(False)
    return cw


def _tis(cw, run_id: str) -> dict[str, dict]:
    names = {p.name for p in processors.PROCESSORS}
    return {ti["task_id"]: ti for ti in cw.api.task_instances(run_id) if ti["task_id"] in names}


def _keys(days) -> list[str]:
    return [p.lock_key(day) for day in days for p in processors.PROCESSORS]


def _histories(cw, days) -> dict[str, dict]:
    store = cw.store()
    return {key: lease_history(store, key) for key in _keys(days)}


def _server_now(store, key: str) -> dt.datetime:
    return store.inspect(key).server_time


# -- 1. the incident: scheduled, manual and backfill runs of one date at once -----------------

def test_the_incident_three_ways_at_once_one_writer_per_key_and_tables_equal_a_clean_run(cw):
    began = time.monotonic()
    store = cw.store()
    legacy = LegacyLock(firestore_client(), collection=settings().lock_collection)
    legacy_key = processors.get(LEGACY_HELD).lock_key(D)
    # The fourth contender: a legacy Cloud Run processor holding one of D's keys its own way.
    assert legacy.acquire(legacy_key, LEGACY_EXECUTION)
    legacy_from = _server_now(store, legacy_key)
    # Unpausing makes the scheduler create the scheduled run of the latest tick (catchup off).
    cw.api.set_paused(False)
    scheduled = wait_for(lambda: next((r for r in cw.api.runs(DAG_ID) if r["run_type"] == "scheduled"), None),
                         timeout=180, interval=1, what="the scheduled run created")
    logical = dt.datetime.fromisoformat(scheduled["logical_date"].replace("Z", "+00:00"))
    assert logical == scheduled_logical_date(D), (
        f"the scheduled run {scheduled['dag_run_id']} is not for {D} (did the clock pass 06:00 ET?)")
    manual = cw.api.trigger({"game_date": D.isoformat(), "force": True})
    backfill = cw.api.backfill(D - dt.timedelta(days=2), D, max_active_runs=3)
    decided = backfill_dates(backfill["id"])
    print(f"backfill {backfill['id']} over {D - dt.timedelta(days=2)}..{D}: {decided}")
    refused = {day: row for day, row in decided.items() if row["exception_reason"]}
    # Airflow itself refuses a backfill run for a logical date whose scheduled run is in flight.
    assert list(refused) == [scheduled_logical_date(D).isoformat()], decided
    assert refused[scheduled_logical_date(D).isoformat()]["exception_reason"] == "in flight"
    backfill_runs = [row["run_id"] for row in decided.values() if row["run_id"]]
    assert len(backfill_runs) == 2, decided
    d_runs = [scheduled["dag_run_id"], manual["dag_run_id"]]

    # Both runs of D reach the legacy-held key and wait for it, deferred, naming the holder.
    wait_for(lambda: all(_tis(cw, run).get(LEGACY_HELD, {}).get("state") == "deferred" for run in d_runs),
             timeout=RUN_TIMEOUT, interval=2, what=f"both runs of {D} waiting for the legacy-held {legacy_key}")
    for run in d_runs:
        log = cw.task_log(run, LEGACY_HELD, 1)
        assert log_has(log, f"Waiting for lock {legacy_key}") and log_has(log, LEGACY_EXECUTION), log
    legacy.release(legacy_key)
    legacy_until = _server_now(store, legacy_key)

    finals = cw.api.wait_for_runs([*d_runs, *backfill_runs], timeout=RUN_TIMEOUT)
    assert {run: r["state"] for run, r in finals.items()} == {run: "success" for run in finals}, finals
    cw.assert_no_duplicates()
    days = [D - dt.timedelta(days=2), D - dt.timedelta(days=1), D]
    histories = _histories(cw, days)
    # The legacy hold is not in our audit: no grant of its key may fall inside it.
    for interval in histories[legacy_key]["intervals"]:
        assert interval["granted"] >= legacy_until or interval["ended"] <= legacy_from, (legacy_key, interval)
    # Every key of D was written by the runs of D one after the other (a phase 4 step of one run
    # skips when the other already recorded the phase); a waiting task names the holder.
    waited, writers = [], {}
    for p in processors.PROCESSORS:
        key = p.lock_key(D)
        holders = [i["holder"].split("/")[1] for i in histories[key]["intervals"]]
        assert holders and set(holders) <= set(d_runs), (key, histories[key]["intervals"])
        writers[p.name] = len(holders)
        for run in d_runs:
            log = cw.task_log(run, p.name, 1)
            text = log.read_text(errors="replace") if log.exists() else ""
            for line in text.splitlines():
                if f"Waiting for lock {key} held by another writer" in line:
                    named = [i["holder"] for i in histories[key]["intervals"] if i["holder"] in line]
                    assert named or LEGACY_EXECUTION in line, f"the waiting task's log names no holder: {line}"
                    waited.append((p.name, run, named[0] if named else LEGACY_EXECUTION))
    assert {(LEGACY_HELD, run, LEGACY_EXECUTION) for run in d_runs} <= set(waited), waited
    cw.assert_tables_equal_reference(days)
    report_intervals(histories, [p.lock_key(D) for p in processors.PROCESSORS])
    print(f"incident: scheduled {d_runs[0]}, manual {d_runs[1]} (force), backfill runs {backfill_runs}, "
          f"backfill refused for {list(refused)} (in flight); writers per processor of {D}: {writers}; legacy held {legacy_key} "
          f"{(legacy_until - legacy_from).total_seconds():.1f} s; {len(waited)} waits logged with the holder; "
          f"{time.monotonic() - began:.0f} s")


# -- 2. a Celery worker killed while its processor's MERGE runs -------------------------------

def _current_try(cw, run_id: str, task_id: str) -> dict:
    return _tis(cw, run_id).get(task_id, {})


def test_worker_killed_mid_write_retry_takes_over_after_the_rules_and_the_late_write_changes_nothing(unpaused):
    cw = unpaused
    began = time.monotonic()
    client, store = cw.client, cw.store()
    slow = processors.get(SLOW_PROCESSOR)
    key = slow.lock_key(KILLED_DATE)
    rounds = merge_rounds_for(client, 15)
    delay_merge(client, slow.target_date(KILLED_DATE), rounds)
    run_id = cw.api.trigger({"game_date": KILLED_DATE.isoformat()})["dag_run_id"]
    first_log = cw.task_log(run_id, SLOW_PROCESSOR, 1)
    wait_for(lambda: log_has(first_log, "Inserting BigQuery job"), timeout=RUN_TIMEOUT, interval=0.5,
             what=f"{SLOW_PROCESSOR} of {KILLED_DATE} running its MERGE")
    held = store.inspect(key)
    assert held.exists and held.execution_id.endswith("/1"), held.describe()
    worker = _current_try(cw, run_id, SLOW_PROCESSOR)["hostname"].split(".")[0]
    other = next(w for w in cluster.WORKERS if w != worker)
    killed = cluster.kill(f"worker-{worker}")
    killed_at = _server_now(store, key)
    print(f"killed worker {worker} ({len(killed)} processes) while {held.describe()}, its MERGE spinning "
          f"{rounds} rounds")
    clear_merge_delays(client)
    try:
        final = cw.api.wait_for_runs([run_id], timeout=RUN_TIMEOUT)[run_id]
    finally:
        cluster.start_components([f"worker-{worker}"])
    assert final["state"] == "success", final
    tries = cw.api.tries(run_id, SLOW_PROCESSOR)
    by_try = {t["try_number"]: t for t in tries}
    assert by_try[1]["hostname"].startswith(f"{worker}.") and by_try[1]["state"] == "failed", by_try[1]
    retried = max(by_try)
    assert by_try[retried]["hostname"].startswith(f"{other}.") and by_try[retried]["state"] == "success", tries

    history = lease_history(store, key)
    dead = next(i for i in history["intervals"] if i["holder"].endswith("/1"))
    after = [i for i in history["intervals"] if i["fence"] > dead["fence"]]
    assert after and after[0]["kind"] == "takeover" and dead["how"] == "taken over", history["intervals"]
    silence = (after[0]["granted"] - dead["last_renewal"]).total_seconds()
    assert silence >= RETRY_TAKEOVER_SECONDS, f"taken over after {silence:.1f} s of silence"
    early = [r for r in history["refusals"] if (r.get("owner") or {}).get("try_number", 0) > 1
             and dt.datetime.fromisoformat(r["at"]) < after[0]["granted"]]

    # The retry asked while the dead try's lease was still live and was refused, so it waited
    # for the rules to judge the lease lost rather than taking over at once.
    assert early, f"the retry took over without first being refused: {history['refusals']}"

    # The dead try's late write: the same steps as its task (advance the sink's fence watermark,
    # then the rendered, fenced MERGE) replayed with its old fence after the takeover.
    sink = transforms.fence_sink(slow, KILLED_DATE)
    watermark = fencing.sink_watermark(client, sink["table"], sink["date"])
    assert watermark == after[-1]["fence"] > dead["fence"], (watermark, dead["fence"], after)
    before = cw.hashes([KILLED_DATE])
    late = transforms.run_processor(client, slow, KILLED_DATE, fence=dead["fence"], run_id=run_id)
    assert int(getattr(late, "num_dml_affected_rows", None) or 0) == 0
    assert cw.hashes([KILLED_DATE]) == before, "the stale writer's MERGE changed the tables"
    assert fencing.sink_watermark(client, sink["table"], sink["date"]) == watermark
    cw.assert_no_duplicates()
    _histories(cw, [KILLED_DATE])
    cw.assert_tables_equal_reference([KILLED_DATE])
    print(f"worker kill: try 1 on {worker} fence {dead['fence']} ({dead['renewals']} renewals, last "
          f"{(killed_at - dead['last_renewal']).total_seconds():.1f} s before the kill); try {retried} on {other} "
          f"refused {len(early)} time(s) first, took over with fence {after[0]['fence']} after {silence:.1f} s of "
          f"silence ({(after[0]['granted'] - killed_at).total_seconds():.1f} s after the kill); the replayed MERGE "
          f"with fence {dead['fence']} against watermark {watermark} changed 0 rows; {time.monotonic() - began:.0f} s")


# -- 3. Firestore goes away while tasks hold and renew leases --------------------------------

def _health(date: dt.date) -> subprocess.CompletedProcess:
    cli = Path(sys.executable).with_name("nba-pipeline")
    return subprocess.run([str(cli), "health", "--date", date.isoformat()], capture_output=True, text=True,
                          timeout=300)


def test_firestore_outage_self_fences_the_holders_and_retries_complete_the_date(unpaused):
    cw = unpaused
    began = time.monotonic()
    store = cw.store()
    slow = processors.get(SLOW_PROCESSOR)
    key = slow.lock_key(OUTAGE_DATE)
    firestore = stack.services()["firestore"]
    assert stack._read_pid(firestore) is not None, "the Firestore emulator must have been started by this stack"
    # The MERGE waits in the emulator (its insert call out, its lease renewed) until the holder
    # has fenced itself; a fixed-length spin here was sized from a probe, and on a loaded machine
    # it once ended before the self-fence.
    hold_merge(SLOW_PROCESSOR)
    try:
        run_id = cw.api.trigger({"game_date": OUTAGE_DATE.isoformat()})["dag_run_id"]
        first_log = cw.task_log(run_id, SLOW_PROCESSOR, 1)
        wait_for(lambda: log_has(first_log, "Inserting BigQuery job"), timeout=RUN_TIMEOUT, interval=0.5,
                 what=f"{SLOW_PROCESSOR} of {OUTAGE_DATE} submitting its MERGE")
        wait_for(lambda: store.inspect(key).renewals >= 1, timeout=60, interval=0.5, what=f"{key} renewed")
        held = [s for s in store.list() if s.key in _keys([OUTAGE_DATE]) and s.exists]
        print(f"held at the outage ({SLOW_PROCESSOR}'s MERGE held in the emulator): "
              + "; ".join(s.describe() for s in held))

        assert stack.stop_service(firestore) == "stopped"
        down_at = time.monotonic()
        try:
            # The holder cannot renew: it fences itself while its MERGE is out, and does not trust it.
            wait_for(lambda: log_has(first_log, "no renewal succeeded for"), timeout=RUN_TIMEOUT, interval=0.5,
                     what=f"{SLOW_PROCESSOR}'s heartbeat fencing itself")
            fenced_after = time.monotonic() - down_at
            release_merge(SLOW_PROCESSOR)
            wait_for(lambda: _current_try(cw, run_id, SLOW_PROCESSOR).get("state") not in ("running", "queued"),
                     timeout=RUN_TIMEOUT, interval=1, what=f"the first try of {SLOW_PROCESSOR} ended")
            text = first_log.read_text(errors="replace")
            assert "was lost while BigQuery job" in text and "Cancelling BigQuery job" in text, text[-3000:]
            health = _health(OUTAGE_DATE)
            print(f"health during the outage: exit {health.returncode}: {health.stderr.strip()[-300:]}")
            assert health.returncode == 2, health.stdout[-2000:] + health.stderr[-2000:]
            assert "Firestore did not answer" in health.stderr, health.stderr
        finally:
            stack.start(["firestore"])
    finally:
        release_merge(SLOW_PROCESSOR)
    outage = time.monotonic() - down_at
    back = [s for s in store.list() if s.key in _keys([OUTAGE_DATE]) and s.exists]
    print("after the restart: " + "; ".join(s.describe() for s in back))

    final = cw.api.wait_for_runs([run_id], timeout=RUN_TIMEOUT)[run_id]
    assert final["state"] == "success", final
    assert not [s for s in store.list() if s.key in _keys([OUTAGE_DATE]) and s.exists], "locks left behind"
    histories = _histories(cw, [OUTAGE_DATE])
    fenced = []
    for state in held:
        intervals = histories[state.key]["intervals"]
        first = next(i for i in intervals if i["fence"] == state.fence)
        later = [i for i in intervals if i["fence"] > first["fence"]]
        # The holder never renewed after the outage began; the next grant came after its lease.
        if later:
            gap = (later[0]["granted"] - first["last_renewal"]).total_seconds()
            assert gap >= SELF_FENCE_SECONDS, (state.key, gap)
            fenced.append((state.key, first["fence"], later[0]["fence"], later[0]["kind"], round(gap, 1)))
    tries = cw.api.tries(run_id, SLOW_PROCESSOR)
    assert [t["state"] for t in sorted(tries, key=lambda t: t["try_number"])][-1] == "success", tries
    assert len(tries) >= 2, "the fenced try was retried"
    cw.assert_no_duplicates()
    cw.assert_tables_equal_reference([OUTAGE_DATE])
    report_intervals(histories, [s.key for s in held])
    print(f"Firestore outage {outage:.0f} s: {SLOW_PROCESSOR} fenced itself {fenced_after:.0f} s after the stop; "
          f"{len(held)} leases held at the stop, regranted (key, old fence, new fence, how, s since last renewal): "
          f"{fenced}; {len(tries)} tries of {SLOW_PROCESSOR}; {time.monotonic() - began:.0f} s")
