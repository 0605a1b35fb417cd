"""Duplicate-key checks on bqemulator: exact findings, date scoping, audit history."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import uuid
from unittest import mock

import pytest
from google.cloud import bigquery

from nba_pipeline import checks, processors, warehouse
from nba_pipeline.config import settings
from nba_pipeline.sql import load_sql

pytestmark = pytest.mark.integration

D = dt.date(2026, 2, 3)


@pytest.fixture(scope="module")
def config(bigquery_client):
    """Settings pointing at throwaway datasets of this module, dropped afterwards."""
    suffix = uuid.uuid4().hex[:8]
    test_settings = dataclasses.replace(
        settings(),
        analytics_dataset=f"bk_analytics_{suffix}",
        precompute_dataset=f"bk_precompute_{suffix}",
        predictions_dataset=f"bk_predictions_{suffix}",
        audit_dataset=f"bk_audit_{suffix}",
    )
    datasets = [test_settings.analytics_dataset, test_settings.precompute_dataset,
                test_settings.predictions_dataset, test_settings.audit_dataset]
    for name in datasets:
        bigquery_client.create_dataset(f"{test_settings.project}.{name}", exists_ok=True)
    warehouse.ensure_tables(bigquery_client, test_settings, layers=("audit",))
    yield test_settings
    for name in datasets:
        bigquery_client.delete_dataset(f"{test_settings.project}.{name}", delete_contents=True, not_found_ok=True)


def table_id(config, processor: processors.Processor) -> str:
    return f"{config.project}.{config.dataset_for(processor.layer)}.{processor.table}"


def create_table(client, config, processor: processors.Processor) -> None:
    """A stand-in output table with exactly the processor's key columns and one value."""
    columns = [f"{processor.date_column} DATE NOT NULL"]
    columns += [f"{column} STRING NOT NULL" for column in processor.key[1:]]
    columns.append("points FLOAT64")
    client.query(
        f"CREATE OR REPLACE TABLE `{table_id(config, processor)}` ({', '.join(columns)}) "
        f"PARTITION BY {processor.date_column}"
    ).result()


def load_rows(client, config, processor: processors.Processor, date: dt.date, key_counts: dict[str, int]) -> None:
    """Append ``count`` rows for each second-key value on ``date`` (count > 1 is a duplicate)."""
    second = processor.key[1]
    rows = [
        {processor.date_column: date.isoformat(), second: value, "points": float(copy)}
        for value, count in key_counts.items()
        for copy in range(count)
    ]
    payload = "\n".join(json.dumps(row) for row in rows).encode()
    job_config = bigquery.LoadJobConfig(source_format=bigquery.SourceFormat.NEWLINE_DELIMITED_JSON)
    client.load_table_from_file(io.BytesIO(payload), table_id(config, processor), job_config=job_config).result()


@pytest.fixture
def all_tables(bigquery_client, config):
    """Every registry table, empty, in the throwaway datasets."""
    for processor in processors.PROCESSORS:
        create_table(bigquery_client, config, processor)
    return config


def test_injected_duplicates_are_reported_exactly(bigquery_client, all_tables):
    config = all_tables
    summary = processors.get("player_game_summary")
    load_rows(bigquery_client, config, summary, D, {"lebronjames": 3, "stephcurry": 2, "kevindurant": 1, "jokic": 1})
    # Duplicates on neighbouring dates must not leak into the check of D.
    load_rows(bigquery_client, config, summary, D - dt.timedelta(days=1), {"lebronjames": 4, "jokic": 2})
    load_rows(bigquery_client, config, summary, D + dt.timedelta(days=1), {"stephcurry": 5})

    result = checks.check_duplicates(bigquery_client, summary, D, config)

    assert (result.row_count, result.distinct_keys, result.duplicated_keys, result.excess_rows) == (7, 4, 2, 3)
    assert result.offending == [
        ({"game_date": D, "player_lookup": "lebronjames"}, 3),
        ({"game_date": D, "player_lookup": "stephcurry"}, 2),
    ]
    assert result.passed is False
    assert result.date == D and result.key_columns == ("game_date", "player_lookup")
    assert result.table == "player_game_summary" and result.dataset == config.analytics_dataset
    message = result.message()
    assert f"{config.analytics_dataset}.player_game_summary on game_date = 2026-02-03" in message
    assert "key columns: game_date, player_lookup" in message
    assert "rows: 7, distinct keys: 4, duplicated keys: 2, excess rows: 3" in message
    assert "game_date=2026-02-03, player_lookup=lebronjames: 3 rows" in message
    assert "game_date=2026-02-03, player_lookup=stephcurry: 2 rows" in message
    assert "kevindurant" not in message


def test_clean_and_empty_dates_pass(bigquery_client, all_tables):
    config = all_tables
    offense = processors.get("team_offense_game_summary")
    load_rows(bigquery_client, config, offense, D, {"BKN": 1, "MIL": 1, "LAL": 1, "BOS": 1})
    load_rows(bigquery_client, config, offense, D - dt.timedelta(days=1), {"BKN": 2})

    clean = checks.check_duplicates(bigquery_client, "team_offense_game_summary", D, config)
    assert (clean.row_count, clean.distinct_keys, clean.duplicated_keys, clean.excess_rows) == (4, 4, 0, 0)
    assert clean.passed and clean.offending == []
    assert "No duplicate keys" in clean.message()

    empty = checks.check_duplicates(bigquery_client, offense, D + dt.timedelta(days=30), config)
    assert (empty.row_count, empty.distinct_keys, empty.duplicated_keys, empty.excess_rows) == (0, 0, 0, 0)
    assert empty.passed


def test_only_the_ten_worst_keys_are_listed(bigquery_client, all_tables):
    config = all_tables
    context = processors.get("upcoming_player_game_context")
    # 12 duplicated keys: p00 has 13 rows, p01 has 12, ... p11 has 2.
    counts = {f"p{i:02d}": 13 - i for i in range(12)}
    counts["single"] = 1
    load_rows(bigquery_client, config, context, context.target_date(D), counts)

    result = checks.check_duplicates(bigquery_client, context, D, config)

    assert result.duplicated_keys == 12
    assert result.excess_rows == sum(c - 1 for c in counts.values())
    assert [(key["player_lookup"], n) for key, n in result.offending] == [(f"p{i:02d}", 13 - i) for i in range(10)]
    assert "offending keys (10 of 12, most rows first)" in result.message()


def test_phase4_checks_the_analysis_date(bigquery_client, all_tables):
    config = all_tables
    zones = processors.get("team_defense_zone_analysis")
    load_rows(bigquery_client, config, zones, D, {"BKN": 2})  # D itself is not the run's phase 4 date
    load_rows(bigquery_client, config, zones, D + dt.timedelta(days=1), {"MIL": 2, "BKN": 1})

    result = checks.check_duplicates(bigquery_client, zones, D, config)

    assert result.date == D + dt.timedelta(days=1)
    assert result.date_column == "analysis_date" and result.phase == 4
    assert result.offending == [({"analysis_date": D + dt.timedelta(days=1), "team_abbr": "MIL"}, 2)]


def test_check_phase_records_history_and_fails_with_offending_keys(bigquery_client, all_tables):
    config = all_tables
    summary = processors.get("player_game_summary")
    load_rows(bigquery_client, config, summary, D, {"lebronjames": 2, "jokic": 1})
    load_rows(bigquery_client, config, processors.get("team_defense_game_summary"), D, {"BKN": 1, "MIL": 1})
    run_id = f"scheduled__{uuid.uuid4().hex}"

    with mock.patch.object(bigquery_client, "query", wraps=bigquery_client.query) as queries:
        results = checks.check_phase(bigquery_client, 3, D, run_id=run_id, config=config)
    assert queries.call_count == 1, "a phase's five tables are checked in one query"
    assert queries.call_args.kwargs["job_config"].labels == {"nba_check": "duplicate_keys", "nba_phase": "3"}

    assert [r.table for r in results] == [p.name for p in processors.phase(3)]
    failed = [r for r in results if not r.passed]
    assert [r.table for r in failed] == ["player_game_summary"]
    with pytest.raises(checks.DuplicateKeysFound) as raised:
        checks.assert_no_duplicates(results)
    assert raised.value.results == failed
    assert "player_game_summary" in str(raised.value) and "player_lookup=lebronjames: 2 rows" in str(raised.value)
    checks.assert_no_duplicates([r for r in results if r.passed])

    history = checks.check_history(bigquery_client, D, D + dt.timedelta(days=1), config=config)
    assert len(history) == 5 and {row["run_id"] for row in history} == {run_id}
    by_table = {row["table_name"]: row for row in history}
    assert set(by_table) == {p.name for p in processors.phase(3)}
    row = by_table["player_game_summary"]
    assert row["target_date"] == D and row["phase"] == 3 and row["passed"] is False
    assert row["key_columns"] == ["game_date", "player_lookup"] and row["date_column"] == "game_date"
    assert (row["row_count"], row["distinct_keys"], row["duplicated_keys"], row["excess_rows"]) == (3, 2, 1, 1)
    assert row["offending_keys"] == [{"key": {"game_date": "2026-02-03", "player_lookup": "lebronjames"}, "row_count": 2}]
    assert by_table["team_defense_game_summary"]["passed"] is True
    assert by_table["team_defense_game_summary"]["row_count"] == 2
    assert by_table["upcoming_team_game_context"]["target_date"] == D + dt.timedelta(days=1)
    assert isinstance(row["checked_at"], dt.datetime)

    # A second run after the duplicate is gone: history keeps both, latest_only the second.
    create_table(bigquery_client, config, summary)
    load_rows(bigquery_client, config, summary, D, {"lebronjames": 1, "jokic": 1})
    rerun_id = f"manual__{uuid.uuid4().hex}"
    rerun = checks.check_phase(bigquery_client, 3, D, run_id=rerun_id, only=["player_game_summary"], config=config)
    assert [r.passed for r in rerun] == [True]
    assert len(checks.check_history(bigquery_client, D, D, config=config)) == 4
    latest = checks.check_history(bigquery_client, D, D, latest_only=True, config=config)
    assert {row["table_name"]: row["run_id"] for row in latest} == {
        "player_game_summary": rerun_id,
        "team_offense_game_summary": run_id,
        "team_defense_game_summary": run_id,
    }
    assert checks.check_history(bigquery_client, D - dt.timedelta(days=9), D - dt.timedelta(days=1), config=config) == []


def test_not_persisted_when_asked(bigquery_client, all_tables):
    config = all_tables
    date = D + dt.timedelta(days=200)
    results = checks.check_phase(bigquery_client, 4, date, run_id="dry", persist=False, config=config)
    assert len(results) == 5 and all(r.passed for r in results)
    assert checks.check_history(bigquery_client, date, date + dt.timedelta(days=1), config=config) == []


def test_unknown_processor_names_are_refused(bigquery_client, all_tables):
    with pytest.raises(ValueError, match="unknown processor"):
        checks.check_phase(bigquery_client, 3, D, run_id="x", only=["player_summary"], config=all_tables)
    with pytest.raises(ValueError, match="unknown processor"):
        checks.check_duplicates(bigquery_client, "player_summary", D, all_tables)


def test_every_real_output_table_is_checkable(bigquery_client, warehouse_tables):
    """The registry's key columns exist in the real DDL of all ten tables."""
    quiet_date = dt.date(2001, 6, 15)
    for phase in (3, 4):
        results = checks.check_phase(bigquery_client, phase, quiet_date, run_id="schema-probe", persist=False)
        assert len(results) == 5 and all(r.passed and r.row_count == 0 for r in results)


def test_extra_identifiers_are_checked():
    sql = load_sql(
        checks.CHECK_SQL,
        extra={"dataset": "d", "table": "t", "date_column": "game_date",
               "key_columns": ["game_date", "team_abbr"],
               "key_fields": {"game_date": "game_date", "team_abbr": "team_abbr"}, "date_parameter": "target_date_0"},
    )
    assert "GROUP BY game_date, team_abbr" in sql and "WHERE game_date = @target_date_0" in sql
    assert "'t' AS table_name" in sql
    assert "STRUCT(game_date AS game_date, team_abbr AS team_abbr, row_count AS row_count)" in sql
    with pytest.raises(ValueError, match="not a valid BigQuery identifier"):
        load_sql(checks.CHECK_SQL, extra={"dataset": "d", "table": "t` ; DROP TABLE x; --",
                                          "date_column": "c", "key_columns": ["c"], "key_fields": {"c": "c"},
                                          "date_parameter": "p"})
    with pytest.raises(ValueError, match="not a valid BigQuery identifier"):
        load_sql(checks.CHECK_SQL, extra={"dataset": "d", "table": "t' OR '1", "date_column": "c",
                                          "key_columns": ["c"], "key_fields": {"c": "c"}, "date_parameter": "p"})
    with pytest.raises(ValueError, match="may not replace"):
        load_sql(checks.CHECK_SQL, extra={"project": "other"})
    with pytest.raises(ValueError, match="empty"):
        load_sql(checks.CHECK_SQL, extra={"dataset": "d", "table": "t", "date_column": "c",
                                          "key_columns": [], "key_fields": {}, "date_parameter": "p"})


def test_bookkeeping_modules_do_not_import_airflow():
    import subprocess
    import sys

    probe = (
        "import sys, nba_pipeline.checks, nba_pipeline.completion; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'airflow'))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
