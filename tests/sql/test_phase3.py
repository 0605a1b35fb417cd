"""The five phase 3 processors, run on bqemulator against seeded raw data in the platform's shapes.

Expected values are recomputed in Python from the raw rows (the latest version of each), with the
platform's definitions the SQL files follow, so a wrong join, formula, dedup or fallback in the SQL
shows up as a difference.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from decimal import Decimal

import pytest

from nba_pipeline import merge, processors

from . import helpers

pytestmark = pytest.mark.integration

SEED_START = dt.date(2026, 2, 1)
SEED_END = dt.date(2026, 2, 6)
# Business dates run in order, as the DAG would; the last seeded day is the upcoming one.
RUN_DATES = [SEED_START + dt.timedelta(days=i) for i in range((SEED_END - SEED_START).days)]
DUPLICATED = dt.date(2026, 2, 3)
ZERO_TEAM_ROW = dt.date(2026, 2, 4)
MISSING_GAMEBOOK = dt.date(2026, 2, 5)
FAULTS = (
    f"duplicate_raw:{DUPLICATED}",
    f"zero_team_row:{ZERO_TEAM_ROW}",
    f"missing_gamebook:{MISSING_GAMEBOOK}",
)
POST_GAME = ("team_offense_game_summary", "team_defense_game_summary", "player_game_summary")
ODDS_PRIORITY = {"draftkings": 1, "fanduel": 2}
BETTINGPROS_PRIORITY = {"DraftKings": 1, "FanDuel": 2, "BettingPros Consensus": 99}
SEVERITY = {"out": 1, "doubtful": 2, "questionable": 3, "probable": 4}


@pytest.fixture(scope="module")
def warehouse(bigquery_client):
    """A private copy of the warehouse, seeded with faults, phase 3 run for every date."""
    with helpers.isolated_warehouse(bigquery_client) as config:
        helpers.seed_dates(bigquery_client, SEED_START, SEED_END, faults=FAULTS)
        for day in RUN_DATES:
            helpers.run_phase(bigquery_client, 3, day, fence=1, run_id=f"run_{day}")
        yield config


def latest(rows, key, order=lambda r: r["processed_at"]):
    chosen = {}
    for row in rows:
        k = tuple(row[c] for c in key)
        if k not in chosen or order(row) > order(chosen[k]):
            chosen[k] = row
    return chosen


@pytest.fixture(scope="module")
def raw(bigquery_client, warehouse):
    """Every raw row of the seeded range, latest version per raw key (as the SQL must pick)."""
    def table(name, layer="raw"):
        return helpers.query(bigquery_client, f"SELECT * FROM `{helpers.table_id(name, layer)}`")

    schedule = latest(table("nbac_schedule"), ("game_id", "game_date"),
                      order=lambda r: (r["game_status"] or 0, r["processed_at"]))
    return {
        "schedule": schedule,
        "gamebook": latest(table("nbac_gamebook_player_stats"), ("game_id", "player_lookup")),
        "boxscores": latest(table("nbac_player_boxscores"), ("game_id", "player_lookup")),
        "teams": latest(table("nbac_team_boxscore"), ("game_id", "team_abbr")),
        "shots": latest([r for r in table("nbac_play_by_play") if r["event_type"] == "fieldgoal"],
                        ("game_id", "event_id")),
        "props": table("odds_api_player_points_props"),
        "bettingpros": table("bettingpros_player_points_props"),
        "game_lines": table("odds_api_game_lines"),
        "injuries": table("nbac_injury_report"),
        "rosters": table("espn_team_rosters"),
        "registry": table("nba_players_registry", "reference"),
        "gamebook_versions": table("nbac_gamebook_player_stats"),
    }


def analytics_game_id(game):
    return f"{game['game_date']:%Y%m%d}_{game['away_team_tricode']}_{game['home_team_tricode']}"


def final_games(raw, day):
    return [g for g in raw["schedule"].values() if g["game_date"] == day and g["game_status"] == 3]


def player_lines(raw, day):
    """Gamebook lines of the date's final games; a game without any uses its live boxscores."""
    lines = []
    for game in final_games(raw, day):
        gid = analytics_game_id(game)
        book = [r for (g, _), r in raw["gamebook"].items() if g == gid]
        if book:
            lines += [dict(r, primary_source="nbac_gamebook") for r in book]
        else:
            lines += [dict(r, primary_source="nbac_boxscores", player_status="active",
                           minutes_decimal=_minutes(r["minutes"]))
                      for (g, _), r in raw["boxscores"].items() if g == gid]
    return lines


def _minutes(text):
    whole, seconds = text.split(":")
    return int(whole) + int(seconds) / 60


def team_minutes(team):
    return int(team["minutes"].split(":")[0])


def possessions(team):
    return team["fg_attempted"] + 0.44 * team["ft_attempted"] + team["turnovers"] - team["offensive_rebounds"]


def round_half_up(value, places):
    return float(Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding="ROUND_HALF_UP"))


def is_all_zero(team):
    return all(not team[c] for c in ("points", "fg_attempted", "ft_attempted", "turnovers"))


def zone(shot):
    if shot["shot_type"] == "3PT":
        return "three"
    return "paint" if shot["shot_distance"] <= 8.0 else "mid_range"


def best_line(raw, day, player):
    """The current and opening line as the staging function picks them: the Odds API's
    highest-priority bookmaker's latest pre-game snapshot, else BettingPros."""
    offers = [p for p in raw["props"] if p["game_date"] == day and p["player_lookup"] == player
              and (p["minutes_before_tipoff"] or 0) >= 0]
    if offers:
        current = sorted(offers, key=lambda p: (ODDS_PRIORITY.get(p["bookmaker"].lower(), 3), p["bookmaker"],
                                                -p["snapshot_timestamp"].timestamp(), p["points_line"]))[0]
        same_book = [p for p in offers if p["bookmaker"] == current["bookmaker"]]
        opening = sorted(same_book, key=lambda p: (p["snapshot_timestamp"], p["points_line"]))[0]
        return current["points_line"], current["bookmaker"], opening["points_line"], opening["bookmaker"]
    offers = [p for p in raw["bettingpros"] if p["game_date"] == day and p["player_lookup"] == player
              and p["market_type"] == "points" and p["is_active"]]
    if not offers:
        return None
    current = sorted(offers, key=lambda p: (BETTINGPROS_PRIORITY.get(p["bookmaker"], 50), p["bookmaker"],
                                            -p["bookmaker_last_update"].timestamp(), p["points_line"]))[0]
    source = f"bettingpros_{current['bookmaker']}"
    return current["points_line"], source, current["opening_line"], source if current["opening_line"] is not None else None


def latest_injuries(raw, day):
    """Each player's latest status for the games of ``day``: the latest report of the day before
    or the day itself, the more serious status within one report."""
    reports = {}
    for r in raw["injuries"]:
        if r["game_date"] != day or r["player_lookup"] is None:
            continue
        if not day - dt.timedelta(days=1) <= r["report_date"] <= day:
            continue
        rank = (r["report_date"], r["report_hour"], -SEVERITY.get(r["injury_status"], 5))
        if r["player_lookup"] not in reports or rank > reports[r["player_lookup"]][0]:
            reports[r["player_lookup"]] = (rank, r)
    return {player: r for player, (_, r) in reports.items()}


def by(rows, *key):
    return {tuple(r[k] for k in key) if len(key) > 1 else r[key[0]]: r for r in rows}


def rows_of(client, name, business_date):
    return helpers.fetch_processor_rows(client, name, business_date)


def num(value):
    return None if value is None else float(value)


# --- row counts ---------------------------------------------------------------------------


@pytest.mark.parametrize("day", [DUPLICATED, ZERO_TEAM_ROW, MISSING_GAMEBOOK])
def test_post_game_tables_have_one_row_per_team_and_player_of_final_games(bigquery_client, raw, day):
    games = final_games(raw, day)
    assert games, f"the seed has no final games on {day}"
    teams = {g["home_team_tricode"] for g in games} | {g["away_team_tricode"] for g in games}

    offense = rows_of(bigquery_client, "team_offense_game_summary", day)
    defense = rows_of(bigquery_client, "team_defense_game_summary", day)
    players = rows_of(bigquery_client, "player_game_summary", day)

    assert len(offense) == 2 * len(games) and {r["team_abbr"] for r in offense} == teams
    assert len(defense) == 2 * len(games) and {r["defending_team_abbr"] for r in defense} == teams
    expected_players = {r["player_lookup"] for r in player_lines(raw, day)}
    assert {r["player_lookup"] for r in players} == expected_players and len(players) == len(expected_players)
    # DNP and inactive players are rows too, flagged as the platform flags them.
    assert {r["player_status"] for r in players} >= {"active", "inactive", "dnp"}
    for row in players:
        assert row["is_active"] is (row["player_status"] == "active")
        assert row["is_dnp"] is (row["player_status"] != "active" or not row["minutes_played"])


def test_duplicated_raw_rows_collapse_to_one(bigquery_client, raw):
    versions = [r for r in raw["gamebook_versions"] if r["game_date"] == DUPLICATED]
    identical = len(versions) - len({tuple(sorted((k, str(v)) for k, v in r.items())) for r in versions})
    assert identical > 0, "the duplicate_raw fault should have doubled the gamebook rows"
    players = rows_of(bigquery_client, "player_game_summary", DUPLICATED)
    assert len(players) == len({r["player_lookup"] for r in players})


# --- formulas -----------------------------------------------------------------------------


def test_team_offense_and_defense_follow_the_platform_formulas(bigquery_client, raw):
    day = DUPLICATED
    offense = by(rows_of(bigquery_client, "team_offense_game_summary", day), "team_abbr")
    defense = by(rows_of(bigquery_client, "team_defense_game_summary", day), "defending_team_abbr")
    lines = player_lines(raw, day)
    checked_overtime = 0
    for game in final_games(raw, day):
        gid = analytics_game_id(game)
        for team, opponent, is_home in (
            (game["home_team_tricode"], game["away_team_tricode"], True),
            (game["away_team_tricode"], game["home_team_tricode"], False),
        ):
            box, opp = raw["teams"][(gid, team)], raw["teams"][(gid, opponent)]
            row = offense[team]
            poss = round_half_up(possessions(box), 1)
            assert (row["game_id"], row["nba_game_id"], row["home_game"]) == (gid, game["game_id"], is_home)
            assert (row["points_scored"], row["fg_attempts"], row["fg_makes"], row["rebounds"]) == (
                box["points"], box["fg_attempted"], box["fg_made"], box["total_rebounds"])
            assert row["win_flag"] is (box["points"] > opp["points"])
            assert row["margin_of_victory"] == box["points"] - opp["points"]
            assert row["overtime_periods"] == max(0, (team_minutes(box) - 240) // 25)
            checked_overtime += row["overtime_periods"] > 0
            # The platform stores the estimate rounded to 0.1 and then truncated.
            assert row["possessions"] == int(poss)
            assert num(row["offensive_rating"]) == pytest.approx(100 * box["points"] / poss, abs=0.006)
            assert num(row["pace"]) == pytest.approx(48 * poss / (team_minutes(box) / 5), abs=0.051)
            ts = box["points"] / (2 * (box["fg_attempted"] + 0.44 * box["ft_attempted"]))
            assert num(row["ts_pct"]) == pytest.approx(ts, abs=0.0006)
            shots = [s for s in raw["shots"].values() if s["game_id"] == gid and s["player_1_team_abbr"] == team]
            assert row["team_paint_attempts"] == sum(zone(s) == "paint" for s in shots)
            assert row["points_in_paint_scored"] == 2 * sum(zone(s) == "paint" and s["shot_made"] for s in shots)
            assert row["players_inactive"] == sum(
                r["player_status"] == "inactive" for r in lines if r["game_id"] == gid and r["team_abbr"] == team)
            assert (row["primary_source_used"], row["quality_tier"], row["data_quality_flag"]) == (
                "nbac_team_boxscore", "gold", "complete")

            d = defense[team]
            assert (d["opponent_team_abbr"], d["points_allowed"], d["turnovers_forced"]) == (
                opponent, opp["points"], opp["turnovers"])
            assert num(d["defensive_rating"]) == pytest.approx(100 * opp["points"] / possessions(opp), abs=0.006)
            opp_poss = round_half_up(possessions(opp), 1)
            assert num(d["opponent_pace"]) == pytest.approx(48 * opp_poss / (team_minutes(opp) / 5), abs=0.051)
            own = [p for p in lines if p["game_id"] == gid and p["team_abbr"] == team]
            assert d["steals"] == sum(p["steals"] or 0 for p in own)
            assert d["defensive_rebounds"] == sum(p["defensive_rebounds"] or 0 for p in own)
            assert d["win_flag"] is row["win_flag"] and d["overtime_periods"] == row["overtime_periods"]
            opp_shots = [s for s in raw["shots"].values() if s["game_id"] == gid and s["player_1_team_abbr"] == opponent]
            assert d["opp_mid_range_makes"] == sum(zone(s) == "mid_range" and s["shot_made"] for s in opp_shots)
            assert d["three_pt_points_allowed"] == 3 * opp["three_pt_made"]


def test_player_lines_follow_the_platform_formulas(bigquery_client, raw):
    day = DUPLICATED
    players = by(rows_of(bigquery_client, "player_game_summary", day), "player_lookup")
    checked = {"usage": 0, "line": 0, "push": 0}
    for line in player_lines(raw, day):
        row = players[line["player_lookup"]]
        team = raw["teams"][(line["game_id"], line["team_abbr"])]
        minutes = line["minutes_decimal"]
        # Rounded to 0.1 (a value like 9.95 may round either way in binary floating point).
        assert num(row["minutes_played"]) == (None if minutes is None else pytest.approx(minutes, abs=0.051))
        assert row["points"] == line["points"] and row["fg_attempts"] == line["field_goals_attempted"]
        assert row["starter_flag"] is bool(minutes and minutes > 20)
        assert row["dedup_key"] == f"{line['game_id']}|{line['player_lookup']}"
        if line["player_status"] != "active":
            assert row["usage_rate"] is None and row["over_under_result"] is None and row["points_line"] is None
            assert row["dnp_reason"] == line["dnp_reason"] and row["dnp_reason_category"] is not None
            continue
        fga, fta, tov = line["field_goals_attempted"], line["free_throws_attempted"], line["turnovers"]
        overtime = max(0, (team_minutes(team) - 240) // 25)
        usage = 100 * (fga + 0.44 * fta + tov) * ((240 + 25 * overtime) / 5) / (
            minutes * (team["fg_attempted"] + 0.44 * team["ft_attempted"] + team["turnovers"])) if minutes else None
        if usage is not None and 0 <= usage <= 100:
            assert num(row["usage_rate"]) == pytest.approx(usage, abs=0.006)
            assert row["usage_rate_valid"] is (usage <= 50)
            checked["usage"] += 1
        else:
            assert row["usage_rate"] is None
        if fga + 0.44 * fta > 0:
            assert num(row["ts_pct"]) == pytest.approx(line["points"] / (2 * (fga + 0.44 * fta)), abs=0.0006)
        if fga > 0:
            efg = (line["field_goals_made"] + 0.5 * line["three_pointers_made"]) / fga
            assert num(row["efg_pct"]) == pytest.approx(efg, abs=0.0006)
        shots = [s for s in raw["shots"].values() if s["game_id"] == line["game_id"]
                 and s["player_1_lookup"] == line["player_lookup"]]
        assert row["paint_attempts"] == sum(zone(s) == "paint" for s in shots)
        assert row["three_attempts_pbp"] == sum(zone(s) == "three" for s in shots)
        assert row["assisted_fg_makes"] == sum(s["shot_made"] and s["player_2_lookup"] is not None for s in shots)
        offer = best_line(raw, day, line["player_lookup"])
        if offer is None:
            assert row["points_line"] is None and row["over_under_result"] is None
            continue
        current, source, opening, opening_source = offer
        checked["line"] += 1
        expected = "OVER" if line["points"] > current else ("UNDER" if line["points"] < current else "PUSH")
        checked["push"] += expected == "PUSH"
        assert (num(row["points_line"]), row["points_line_source"], row["over_under_result"]) == (
            current, source, expected)
        assert num(row["margin"]) == pytest.approx(line["points"] - current)
        assert num(row["opening_line"]) == opening and row["opening_line_source"] == opening_source
    assert checked["usage"] > 100 and checked["line"] > 50, checked


def test_every_row_hash_follows_the_platform_convention(bigquery_client, warehouse):
    def text(column, value):
        if value is None:
            return "NULL"
        if column.type == "STRING":
            return value.strip()
        if column.type == "BOOL":
            return str(value)
        if column.type in ("NUMERIC", "FLOAT64"):
            return str(float(value))
        if column.type == "TIMESTAMP":
            return value.strftime("%Y-%m-%dT%H:%M:%S+00:00")
        return str(value)

    for p in processors.phase(3):
        columns = {c.name: c for c in merge.target_table(p).columns}
        rows = rows_of(bigquery_client, p.name, ZERO_TEAM_ROW)
        assert rows, p.name
        for row in rows:
            canonical = "|".join(sorted(f"{f}:{text(columns[f], row[f])}" for f in p.hash_fields))
            assert row["data_hash"] == hashlib.sha256(canonical.encode()).hexdigest()[:16], (p.name, canonical)


# --- bad data -----------------------------------------------------------------------------


def test_all_zero_team_row_gives_null_rates_and_a_flag(bigquery_client, raw):
    zero_teams = [k for k, t in raw["teams"].items() if t["game_date"] == ZERO_TEAM_ROW and is_all_zero(t)]
    assert len(zero_teams) == 1
    game_id, team = zero_teams[0]

    offense = by(rows_of(bigquery_client, "team_offense_game_summary", ZERO_TEAM_ROW), "team_abbr")
    row = offense[team]
    assert row["data_quality_flag"] == "incomplete" and "all_zero_team_row" in row["quality_issues"]
    assert row["possessions"] is None and row["offensive_rating"] is None and row["pace"] is None
    assert row["points_scored"] is None and row["is_partial_game_data"] is True
    # The game's result still comes from the schedule.
    assert row["win_flag"] is not None and row["margin_of_victory"] is not None
    defense = by(rows_of(bigquery_client, "team_defense_game_summary", ZERO_TEAM_ROW), "defending_team_abbr")
    assert defense[row["opponent_team_abbr"]]["defensive_rating"] is None

    players = rows_of(bigquery_client, "player_game_summary", ZERO_TEAM_ROW)
    affected = [p for p in players if p["team_abbr"] == team]
    played = [p for p in affected if (p["minutes_played"] or 0) > 0]
    assert played, "the affected team should have players with minutes"
    assert all(p["usage_rate"] is None for p in affected)
    assert {p["data_quality_flag"] for p in affected} == {"partial_no_team_stats"}
    assert {p["usage_rate_anomaly_reason"] for p in played} == {"partial_team_data"}
    # Shooting efficiency needs no team totals and stays.
    assert any(p["ts_pct"] is not None for p in played)
    others = [p for p in players if p["team_abbr"] != team and (p["minutes_played"] or 0) > 0]
    assert sum(p["usage_rate"] is not None for p in others) > 0.9 * len(others)


def test_game_without_gamebook_falls_back_to_live_boxscores(bigquery_client, raw):
    games = final_games(raw, MISSING_GAMEBOOK)
    without = [analytics_game_id(g) for g in games
               if not any(gid == analytics_game_id(g) for gid, _ in raw["gamebook"])]
    assert len(without) == 1
    expected = {lookup for (gid, lookup) in raw["boxscores"] if gid == without[0]}

    players = rows_of(bigquery_client, "player_game_summary", MISSING_GAMEBOOK)
    fallback = [p for p in players if p["game_id"] == without[0]]
    assert {p["player_lookup"] for p in fallback} == expected
    assert {(p["primary_source_used"], p["quality_tier"], p["quality_used_fallback"]) for p in fallback} == {
        ("nbac_boxscores", "silver", True)}
    assert all("backup_source_used" in p["quality_issues"] for p in fallback)
    assert any(p["usage_rate"] is not None for p in fallback)
    assert {p["primary_source_used"] for p in players if p["game_id"] != without[0]} == {"nbac_gamebook"}


def test_player_summary_before_team_offense_gives_no_usage_rather_than_a_wrong_one(bigquery_client, warehouse):
    day = SEED_END  # its post-game tables have not been written yet
    helpers.run(bigquery_client, "player_game_summary", day, fence=1, run_id="early")
    early = rows_of(bigquery_client, "player_game_summary", day)
    assert early and all(p["usage_rate"] is None for p in early)
    assert {p["data_quality_flag"] for p in early} == {"partial_no_team_stats"}

    helpers.run(bigquery_client, "team_offense_game_summary", day, fence=1, run_id="ordered")
    helpers.run(bigquery_client, "player_game_summary", day, fence=1, run_id="ordered")
    ordered = rows_of(bigquery_client, "player_game_summary", day)
    assert any(p["usage_rate"] is not None for p in ordered)
    assert max(num(p["usage_rate"]) or 0 for p in ordered) <= 100


# --- pre-game context ---------------------------------------------------------------------


def team_history(raw, team, day):
    """The team's final games of the season before ``day``, oldest first."""
    return sorted((g for g in raw["schedule"].values()
                   if team in (g["home_team_tricode"], g["away_team_tricode"]) and g["game_date"] < day
                   and g["game_status"] == 3), key=lambda g: g["game_date"])


def won(game, team):
    home = game["home_team_tricode"] == team
    return (game["home_team_score"] > game["away_team_score"]) == home


def test_upcoming_team_context_follows_the_platform_definitions(bigquery_client, raw):
    business_date = ZERO_TEAM_ROW
    day = business_date + dt.timedelta(days=1)
    rows = by(rows_of(bigquery_client, "upcoming_team_game_context", business_date), "team_abbr")
    games = [g for g in raw["schedule"].values() if g["game_date"] == day]
    assert len(rows) == 2 * len(games)

    injuries = latest_injuries(raw, day)
    back_to_backs = 0
    for game in games:
        spreads = [line for line in raw["game_lines"] if line["game_date"] == day and line["home_team_abbr"] == game["home_team_tricode"]
                   and line["market_key"] == "spreads" and line["outcome_name"] == line["home_team"]]
        book = sorted(spreads, key=lambda line: (ODDS_PRIORITY.get(line["bookmaker_key"], 3), line["bookmaker_key"],
                                              -line["snapshot_timestamp"].timestamp()))[0]
        opening = min((line for line in spreads if line["bookmaker_key"] == book["bookmaker_key"]),
                      key=lambda line: line["snapshot_timestamp"])
        for team, is_home in ((game["home_team_tricode"], True), (game["away_team_tricode"], False)):
            row = rows[team]
            before = team_history(raw, team, day)
            assert row["game_id"] == game["game_id"] and row["home_game"] is is_home
            if before:
                days_since = (day - before[-1]["game_date"]).days
                assert (row["days_since_last_game"], row["team_days_rest"]) == (days_since, days_since - 1)
                assert row["team_back_to_back"] is (days_since == 1) and row["is_back_to_back"] is (days_since == 1)
                back_to_backs += days_since == 1
                margin = before[-1]["home_team_score"] - before[-1]["away_team_score"]
                assert row["last_game_margin"] == (margin if before[-1]["home_team_tricode"] == team else -margin)
                assert row["last_game_result"] == ("W" if won(before[-1], team) else "L")
                streak = 0
                for g in reversed(before):
                    if won(g, team) != won(before[-1], team):
                        break
                    streak += 1
                assert (row["team_win_streak_entering"], row["team_loss_streak_entering"]) == (
                    (streak, 0) if won(before[-1], team) else (0, streak))
            assert row["game_number_in_season"] == len(before) + 1
            assert row["games_in_last_7_days"] == sum(day - dt.timedelta(days=6) <= g["game_date"] for g in before)
            assert row["games_in_last_14_days"] == sum(day - dt.timedelta(days=13) <= g["game_date"] for g in before)
            spread = book["outcome_point"] if is_home else -book["outcome_point"]
            opening_spread = opening["outcome_point"] if is_home else -opening["outcome_point"]
            assert (num(row["game_spread"]), row["game_spread_source"]) == (spread, book["bookmaker_key"])
            assert num(row["spread_movement"]) == pytest.approx(opening_spread - spread)
            statuses = [r["injury_status"] for r in injuries.values() if r["team"] == team]
            assert row["starters_out_count"] == statuses.count("out")
            assert row["questionable_players_count"] == statuses.count("questionable") + statuses.count("doubtful")
            assert row["travel_miles"] == 0 and row["source_nbac_schedule_hash"] == game["data_hash"]
    assert any(r["starters_out_count"] for r in rows.values())


def test_upcoming_player_context_follows_the_platform_definitions(bigquery_client, raw):
    business_date = ZERO_TEAM_ROW
    day = business_date + dt.timedelta(days=1)
    rows = by(rows_of(bigquery_client, "upcoming_player_game_context", business_date), "player_lookup")

    playing = {g["home_team_tricode"] for g in raw["schedule"].values() if g["game_date"] == day} | {
        g["away_team_tricode"] for g in raw["schedule"].values() if g["game_date"] == day}
    roster_dates = {}
    for r in raw["rosters"]:
        if r["roster_date"] <= business_date:
            roster_dates[r["team_abbr"]] = max(roster_dates.get(r["team_abbr"], r["roster_date"]), r["roster_date"])
    expected = {(r["player_lookup"], r["team_abbr"]) for r in raw["rosters"]
                if r["team_abbr"] in playing and r["roster_date"] == roster_dates[r["team_abbr"]]}
    assert {(p, r["team_abbr"]) for p, r in rows.items()} == expected

    history = helpers.query(
        bigquery_client,
        f"SELECT * FROM `{helpers.table_id('player_game_summary')}` WHERE game_date <= @d AND minutes_played > 0",
        d=business_date,
    )
    played = defaultdict(list)
    for r in sorted(history, key=lambda r: r["game_date"], reverse=True):
        played[r["player_lookup"]].append(r)
    injuries = latest_injuries(raw, day)
    with_form = 0
    for lookup, row in rows.items():
        injury = injuries.get(lookup)
        assert row["player_status"] == (injury["injury_status"] if injury else "available")
        assert row["injury_report"] == (injury["reason"] if injury else None)
        games = played[lookup]
        if games:
            with_form += 1
            last5 = [g["points"] for g in games[:5]]
            assert num(row["points_avg_last_5"]) == pytest.approx(sum(last5) / len(last5), abs=0.051)
            assert row["days_rest"] == (day - games[0]["game_date"]).days
            assert row["back_to_back"] is (row["days_rest"] == 1)
            week = [g for g in games if g["game_date"] >= day - dt.timedelta(days=6)]
            assert row["games_in_last_7_days"] == len(week)
            assert row["minutes_in_last_7_days"] == int(sum(float(g["minutes_played"]) for g in week))
        else:
            assert row["points_avg_last_5"] is None and row["days_rest"] is None
        offer = best_line(raw, day, lookup)
        assert num(row["current_points_line"]) == (offer[0] if offer else None)
        assert row["has_prop_line"] is (offer is not None)
    assert with_form > 100
    assert any(r["player_status"] != "available" for r in rows.values())


# --- the platform's columns on a game day --------------------------------------------------


def test_contract_columns_computed_on_a_game_day(bigquery_client, warehouse):
    """Per table: contract columns, how many the DDL has, how many a clean game day fills.

    A column counts as computed when some row holds a non-NULL value (an empty REPEATED column
    is not NULL in BigQuery). Every column left NULL is one docs/compatibility.md explains.
    """
    from nba_pipeline_dev import compatibility

    business_date = dt.date(2026, 2, 2)  # no injected fault on this date or the next
    print(f"\nphase 3 contract columns on the game day {business_date} (pre-game tables: the next day)")
    for name in compatibility.PHASE3:
        columns = compatibility.contract_columns(name)
        contract = helpers_contract_columns(name)
        rows = rows_of(bigquery_client, name, business_date)
        assert rows, name
        left_null = {c.name for c in columns if all(r[c.name] is None for r in rows)}
        computed = len(columns) - len(left_null)
        print(f"  {name}: {len(contract)} contract columns, {len(columns)} present, "
              f"{computed} computed ({100 * computed / len(contract):.0f}%), NULL: {sorted(left_null)}")
        assert {c.name for c in columns} == set(contract), name
        explained = set(compatibility.NULL_REASONS[name]) | set(compatibility.CONDITIONAL.get(name, {}))
        assert left_null <= explained, f"{name}: NULL without a documented reason: {sorted(left_null - explained)}"
        assert set(compatibility.NULL_REASONS[name]) <= left_null, name


def helpers_contract_columns(name: str) -> list[str]:
    from nba_pipeline_dev import contracts

    return [c["name"] for c in contracts.contract(f"nba_analytics.{name}")["columns"]]


# --- idempotence and fencing --------------------------------------------------------------


def test_rerun_with_the_same_fence_gives_identical_content(bigquery_client, warehouse):
    business_date = ZERO_TEAM_ROW
    before = {p.name: helpers.content_hash(rows_of(bigquery_client, p.name, business_date))
              for p in processors.phase(3)}
    neighbour = {p.name: rows_of(bigquery_client, p.name, business_date - dt.timedelta(days=1))
                 for p in processors.phase(3)}

    helpers.run_phase(bigquery_client, 3, business_date, fence=1, run_id="rerun")

    for p in processors.phase(3):
        rows = rows_of(bigquery_client, p.name, business_date)
        assert helpers.content_hash(rows) == before[p.name], p.name
        assert {r["_run_id"] for r in rows} == {"rerun"}, p.name
        if "record_version" in rows[0]:
            assert {r["record_version"] for r in rows} == {2}, p.name
        # Other dates are untouched, lineage included.
        assert helpers.content_hash(
            rows_of(bigquery_client, p.name, business_date - dt.timedelta(days=1)), exclude=()
        ) == helpers.content_hash(neighbour[p.name], exclude=()), p.name


@pytest.mark.parametrize("processor_name", POST_GAME)
def test_newer_fence_replaces_and_older_fence_changes_nothing(bigquery_client, warehouse, processor_name):
    day = dt.date(2026, 2, 2)
    processors.get(processor_name)  # an unknown name fails here, not in the SQL
    schedule = helpers.table_id("nbac_schedule", "raw")
    backup = helpers.table_id(f"schedule_backup_{processor_name}", "raw")
    game = helpers.query(
        bigquery_client,
        f"SELECT game_id FROM `{schedule}` WHERE game_date = @d AND game_status = 3 ORDER BY game_id LIMIT 1", d=day,
    )[0]["game_id"]
    neighbour = helpers.content_hash(rows_of(bigquery_client, processor_name, day + dt.timedelta(days=1)), exclude=())
    helpers.query(bigquery_client, f"CREATE TABLE `{backup}` AS SELECT * FROM `{schedule}` "
                                   "WHERE game_date = @d AND game_id = @game_id", d=day, game_id=game)
    try:
        helpers.run(bigquery_client, processor_name, day, fence=5, run_id="newer")
        current = rows_of(bigquery_client, processor_name, day)
        assert {(r["_fence"], r["_run_id"]) for r in current} == {(5, "newer")}

        # The game vanishes from the schedule: a stale writer changes nothing ...
        helpers.query(bigquery_client, f"DELETE FROM `{schedule}` WHERE game_date = @d AND game_id = @game_id",
                      d=day, game_id=game)
        helpers.run(bigquery_client, processor_name, day, fence=3, run_id="stale")
        assert helpers.content_hash(rows_of(bigquery_client, processor_name, day), exclude=()) == \
            helpers.content_hash(current, exclude=())

        # ... and a newer one replaces the date's rows, dropping the vanished game's.
        helpers.run(bigquery_client, processor_name, day, fence=7, run_id="newest")
        replaced = rows_of(bigquery_client, processor_name, day)
        assert {(r["_fence"], r["_run_id"]) for r in replaced} == {(7, "newest")}
        assert 0 < len(replaced) < len(current)
        assert helpers.content_hash(
            rows_of(bigquery_client, processor_name, day + dt.timedelta(days=1)), exclude=()) == neighbour
    finally:
        helpers.query(bigquery_client, f"INSERT INTO `{schedule}` SELECT * FROM `{backup}`")
        bigquery_client.delete_table(backup, not_found_ok=True)
        helpers.run(bigquery_client, processor_name, day, fence=8, run_id="restored")
    assert len(rows_of(bigquery_client, processor_name, day)) == len(current)


def test_every_key_is_unique(bigquery_client, warehouse):
    for p in processors.phase(3):
        total = helpers.query(bigquery_client, f"SELECT COUNT(*) AS n FROM `{helpers.table_id(p.table)}`")[0]["n"]
        assert total > 0, p.name
        assert helpers.duplicate_keys(bigquery_client, p.name) == [], p.name


def test_no_sql_comment_mentions_a_parameter():
    # bqemulator counts an @name inside a comment as a parameter and rejects the query.
    from nba_pipeline.sql import schema_files, sql_root

    paths = [p.sql_path for p in processors.PROCESSORS] + schema_files("analytics") + [merge.TEMPLATE, merge.GUARD]
    for path in paths:
        for number, line in enumerate((sql_root() / path).read_text().splitlines(), start=1):
            comment = line.partition("--")[2]
            assert "@" not in comment, f"{path}:{number}: {line.strip()}"
