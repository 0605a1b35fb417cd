"""The lock under real faults, on the multi-worker cluster (CeleryExecutor, two workers).

One cluster serves the whole module (starting one costs ~20-30 s and ~3 GB); each proof uses
dates of its own, later than the previous proof's, so the tables can be compared with a clean
warehouse that ran the same dates in the same order. Every proof waits for observed states
with deadlines and ends by checking that nothing was lost or duplicated: zero duplicate merge
keys in all ten tables, lease intervals per key that never overlap (from the lock audit), every
run's final state, and the tables equal to the clean run.
"""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from tests.cluster.support import DAG_ID, cluster_world, lease_history, report_intervals, wait_for
from tests.sql.helpers import query, table_id

from nba_pipeline import processors
from nba_pipeline.clients import firestore_client
from nba_pipeline.completion import CompletionStore
from nba_pipeline.lease import Owner
from nba_pipeline.run_dates import scheduled_logical_date
from nba_pipeline_dev.local import cluster

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

SEED = {"start": dt.date(2026, 1, 25), "end": dt.date(2026, 2, 12)}
RUN_TIMEOUT = 600


@pytest.fixture(scope="module")
def cw(bigquery_client, tmp_path_factory):
    # Only the runs each proof makes: no scheduled run of today's (unseeded) date beside them.
    extra = {"AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False"}
    with cluster_world(bigquery_client, tmp_path_factory.mktemp("cluster"), extra_env=extra, **SEED) as world:
        print(f"cluster ready in {world.seconds_to_start} s")
        yield world


def _processor_tis(cw, run_id: str) -> dict[str, dict]:
    names = {p.name for p in processors.PROCESSORS}
    return {ti["task_id"]: ti for ti in cw.api.task_instances(run_id) if ti["task_id"] in names}


def _keys(days: list[dt.date]) -> list[str]:
    return [p.lock_key(day) for day in days for p in processors.PROCESSORS]


def _check_leases(cw, days: list[dt.date]) -> dict[str, dict]:
    store = cw.store()
    return {key: lease_history(store, key) for key in _keys(days)}


def _backfill_runs(cw, first: dt.date, last: dt.date) -> list[dict]:
    low, high = scheduled_logical_date(first).isoformat()[:10], scheduled_logical_date(last).isoformat()[:10]
    return [r for r in cw.api.runs(DAG_ID)
            if r["run_type"] == "backfill" and low <= str(r.get("logical_date") or "")[:10] <= high]


# -- 6. the scheduler restarts mid-backfill --------------------------------------------------

BACKFILL_DATES = [dt.date(2026, 2, 1), dt.date(2026, 2, 2), dt.date(2026, 2, 3)]


def test_scheduler_restart_mid_backfill_finishes_equal_to_a_sequential_run(cw):
    began = time.monotonic()
    first, last = BACKFILL_DATES[0], BACKFILL_DATES[-1]
    cw.api.backfill(first, last, max_active_runs=3)

    def processor_running():
        for run in _backfill_runs(cw, first, last):
            for ti in _processor_tis(cw, run["dag_run_id"]).values():
                if ti["state"] == "running":
                    return ti
        return None

    running = wait_for(processor_running, timeout=300, interval=1, what="a processor of the backfill running")
    killed = cluster.kill("scheduler")
    restarted_at = time.monotonic()
    cluster.start_components(["scheduler"])
    print(f"scheduler killed ({len(killed)} processes) while {running['task_id']} of {running['dag_run_id']} "
          f"ran; new scheduler ready in {time.monotonic() - restarted_at:.1f} s")

    def finished():
        runs = _backfill_runs(cw, first, last)
        return runs if len(runs) == len(BACKFILL_DATES) and all(r["state"] in ("success", "failed") for r in runs) else None

    runs = wait_for(finished, timeout=RUN_TIMEOUT, interval=3, what="the backfill finished")
    assert [r["state"] for r in runs] == ["success"] * len(BACKFILL_DATES), runs
    cw.assert_no_duplicates()
    histories = _check_leases(cw, BACKFILL_DATES)
    assert all(len(h["intervals"]) >= 1 for h in histories.values())
    cw.assert_tables_equal_reference(BACKFILL_DATES)
    intervals = [i for h in histories.values() for i in h["intervals"]]
    takeovers = [(i["holder"], i["fence"]) for i in intervals if i["kind"] == "takeover"]
    print(f"backfill of {len(BACKFILL_DATES)} dates with a scheduler restart: {len(intervals)} lease grants over "
          f"{len(histories)} keys, takeovers {takeovers}, {sum(len(h['refusals']) for h in histories.values())} "
          f"refusals; {time.monotonic() - began:.0f} s")


# -- 4. BigQuery fails mid-phase ------------------------------------------------------------

FAILING_DATE = dt.date(2026, 2, 5)
ABSURD_MINUTES = 1e300


def _gamebook_row(client, day: dt.date) -> dict:
    rows = query(client, f"SELECT * FROM `{table_id('nbac_gamebook_player_stats', 'raw')}` "
                         "WHERE game_date = @d AND minutes_decimal > 0 ORDER BY player_lookup LIMIT 1", d=day)
    return rows[0]


def _insert_raw(client, row: dict) -> None:
    def plain(value):
        return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value
    errors = client.insert_rows_json(table_id("nbac_gamebook_player_stats", "raw"),
                                     [{k: plain(v) for k, v in row.items()}])
    assert not errors, errors


def test_bigquery_failure_mid_phase_records_nothing_releases_the_lease_and_a_rerun_completes(cw):
    began = time.monotonic()
    client = cw.client
    good = _gamebook_row(client, FAILING_DATE)
    now = dt.datetime.now(dt.timezone.utc)
    # A broken scraper delivers a newer version of one player line with an absurd minutes
    # value: casting the team's minutes to INT64 overflows in every reader of the team lines.
    _insert_raw(client, {**good, "minutes_decimal": ABSURD_MINUTES, "processed_at": now})

    run = cw.api.trigger({"game_date": FAILING_DATE.isoformat()})
    final = cw.api.wait_for_runs([run["dag_run_id"]], timeout=RUN_TIMEOUT)[run["dag_run_id"]]
    assert final["state"] == "failed"
    tis = _processor_tis(cw, run["dag_run_id"])
    failed = sorted(name for name, ti in tis.items() if ti["state"] == "failed")
    succeeded = sorted(name for name, ti in tis.items() if ti["state"] == "success")
    assert failed, tis
    assert any(processors.get(name).phase == 3 for name in succeeded), "others of the phase succeeded first"
    print(f"failed: {failed}; succeeded before: {succeeded}")

    completion = CompletionStore(firestore_client())
    assert completion.get(3, FAILING_DATE) is None, "no phase 3 record for a failed phase"
    store = cw.store()
    failures = []
    for name in failed:
        key = processors.get(name).lock_key(FAILING_DATE)
        assert not store.inspect(key).exists, f"{key} left held after its job failed"
        ti = tis[name]
        log = cw.task_log(run["dag_run_id"], name, ti["try_number"]).read_text()
        # The failure names the job and the cause; the log is the processor's own, naming its lock.
        job = re.search(r"BigQuery job (\S+) failed", log)
        assert job and "out of range" in log, log[-3000:]
        assert processors.get(name).lock_key(FAILING_DATE) in log
        failures.append((name, job.group(1), ti["try_number"]))
    _check_leases(cw, [FAILING_DATE])

    # The cause fixed: the bad version of the line is withdrawn, so the raw data is again what the
    # clean run read (a re-delivery with a new processed_at would change the source timestamps).
    gamebook = table_id("nbac_gamebook_player_stats", "raw")
    query(client, f"DELETE FROM `{gamebook}` WHERE game_date = @d AND player_lookup = @p AND minutes_decimal >= @absurd",
          d=FAILING_DATE, p=good["player_lookup"], absurd=ABSURD_MINUTES)
    versions = query(client, f"SELECT minutes_decimal FROM `{gamebook}` WHERE game_date = @d AND player_lookup = @p",
                     d=FAILING_DATE, p=good["player_lookup"])
    assert {v["minutes_decimal"] for v in versions} == {good["minutes_decimal"]}, versions
    rerun = cw.api.trigger({"game_date": FAILING_DATE.isoformat()})
    again = cw.api.wait_for_runs([rerun["dag_run_id"]], timeout=RUN_TIMEOUT)[rerun["dag_run_id"]]
    assert again["state"] == "success"
    assert completion.get(3, FAILING_DATE) is not None
    cw.assert_no_duplicates()
    _check_leases(cw, [FAILING_DATE])
    cw.assert_tables_equal_reference([FAILING_DATE])
    print(f"BigQuery failure: (processor, job, tries) {failures}; no phase 3 record, leases released; "
          f"the re-run {rerun['dag_run_id']} completed equal to a clean run; {time.monotonic() - began:.0f} s")


# -- 5. the triggerer dies while tasks are deferred on held locks ----------------------------

DEFERRED_DATE = dt.date(2026, 2, 7)
BLOCKED = ("team_offense_game_summary", "team_defense_game_summary")


def _grants_per_try(history: dict) -> dict[str, int]:
    counts: dict[str, int] = {}
    for interval in history["intervals"]:
        counts[interval["holder"]] = counts.get(interval["holder"], 0) + 1
    return counts


def test_triggerer_killed_while_tasks_wait_for_held_locks_resume_with_one_grant_per_try(cw):
    began = time.monotonic()
    store = cw.store()
    blockers = [store.acquire(processors.get(name).lock_key(DEFERRED_DATE),
                              Owner("legacy_cloud_run", "manual", processors.get(name).lock_class), lease_seconds=600)
                for name in BLOCKED]
    try:
        run = cw.api.trigger({"game_date": DEFERRED_DATE.isoformat()})
        run_id = run["dag_run_id"]
        wait_for(lambda: all(_processor_tis(cw, run_id).get(n, {}).get("state") == "deferred" for n in BLOCKED),
                 timeout=300, interval=1, what="both blocked processors deferred")
        killed = cluster.kill("triggerer")
        started = time.monotonic()
        cluster.start_components(["triggerer"])
        print(f"triggerer killed ({len(killed)} processes); new one ready in {time.monotonic() - started:.1f} s")
        tis = _processor_tis(cw, run_id)
        assert all(tis[n]["state"] == "deferred" for n in BLOCKED), tis
    finally:
        for blocker in blockers:
            store.release(blocker)
    final = cw.api.wait_for_runs([run_id], timeout=RUN_TIMEOUT)[run_id]
    assert final["state"] == "success"
    cw.assert_no_duplicates()
    histories = _check_leases(cw, [DEFERRED_DATE])
    for key, history in histories.items():
        grants_per_try = _grants_per_try(history)
        assert all(n == 1 for n in grants_per_try.values()), (key, grants_per_try)
    for name in BLOCKED:
        key = processors.get(name).lock_key(DEFERRED_DATE)
        holders = [i["holder"] for i in histories[key]["intervals"]]
        assert holders[0].startswith("legacy_cloud_run/") and len(holders) == 2, holders
        assert any(r.get("action") == "acquire" for r in histories[key]["refusals"])
        log = cw.task_log(run_id, name, 1).read_text()
        assert "legacy_cloud_run" in log, "the waiting task's log names the holder"
        # Resumed by the new triggerer in the same try, not failed and retried.
        tries = cw.api.tries(run_id, name)
        assert [(t["try_number"], t["state"]) for t in tries] == [(1, "success")], tries
    cw.assert_tables_equal_reference([DEFERRED_DATE])
    report_intervals(histories, [processors.get(name).lock_key(DEFERRED_DATE) for name in BLOCKED])
    print(f"triggerer proof: grants per try {sorted({n for h in histories.values() for n in _grants_per_try(h).values()})} "
          f"over {len(histories)} keys; {time.monotonic() - began:.0f} s")
