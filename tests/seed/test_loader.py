"""Loading generated raw data into the BigQuery emulator: counts, values and idempotent re-seeding."""

from __future__ import annotations

import datetime as dt

import pytest
from google.cloud import bigquery

from nba_pipeline.config import Settings, settings
from nba_pipeline_dev.seed import RANGE_COLUMNS, SEEDED_TABLES, generate, layer_of, load, parse_fault

pytestmark = pytest.mark.integration

FIRST = (dt.date(2025, 12, 1), dt.date(2025, 12, 3))
SECOND = (dt.date(2025, 12, 6), dt.date(2025, 12, 7))


def _table(name: str) -> str:
    config = settings()
    return f"{config.project}.{config.dataset_for(layer_of(name))}.{name}"


def _counts(client, start: dt.date, end: dt.date) -> dict[str, int]:
    """Rows per seeded table in start..end (the registry: of the season of start), in one query."""
    parts = [
        f"SELECT '{name}' AS name, COUNT(*) AS n FROM `{_table(name)}` WHERE "
        + ("season = @season" if RANGE_COLUMNS[name] == "season" else f"{RANGE_COLUMNS[name]} BETWEEN @start AND @end")
        for name in SEEDED_TABLES
    ]
    job_config = bigquery.QueryJobConfig(query_parameters=[
        bigquery.ScalarQueryParameter("start", "DATE", start),
        bigquery.ScalarQueryParameter("end", "DATE", end),
        bigquery.ScalarQueryParameter("season", "STRING", f"{start.year}-{(start.year + 1) % 100:02d}"),
    ])
    rows = client.query(" UNION ALL ".join(parts), job_config=job_config).result()
    return {row["name"]: row["n"] for row in rows}


@pytest.fixture(scope="module")
def raw_tables(bigquery_client):
    """Only the raw and reference layers: the loader needs nothing else."""
    from nba_pipeline import warehouse

    warehouse.ensure_datasets(bigquery_client)
    return warehouse.ensure_tables(bigquery_client, layers=("raw", "reference"))


@pytest.fixture(scope="module")
def first_range():
    return generate(*FIRST)


@pytest.fixture(scope="module")
def second_range():
    return generate(*SECOND)


@pytest.fixture(scope="module")
def loaded(bigquery_client, raw_tables, first_range, second_range):
    progress = []
    load(bigquery_client, second_range)
    result = load(bigquery_client, first_range, progress=lambda *a: progress.append(a))
    return result, progress


def test_load_reports_rows_and_progress(loaded, first_range):
    result, progress = loaded
    assert result == first_range.row_counts()
    assert all(result[name] > 0 for name in SEEDED_TABLES)
    assert [p[0] for p in progress] == list(range(1, len(SEEDED_TABLES) + 1))
    assert {p[1] for p in progress} == {len(SEEDED_TABLES)}
    assert {p[2] for p in progress} == {"load raw tables"}


def _without_registry(counts: dict[str, int]) -> dict[str, int]:
    return {name: n for name, n in counts.items() if RANGE_COLUMNS[name] != "season"}


def test_loaded_counts_match_generated(bigquery_client, loaded, first_range, second_range):
    assert _counts(bigquery_client, *FIRST) == first_range.row_counts()
    # The registry holds one row per player, team and season: the latest load of the season.
    assert _without_registry(_counts(bigquery_client, *SECOND)) == _without_registry(second_range.row_counts())


def test_loaded_rows_keep_lists_and_the_registry_ids(bigquery_client, loaded, first_range):
    sql = f"""
        SELECT
          (SELECT COUNTIF(ARRAY_LENGTH(data_quality_flags) > 0) FROM `{_table("nbac_gamebook_player_stats")}`
            WHERE game_date BETWEEN @start AND @end) AS flagged,
          (SELECT COUNT(*) FROM `{_table("espn_team_rosters")}` AS r
            JOIN `{_table("nba_players_registry")}` AS p USING (universal_player_id, team_abbr)
            WHERE r.roster_date = @start) AS roster_rows_in_registry,
          (SELECT COUNT(*) FROM `{_table("espn_team_rosters")}` WHERE roster_date = @start) AS roster_rows
    """
    job_config = bigquery.QueryJobConfig(query_parameters=[
        bigquery.ScalarQueryParameter("start", "DATE", FIRST[0]),
        bigquery.ScalarQueryParameter("end", "DATE", FIRST[1]),
    ])
    row = next(iter(bigquery_client.query(sql, job_config=job_config).result()))
    book = first_range["nbac_gamebook_player_stats"].to_pandas()
    assert row["flagged"] == sum(len(flags) > 0 for flags in book["data_quality_flags"]) > 0
    assert row["roster_rows"] > 0 and row["roster_rows_in_registry"] == row["roster_rows"]


def test_loaded_values_survive_the_round_trip(bigquery_client, loaded, first_range):
    sql = f"""
        SELECT
          SUM(points) AS points,
          COUNTIF(points IS NULL) AS without_stats,
          COUNTIF(player_status = 'active') AS active,
          ROUND(SUM(minutes_decimal), 2) AS minutes,
          MIN(processed_at) AS first_load,
          COUNT(DISTINCT player_lookup) AS players
        FROM `{_table("nbac_gamebook_player_stats")}`
        WHERE game_date BETWEEN @start AND @end
    """
    job_config = bigquery.QueryJobConfig(query_parameters=[
        bigquery.ScalarQueryParameter("start", "DATE", FIRST[0]),
        bigquery.ScalarQueryParameter("end", "DATE", FIRST[1]),
    ])
    row = next(iter(bigquery_client.query(sql, job_config=job_config).result()))
    book = first_range["nbac_gamebook_player_stats"].to_pandas()
    assert row["points"] == book["points"].sum()
    assert row["without_stats"] == book["points"].isna().sum() > 0
    assert row["active"] == (book["player_status"] == "active").sum()
    assert row["minutes"] == pytest.approx(book["minutes_decimal"].sum(), abs=0.01)
    assert row["first_load"] == book["processed_at"].min().to_pydatetime()
    assert row["players"] == book["player_lookup"].nunique()


def test_reseeding_the_same_range_is_idempotent(bigquery_client, loaded, first_range, second_range):
    again = generate(*FIRST)
    load(bigquery_client, again)
    assert _counts(bigquery_client, *FIRST) == first_range.row_counts()
    assert _without_registry(_counts(bigquery_client, *SECOND)) == _without_registry(second_range.row_counts()), \
        "another range changed"


def test_replace_false_appends_and_replace_cleans_up(bigquery_client, loaded, first_range, second_range):
    load(bigquery_client, first_range, replace=False)
    doubled = {name: 2 * n for name, n in first_range.row_counts().items()}
    assert _counts(bigquery_client, *FIRST) == doubled
    load(bigquery_client, first_range)
    assert _counts(bigquery_client, *FIRST) == first_range.row_counts()
    assert _without_registry(_counts(bigquery_client, *SECOND)) == _without_registry(second_range.row_counts())


def test_faulty_reseed_replaces_the_clean_rows(bigquery_client, loaded, first_range):
    day = FIRST[0] + dt.timedelta(days=1)
    faulty = generate(*FIRST, faults=[parse_fault(f"duplicate_raw:{day}")])
    load(bigquery_client, faulty)
    counts = _counts(bigquery_client, *FIRST)
    assert counts == faulty.row_counts()
    assert counts["nbac_gamebook_player_stats"] > first_range.row_counts()["nbac_gamebook_player_stats"]
    load(bigquery_client, first_range)
    assert _counts(bigquery_client, *FIRST) == first_range.row_counts()


def test_missing_tables_are_a_clear_error(bigquery_client, raw_tables, first_range):
    elsewhere = Settings(raw_dataset="nba_raw_never_created")
    expected = r"nba_raw_never_created\.nbac_schedule \(or its dataset\) does not exist.*ensure_tables"
    with pytest.raises(LookupError, match=expected):
        load(bigquery_client, first_range, config=elsewhere)
