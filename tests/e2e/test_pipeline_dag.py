"""``nba_pipeline`` run end to end by Airflow on the local stack, with bad data injected.

Dates (2025-26 season): 2026-02-03 has duplicated raw rows, 2026-02-04 has a game without a
gamebook (live boxscores only), 2026-02-05 has an all-zero team boxscore row; 2026-02-12 is
the first day of the All-Star break (no games).
"""

from __future__ import annotations

import datetime as dt

import pytest
from tests.e2e.support import airflow_records, isolated_world, pipeline_hashes, pull_messages
from tests.sql.helpers import GATED_BY_HISTORY, query, table_id

from nba_pipeline import processors
from nba_pipeline.checks import check_history
from nba_pipeline.clients import firestore_client
from nba_pipeline.clients import lease_store as configured_lease_store
from nba_pipeline.completion import CompletionStore, entries_of

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

DATES = [dt.date(2026, 2, 3), dt.date(2026, 2, 4), dt.date(2026, 2, 5)]
NO_GAMES = dt.date(2026, 2, 12)
FAULTS = ["duplicate_raw:2026-02-03", "missing_gamebook:2026-02-04", "zero_team_row:2026-02-05"]


@pytest.fixture(scope="module")
def world(bigquery_client, tmp_path_factory):
    with isolated_world(bigquery_client, tmp_path_factory.mktemp("pipeline"), start=dt.date(2026, 1, 27),
                        end=dt.date(2026, 2, 13), faults=FAULTS, name="dag") as world:
        world.first_runs = world.run(DATES)
        yield world


def lease_store():
    return configured_lease_store()


def count(client, processor, business):
    p = processors.get(processor)
    return query(client, f"SELECT COUNT(*) AS n FROM `{table_id(p.table, p.layer)}` WHERE {p.date_column} = @d",
                 d=p.target_date(business))[0]["n"]


def test_three_consecutive_dates_succeed(world):
    assert [o["state"] for o in world.first_runs] == ["success"] * 3, world.first_runs


def test_each_processor_emits_an_asset_event_with_the_date_it_wrote(world, bigquery_client):
    run_id = world.first_runs[0]["run_id"]
    events = airflow_records(world.airflow_home, run_id)["asset_events"]
    by_task = {e["task_id"]: e for e in events}
    assert set(by_task) == {p.name for p in processors.PROCESSORS} | {"record_phase3", "record_phase4"}
    for p in processors.PROCESSORS:
        event = by_task[p.name]
        assert event["uri"].endswith(f"/{p.dataset}/{p.table}") and event["uri"].startswith("bigquery://")
        assert event["extra"]["date"] == p.target_date(DATES[0]).isoformat()
        assert event["extra"]["game_date"] == DATES[0].isoformat()
        # The zone tables and the cache need 15, 10 and 3 earlier games, which a first run lacks.
        assert event["extra"]["row_count"] == count(bigquery_client, p.name, DATES[0]), p.name
        assert event["extra"]["row_count"] > 0 or p.name in GATED_BY_HISTORY, p.name
    assert by_task["record_phase4"]["extra"]["date"] == (DATES[0] + dt.timedelta(days=1)).isoformat()
    assert set(by_task["record_phase3"]["extra"]["processors"]) == {p.name for p in processors.phase(3)}


def test_runs_show_their_game_date_and_real_durations(world):
    for business, outcome in zip(DATES, world.first_runs):
        records = airflow_records(world.airflow_home, outcome["run_id"])
        assert records["note"] == f"Game date {business} · all 10 processors wrote"
        # dag.test() would date the run's start at its (past) logical date: hundreds of days.
        assert dt.timedelta(0) < records["end_date"] - records["start_date"] < dt.timedelta(minutes=30)


def test_row_counts_match_the_raw_data(world, bigquery_client):
    for business in DATES:
        games = query(bigquery_client, f"""
            SELECT COUNT(DISTINCT game_id) AS n FROM `{table_id('v_nbac_schedule_latest', 'raw')}`
            WHERE game_date = @d AND game_status = 3""", d=business)[0]["n"]
        players = query(bigquery_client, f"""
            SELECT COUNT(DISTINCT CONCAT(game_id, player_lookup)) AS n FROM (
              SELECT game_id, player_lookup FROM `{table_id('nbac_gamebook_player_stats', 'raw')}` WHERE game_date = @d
              UNION ALL
              SELECT game_id, player_lookup FROM `{table_id('nbac_player_boxscores', 'raw')}` WHERE game_date = @d
                AND game_id NOT IN (SELECT game_id FROM `{table_id('nbac_gamebook_player_stats', 'raw')}` WHERE game_date = @d))
            """, d=business)[0]["n"]
        assert games > 0
        assert count(bigquery_client, "team_offense_game_summary", business) == 2 * games
        assert count(bigquery_client, "team_defense_game_summary", business) == 2 * games
        assert count(bigquery_client, "player_game_summary", business) == players
        for name in ("upcoming_player_game_context", "player_composite_factors", "ml_feature_store_v2"):
            assert count(bigquery_client, name, business) > 0, (name, business)


def test_possessions_recomputed_from_the_raw_boxscore(world, bigquery_client):
    raw = query(bigquery_client, f"""
        SELECT team_abbr, fg_attempted, ft_attempted, turnovers, offensive_rebounds, points
        FROM `{table_id('nbac_team_boxscore', 'raw')}` WHERE game_date = @d
        QUALIFY ROW_NUMBER() OVER (PARTITION BY game_id, team_abbr ORDER BY processed_at DESC) = 1""", d=DATES[0])
    summary = {r["team_abbr"]: r for r in query(
        bigquery_client, f"SELECT * FROM `{table_id('team_offense_game_summary')}` WHERE game_date = @d", d=DATES[0])}
    for row in raw:
        # The platform's estimate, rounded to 0.1 for the rating and stored truncated.
        expected = round(row["fg_attempted"] + 0.44 * row["ft_attempted"] + row["turnovers"] - row["offensive_rebounds"], 1)
        got = summary[row["team_abbr"]]
        assert got["possessions"] == int(expected)
        assert float(got["offensive_rating"]) == pytest.approx(100 * row["points"] / expected, abs=0.01)


def test_injected_bad_data_is_handled_and_flagged(world, bigquery_client):
    fallback = query(bigquery_client, f"""SELECT COUNT(*) AS n FROM `{table_id('player_game_summary')}`
        WHERE game_date = @d AND primary_source_used = 'nbac_boxscores'""", d=DATES[1])[0]["n"]
    assert fallback > 0
    zero = query(bigquery_client, f"""SELECT COUNTIF(usage_rate IS NOT NULL) AS with_usage, COUNT(*) AS n
        FROM `{table_id('player_game_summary')}` WHERE game_date = @d AND data_quality_flag = 'partial_no_team_stats'""",
                 d=DATES[2])[0]
    assert zero["n"] > 0 and zero["with_usage"] == 0
    usage = query(bigquery_client, f"""SELECT MAX(usage_rate) AS top FROM `{table_id('player_game_summary')}`
        WHERE game_date IN UNNEST(@days)""".replace("@days", "[@a, @b, @c]"), a=DATES[0], b=DATES[1], c=DATES[2])
    assert 0 < float(usage[0]["top"]) <= 100


def test_completion_records_and_messages(world):
    store = CompletionStore(firestore_client())
    for business in DATES:
        phase3 = store.get(3, business)
        phase4 = store.get(4, business + dt.timedelta(days=1))
        for record, phase in ((phase3, 3), (phase4, 4)):
            entries = entries_of(record)
            # Keyed the platform's way: the feature store's entry is ml_feature_store.
            assert set(entries) == {p.completion_key for p in processors.phase(phase)}
            if phase == 4:
                assert "ml_feature_store" in entries and "ml_feature_store_v2" not in entries
            assert record["_completed_count"] == len(entries) == 5
            assert all(e["status"] == "success" for e in entries.values())
        assert phase3["_triggered"] is True
    messages = pull_messages(world.subscription, expected_at_least=15)
    sent = sorted((m["processor_name"], m["game_date"]) for m in messages)
    expected = sorted((p.lock_class, p.target_date(b).isoformat()) for b in DATES for p in processors.phase(3))
    assert sent == expected


def test_checks_persisted_and_no_lock_left(world, bigquery_client):
    history = check_history(bigquery_client, DATES[0], DATES[-1] + dt.timedelta(days=1))
    assert len(history) >= 10 * len(DATES)
    assert all(row["passed"] for row in history)
    store = lease_store()
    for business in DATES:
        for p in processors.PROCESSORS:
            state = store.inspect(p.lock_key(business))
            assert not state.exists, f"{p.lock_key(business)} still held: {state.describe()}"
            events = [e["event"] for e in store.audit_log(p.lock_key(business))]
            assert "acquire" in events and "release" in events


def test_rerun_with_force_gives_identical_tables_and_newer_fences(world, bigquery_client):
    business = DATES[1]
    before = pipeline_hashes(bigquery_client, [business])
    fence_before = query(bigquery_client, f"SELECT MAX(_fence) AS f FROM `{table_id('player_game_summary')}` "
                         "WHERE game_date = @d", d=business)[0]["f"]
    outcomes = world.run([business], force=True)
    assert [o["state"] for o in outcomes] == ["success"]
    assert pipeline_hashes(bigquery_client, [business]) == before
    fence_after = query(bigquery_client, f"SELECT MAX(_fence) AS f FROM `{table_id('player_game_summary')}` "
                        "WHERE game_date = @d", d=business)[0]["f"]
    assert fence_after > fence_before


def acquisitions(name, business):
    return len([e for e in lease_store().audit_log(processors.get(name).lock_key(business)) if e["event"] == "acquire"])


def test_rerun_without_force_skips_completed_processors_records_nothing_and_says_so(world, bigquery_client):
    business = DATES[0]
    before = {p.name: acquisitions(p.name, business) for p in processors.PROCESSORS}
    store = CompletionStore(firestore_client())
    records_before = {phase: entries_of(store.get(phase, business + dt.timedelta(days=phase - 3)))
                      for phase in (3, 4)}
    pull_messages(world.subscription)  # drain
    outcomes = world.run([business])
    assert [o["state"] for o in outcomes] == ["success"]
    assert {p.name: acquisitions(p.name, business) for p in processors.PROCESSORS} == before
    # Nothing ran, so nothing is recorded or published, and the run says so.
    for phase in (3, 4):
        assert entries_of(store.get(phase, business + dt.timedelta(days=phase - 3))) == records_before[phase]
    assert pull_messages(world.subscription, attempts=2) == []
    records = airflow_records(world.airflow_home, outcomes[0]["run_id"])
    assert records["tasks"]["record_phase3"] == records["tasks"]["record_phase4"] == "skipped"
    assert records["note"].startswith(f"Game date {business} · nothing ran"), records["note"]
    assert records["asset_events"] == []


def test_a_processor_subset_runs_exactly_that_subset_and_records_only_it(world, bigquery_client):
    """A selected processor runs although its upstream (team offense) was left out, and only it is recorded."""
    business = DATES[0]
    chosen = "player_game_summary"
    before = {p.name: acquisitions(p.name, business) for p in processors.PROCESSORS}
    pull_messages(world.subscription)  # drain
    outcomes = world.run([business], processors=[chosen], force=True)
    assert [o["state"] for o in outcomes] == ["success"], outcomes
    after = {p.name: acquisitions(p.name, business) for p in processors.PROCESSORS}
    assert {name for name in after if after[name] != before[name]} == {chosen}
    run_id = outcomes[0]["run_id"]
    entries = entries_of(CompletionStore(firestore_client()).get(3, business))
    assert [name for name, entry in entries.items() if entry["execution_id"].endswith(run_id)] == [chosen]
    messages = pull_messages(world.subscription, expected_at_least=1)
    assert [(m["processor_name"], m["game_date"]) for m in messages] == [("PlayerGameSummaryProcessor", str(business))]
    records = airflow_records(world.airflow_home, run_id)
    assert records["tasks"][chosen] == "success"
    assert records["tasks"]["record_phase3"] == "success" and records["tasks"]["record_phase4"] == "skipped"
    assert records["note"] == f"Game date {business} · 1 of 10 processors wrote: {chosen}"


def test_a_day_without_games_is_a_recorded_success(world, bigquery_client):
    outcomes = world.run([NO_GAMES])
    assert [o["state"] for o in outcomes] == ["success"]
    for p in processors.PROCESSORS:
        assert count(bigquery_client, p.name, NO_GAMES) == 0
    store = CompletionStore(firestore_client())
    record = store.get(3, NO_GAMES)
    assert record["_completed_count"] == 5
    assert all(v["record_count"] == 0 for v in entries_of(record).values())


@pytest.mark.parametrize(
    "conf, message",
    [
        ({"game_date": "2026-13-45"}, "2026-13-45"),
        ({"game_date": "2031-01-01"}, "not finished yet"),
        ({"game_date": "2026-02-06", "processors": ["player_game_summary", "no_such_processor"]}, "no_such_processor"),
    ],
)
def test_bad_params_fail_fast_and_write_nothing(world, bigquery_client, conf, message):
    from nba_pipeline_dev.local.runs import run_many

    outcome = run_many([{"logical_date": None, "conf": conf}])[0]
    assert outcome["state"] in {"failed", "rejected"}
    assert message in outcome.get("error", "") or message in outcome.get("log", ""), outcome
    business = dt.date(2026, 2, 6)
    store = lease_store()
    for p in processors.PROCESSORS:
        assert not store.audit_log(p.lock_key(business)), p.name
        assert count(bigquery_client, p.name, business) == 0
    assert CompletionStore(firestore_client()).get(3, business) is None


def test_injected_duplicate_rows_fail_the_phase_with_the_keys(world, bigquery_client):
    business = DATES[2]
    p = processors.get("player_game_summary")
    victim = query(bigquery_client, f"SELECT player_lookup FROM `{table_id(p.table)}` WHERE game_date = @d "
                   "ORDER BY player_lookup LIMIT 1", d=business)[0]["player_lookup"]
    query(bigquery_client, f"""INSERT INTO `{table_id(p.table)}`
        SELECT * FROM `{table_id(p.table)}` WHERE game_date = @d AND player_lookup = @who""", d=business, who=victim)
    try:
        # Another processor of the phase runs; the phase's checks cover all five tables.
        outcomes = world.run([business], force=True, processors=["team_offense_game_summary"])
        assert [o["state"] for o in outcomes] == ["failed"]
        log = outcomes[0].get("log", "")
        assert "player_game_summary" in log and victim in log and "duplicate" in log.lower(), log[-3000:]
        # The phase's checks and its record are one task: it failed on the checks and recorded nothing.
        assert airflow_records(world.airflow_home, outcomes[0]["run_id"])["tasks"]["record_phase3"] == "failed"
        phase3 = CompletionStore(firestore_client()).get(3, business)
        assert outcomes[0]["run_id"] not in phase3["team_offense_game_summary"]["execution_id"], phase3
        record = CompletionStore(firestore_client()).get(4, business + dt.timedelta(days=1))
        assert record["_completed_count"] == 5  # phase 4 of the first run stays as it was: not re-run
    finally:
        query(bigquery_client, f"""DELETE FROM `{table_id(p.table)}` WHERE game_date = @d AND player_lookup = @who""",
              d=business, who=victim)


def test_late_gamebook_makes_the_run_wait_then_proceed(world, bigquery_client):
    """The gamebook (and live boxscores) of D are missing when the run starts and land later."""
    import threading
    import time

    business = dt.date(2026, 2, 6)
    hidden = {}
    for table in ("nbac_gamebook_player_stats", "nbac_player_boxscores"):
        source = table_id(table, "raw")
        hidden[table] = f"{source}_late"
        query(bigquery_client, f"CREATE TABLE `{hidden[table]}` AS SELECT * FROM `{source}` WHERE game_date = @d",
              d=business)
        query(bigquery_client, f"DELETE FROM `{source}` WHERE game_date = @d", d=business)
    outcome = {}
    runner = threading.Thread(target=lambda: outcome.update(world.run([business])[0]))
    log_file = world.airflow_home.parent / "logs" / "nba_pipeline-runs.log"
    seen = log_file.read_text().count("gamebook missing for") if log_file.exists() else 0
    runner.start()
    # Wait for the sensor to report the gap (an observed state, not a fixed time), then land the data.
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and runner.is_alive():
        if log_file.exists() and log_file.read_text().count("gamebook missing for") > seen:
            break
        time.sleep(1)
    assert runner.is_alive(), f"the run did not wait for the gamebook: {outcome}"
    assert log_file.read_text().count("gamebook missing for") > seen, "the sensor never reported the gap"
    for table, backup in hidden.items():
        query(bigquery_client, f"INSERT INTO `{table_id(table, 'raw')}` SELECT * FROM `{backup}`")
        bigquery_client.delete_table(backup)
    runner.join(timeout=900)
    assert outcome["state"] == "success", outcome.get("log", "")[-3000:]
    assert count(bigquery_client, "player_game_summary", business) > 0
