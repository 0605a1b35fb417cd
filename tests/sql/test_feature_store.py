"""nba_predictions.ml_feature_store_v2: the platform's 60 features, their quality and source.

The unit tests compare the feature list in code with the platform's contract. The integration
tests write a small world by hand (schedule, phase 3 history, the day's context, phase 4 rows,
lines and an injury report), run the feature store's MERGE on the local BigQuery stand-in and
check values computed here by hand, the default / quality / source rule for missing inputs,
the quality score, tier and readiness rules, and the early-season placeholder rows.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import statistics
from pathlib import Path

import pytest

from nba_pipeline import ddl, feature_store, merge, processors

from .feature_checks import GATED_FEATURES, check_generated_feature_rows, expected_score
from .helpers import fetch_processor_rows, isolated_warehouse, run, table_id

FEATURES_CONTRACT = (Path(__file__).resolve().parents[2] / "dev" / "nba_pipeline_dev" / "contracts"
                     / "ml_feature_store_v2_features.json")
FEATURE_STORE = processors.get("ml_feature_store_v2")

# The hand-written world: business date D, game date A = D + 1, team AAA at home to BBB.
BUSINESS = dt.date(2026, 2, 3)
A = BUSINESS + dt.timedelta(days=1)
SEASON_OPENER = dt.date(2025, 10, 21)
HAND, BARE, INJURED = "handplayer", "bareplayer", "injuredmate"
# handplayer's games, oldest first: (date, opponent, points, minutes, ft_makes, usage_rate).
HAND_GAMES = [
    (dt.date(2026, 1, 22), "CCC", 10, 30.0, 2, 20.0),
    (dt.date(2026, 1, 24), "BBB", 20, 32.0, 4, 22.0),
    (dt.date(2026, 1, 26), "CCC", 12, 28.0, 2, 18.0),
    (dt.date(2026, 1, 28), "DDD", 18, 34.0, 3, 24.0),
    (dt.date(2026, 1, 30), "CCC", 25, 36.0, 5, 26.0),
    (dt.date(2026, 2, 2), "DDD", 15, 30.0, 3, 21.0),
]
DNP_DATE = dt.date(2026, 1, 20)  # a DNP row: counts for the DNP rate and the trend, not as a game
# AAA's results on the same dates (margin of victory), 4 wins.
TEAM_MARGINS = [5, -20, 16, 3, -2, 8]
# (bookmaker, game date, minutes before tip-off, line); the in-game capture (-10) is ignored.
LINES = [
    ("draftkings", A, 600, 20.5), ("draftkings", A, 60, 21.5), ("draftkings", A, -10, 25.5),
    ("fanduel", A, 90, 22.5),
    ("draftkings", dt.date(2026, 2, 2), 60, 19.5), ("fanduel", dt.date(2026, 2, 2), 60, 20.5),
]
CACHE = {"points_avg_last_5": 18.0, "points_avg_last_10": 16.67, "points_avg_season": 16.5,
         "points_std_last_10": 5.39, "games_in_last_7_days": 3, "minutes_avg_last_10": 31.7,
         "team_pace_last_10": 101.2, "team_off_rating_last_10": 114.3,
         "paint_rate_last_10": 41.0, "three_pt_rate_last_10": 34.0}
COMPOSITE = {"fatigue_score": 80, "shot_zone_mismatch_score": 2.5, "pace_score": 1.0, "usage_spike_score": 0.5}
SHOT_ZONES = {"paint_rate_last_10": 40.0, "mid_range_rate_last_10": 25.0, "three_pt_rate_last_10": 35.0}
DEFENSE = {"defensive_rating_last_15": 110.5, "opponent_pace": 99.0}


def test_feature_list_is_the_contracts():
    contract = json.loads(FEATURES_CONTRACT.read_text())
    assert feature_store.FEATURE_VERSION == contract["feature_version"] == "v2_54features"
    assert len(feature_store.FEATURES) == contract["feature_count"] == 60
    assert list(feature_store.FEATURE_NAMES) == contract["feature_names"]
    for ours, theirs in zip(feature_store.FEATURES, contract["features"]):
        assert (ours.index, ours.name, ours.category, ours.default) == (
            theirs["index"], theirs["name"], theirs["category"], theirs["default"]), ours
        assert ours.optional == theirs["optional"] and (ours.index in feature_store.CRITICAL) == theirs["critical"]
    assert sorted(feature_store.OPTIONAL) == contract["optional_features"]
    assert sorted(feature_store.CRITICAL) == contract["critical_features"]


def test_the_rendered_merge_writes_every_feature_column_once():
    rendered = merge.render(FEATURE_STORE)
    table = ddl.definition("nba_predictions.ml_feature_store_v2")
    per_feature = [c.name for c in table.columns if c.name.startswith("feature_") and c.name[8].isdigit()]
    assert len(per_feature) == 180
    for name in per_feature:
        assert rendered.count(f" AS {name},") + rendered.count(f" AS {name}\n") == 1, name
    print(f"rendered MERGE: {len(rendered.splitlines())} lines; source SELECT file: "
          f"{len((Path(merge.sql_root()) / FEATURE_STORE.sql_path).read_text().splitlines())} lines")


def test_registry_names_the_platforms_table_lock_and_completion_key():
    assert (FEATURE_STORE.table, FEATURE_STORE.layer, FEATURE_STORE.key) == (
        "ml_feature_store_v2", "predictions", ("game_date", "player_lookup"))
    assert FEATURE_STORE.dataset == "nba_predictions"
    assert FEATURE_STORE.lock_key(BUSINESS) == "MLFeatureStoreProcessor_2026-02-04"
    assert FEATURE_STORE.completion_key == "ml_feature_store"
    assert "ml_feature_store" not in processors.BY_NAME


# --- the hand-written world -------------------------------------------------------------------


def _neutral(column: ddl.Column, row: dict):
    """A value for a REQUIRED column the test does not care about."""
    if column.type == "STRING":
        return "x"
    if column.type in ("INT64", "FLOAT64", "NUMERIC"):
        return 0
    if column.type == "BOOL":
        return False
    if column.type == "DATE":
        return str(row.get("game_date") or row.get("report_date"))
    if column.type == "TIMESTAMP":
        return "2026-02-01T00:00:00Z"
    raise AssertionError(f"no neutral value for {column.name} {column.type}")


def insert(client, name: str, rows: list[dict]) -> None:
    """Write rows into one of our tables (``nba_analytics.player_game_summary``), REQUIRED columns
    the row leaves out filled with neutral values."""
    definition = ddl.definition(name)
    layer = name.split(".")[0].removeprefix("nba_")
    full = []
    for row in rows:
        row = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in row.items()}
        for column in definition.columns:
            if column.mode == "REQUIRED" and column.name not in row:
                row[column.name] = _neutral(column, row)
        full.append(row)
    errors = client.insert_rows_json(table_id(name.split(".")[1], layer), full)
    assert not errors, errors


def _world(client) -> None:
    schedule = [(SEASON_OPENER, "AAA", "ZZZ"), (DNP_DATE, "AAA", "CCC")] + [
        (day, "AAA", opponent) for day, opponent, *_ in HAND_GAMES] + [(A, "AAA", "BBB")]
    insert(client, "nba_raw.nbac_schedule", [
        {"game_id": f"g{i}", "game_date": day, "season_year": 2025, "home_team_tricode": home,
         "away_team_tricode": away, "game_status": 1 if day == A else 3, "is_regular_season": True}
        for i, (day, home, away) in enumerate(schedule)])
    history = [{"player_lookup": HAND, "game_date": DNP_DATE, "game_id": "dnp", "team_abbr": "AAA",
                "opponent_team_abbr": "CCC", "season_year": 2025, "is_active": False, "is_dnp": True,
                "minutes_played": None, "points": None}]
    for day, opponent, points, minutes, ft_makes, usage in HAND_GAMES:
        history.append({"player_lookup": HAND, "game_date": day, "game_id": f"{day:%Y%m%d}_{opponent}_AAA",
                        "team_abbr": "AAA", "opponent_team_abbr": opponent, "season_year": 2025,
                        "is_active": True, "is_dnp": False, "points": points, "minutes_played": minutes,
                        "ft_makes": ft_makes, "usage_rate": usage})
    # The injured teammate's 30-day usage: 25 and 27 in games over 10 minutes (a 6-minute game left out).
    for day, usage, minutes in ((dt.date(2026, 1, 26), 25.0, 24.0), (dt.date(2026, 1, 28), 27.0, 30.0),
                                (dt.date(2026, 1, 30), 40.0, 6.0)):
        history.append({"player_lookup": INJURED, "game_date": day, "game_id": f"{day:%Y%m%d}_x_AAA",
                        "team_abbr": "AAA", "opponent_team_abbr": "CCC", "season_year": 2025, "is_active": True,
                        "points": 10, "minutes_played": minutes, "usage_rate": usage})
    insert(client, "nba_analytics.player_game_summary", history)
    insert(client, "nba_analytics.team_offense_game_summary", [
        {"game_date": day, "game_id": f"t{i}", "team_abbr": "AAA", "opponent_team_abbr": opponent,
         "season_year": 2025, "win_flag": margin > 0, "margin_of_victory": margin, "pace": 100.0 + i,
         "offensive_rating": 110.0 + i}
        for i, ((day, opponent, *_), margin) in enumerate(zip(HAND_GAMES, TEAM_MARGINS))])
    context = {"game_date": A, "game_id": "20260204_BBB_AAA", "team_abbr": "AAA", "opponent_team_abbr": "BBB",
               "home_game": True, "back_to_back": False, "season_phase": "mid", "opponent_days_rest": 1,
               "game_total": 220.5, "game_spread": -4.5}
    insert(client, "nba_analytics.upcoming_player_game_context", [
        {**context, "player_lookup": HAND, "universal_player_id": "handplayer_001", "days_rest": 2,
         "player_status": "questionable", "games_in_last_7_days": 3, "minutes_in_last_7_days": 96,
         "star_teammates_out": 1, "prop_over_streak": 2, "prop_under_streak": 0},
        {**context, "player_lookup": BARE, "player_status": "available"},
    ])
    insert(client, "nba_raw.odds_api_player_points_props", [
        {"game_id": "g", "odds_api_event_id": "e", "game_date": day, "home_team_abbr": "AAA",
         "away_team_abbr": "BBB", "bookmaker": book, "player_name": "Hand Player", "player_lookup": HAND,
         "points_line": line, "minutes_before_tipoff": minutes,
         "snapshot_timestamp": (dt.datetime.combine(day, dt.time(23, 0)) - dt.timedelta(minutes=minutes))
         .strftime("%Y-%m-%dT%H:%M:%SZ")}
        for book, day, minutes, line in LINES])
    insert(client, "nba_raw.nbac_injury_report", [
        {"report_date": A, "report_hour": 17, "game_date": A, "team": "AAA", "player_lookup": INJURED,
         "injury_status": "out"}])
    ready = {"is_production_ready": True, "data_hash": "h", "processed_at": "2026-02-04T10:00:00Z"}
    insert(client, "nba_precompute.player_daily_cache", [{"cache_date": A, "player_lookup": HAND, **CACHE, **ready}])
    insert(client, "nba_precompute.player_composite_factors",
           [{"game_date": A, "analysis_date": A, "player_lookup": HAND, **COMPOSITE, **ready}])
    insert(client, "nba_precompute.player_shot_zone_analysis",
           [{"analysis_date": A, "player_lookup": HAND, **SHOT_ZONES, **ready}])
    insert(client, "nba_precompute.team_defense_zone_analysis",
           [{"analysis_date": A, "team_abbr": "BBB", **DEFENSE, **ready}])


@pytest.fixture(scope="module")
def stored(bigquery_client, warehouse_tables):
    client = bigquery_client
    with isolated_warehouse(client):
        _world(client)
        run(client, "ml_feature_store_v2", BUSINESS)
        rows = {r["player_lookup"]: r for r in fetch_processor_rows(client, "ml_feature_store_v2", BUSINESS)}
        yield client, rows


def _value(row: dict, index: int):
    return row[f"feature_{index}_value"]


def _slope(values: list[float]) -> float:
    """Least-squares slope, oldest to newest."""
    n = len(values)
    xs = range(n)
    mean_x, mean_y = (n - 1) / 2, sum(values) / n
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, values)) / sum((x - mean_x) ** 2 for x in xs)


@pytest.mark.integration
def test_hand_checked_values(stored):
    _, rows = stored
    row = rows[HAND]
    points = [g[2] for g in HAND_GAMES]
    minutes = [g[3] for g in HAND_GAMES]
    expected = {
        0: CACHE["points_avg_last_5"],                        # history: from player_daily_cache
        5: COMPOSITE["fatigue_score"],                        # fatigue: composite factors
        6: COMPOSITE["shot_zone_mismatch_score"],
        9: 1.0,                                               # rest: 2 days against the opponent's 1
        10: 2.0,                                              # questionable
        # trend: newest two 15, 25 (mean 20) against 18, 12, 20 (mean 16.67): +3.3 -> +1
        11: 1.0,
        13: DEFENSE["defensive_rating_last_15"],              # matchup: the opponent's defense
        14: DEFENSE["opponent_pace"],
        18: 0.40,                                             # 40 % of shots in the paint
        21: 19 / 100,                                         # free throws 19 of 100 points
        24: 4 / 6,                                            # AAA won 4 of 6
        25: 21.5,                                             # lines: DraftKings' latest pre-tip line
        26: 20.5,                                             # its earliest
        27: 1.0,
        28: 1.0,
        29: 20.0,                                             # the one game against BBB
        30: 1.0,
        31: sum(minutes) / 6,                                 # minutes of the last 30 days
        32: sum(p / m for p, m in zip(points, minutes)) / 6,
        33: 1 / 7,                                            # one DNP in seven rows
        34: _slope(points),
        41: 4.5,
        42: (220.5 + 4.5) / 2,                                # home: (total - spread) / 2
        43: (15 + 25 + 18) / 3,
        44: _slope(points),                                   # all six games are within the last 7
        45: ((15 + 25 + 18) / 3 - sum(points) / 6) / statistics.stdev(points),
        46: 1.0,                                              # 15 < 16.67, then 25 is not
        47: 26.0,                                             # injuredmate out: mean of 25 and 27
        48: (22.0 + 18.0 + 24.0 + 26.0 + 21.0) / 5,
        49: 6.0,                                              # no team change, no long gap
        50: statistics.stdev([21.5, 22.5]),
        53: 21.5 - CACHE["points_avg_season"],
        54: 22.0 - 20.0,                                      # median of books today vs last time
        57: 2 / 6,                                            # two games decided by 15+
        58: statistics.stdev(minutes),
        59: CACHE["team_pace_last_10"] - DEFENSE["opponent_pace"],
    }
    for index, value in expected.items():
        assert _value(row, index) is not None, index
        assert math.isclose(_value(row, index), value, rel_tol=1e-6, abs_tol=1e-6), (
            index, feature_store.FEATURES[index].name, _value(row, index), value)
    # Quality and source follow the tag: phase 4 100, opponent history 90, minutes 95, phase 3 87.
    for index, quality, source in ((0, 100, "phase4"), (5, 100, "phase4"), (29, 90, "phase4"),
                                   (31, 95, "phase4"), (15, 87, "phase3"), (9, 100, "calculated"),
                                   (25, 100, "phase4")):
        assert (row[f"feature_{index}_quality"], row[f"feature_{index}_source"]) == (quality, source), index
    assert row["features"][25] == 21.5 and len(row["features"]) == 60
    assert row["feature_names"] == list(feature_store.FEATURE_NAMES)
    assert (row["feature_version"], row["feature_count"]) == ("v2_54features", 60)
    assert (row["opponent_team_abbr"], row["is_home"], row["days_rest"]) == ("BBB", True, 2)
    assert row["game_id"] == "20260204_BBB_AAA" and row["universal_player_id"] == "handplayer_001"
    assert row["vegas_line_source"] == "odds_api" and row["has_vegas_line"] is True


# The bare player has a context row and nothing else: what each feature should be tagged.
BARE_DEFAULT = {0, 1, 2, 3, 4, 5, 6, 7, 8, 31, 32, 37}            # default constants exist
BARE_MISSING = {18, 19, 20, 25, 26, 27, 39, 40, 43, 44, 45, 46, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58}
BARE_PHASE3 = {15, 16, 17, 38, 41, 47}
BARE_PHASE4 = {13, 14, 22, 23}  # the opponent's defense row; the team's pace from phase 3 history


@pytest.mark.integration
def test_missing_inputs_take_the_default_with_its_quality_and_source(stored):
    _, rows = stored
    row = rows[BARE]
    for index in BARE_DEFAULT | BARE_MISSING:
        feature = feature_store.FEATURES[index]
        assert row[f"feature_{index}_value"] is None, index
        assert row[f"feature_{index}_source"] == "default", index
        assert row[f"feature_{index}_quality"] == (40.0 if index in BARE_DEFAULT else 0.0), index
        assert row["features"][index] == (feature.default if feature.default is not None else 0.0), index
    for index in BARE_PHASE4:
        assert row[f"feature_{index}_source"] == "phase4" and row[f"feature_{index}_value"] is not None, index
    assert row["feature_5_quality"] == 40.0 and row["features"][5] == 50.0  # fatigue's default
    defaulted = sorted(BARE_DEFAULT | BARE_MISSING)
    assert row["default_feature_count"] == len(defaulted) == 35
    assert row["default_feature_indices"] == defaulted
    assert row["required_default_count"] == len([i for i in defaulted if i not in feature_store.OPTIONAL]) == 14
    assert row["has_composite_factors"] is False and row["has_opponent_defense"] is True
    assert row["has_vegas_line"] is False and row["vegas_line_source"] == "none"
    # The handplayer's only gaps are the two features that need prediction_accuracy.
    hand = rows[HAND]
    assert hand["default_feature_indices"] == [55, 56] and hand["default_feature_count"] == 2
    assert [hand["feature_55_source"], hand["feature_55_quality"]] == ["default", 0.0]


@pytest.mark.integration
def test_quality_score_tier_and_readiness_follow_the_rules(stored):
    _, rows = stored
    bare_tags = {i: ("default" if i in BARE_DEFAULT else "missing" if i in BARE_MISSING
                     else "phase3" if i in BARE_PHASE3 else "phase4" if i in BARE_PHASE4 else "calculated")
                 for i in range(60)}
    hand_tags = {i: "calculated" for i in range(60)}
    hand_tags.update({i: "phase3" for i in (15, 16, 17, 37, 38, 39, 40, 41, 47, 51, 52)})
    hand_tags.update({29: "opponent_history", 30: "opponent_history", 31: "minutes_ppm", 32: "minutes_ppm",
                      55: "missing", 56: "missing"})
    for player, tags in ((HAND, hand_tags), (BARE, bare_tags)):
        row = rows[player]
        qualities = {i: row[f"feature_{i}_quality"] for i in range(60)}
        assert qualities == {i: float(feature_store.TAGS[t][0]) for i, t in tags.items()}, player
        assert float(row["feature_quality_score"]) == expected_score(tags), player
    hand, bare = rows[HAND], rows[BARE]
    # 5627 / 58 = 97.02: gold; no required default, matchup all phase 4.
    assert float(hand["feature_quality_score"]) == 97.02
    assert (hand["quality_tier"], hand["quality_alert_level"]) == ("gold", "green")
    assert hand["is_quality_ready"] and hand["is_training_ready"] and hand["matchup_quality_pct"] == 100.0
    # 14 required defaults: capped at 49, critical; matchup (4 defaults of 6) is red.
    assert float(bare["feature_quality_score"]) == 49.0
    assert (bare["quality_tier"], bare["quality_alert_level"]) == ("critical", "red")
    assert bare["matchup_quality_pct"] == round((4 * 40 + 2 * 100) / 6, 1) and bare["matchup_default_count"] == 4
    assert not bare["is_quality_ready"] and not bare["is_training_ready"]
    assert "composite_factors_missing" in bare["quality_alerts"]
    # Production readiness is about completeness, not quality: AAA played eight games (the opener
    # included), handplayer has a row for seven (one a DNP): 87.5 % >= 70 %, and all four phase 4
    # rows are ready; the bare player has no row.
    assert (hand["expected_games_count"], hand["actual_games_count"], hand["completeness_percentage"]) == (8, 7, 87.5)
    assert hand["is_production_ready"] is True
    assert (bare["actual_games_count"], bare["is_production_ready"]) == (0, False)
    assert hand["data_source"] == "mixed" and hand["early_season_flag"] is False


@pytest.mark.integration
def test_early_season_days_write_placeholder_rows(stored):
    client, _ = stored
    opener_week = SEASON_OPENER + dt.timedelta(days=4)
    insert(client, "nba_analytics.upcoming_player_game_context", [
        {"game_date": opener_week, "game_id": "20251025_BBB_AAA", "player_lookup": HAND, "team_abbr": "AAA",
         "opponent_team_abbr": "BBB", "home_game": True}])
    run(client, "ml_feature_store_v2", opener_week - dt.timedelta(days=1))
    (row,) = fetch_processor_rows(client, "ml_feature_store_v2", opener_week - dt.timedelta(days=1))
    assert row["early_season_flag"] is True and row["data_source"] == "early_season"
    assert float(row["feature_quality_score"]) == 0.0 and row["is_production_ready"] is False
    assert row["insufficient_data_reason"] == "early_season_skip_first_14_days"
    assert all(row[f"feature_{i}_value"] is None and row[f"feature_{i}_source"] is None for i in range(60))
    assert row["features"] == [0.0] * 60 and row["quality_tier"] is None


@pytest.mark.integration
def test_rerun_is_identical_and_keeps_one_row_per_player(stored):
    client, rows = stored
    run(client, "ml_feature_store_v2", BUSINESS, fence=2, run_id="again")
    again = {r["player_lookup"]: r for r in fetch_processor_rows(client, "ml_feature_store_v2", BUSINESS)}
    assert set(again) == set(rows) == {HAND, BARE}
    ignore = set(merge.WRITE_HISTORY_COLUMNS) - {"data_hash"}
    for player, row in rows.items():
        assert {k: v for k, v in again[player].items() if k not in ignore} == {
            k: v for k, v in row.items() if k not in ignore}, player


# --- a generated game day -----------------------------------------------------------------------

GENERATED_FIRST, GENERATED_DAY = dt.date(2026, 1, 24), dt.date(2026, 2, 3)  # 11 days of history, A = 02-04


@pytest.fixture(scope="module")
def generated_day(bigquery_client, warehouse_tables):
    """Seeded raw data, phase 3 for every date and phase 4 for GENERATED_DAY (A = D + 1).

    Phase 4 reads the pre-game context of A only, so the earlier dates run only the post-game
    processors (the context of D + 1 is what a date's run adds for the next one)."""
    from .helpers import seed_dates

    client = bigquery_client
    with isolated_warehouse(client):
        seed_dates(client, GENERATED_FIRST, GENERATED_DAY + dt.timedelta(days=1))
        day = GENERATED_FIRST
        while day <= GENERATED_DAY:
            for processor in processors.phase(3):
                if processor.post_game or day == GENERATED_DAY:
                    run(client, processor.name, day)
            day += dt.timedelta(days=1)
        for processor in processors.phase(4):
            run(client, processor.name, GENERATED_DAY)
        yield fetch_processor_rows(client, "ml_feature_store_v2", GENERATED_DAY)


@pytest.mark.integration
def test_generated_day_share_of_computed_features_and_consistent_quality(generated_day, bigquery_client):
    gated = {i for table, features in GATED_FEATURES.items()
             if not fetch_processor_rows(bigquery_client, table, GENERATED_DAY) for i in features}
    check_generated_feature_rows(generated_day, gated, GENERATED_DAY + dt.timedelta(days=1))
