"""Health and reconcile on the local stack, with faults injected into a healthy window.

The module builds its own warehouse (isolated datasets) and Firestore collections, seeds raw
data for February 2026 and runs every processor for business dates 2026-02-11..19, a window
holding the whole All-Star break (2026-02-12..18). Each test injects faults, checks that
health finds exactly them, repairs what reconcile can repair and leaves the window healthy.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
import uuid

import pytest

from nba_pipeline import checks, processors, transforms
from nba_pipeline.clients import lease_store
from nba_pipeline.completion import CompletionStore
from nba_pipeline.health import HealthWindow, apply, plan_reconcile, run_health
from nba_pipeline.health.checks import check_raw_timeliness
from nba_pipeline.lease import Owner, lock_key
from nba_pipeline_dev import cli, seed
from sql.helpers import content_hash, copy_history, isolated_warehouse, query, seed_dates, table_id

from .helpers import isolated_collections, run_directly

pytestmark = pytest.mark.integration

FIRST, LAST = dt.date(2026, 2, 11), dt.date(2026, 2, 19)
WINDOW = [FIRST + dt.timedelta(days=i) for i in range((LAST - FIRST).days + 1)]
WINDOW_ARGS = ["--days", str(len(WINDOW)), "--until", LAST.isoformat()]
INJECTED = "injected-duplicate"


@pytest.fixture(scope="module")
def window(bigquery_client, firestore_client):
    tag = uuid.uuid4().hex[:8]
    with isolated_collections(tag), isolated_warehouse(bigquery_client) as config:
        seed_dates(bigquery_client, dt.date(2026, 2, 1), LAST + dt.timedelta(days=1))
        # Earlier games, so that every phase 4 table has rows in the window (it gates on games played).
        history = [dt.date(2026, 2, 1) + dt.timedelta(days=i) for i in range(10)]
        for day in history:
            for processor in processors.phase(3):
                if processor.post_game:
                    transforms.run_processor(bigquery_client, processor, day, fence=1, run_id="health-history")
        for shift in (28, 56):
            copy_history(bigquery_client, [p.name for p in processors.phase(3) if p.post_game],
                         history[0], history[-1], shift)
        run_directly(bigquery_client, firestore_client, WINDOW)
        yield config


def health(bigquery_client, firestore_client, dates=WINDOW):
    return run_health(bigquery_client, firestore_client, dates)


def found(report) -> set[tuple]:
    return {(i.check, i.kind, i.date, i.processor) for i in report.issues}


def completion_documents(firestore_client) -> dict[str, dict]:
    store = CompletionStore(firestore_client)
    return {
        f"{phase}/{snapshot.id}": snapshot.to_dict()
        for phase in (3, 4)
        for snapshot in firestore_client.collection(store.collections[phase]).stream()
    }


def state_hash(bigquery_client, firestore_client) -> str:
    """A hash of every completion document and every row of the ten tables (nothing excluded)."""
    parts = [json.dumps(completion_documents(firestore_client), sort_keys=True, default=str)]
    for processor in processors.PROCESSORS:
        rows = query(
            bigquery_client,
            f"SELECT * FROM `{table_id(processor.table, processor.layer)}` "
            f"WHERE {processor.date_column} BETWEEN @first AND @last",
            first=FIRST, last=LAST + dt.timedelta(days=1),
        )
        parts.append(content_hash(rows, exclude=()))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def test_window_with_the_all_star_break_passes(window, bigquery_client, firestore_client, capsys, tmp_path):
    first_off, last_off = seed.all_star_break(seed.SEASON_2025)
    assert FIRST < first_off and last_off < LAST, "the window must hold the whole All-Star break"
    report = health(bigquery_client, firestore_client)
    assert report.issues == [], report.to_text()
    assert report.exit_code == 0
    # Break days are shown as days without games, game days as done.
    assert set(report.grid["2026-02-15"].values()) == {"no_games"}
    assert set(report.grid["2026-02-11"].values()) <= {"done", "no_games"}
    assert report.grid["2026-02-11"]["player_game_summary"] == "done"
    assert report.grid["2026-02-18"]["ml_feature_store_v2"] == "done"  # phase 4 for the 19th
    assert report.grid["2026-02-18"]["player_game_summary"] == "no_games"

    html_file = tmp_path / "health.html"
    code = cli.main(["health", *WINDOW_ARGS, "--json", "--html", str(html_file)])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["status"] == "ok" and data["exit_code"] == 0 and data["issues"] == []
    assert data["dates"] == [d.isoformat() for d in WINDOW]
    page = html_file.read_text()
    assert page.count("<tr><th>2026-02-") == len(WINDOW)
    assert "no games" in page and "#c8e6c9" in page  # the colour of done cells


def test_completion_faults_are_found_and_reconciled(window, bigquery_client, firestore_client, capsys):
    store = CompletionStore(firestore_client)
    from google.cloud.firestore import DELETE_FIELD

    # _completed_count wrong; an entry missing; an entry claiming rows the table does not have;
    # phase 3 complete but not marked triggered.
    store.document(3, dt.date(2026, 2, 11)).update({"_completed_count": 3})
    store.document(4, dt.date(2026, 2, 20)).update({"player_daily_cache": DELETE_FIELD, "_completed_count": 4})
    store.document(3, dt.date(2026, 2, 14)).update(
        {"player_game_summary": {"status": "success", "record_count": 35, "execution_id": "legacy/run"}})
    store.document(3, dt.date(2026, 2, 19)).update({"_triggered": False})

    report = health(bigquery_client, firestore_client)
    assert found(report) == {
        ("completion", "wrong_count", "2026-02-11", None),
        ("completion", "missing_entry", "2026-02-19", "player_daily_cache"),
        ("completion", "entry_without_rows", "2026-02-14", "player_game_summary"),
        ("completion", "untriggered", "2026-02-19", None),
        ("half_done", "phase4_partial", "2026-02-19", None),
    }, report.to_text()
    assert report.exit_code == 1
    assert report.grid["2026-02-19"]["player_daily_cache"] == "missing"

    # A dry run shows what it would change and changes nothing.
    before = state_hash(bigquery_client, firestore_client)
    assert cli.main(["reconcile", *WINDOW_ARGS]) == 1
    out = capsys.readouterr().out
    assert out.count("would rewrite") == 4, out
    assert "would run nba_pipeline for 2026-02-14" in out
    assert "dry run: nothing was changed" in out
    assert state_hash(bigquery_client, firestore_client) == before

    # --fix --records-only repairs the records from the warehouse and leaves the re-run.
    assert cli.main(["reconcile", *WINDOW_ARGS, "--fix", "--records-only"]) == 0
    capsys.readouterr()
    assert store.get(3, dt.date(2026, 2, 11))["_completed_count"] == 5
    entry = store.get(4, dt.date(2026, 2, 20))["player_daily_cache"]
    rows = checks.check_duplicates(bigquery_client, "player_daily_cache", dt.date(2026, 2, 19)).row_count
    assert entry["record_count"] == rows > 0
    assert store.get(3, dt.date(2026, 2, 19))["_triggered"] is True
    assert "player_game_summary" not in store.get(3, dt.date(2026, 2, 14))
    report = health(bigquery_client, firestore_client)
    assert found(report) == {("half_done", "phase3_partial", "2026-02-14", None)}, report.to_text()

    # --fix with a trigger runs the incomplete date again; then everything passes.
    plan = plan_reconcile(HealthWindow(bigquery_client, firestore_client, WINDOW))
    assert plan.changes == [] and plan.reruns == [dt.date(2026, 2, 14)]
    result = apply(plan, store, trigger=lambda dates: run_directly(bigquery_client, firestore_client, dates))
    assert result.triggered == ["2026-02-14"] and result.failed_runs == []
    report = health(bigquery_client, firestore_client)
    assert report.exit_code == 0, report.to_text()


def inject_duplicate(client, processor, business_date) -> dict:
    """Copy one row of the processor's date (first by key) and return that row's key."""
    table = table_id(processor.table, processor.layer)
    keys = ", ".join(processor.key)
    client.query(
        f"INSERT INTO `{table}` SELECT * REPLACE ('{INJECTED}' AS _run_id) FROM `{table}` "
        f"WHERE {processor.date_column} = @day QUALIFY ROW_NUMBER() OVER (ORDER BY {keys}) = 1",
        job_config=_params(day=processor.target_date(business_date)),
    ).result()
    rows = query(client, f"SELECT {keys} FROM `{table}` WHERE _run_id = @marker", marker=INJECTED)
    assert len(rows) == 1, f"no row injected into {table}"
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in rows[0].items()}


def _params(**values):
    from google.cloud import bigquery

    return bigquery.QueryJobConfig(query_parameters=[
        bigquery.ScalarQueryParameter(name, "DATE", value) for name, value in values.items()])


def test_duplicates_in_each_of_the_ten_tables_are_reported_with_keys(window, bigquery_client, firestore_client):
    day = dt.date(2026, 2, 19)
    injected = {}
    try:
        for processor in processors.PROCESSORS:
            injected[processor.name] = inject_duplicate(bigquery_client, processor, day)
        report = health(bigquery_client, firestore_client)
        duplicates = {i.processor: i for i in report.issues if i.check == "duplicates"}
        assert set(duplicates) == {p.name for p in processors.PROCESSORS}, report.to_text()
        assert found(report) == {("duplicates", "duplicate_keys", "2026-02-19", p.name) for p in processors.PROCESSORS}
        for name, issue in duplicates.items():
            assert issue.details["offending_keys"] == [{"key": injected[name], "row_count": 2}]
            assert issue.details["duplicated_keys"] == 1 and issue.details["excess_rows"] == 1
            assert issue.details["key_columns"] == list(processors.get(name).key)
            assert "offending keys" in issue.message
        assert set(report.grid["2026-02-19"].values()) == {"duplicate", "done"}
        text = report.to_text(width=400)
        assert injected["player_game_summary"]["player_lookup"] in text
    finally:
        for processor in processors.PROCESSORS:
            bigquery_client.query(
                f"DELETE FROM `{table_id(processor.table, processor.layer)}` WHERE _run_id = '{INJECTED}'").result()
    assert health(bigquery_client, firestore_client).exit_code == 0


def test_late_gamebook_hours_are_right_across_both_dst_changes(window, bigquery_client, firestore_client):
    # Raw data only: these dates are checked for timeliness alone.
    spring, autumn = (dt.date(2026, 3, 5), dt.date(2026, 3, 9)), (dt.date(2026, 10, 29), dt.date(2026, 11, 2))
    data = seed_dates(bigquery_client, *spring, faults=["late_gamebook:2026-03-08"])
    seed_dates(bigquery_client, *autumn)
    gamebook = table_id("nbac_gamebook_player_stats", "raw")
    # Set the first loads to known instants: 22:00 UTC on 2026-03-08 is 18:00 EDT, eight hours
    # after the 10:00 EDT deadline (a fixed EST offset would say seven); 23:00 UTC on
    # 2026-11-01 is 18:00 EST, eight hours after 10:00 EST (a fixed EDT offset would say nine).
    for day, instant in ((dt.date(2026, 3, 7), "2026-03-08 22:00:00+00"),
                         (dt.date(2026, 10, 31), "2026-11-01 23:00:00+00")):
        bigquery_client.query(
            f"UPDATE `{gamebook}` SET processed_at = TIMESTAMP '{instant}' WHERE game_date = @day",
            job_config=_params(day=day)).result()
    # The generator's own late_gamebook fault on the 8th: expected from its rows, deadline
    # 10:00 EDT on the 9th = 14:00 UTC.
    stamps = [
        row["processed_at"] for row in data["nbac_gamebook_player_stats"].to_pylist()
        if row["game_date"] == dt.date(2026, 3, 8)
    ]
    first = min(stamps)
    first = first.replace(tzinfo=dt.timezone.utc) if first.tzinfo is None else first
    expected_8th = round((first - dt.datetime(2026, 3, 9, 14, tzinfo=dt.timezone.utc)).total_seconds() / 3600, 2)

    dates = [dt.date(2026, 3, 6), dt.date(2026, 3, 7), dt.date(2026, 3, 8), dt.date(2026, 10, 31)]
    issues = check_raw_timeliness(HealthWindow(bigquery_client, firestore_client, dates))
    late = {issue.date: issue.details["hours_late"] for issue in issues if issue.kind == "late_gamebook"}
    assert late == {"2026-03-07": 8.0, "2026-03-08": expected_8th, "2026-10-31": 8.0}
    assert expected_8th >= 0.5
    messages = {issue.date: issue.message for issue in issues}
    assert "18:00 EDT" in messages["2026-03-07"] and "10:00 EDT" in messages["2026-03-07"]
    assert "18:00 EST" in messages["2026-10-31"] and "10:00 EST" in messages["2026-10-31"]


def test_expired_and_long_held_locks_are_reported_and_released(window, bigquery_client, firestore_client,
                                                              capsys, monkeypatch):
    store = lease_store(firestore_client)
    stuck_key = lock_key("PlayerGameSummaryProcessor", dt.date(2026, 2, 19))
    busy_key = lock_key("MLFeatureStoreProcessor", dt.date(2026, 2, 19))  # business date the 18th
    stuck = store.acquire(stuck_key, Owner("nba_pipeline", "scheduled__x", "player_game_summary"),
                          processor="PlayerGameSummaryProcessor", lease_seconds=1)
    busy = store.acquire(busy_key, Owner("nba_pipeline", "backfill__y", "ml_feature_store_v2"),
                         processor="MLFeatureStoreProcessor", lease_seconds=300)
    time.sleep(2.0)
    monkeypatch.setenv("NBA_MAX_LOCK_HOLD_SECONDS", "1")
    try:
        report = health(bigquery_client, firestore_client)
        assert found(report) == {
            ("locks", "expired_lock", "2026-02-19", "player_game_summary"),
            ("locks", "long_held_lock", "2026-02-18", "ml_feature_store_v2"),
        }, report.to_text()
        by_kind = {issue.kind: issue for issue in report.issues}
        assert by_kind["expired_lock"].details["holder"] == stuck.owner.execution_id
        assert by_kind["long_held_lock"].details["holder"] == busy.owner.execution_id
        assert report.grid["2026-02-19"]["player_game_summary"] == "locked"
        # Reconcile leaves locks to a person (`locks release`, audited), so neither is "fixable".
        assert [issue.fixable for issue in report.issues] == [False, False]
        assert plan_reconcile(HealthWindow(bigquery_client, firestore_client, WINDOW)).empty

        assert cli.main(["locks", "list", "--json"]) == 0
        listed = {lock["key"]: lock for lock in json.loads(capsys.readouterr().out)}
        assert set(listed) == {stuck_key, busy_key} and listed[stuck_key]["expired"] is True
        assert cli.main(["locks", "show", stuck_key]) == 0
        assert "expired" in capsys.readouterr().out
        assert cli.main(["locks", "release", stuck_key]) == 2  # a reason is required
        assert cli.main(["locks", "release", stuck_key, "--reason", "worker died", "--actor", "oncall"]) == 0
        capsys.readouterr()
        assert not store.inspect(stuck_key).exists
        audit = store.audit_log(stuck_key, limit=5)
        assert audit[0]["event"] == "force_release"
        assert audit[0]["reason"] == "worker died" and audit[0]["actor"] == "oncall"
        assert cli.main(["locks", "release", stuck_key, "--reason", "again"]) == 1  # nothing left
    finally:
        store.release(busy)
        store.force_release(stuck_key, reason="test clean-up", actor="test")
    monkeypatch.delenv("NBA_MAX_LOCK_HOLD_SECONDS")
    assert health(bigquery_client, firestore_client).exit_code == 0


def test_health_cli_exit_codes_zero_and_one(window, bigquery_client, firestore_client, capsys):
    assert cli.main(["health", "--date", "2026-02-19"]) == 0
    assert "OK" in capsys.readouterr().out
    store = CompletionStore(firestore_client)
    store.document(3, dt.date(2026, 2, 19)).update({"_completed_count": 9})
    try:
        assert cli.main(["health", "--date", "2026-02-19", "--json"]) == 1
        data = json.loads(capsys.readouterr().out)
        assert data["status"] == "issues" and data["issue_counts"]["completion"] == 1
        assert [issue["kind"] for issue in data["issues"]] == ["wrong_count"]
    finally:
        store.document(3, dt.date(2026, 2, 19)).update({"_completed_count": 5})
