"""Phase 4 precompute SQL on the local BigQuery stand-in, over seeded raw data.

One module-wide season: raw data for 2026-01-20..2026-02-05 is seeded at once (so rows of
later dates exist from the start), phase 3 runs date by date, its post-game rows are copied to
earlier dates for longer histories, and phase 4 runs for analysis dates A = D + 1. Expected
values are recomputed here in Python from the phase 3 tables and raw play-by-play, with the
formulas the SQL files document.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass

import pytest

from nba_pipeline import processors

from .feature_checks import GATED_FEATURES, check_generated_feature_rows
from .helpers import (
    LINEAGE_COLUMNS,
    copy_history,
    duplicate_keys,
    fetch,
    fetch_processor_rows,
    isolated_warehouse,
    query,
    run,
    seed_dates,
    table_hash,
    table_id,
)

pytestmark = pytest.mark.integration

SEED_START = dt.date(2026, 1, 20)
SEED_END = dt.date(2026, 2, 5)
SEASON = 2025
# Phase 4 first runs for this business date with only earlier games in phase 3 ...
EARLY_DAY = dt.date(2026, 1, 31)
# ... then phase 3 catches up to here and phase 4 runs for every later date too.
LAST_DAY = dt.date(2026, 2, 4)
CHECKED_DAY = dt.date(2026, 2, 3)  # A = 2026-02-04: the date whose numbers are recomputed
FENCED_DAY = dt.date(2026, 2, 2)  # A = 2026-02-03: the date the fencing test may change
ALL_STAR_DAY = dt.date(2026, 2, 15)  # A = 2026-02-16, inside the All-Star break

POST_GAME_TABLES = tuple(p.name for p in processors.phase(3) if p.post_game)
HISTORY_SHIFTS = (28, 56)  # days back: two earlier copies of the seeded phase 3 games
PHASE4 = processors.phase(4)
PLAYER_TABLES = tuple(p.name for p in PHASE4 if "player_lookup" in p.key)


def _plain(rows: list[dict]) -> list[dict]:
    """NUMERIC values as floats, so they mix with Python arithmetic."""
    from decimal import Decimal

    return [{k: float(v) if isinstance(v, Decimal) else v for k, v in row.items()} for row in rows]


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _run_phase3(client, business_date: dt.date, *, post_game: bool = True, context: bool = True):
    """Phase 3 for D in registry order; pre-game context only where phase 4 will read it."""
    for processor in processors.phase(3):
        if (post_game if processor.post_game else context):
            run(client, processor.name, business_date)


def _run_phase4(client, business_date: dt.date, *, fence: int = 1, run_id: str = "test") -> None:
    for processor in PHASE4:
        run(client, processor.name, business_date, fence=fence, run_id=run_id)


def _snapshot(client, business_date: dt.date, exclude=LINEAGE_COLUMNS) -> dict:
    """Each phase 4 table's fingerprint of the date it writes for D, computed on the server."""
    return {
        p.name: table_hash(client, p.table, p.date_column, p.target_date(business_date), p.layer, exclude)
        for p in PHASE4
    }


@dataclass
class Season:
    client: object
    early_snapshot: dict[str, str]
    early_counts: dict[str, int]


@pytest.fixture(scope="module")
def season(bigquery_client, warehouse_tables):
    # warehouse_tables is requested first so the shared datasets exist before settings are
    # pointed at this module's own copy of the warehouse.
    client = bigquery_client
    with isolated_warehouse(client):
        seed_dates(client, SEED_START, SEED_END)
        for day in _days(SEED_START, EARLY_DAY):
            _run_phase3(client, day, context=False)
        for shift in HISTORY_SHIFTS:
            copy_history(client, POST_GAME_TABLES, SEED_START, EARLY_DAY, shift)
        _run_phase3(client, EARLY_DAY, post_game=False)
        _run_phase4(client, EARLY_DAY)
        early_snapshot = _snapshot(client, EARLY_DAY)
        # A fingerprint is "rows:distinct rows:xor".
        early_counts = {name: int(fingerprint.split(":")[0]) for name, fingerprint in early_snapshot.items()}
        # Phase 3 rows of A = EARLY_DAY + 1 and later now exist.
        for day in _days(EARLY_DAY + dt.timedelta(days=1), LAST_DAY):
            _run_phase3(client, day)
            _run_phase4(client, day)
        yield Season(client, early_snapshot, early_counts)


# --- reading the inputs back -----------------------------------------------------------------


def _rows_by(rows: list[dict], *key: str) -> dict:
    return {tuple(row[k] for k in key) if len(key) > 1 else row[key[0]]: row for row in rows}


def _precompute(client, name: str, business_date: dt.date, columns: str = "*") -> dict:
    processor = processors.get(name)
    return _rows_by(_plain(fetch_processor_rows(client, name, business_date, columns)), processor.key[1])


def _context(client, table: str, target: dt.date, key: str, columns: str = "*") -> dict:
    return _rows_by(_plain(fetch(client, table, "game_date", target, columns=columns)), key)


def _played_games(client, target: dt.date, columns: str = "*") -> dict[str, list[dict]]:
    """Each player's games of the season with minutes > 0 before the target, newest first."""
    rows = _plain(query(
        client,
        f"SELECT {columns} FROM `{table_id('player_game_summary')}` "
        "WHERE game_date < @target AND minutes_played > 0 AND season_year = @season",
        target=target, season=SEASON,
    ))
    by_player = defaultdict(list)
    for row in rows:
        by_player[row["player_lookup"]].append(row)
    for games in by_player.values():
        games.sort(key=lambda r: r["game_date"], reverse=True)
    return by_player


def _team_games(client, table: str, team_column: str, target: dt.date) -> dict[str, list[dict]]:
    rows = _plain(query(
        client,
        f"SELECT * FROM `{table_id(table)}` WHERE game_date < @target AND season_year = @season",
        target=target, season=SEASON,
    ))
    by_team = defaultdict(list)
    for row in rows:
        by_team[row[team_column]].append(row)
    for games in by_team.values():
        games.sort(key=lambda r: r["game_date"], reverse=True)
    return by_team


# --- comparing -------------------------------------------------------------------------------


def _ratio(numerator, denominator):
    return None if not denominator else numerator / denominator


def _mean(values):
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def assert_rounded(stored, exact, decimals: int, what: str) -> None:
    """``stored`` is ``exact`` rounded to ``decimals`` places (rounding mode aside)."""
    if exact is None:
        assert stored is None, f"{what}: expected NULL, got {stored}"
        return
    assert stored is not None, f"{what}: expected {exact}, got NULL"
    assert abs(stored - exact) <= 0.5 * 10 ** -decimals + 1e-9, f"{what}: {stored} != {exact}"


# --- the platform's rules, recomputed ---------------------------------------------------------

ZONES = ("paint", "mid_range", "three_pt")
ZONE_NAMES = {"paint": "paint", "mid_range": "mid_range", "three_pt": "perimeter"}
# The league's defaults when fewer than 10 teams have 10 games in the 30 days before.
LEAGUE_DEFAULTS = {"paint": 0.580, "mid_range": 0.410, "three_pt": 0.355}
OPENING_NIGHT = dt.date(SEASON, 10, 22)  # the platform's default: the seeded schedule starts later


def _defense_games(client, target: dt.date, columns: str = "*") -> dict[str, list[dict]]:
    rows = _plain(query(
        client,
        f"SELECT {columns} FROM `{table_id('team_defense_game_summary')}` WHERE game_date < @target AND game_date >= @boundary",
        target=target, boundary=dt.date(SEASON, 10, 1),
    ))
    by_team = defaultdict(list)
    for row in rows:
        by_team[row["defending_team_abbr"]].append(row)
    for games in by_team.values():
        games.sort(key=lambda r: r["game_date"], reverse=True)
    return by_team


def _zone_fraction(games: list[dict], zone: str):
    makes = sum(g[f"opp_{zone}_makes"] or 0 for g in games)
    return _ratio(makes, sum(g[f"opp_{zone}_attempts"] or 0 for g in games))


def expected_league(client, target: dt.date) -> tuple[dict, int]:
    """The unweighted mean of the fractions of the teams with 10 games in target - 30 .. target - 1."""
    recent = {team: [g for g in games if g["game_date"] >= target - dt.timedelta(days=30)]
              for team, games in _defense_games(client, target).items()}
    fractions = [{z: _zone_fraction(games, z) for z in ZONES} for games in recent.values() if len(games) >= 10]
    fractions = [f for f in fractions if all(v is not None for v in f.values())]
    if len(fractions) < 10:
        return dict(LEAGUE_DEFAULTS), len(fractions)
    return {z: _mean([f[z] for f in fractions]) for z in ZONES}, len(fractions)


def expected_player_games(client, target: dt.date, columns: str = "*") -> dict[str, list[dict]]:
    """The shot-zone sample: active games with minutes or attempts since opening night, newest first."""
    rows = _plain(query(
        client,
        f"SELECT {columns} FROM `{table_id('player_game_summary')}` WHERE game_date < @target AND game_date >= @opening "
        "AND is_active AND (minutes_played > 0 OR fg_attempts > 0)",
        target=target, opening=OPENING_NIGHT,
    ))
    by_player = defaultdict(list)
    for row in rows:
        by_player[row["player_lookup"]].append(row)
    for games in by_player.values():
        games.sort(key=lambda r: r["game_date"], reverse=True)
    return by_player


def fatigue_of(context: dict) -> int:
    """The platform's fatigue score from a context row (100 = rested)."""
    def value(name, default):
        return default if context[name] is None else context[name]

    score = 100
    if value("back_to_back", False):
        score -= 15
    elif value("days_rest", 1) >= 3:
        score += 5
    score -= 10 if value("games_in_last_7_days", 3) >= 4 else 0
    score -= 10 if value("minutes_in_last_7_days", 200) > 240 else 0
    score -= 8 if value("avg_minutes_per_game_last_7", 30) > 35 else 0
    back_to_backs = value("back_to_backs_last_14_days", 0)
    score -= 12 if back_to_backs >= 2 else 5 if back_to_backs == 1 else 0
    age = value("player_age", 25)
    score -= 10 if age >= 35 else 5 if age >= 30 else 0
    return max(0, min(100, score))


# --- the tests -------------------------------------------------------------------------------


def test_rows_are_the_platforms_players_and_teams(season):
    """Teams with 15 games, players with 10 (shot zones) or 3 (cache), the context's players."""
    client = season.client
    # Only the key and date columns travel: the sets of teams and players are what is checked.
    players, teams = "player_lookup, game_date", "defending_team_abbr, game_date"
    for day in _days(EARLY_DAY, LAST_DAY):
        target = day + dt.timedelta(days=1)
        context = set(_context(client, "upcoming_player_game_context", target, "player_lookup", "player_lookup"))
        assert context, f"no games scheduled on {target}: pick other dates"
        teams_with_15 = {team for team, games in _defense_games(client, target, teams).items() if len(games) >= 15}
        assert set(_precompute(client, "team_defense_zone_analysis", day, "team_abbr")) == teams_with_15, target
        with_10 = {p for p, games in expected_player_games(client, target, players).items() if len(games) >= 10}
        assert set(_precompute(client, "player_shot_zone_analysis", day, "player_lookup")) == with_10, target
        assert set(_precompute(client, "player_composite_factors", day, "player_lookup")) == context, target
        cache = set(_precompute(client, "player_daily_cache", day, "player_lookup"))
        assert context & cache and cache - context <= set(_played_games(client, target, players)), target
    for processor in PHASE4:
        assert duplicate_keys(client, processor.name) == [], processor.name


def test_only_games_before_the_analysis_date_are_used(season):
    """Phase 3 rows of A and later appeared after the first run; a re-run gives the same rows."""
    client = season.client
    target = EARLY_DAY + dt.timedelta(days=1)
    later = query(
        client,
        f"SELECT COUNT(*) AS n FROM `{table_id('player_game_summary')}` WHERE game_date >= @target",
        target=target,
    )[0]["n"]
    assert later > 0, "the later phase 3 rows this test relies on are missing"

    _run_phase4(client, EARLY_DAY, fence=2, run_id="rerun-after-later-games")

    assert _snapshot(client, EARLY_DAY) == season.early_snapshot
    for processor in PHASE4:
        rows = fetch_processor_rows(client, processor.name, EARLY_DAY)
        assert len(rows) == season.early_counts[processor.name]
        assert {r["_fence"] for r in rows} == {2}, processor.name
    # D's own games count: the samples are those of the games before A, D included.
    defense = _defense_games(client, target)
    for team, row in _precompute(client, "team_defense_zone_analysis", EARLY_DAY).items():
        assert row["games_in_sample"] == min(15, len(defense[team])), team
    assert any(g["game_date"] == EARLY_DAY for games in defense.values() for g in games[:15])


def test_team_defense_zones_match_the_platforms_rules(season):
    client = season.client
    target = CHECKED_DAY + dt.timedelta(days=1)
    league, qualifying = expected_league(client, target)
    print(f"\nleague average of {target}: {qualifying} qualifying teams, {league}")
    stored = _precompute(client, "team_defense_zone_analysis", CHECKED_DAY)
    assert stored
    for team, row in stored.items():
        games = _defense_games(client, target)[team][:15]
        assert row["games_in_sample"] == len(games) == 15, team
        vs_league = {}
        for zone in ZONES:
            fraction = _zone_fraction(games, zone)
            assert 0 < row[f"{zone}_pct_allowed_last_15"] < 1, (team, zone)  # a fraction
            assert_rounded(row[f"{zone}_pct_allowed_last_15"], fraction, 3, f"{team} {zone} pct")
            attempts = sum(g[f"opp_{zone}_attempts"] for g in games) / len(games)
            assert_rounded(row[f"{zone}_attempts_allowed_per_game"], attempts, 1, f"{team} {zone} attempts")
            vs_league[ZONE_NAMES[zone]] = (fraction - league[zone]) * 100  # percentage points
            assert_rounded(row[f"{zone}_defense_vs_league_avg"], vs_league[ZONE_NAMES[zone]], 2, f"{team} {zone} vs")
        assert row["weakest_zone"] == max(vs_league, key=vs_league.get), team
        assert row["strongest_zone"] == min(vs_league, key=vs_league.get), team
        assert_rounded(row["paint_points_allowed_per_game"],
                       sum(g["points_in_paint_allowed"] for g in games) / len(games), 1, team)
        assert_rounded(row["defensive_rating_last_15"], _mean([g["defensive_rating"] for g in games]), 2, team)
        assert_rounded(row["opponent_pace"], _mean([g["opponent_pace"] for g in games]), 1, team)
        assert_rounded(row["opponent_points_per_game"], _mean([g["points_allowed"] for g in games]), 1, team)
        assert (row["data_quality_tier"], row["early_season_flag"]) == ("high", False), team
    zones = {r["weakest_zone"] for r in stored.values()} | {r["strongest_zone"] for r in stored.values()}
    assert zones <= {"paint", "mid_range", "perimeter"} and "perimeter" in zones


def test_player_shot_zones_match_the_platforms_rules(season):
    client = season.client
    target = CHECKED_DAY + dt.timedelta(days=1)
    games = expected_player_games(client, target)
    stored = _precompute(client, "player_shot_zone_analysis", CHECKED_DAY)
    zones_seen = set()
    for player, row in stored.items():
        last_10, last_20 = games[player][:10], games[player][:20]
        assert (row["games_in_sample_10"], row["games_in_sample_20"]) == (len(last_10), len(last_20)), player
        attempts = {z: sum(g[f"{z}_attempts"] or 0 for g in last_10) for z in ZONES}
        total = sum(attempts.values())
        for zone in ZONES:
            # Percents of all zoned attempts (the rates sum to 100), FG% as fractions.
            assert_rounded(row[f"{zone}_rate_last_10"], 100 * attempts[zone] / total, 2, f"{player} {zone} rate")
            makes = sum(g[f"{zone}_makes"] or 0 for g in last_10)
            assert_rounded(row[f"{zone}_pct_last_10"], _ratio(makes, attempts[zone]), 3, f"{player} {zone} pct")
            assert_rounded(row[f"{zone}_attempts_per_game"], attempts[zone] / len(last_10), 1, player)
        assert abs(sum(row[f"{z}_rate_last_10"] for z in ZONES) - 100) <= 0.02, player
        made = sum(g["fg_makes"] for g in last_10)
        assert_rounded(row["assisted_rate_last_10"], _ratio(100 * sum(g["assisted_fg_makes"] for g in last_10), made),
                       2, f"{player} assisted")
        paint_20 = 100 * sum(g["paint_attempts"] for g in last_20) / sum(
            sum(g[f"{z}_attempts"] for g in last_20) for z in ZONES)
        assert_rounded(row["paint_rate_last_20"], paint_20 if len(last_20) >= 15 else None, 2, f"{player} paint 20")
        rates = {z: round(100 * attempts[z] / total, 2) for z in ZONES}
        expected_zone = ("paint" if rates["paint"] >= 40 else "perimeter" if rates["three_pt"] >= 40
                         else "mid_range" if rates["mid_range"] >= 35 else "balanced")
        assert row["primary_scoring_zone"] == expected_zone, player
        zones_seen.add(expected_zone)
        assert row["sample_quality_10"] == "excellent", player
        assert row["sample_quality_20"] == ("excellent" if len(last_20) == 20 else "good" if len(last_20) >= 14
                                            else "limited"), player
        assert (row["data_quality_tier"], row["early_season_flag"]) == ("high", False), player
    assert {"paint", "perimeter"} <= zones_seen <= {"paint", "perimeter", "mid_range", "balanced"}
    # A player's zone uses the team table's names: some player faces a team weakest in his zone.
    defense = _precompute(client, "team_defense_zone_analysis", CHECKED_DAY)
    context = _context(client, "upcoming_player_game_context", target, "player_lookup")
    assert any(row["primary_scoring_zone"] == defense[context[p]["opponent_team_abbr"]]["weakest_zone"]
               for p, row in stored.items() if p in context and context[p]["opponent_team_abbr"] in defense)


def test_player_daily_cache_matches_the_platforms_rules(season):
    client = season.client
    target = CHECKED_DAY + dt.timedelta(days=1)
    games = _played_games(client, target)
    team_games = _team_games(client, "team_offense_game_summary", "team_abbr", target)
    context = _context(client, "upcoming_player_game_context", target, "player_lookup")
    zones = _precompute(client, "player_shot_zone_analysis", CHECKED_DAY)
    stored = _precompute(client, "player_daily_cache", CHECKED_DAY)
    assert {p for p in context if len(games.get(p, [])) >= 3} <= set(stored)
    for player, row in stored.items():
        history = [g for g in games[player] if g["is_active"] and not g["is_dnp"]]
        last_10 = history[:10]
        assert row["games_played_season"] == len(history) >= 3, player
        assert row["early_season_flag"] == (len(history) < 10), player
        assert_rounded(row["points_avg_last_5"], _mean([g["points"] for g in history[:5]]), 1, player)
        assert_rounded(row["points_avg_last_10"], _mean([g["points"] for g in last_10]), 1, player)
        assert_rounded(row["points_avg_season"], _mean([g["points"] for g in history]), 1, player)
        assert_rounded(row["points_std_last_10"], statistics.stdev([g["points"] for g in last_10]), 2, player)
        assert_rounded(row["minutes_avg_last_10"], _mean([g["minutes_played"] for g in last_10]), 1, player)
        assert_rounded(row["usage_rate_last_10"], _mean([g["usage_rate"] for g in last_10]), 2, player)
        assert_rounded(row["ts_pct_last_10"], _mean([g["ts_pct"] for g in last_10]), 3, player)
        made = sum(g["fg_makes"] for g in last_10)
        assert_rounded(row["assisted_rate_last_10"],
                       _ratio(100 * sum(g["assisted_fg_makes"] for g in last_10), made), 2, f"{player} assisted")
        team = context[player]["team_abbr"] if player in context else history[0]["team_abbr"]
        window = team_games.get(team, [])[:10]
        assert_rounded(row["team_pace_last_10"], _mean([g["pace"] for g in window]), 1, player)
        assert_rounded(row["team_off_rating_last_10"], _mean([g["offensive_rating"] for g in window]), 2, player)
        zone = zones.get(player)
        assert row["shot_zone_data_available"] == (zone is not None), player
        for column in ("primary_scoring_zone", "paint_rate_last_10", "three_pt_rate_last_10"):
            assert row[column] == (zone[column] if zone else None), (player, column)
        if player in context:
            assert row["minutes_in_last_7_days"] == context[player]["minutes_in_last_7_days"], player
    assert any(r["early_season_flag"] is False for r in stored.values())


def test_player_composite_factors_match_the_platforms_rules(season):
    client = season.client
    target = CHECKED_DAY + dt.timedelta(days=1)
    context = _context(client, "upcoming_player_game_context", target, "player_lookup")
    zones = _precompute(client, "player_shot_zone_analysis", CHECKED_DAY)
    defense = _precompute(client, "team_defense_zone_analysis", CHECKED_DAY)
    stored = _precompute(client, "player_composite_factors", CHECKED_DAY)
    rested = tired = matched = 0
    for player, row in stored.items():
        c = context[player]
        fatigue = fatigue_of(c)
        assert row["fatigue_score"] == fatigue, player
        rested += fatigue == 100
        tired += bool(c["back_to_back"])
        if c["back_to_back"]:
            assert row["fatigue_score"] <= 85, player  # a back-to-back costs 15 points of rest
        zone, opponent = zones.get(player), defense.get(c["opponent_team_abbr"])
        if zone and opponent:
            name = {"mid_range": "mid_range", "perimeter": "three_pt"}.get(zone["primary_scoring_zone"], "paint")
            rate = 50 if zone[f"{name}_rate_last_10"] is None else zone[f"{name}_rate_last_10"]
            weighted = (opponent[f"{name}_defense_vs_league_avg"] or 0) * min(rate / 50, 1)
            mismatch = max(-10, min(10, weighted * (1.2 if abs(weighted) > 5 else 1)))
            matched += 1
        else:
            mismatch = 0.0
        assert_rounded(row["shot_zone_mismatch_score"], mismatch, 1, f"{player} mismatch")
        pace = max(-3, min(3, (c["pace_differential"] or 0) / 2))
        assert_rounded(row["pace_score"], pace, 1, f"{player} pace")
        recent = 25 if c["avg_usage_rate_last_7_games"] is None else c["avg_usage_rate_last_7_games"]
        base = 0.3 * (25 - recent) if recent else 0.0  # no recent usage: 0, as the platform
        stars = c["star_teammates_out"] or 0
        usage = max(-3, min(3, base * ((1.30 if stars >= 2 else 1.15 if stars == 1 else 1) if base > 0 else 1)))
        assert_rounded(row["usage_spike_score"], usage, 1, f"{player} usage")
        assert_rounded(row["total_composite_adjustment"], (fatigue - 100) / 20 + mismatch + pace + usage, 2, player)
        assert -21 <= row["total_composite_adjustment"] <= 16
        present = [c["days_rest"], c["projected_usage_rate"], c["pace_differential"], zone, opponent]
        assert row["data_completeness_pct"] == 20 * sum(v is not None for v in present), player
    print(f"\ncomposite factors: {len(stored)} players, {rested} fully rested, {tired} on a back-to-back, "
          f"{matched} with both zone rows")
    assert rested and tired and matched, "the sample must have rested, tired and matched players"


def test_contract_columns_computed_on_a_game_day(season):
    """Per table: contract columns, how many the DDL has, how many a generated game day fills.

    A column counts as computed when some row holds a non-NULL value (an empty REPEATED column
    is not NULL in BigQuery). Every column left NULL is one docs/compatibility.md explains.
    """
    from nba_pipeline_dev import compatibility, contracts

    print(f"\nphase 4 contract columns on the analysis date {CHECKED_DAY + dt.timedelta(days=1)}")
    for name in compatibility.PHASE4:
        columns = compatibility.contract_columns(name)
        contract = [c["name"] for c in contracts.contract(f"nba_precompute.{name}")["columns"]]
        rows = fetch_processor_rows(season.client, name, CHECKED_DAY)
        assert rows, name
        left_null = {c.name for c in columns if all(r[c.name] is None for r in rows)}
        computed = len(columns) - len(left_null)
        print(f"  {name}: {len(rows)} rows, {len(contract)} contract columns, {len(columns)} present, "
              f"{computed} computed ({100 * computed / len(contract):.0f}%), NULL: {sorted(left_null)}")
        assert [c.name for c in columns] == contract, name
        explained = set(compatibility.NULL_REASONS[name]) | set(compatibility.CONDITIONAL.get(name, {}))
        assert left_null <= explained, f"{name}: NULL without a documented reason: {sorted(left_null - explained)}"
        assert set(compatibility.NULL_REASONS[name]) <= left_null, name


def test_feature_store_on_a_mid_season_day(season):
    """The 60 features on the checked analysis date, whose history (copied 28 and 56 days back)
    gives every team 15 games: the zone tables have rows, so only features without an input
    table here may be defaults for every player."""
    client = season.client
    gated = {i for table, features in GATED_FEATURES.items()
             if not fetch_processor_rows(client, table, CHECKED_DAY) for i in features}
    assert not gated, f"a zone table is empty on the mid-season day: features {sorted(gated)}"
    rows = fetch_processor_rows(client, "ml_feature_store_v2", CHECKED_DAY)
    # With nothing gated, every feature but those without an input table here must be computed.
    check_generated_feature_rows(rows, gated, CHECKED_DAY + dt.timedelta(days=1))


def test_rerun_gives_identical_rows(season):
    client = season.client
    before = _snapshot(client, CHECKED_DAY)
    counts = {p.name: len(fetch_processor_rows(client, p.name, CHECKED_DAY)) for p in PHASE4}

    _run_phase4(client, CHECKED_DAY, fence=1, run_id="same-fence-again")
    assert _snapshot(client, CHECKED_DAY) == before

    _run_phase4(client, CHECKED_DAY, fence=2, run_id="newer-lease")
    assert _snapshot(client, CHECKED_DAY) == before
    for processor in PHASE4:
        rows = fetch_processor_rows(client, processor.name, CHECKED_DAY)
        assert len(rows) == counts[processor.name]
        assert {(r["_fence"], r["_run_id"]) for r in rows} == {(2, "newer-lease")}, processor.name


def test_an_older_fence_changes_nothing_and_a_newer_one_replaces_the_date(season):
    client = season.client
    target = FENCED_DAY + dt.timedelta(days=1)
    _run_phase4(client, FENCED_DAY, fence=5, run_id="current-holder")
    full_before = _snapshot(client, FENCED_DAY, exclude=())
    content_before = _snapshot(client, FENCED_DAY)
    other_dates_before = _snapshot(client, CHECKED_DAY, exclude=())

    # The inputs change (a player drops off the slate), then a writer with an older lease runs.
    # (The context decides the rows of the composite factors and the feature store.)
    dropped = sorted(_context(client, "upcoming_player_game_context", target, "player_lookup"))[0]
    query(
        client,
        f"DELETE FROM `{table_id('upcoming_player_game_context')}` "
        "WHERE game_date = @target AND player_lookup = @player",
        target=target, player=dropped,
    )
    _run_phase4(client, FENCED_DAY, fence=3, run_id="stale-holder")
    # Lineage included: not one row was inserted, updated (processed_at) or deleted.
    assert _snapshot(client, FENCED_DAY, exclude=()) == full_before

    # The holder of a newer lease replaces the date: the dropped player's rows go.
    _run_phase4(client, FENCED_DAY, fence=6, run_id="new-holder")
    for name in ("player_composite_factors", "ml_feature_store_v2"):
        rows = fetch_processor_rows(client, name, FENCED_DAY)
        assert dropped not in {r["player_lookup"] for r in rows}, name
    for name in PLAYER_TABLES:
        assert {r["_fence"] for r in fetch_processor_rows(client, name, FENCED_DAY)} == {6}, name
    after = _snapshot(client, FENCED_DAY)
    assert after["team_defense_zone_analysis"] == content_before["team_defense_zone_analysis"]
    assert after["player_composite_factors"] != content_before["player_composite_factors"]
    assert _snapshot(client, CHECKED_DAY, exclude=()) == other_dates_before


def test_a_date_without_games_writes_nothing_and_succeeds(season):
    client = season.client
    target = ALL_STAR_DAY + dt.timedelta(days=1)
    data = seed_dates(client, ALL_STAR_DAY - dt.timedelta(days=3), target + dt.timedelta(days=2))
    assert data.game_dates == [], "the All-Star break should have no games"
    other_dates_before = _snapshot(client, CHECKED_DAY, exclude=())

    _run_phase3(client, ALL_STAR_DAY)
    _run_phase4(client, ALL_STAR_DAY, fence=1, run_id="all-star-break")

    for processor in PHASE4:
        assert fetch_processor_rows(client, processor.name, ALL_STAR_DAY) == [], processor.name
    assert _snapshot(client, CHECKED_DAY, exclude=()) == other_dates_before


def test_changing_the_analysis_dates_own_games_changes_none_of_its_phase4_rows(season):
    """A's raw boxscores change (every player scores 7 more), phase 3 of A is rebuilt from them:
    the phase 4 rows of analysis date A, re-run, are the rows written before any of A existed.

    Last in the module: it rewrites A's phase 3 rows, which the later dates' phase 4 rows read."""
    client = season.client
    target = EARLY_DAY + dt.timedelta(days=1)
    # A's phase 3 rebuilt first: an earlier test's seeding replaced the season's players registry
    # (it counts appearances over the seeded range), which phase 3 reads.
    _run_phase3(client, target, context=False)
    post_game_before = {t: table_hash(client, t, "game_date", target) for t in POST_GAME_TABLES}

    def shift_points(delta: int) -> None:
        for raw in ("nbac_gamebook_player_stats", "nbac_player_boxscores"):
            query(client, f"UPDATE `{table_id(raw, 'raw')}` SET points = points + @delta "
                          "WHERE game_date = @target AND points IS NOT NULL", delta=delta, target=target)
        _run_phase3(client, target, context=False)

    shift_points(7)
    try:
        changed = {t for t in POST_GAME_TABLES if table_hash(client, t, "game_date", target) != post_game_before[t]}
        assert "player_game_summary" in changed, "A's raw change did not reach phase 3: the test proves nothing"
        _run_phase4(client, EARLY_DAY, fence=3, run_id="rerun-after-a-changed")
        assert _snapshot(client, EARLY_DAY) == season.early_snapshot
    finally:
        shift_points(-7)
    assert {t: table_hash(client, t, "game_date", target) for t in POST_GAME_TABLES} == post_game_before
