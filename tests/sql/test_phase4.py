"""Phase 4 precompute SQL on the local BigQuery stand-in, over seeded raw data.

One module-wide season: raw data for 2026-01-20..2026-02-05 is seeded at once (so rows of
later dates exist from the start), phase 3 runs date by date, its post-game rows are copied to
earlier dates for longer histories, and phase 4 runs for analysis dates A = D + 1. Expected
values are recomputed here in Python from the phase 3 tables and raw play-by-play, with the
formulas the SQL files document.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from dataclasses import dataclass

import pytest

from nba_pipeline import processors

from .helpers import (
    content_hash,
    duplicate_keys,
    fetch,
    fetch_processor_rows,
    isolated_warehouse,
    query,
    run,
    seed_dates,
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
ZONES = ("paint", "mid_range", "three")
# The player_game_summary columns of each zone (threes from the play-by-play, like the others).
ZONE_COLUMNS = {"paint": ("paint_attempts", "paint_makes"), "mid_range": ("mid_range_attempts", "mid_range_makes"),
                "three": ("three_attempts_pbp", "three_makes_pbp")}


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


def _snapshot(client, business_date: dt.date, exclude=("_fence", "_run_id", "processed_at")) -> dict:
    return {
        p.name: content_hash(fetch_processor_rows(client, p.name, business_date), exclude=exclude)
        for p in PHASE4
    }


def _copy_history(client, first: dt.date, last: dt.date, shift_days: int) -> None:
    """Copy the post-game phase 3 rows of first..last to ``shift_days`` earlier.

    Seeding and running phase 3 over a whole season takes minutes; copies give every player
    more than 20 earlier games, so the 5-, 10-, 15- and 20-game windows and the season all
    differ. Copied games get their own NBA game ids, so no play-by-play matches them.
    """
    for table in POST_GAME_TABLES:
        target = table_id(table)
        columns = [field.name for field in client.get_table(target).schema]
        new_date = "DATE_SUB(game_date, INTERVAL @shift DAY)"
        shifted = {
            "game_date": new_date,
            "game_id": f"CONCAT(FORMAT_DATE('%Y%m%d', {new_date}), SUBSTR(game_id, 9))",
            "nba_game_id": "CONCAT('H', CAST(@shift AS STRING), '_', nba_game_id)",
        }
        query(
            client,
            f"INSERT INTO `{target}` ({', '.join(columns)}) "
            f"SELECT {', '.join(shifted.get(c, c) for c in columns)} FROM `{target}` "
            "WHERE game_date BETWEEN @first AND @last",
            shift=shift_days, first=first, last=last,
        )


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
    with isolated_warehouse(client, "phase4"):
        seed_dates(client, SEED_START, SEED_END)
        for day in _days(SEED_START, EARLY_DAY):
            _run_phase3(client, day, context=False)
        for shift in HISTORY_SHIFTS:
            _copy_history(client, SEED_START, EARLY_DAY, shift)
        _run_phase3(client, EARLY_DAY, post_game=False)
        _run_phase4(client, EARLY_DAY)
        early_snapshot = _snapshot(client, EARLY_DAY)
        early_counts = {
            p.name: len(fetch_processor_rows(client, p.name, EARLY_DAY)) for p in PHASE4
        }
        # Phase 3 rows of A = EARLY_DAY + 1 and later now exist.
        for day in _days(EARLY_DAY + dt.timedelta(days=1), LAST_DAY):
            _run_phase3(client, day)
            _run_phase4(client, day)
        yield Season(client, early_snapshot, early_counts)


# --- reading the inputs back -----------------------------------------------------------------


def _rows_by(rows: list[dict], *key: str) -> dict:
    return {tuple(row[k] for k in key) if len(key) > 1 else row[key[0]]: row for row in rows}


def _precompute(client, name: str, business_date: dt.date) -> dict:
    processor = processors.get(name)
    return _rows_by(fetch_processor_rows(client, name, business_date), processor.key[1])


def _context(client, table: str, target: dt.date, key: str) -> dict:
    return _rows_by(_plain(fetch(client, table, "game_date", target)), key)


def _played_games(client, target: dt.date) -> dict[str, list[dict]]:
    """Each player's games of the season with minutes > 0 before the target, newest first."""
    rows = _plain(query(
        client,
        f"SELECT * FROM `{table_id('player_game_summary')}` "
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


# --- the tests -------------------------------------------------------------------------------


def test_one_row_per_scheduled_team_and_player(season):
    client = season.client
    for day in _days(EARLY_DAY, LAST_DAY):
        target = day + dt.timedelta(days=1)
        teams = set(_context(client, "upcoming_team_game_context", target, "team_abbr"))
        players = set(_context(client, "upcoming_player_game_context", target, "player_lookup"))
        assert teams and players, f"no games scheduled on {target}: pick other dates"
        assert set(_precompute(client, "team_defense_zone_analysis", day)) == teams
        for name in PLAYER_TABLES:
            rows = fetch_processor_rows(client, name, day)
            assert len(rows) == len(players), (name, target)
            assert {r["player_lookup"] for r in rows} == players, (name, target)
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
    zones = fetch_processor_rows(client, "team_defense_zone_analysis", EARLY_DAY)
    assert all(r["sample_last_game_date"] < target for r in zones if r["sample_last_game_date"])
    cache = fetch_processor_rows(client, "player_daily_cache", EARLY_DAY)
    assert all(r["last_game_date"] < target for r in cache if r["last_game_date"])
    assert any(r["last_game_date"] == EARLY_DAY for r in cache), "D's own games must be used"


def test_player_shot_zones_match_a_recomputation(season):
    client = season.client
    target = CHECKED_DAY + dt.timedelta(days=1)
    games = _played_games(client, target)
    stored = _precompute(client, "player_shot_zone_analysis", CHECKED_DAY)
    zones_seen = set()
    for player, row in stored.items():
        history = games.get(player, [])
        assert row["games_in_sample_10"] == min(10, len(history)), player
        assert row["games_in_sample_20"] == min(20, len(history)), player
        for window in (10, 20):
            sample = history[:window]
            attempts = {z: sum(g[ZONE_COLUMNS[z][0]] or 0 for g in sample) for z in ZONES}
            makes = {z: sum(g[ZONE_COLUMNS[z][1]] or 0 for g in sample) for z in ZONES}
            total = sum(attempts.values())
            assert row[f"shot_attempts_last_{window}"] == total, player
            for zone in ZONES:
                assert_rounded(row[f"{zone}_rate_last_{window}"], _ratio(attempts[zone], total),
                               4, f"{player} {zone}_rate_last_{window}")
                assert_rounded(row[f"{zone}_pct_last_{window}"], _ratio(makes[zone], attempts[zone]),
                               4, f"{player} {zone}_pct_last_{window}")
            if window == 20:
                rates = {z: _ratio(attempts[z], total) for z in ZONES}
                if not total:
                    expected_zone = None
                elif rates["paint"] >= 0.40:
                    expected_zone = "paint"
                elif rates["three"] >= 0.40:
                    expected_zone = "perimeter"
                elif rates["mid_range"] >= 0.30:
                    expected_zone = "mid_range"
                else:
                    expected_zone = "balanced"
                assert row["primary_scoring_zone"] == expected_zone, player
                zones_seen.add(expected_zone)
        expected_flag = "no_games" if not history else "low_sample" if len(history) < 5 else "ok"
        assert row["data_quality_flag"] == expected_flag, player
    # The sample exercises the thresholds and windows, not just one branch.
    assert {"paint", "perimeter"} <= zones_seen
    assert any(
        r["games_in_sample_20"] == 20 and r["shot_attempts_last_20"] > r["shot_attempts_last_10"]
        for r in stored.values()
    )


def test_team_defense_zones_match_a_recomputation(season):
    client = season.client
    target = CHECKED_DAY + dt.timedelta(days=1)
    team_games = _team_games(client, "team_defense_game_summary", "defending_team_abbr", target)
    windows = {team: games[:15] for team, games in team_games.items()}
    possessions = {(g["game_date"], g["team_abbr"]): g["possessions"]
                   for games in _team_games(client, "team_offense_game_summary", "team_abbr", target).values()
                   for g in games}
    shots = query(
        client,
        "SELECT game_id, event_id, player_1_team_abbr AS team_abbr, "
        "player_1_lookup AS player_lookup, shot_type, shot_distance, shot_made "
        f"FROM `{table_id('nbac_play_by_play', 'raw')}` WHERE game_date < @target AND event_type = 'fieldgoal'",
        target=target,
    )
    for shot in shots:  # the platform's zones: a two within 8 feet is in the paint
        shot["shot_zone"] = "three" if shot["shot_type"] == "3PT" else (
            "paint" if shot["shot_distance"] <= 8.0 else "mid_range")
    # One row per (game, event), the same pick as the SQL's when a feed repeats an event.
    events = {}
    pick_order = ("team_abbr", "player_lookup", "shot_zone", "shot_made")
    for shot in sorted(shots, key=lambda s: tuple(s[c] for c in pick_order)):
        events.setdefault((shot["game_id"], shot["event_id"]), shot)
    counts = defaultdict(lambda: [0, 0])  # (nba game id, shooting team, zone) -> [attempts, makes]
    for shot in events.values():
        cell = counts[(shot["game_id"], shot["team_abbr"], shot["shot_zone"])]
        cell[0] += 1
        cell[1] += int(shot["shot_made"])

    # Per defending team and zone: [attempts, makes] of its opponents over its window.
    allowed = {
        team: {
            zone: [sum(counts[(g["game_id"], g["opponent_team_abbr"], zone)][i] for g in games)
                   for i in (0, 1)]
            for zone in ZONES
        }
        for team, games in windows.items()
    }
    league = {
        zone: _ratio(sum(a[zone][1] for a in allowed.values()), sum(a[zone][0] for a in allowed.values()))
        for zone in ZONES
    }

    stored = _precompute(client, "team_defense_zone_analysis", CHECKED_DAY)
    assert stored
    for team, row in stored.items():
        games = windows.get(team, [])
        assert row["games_in_sample"] == len(games), team
        assert row["sample_last_game_date"] == max(g["game_date"] for g in games), team
        zone_counts = allowed[team]
        total = sum(zone_counts[z][0] for z in ZONES)
        assert row["opp_shot_attempts"] == total, team
        vs_league = {}
        for zone in ZONES:
            pct = _ratio(zone_counts[zone][1], zone_counts[zone][0])
            vs_league[zone] = pct - league[zone]
            assert_rounded(row[f"opp_{zone}_attempt_rate"], _ratio(zone_counts[zone][0], total),
                           4, f"{team} {zone} rate")
            assert_rounded(row[f"{zone}_pct_allowed"], pct, 4, f"{team} {zone} pct")
            assert_rounded(row[f"league_{zone}_pct"], league[zone], 4, f"league {zone}")
            assert_rounded(row[f"{zone}_pct_vs_league"], vs_league[zone], 4, f"{team} {zone} vs league")
        assert row["strongest_zone"] == min(ZONES, key=lambda z: vs_league[z]), team
        assert row["weakest_zone"] == max(ZONES, key=lambda z: vs_league[z]), team
        # The opponent's possessions are its offense line's (stored truncated).
        known = [g for g in games if (possessions.get((g["game_date"], g["opponent_team_abbr"])) or 0) > 0]
        rating = 100 * _ratio(sum(g["points_allowed"] for g in known),
                              sum(possessions[(g["game_date"], g["opponent_team_abbr"])] for g in known))
        assert_rounded(row["defensive_rating_last_15"], rating, 2, f"{team} defensive rating")
        assert_rounded(row["points_allowed_avg_last_15"], _mean([g["points_allowed"] for g in games]),
                       2, f"{team} points allowed")
        assert row["data_quality_flag"] == ("ok" if len(games) >= 5 else "low_sample"), team
    assert any(r["games_in_sample"] == 15 for r in stored.values())


def test_player_daily_cache_matches_a_recomputation(season):
    client = season.client
    target = CHECKED_DAY + dt.timedelta(days=1)
    games = _played_games(client, target)
    team_games = _team_games(client, "team_offense_game_summary", "team_abbr", target)
    context = _context(client, "upcoming_player_game_context", target, "player_lookup")
    zones = _precompute(client, "player_shot_zone_analysis", CHECKED_DAY)
    stored = _precompute(client, "player_daily_cache", CHECKED_DAY)
    with_std = 0
    for player, row in stored.items():
        history = games.get(player, [])
        last_10 = history[:10]
        assert row["games_in_sample"] == len(history), player
        assert row["last_game_date"] == (history[0]["game_date"] if history else None), player
        assert_rounded(row["points_avg_last_5"], _mean([g["points"] for g in history[:5]]), 2, player)
        assert_rounded(row["points_avg_last_10"], _mean([g["points"] for g in last_10]), 2, player)
        assert_rounded(row["points_avg_season"], _mean([g["points"] for g in history]), 2, player)
        expected_std = statistics.stdev([g["points"] for g in last_10]) if len(last_10) >= 2 else None
        assert_rounded(row["points_std_last_10"], expected_std, 2, f"{player} std")
        with_std += expected_std is not None
        assert_rounded(row["minutes_avg_last_10"], _mean([g["minutes_played"] for g in last_10]), 2, player)
        assert_rounded(row["usage_rate_last_10"], _mean([g["usage_rate"] for g in last_10]), 2, player)
        shots = 2 * (sum(g["fg_attempts"] for g in last_10) + 0.44 * sum(g["ft_attempts"] for g in last_10))
        expected_ts = _ratio(sum(g["points"] for g in last_10), shots) if last_10 else None
        assert_rounded(row["ts_pct_last_10"], expected_ts, 4, f"{player} ts")
        team_window = team_games.get(row["team_abbr"], [])[:10]
        assert row["team_games_in_sample"] == len(team_window), player
        assert_rounded(row["team_pace_last_10"], _mean([g["pace"] for g in team_window]), 2, player)
        assert_rounded(row["team_offensive_rating_last_10"],
                       _mean([g["offensive_rating"] for g in team_window]), 2, player)
        assert row["points_line"] == context[player]["current_points_line"], player
        assert row["injury_status"] == context[player]["player_status"], player
        assert row["primary_scoring_zone"] == zones[player]["primary_scoring_zone"], player
    assert with_std > len(stored) / 2
    assert any(r["games_in_sample"] > 20 for r in stored.values())
    assert any(r["team_games_in_sample"] == 10 for r in stored.values())


def test_player_composite_factors_match_a_recomputation(season):
    client = season.client
    target = CHECKED_DAY + dt.timedelta(days=1)
    games = _played_games(client, target)
    team_games = _team_games(client, "team_offense_game_summary", "team_abbr", target)
    team_pace = {team: _mean([g["pace"] for g in rows[:10]]) for team, rows in team_games.items()}
    league_pace = _mean(list(team_pace.values()))
    players = _context(client, "upcoming_player_game_context", target, "player_lookup")
    teams = _context(client, "upcoming_team_game_context", target, "team_abbr")
    zones = _precompute(client, "player_shot_zone_analysis", CHECKED_DAY)
    defense = _precompute(client, "team_defense_zone_analysis", CHECKED_DAY)
    stored = _precompute(client, "player_composite_factors", CHECKED_DAY)
    back_to_backs = 0
    for player, row in stored.items():
        history = games.get(player, [])
        days_rest = (target - history[0]["game_date"]).days if history else None
        week = [g for g in history if g["game_date"] >= target - dt.timedelta(days=7)]
        minutes = sum(g["minutes_played"] for g in week)
        assert row["days_rest"] == days_rest, player
        assert row["is_back_to_back"] == (days_rest == 1), player
        back_to_backs += days_rest == 1
        assert row["games_last_7_days"] == len(week), player
        assert_rounded(row["minutes_last_7_days"], minutes, 2, player)
        rest = {1: 40, 2: 20, 3: 10}.get(days_rest, 0)
        fatigue = rest + 45 * min(minutes, 150) / 150 + 15 * min(len(week), 4) / 4
        assert_rounded(row["fatigue_score"], fatigue, 1, f"{player} fatigue")
        assert 0 <= row["fatigue_score"] <= 100

        profile, opponent = zones[player], defense[row["opponent_team_abbr"]]
        parts = [(profile[f"{z}_rate_last_20"], opponent[f"{z}_pct_vs_league"]) for z in ZONES]
        known = all(a is not None and b is not None for a, b in parts)
        mismatch = 100 * sum(a * b for a, b in parts) if known else None
        assert_rounded(row["shot_zone_mismatch_score"], mismatch, 2, f"{player} mismatch")

        assert_rounded(row["opponent_pace_last_10"], team_pace[row["opponent_team_abbr"]], 2, player)
        assert_rounded(row["league_pace_last_10"], league_pace, 2, player)
        assert_rounded(row["pace_score"], team_pace[row["opponent_team_abbr"]] - league_pace, 2, player)

        context, team = players[player], teams[row["team_abbr"]]
        assert row["opponent_team_abbr"] == context["opponent_team_abbr"]
        assert_rounded(row["usage_rate_last_10"], _mean([g["usage_rate"] for g in history[:10]]), 2, player)
        teammates_out = max(0, team["starters_out_count"] - (context["player_status"] == "out"))
        assert row["teammates_out"] == teammates_out, player
        assert row["usage_spike_score"] == min(100, 25 * teammates_out), player
        assert row["team_spread"] == team["game_spread"]
        implied = None if team["game_spread"] is None else team["game_total"] / 2 - team["game_spread"] / 2
        assert_rounded(row["implied_team_total"], implied, 2, player)
        expected_blowout = None if team["game_spread"] is None else abs(team["game_spread"]) >= 10
        assert row["blowout_risk"] == expected_blowout, player
    assert back_to_backs > 0, "no back-to-back in the sample: the rest rule went untested"


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
    for name in PLAYER_TABLES:
        rows = fetch_processor_rows(client, name, FENCED_DAY)
        assert dropped not in {r["player_lookup"] for r in rows}, name
        assert {r["_fence"] for r in rows} == {6}, name
    after = _snapshot(client, FENCED_DAY)
    assert after["team_defense_zone_analysis"] == content_before["team_defense_zone_analysis"]
    assert after["player_shot_zone_analysis"] != content_before["player_shot_zone_analysis"]
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
