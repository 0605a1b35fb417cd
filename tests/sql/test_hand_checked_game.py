"""One game written by hand in the raw tables, its phase 3 values worked out by hand.

BOS 121 at NYK 118 after one overtime (team minutes "265:00"), 2026-02-10. BOS has a DNP and an
inactive player, an older raw version of its team row and of one player line (both must lose to
the newer one), and props from two bookmakers, an in-game snapshot and a whole-number line (a push).
Every expected value below is arithmetic on these rows, written out, not recomputed by a formula
shared with the SQL.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest

from nba_pipeline_dev.seed.generator import RawData
from nba_pipeline_dev.seed.loader import load
from nba_pipeline_dev.seed.schemas import raw_schema

from . import helpers

pytestmark = pytest.mark.integration

DAY = dt.date(2026, 2, 10)
GAME = "20260210_BOS_NYK"
NBA_GAME = "0022500900"
UTC = dt.timezone.utc


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def rows(table: str, *values: dict) -> pa.Table:
    """Rows with every column of the table's DDL; REQUIRED columns nobody set get a placeholder."""
    schema = raw_schema(table)
    placeholders = {pa.string(): "x", pa.int64(): 0, pa.float64(): 0.0, pa.bool_(): False,
                    pa.date32(): DAY, pa.timestamp("us", tz="UTC"): at(0)}
    filled = []
    for value in values:
        row = {f.name: (None if f.nullable else placeholders.get(f.type, [])) for f in schema}
        row.update(value)
        filled.append(row)
    return pa.Table.from_pylist(filled, schema=schema)


def team_row(team, is_home, fgm, fga, tpm, tpa, ftm, fta, oreb, dreb, ast, stl, blk, tov, pf, pts, pm, processed):
    return dict(game_id=GAME, nba_game_id=NBA_GAME, game_date=DAY, season_year=2025, team_abbr=team,
                is_home=is_home, minutes="265:00", fg_made=fgm, fg_attempted=fga, three_pt_made=tpm,
                three_pt_attempted=tpa, ft_made=ftm, ft_attempted=fta, offensive_rebounds=oreb,
                defensive_rebounds=dreb, total_rebounds=oreb + dreb, assists=ast, steals=stl, blocks=blk,
                turnovers=tov, personal_fouls=pf, points=pts, plus_minus=pm, data_hash=f"{team}{processed}",
                processed_at=at(processed))


def player(team, lookup, status, minutes=None, fgm=None, fga=None, tpm=None, tpa=None, ftm=None, fta=None,
           tov=None, pts=None, reason=None, processed=9):
    played = minutes is not None
    whole, seconds = (int(minutes.split(":")[0]), int(minutes.split(":")[1])) if played else (None, None)
    return dict(game_id=GAME, game_date=DAY, season_year=2025, home_team_abbr="NYK", away_team_abbr="BOS",
                player_name=lookup.title(), player_name_original=lookup.title(), player_lookup=lookup,
                team_abbr=team, player_status=status, dnp_reason=reason, minutes=minutes,
                minutes_decimal=whole + seconds / 60 if played else None, points=pts, field_goals_made=fgm,
                field_goals_attempted=fga, three_pointers_made=tpm, three_pointers_attempted=tpa,
                free_throws_made=ftm, free_throws_attempted=fta, offensive_rebounds=1 if played else None,
                defensive_rebounds=4 if played else None, total_rebounds=5 if played else None,
                assists=3 if played else None, steals=1 if played else None, blocks=0 if played else None,
                turnovers=tov, personal_fouls=2 if played else None, plus_minus=1 if played else None,
                data_hash=f"{lookup}{processed}", processed_at=at(processed, day=DAY + dt.timedelta(days=1)))


def prop(lookup, bookmaker, line, hour, before_tipoff=60):
    return dict(game_id=NBA_GAME, game_date=DAY, snapshot_timestamp=at(hour), minutes_before_tipoff=before_tipoff,
                bookmaker=bookmaker, player_name=lookup.title(), player_lookup=lookup, points_line=line,
                data_hash=f"{lookup}{bookmaker}{hour}", processed_at=at(hour, 5))


@pytest.fixture(scope="module")
def game(bigquery_client):
    with helpers.isolated_warehouse(bigquery_client):
        tables = {
            "nbac_schedule": rows("nbac_schedule",
                dict(game_id=NBA_GAME, game_date=DAY, season_year=2025, game_status=1, home_team_tricode="NYK",
                     away_team_tricode="BOS", game_date_est=at(0), arena_timezone="America/New_York",
                     processed_at=at(8)),
                # The final version: the latest one wins.
                dict(game_id=NBA_GAME, game_date=DAY, season_year=2025, game_status=3, home_team_tricode="NYK",
                     away_team_tricode="BOS", home_team_score=118, away_team_score=121, game_date_est=at(0),
                     arena_timezone="America/New_York", data_hash="final", processed_at=at(23))),
            "nbac_team_boxscore": rows("nbac_team_boxscore",
                # An older, wrong version of the BOS row, then the real one.
                team_row("BOS", False, 43, 95, 15, 40, 18, 24, 12, 36, 26, 8, 5, 14, 20, 119, 1, 4),
                team_row("BOS", False, 44, 95, 15, 40, 18, 24, 12, 36, 26, 8, 5, 14, 20, 121, 3, 6),
                team_row("NYK", True, 43, 92, 12, 35, 20, 26, 10, 38, 22, 7, 6, 12, 21, 118, -3, 6)),
            "nbac_gamebook_player_stats": rows("nbac_gamebook_player_stats",
                player("BOS", "jaylenstone", "active", "40:12", 10, 22, 4, 10, 6, 7, 3, 30, processed=8),  # older
                player("BOS", "jaylenstone", "active", "40:12", 11, 22, 4, 10, 6, 7, 3, 32),
                player("BOS", "marcuslane", "active", "35:30", 8, 16, 2, 6, 2, 2, 2, 20),
                player("BOS", "tomreed", "dnp", reason="DNP - Coach's Decision"),
                player("BOS", "alexkerr", "inactive", reason="Inactive - Injury/Illness - Left Ankle; Sprain"),
                player("NYK", "samuelcole", "active", "42:00", 10, 20, 3, 8, 5, 6, 4, 28),
                player("NYK", "derekfox", "active", "30:00", 5, 11, 0, 3, 2, 2, 1, 12)),
            "odds_api_player_points_props": rows("odds_api_player_points_props",
                prop("jaylenstone", "draftkings", 28.5, 14),
                prop("jaylenstone", "draftkings", 29.5, 22),
                prop("jaylenstone", "draftkings", 31.5, 23, before_tipoff=-10),  # in-game: ignored
                prop("jaylenstone", "fanduel", 30.5, 23),  # later, but fanduel ranks after draftkings
                prop("derekfox", "fanduel", 12.0, 22),  # a whole-number line he lands on
                prop("tomreed", "draftkings", 8.5, 22)),  # did not play: no graded line
            "bettingpros_player_points_props": rows("bettingpros_player_points_props",
                *[dict(game_date=DAY, market_type="points", bet_side=side, player_lookup="samuelcole",
                       player_name="Samuelcole", bookmaker=book, points_line=line, opening_line=26.0,
                       is_active=True, bookmaker_last_update=at(21), data_hash=f"bp{book}{side}",
                       processed_at=at(21, 30))
                  for book, line in (("BettingPros Consensus", 27.5), ("DraftKings", 26.5))
                  for side in ("over", "under")]),
        }
        load(bigquery_client, RawData(tables, DAY, DAY, seed=0))
        for name in ("team_offense_game_summary", "team_defense_game_summary", "player_game_summary"):
            helpers.run(bigquery_client, name, DAY, fence=1, run_id="hand")
        yield {
            name: {r[key]: r for r in helpers.fetch_processor_rows(bigquery_client, name, DAY)}
            for name, key in (("team_offense_game_summary", "team_abbr"),
                              ("team_defense_game_summary", "defending_team_abbr"),
                              ("player_game_summary", "player_lookup"))
        }


def d(text: str) -> Decimal:
    return Decimal(text)


def test_team_offense_of_an_overtime_game(game):
    bos, nyk = game["team_offense_game_summary"]["BOS"], game["team_offense_game_summary"]["NYK"]
    # The newer BOS row: 121 points (the older version said 119).
    assert (bos["points_scored"], bos["win_flag"], bos["margin_of_victory"]) == (121, True, 3)
    assert (nyk["points_scored"], nyk["win_flag"], nyk["margin_of_victory"]) == (118, False, -3)
    # "265:00" = 240 + 25: one overtime.
    assert bos["overtime_periods"] == nyk["overtime_periods"] == 1
    # BOS: 95 + 0.44 * 24 + 14 - 12 = 107.56 -> 107.6 (stored truncated: 107)
    # NYK: 92 + 0.44 * 26 + 12 - 10 = 105.44 -> 105.4 (stored: 105)
    assert (bos["possessions"], nyk["possessions"]) == (107, 105)
    # 100 * 121 / 107.6 = 112.4535...; 100 * 118 / 105.4 = 111.9544...
    assert (bos["offensive_rating"], nyk["offensive_rating"]) == (d("112.45"), d("111.95"))
    # 48 * 107.6 / (265 / 5) = 97.449...; 48 * 105.4 / 53 = 95.456...
    assert (bos["pace"], nyk["pace"]) == (d("97.4"), d("95.5"))
    # 121 / (2 * (95 + 0.44 * 24)) = 121 / 211.12 = 0.5731...
    assert (bos["ts_pct"], nyk["ts_pct"]) == (d("0.573"), d("0.570"))
    # One inactive player (the DNP player is not inactive).
    assert (bos["players_inactive"], nyk["players_inactive"]) == (1, 0)
    assert bos["source_nbac_boxscore_hash"] == "BOS6" and bos["source_nbac_boxscore_rows_found"] == 3


def test_team_defense_of_an_overtime_game(game):
    bos, nyk = game["team_defense_game_summary"]["BOS"], game["team_defense_game_summary"]["NYK"]
    assert (bos["points_allowed"], nyk["points_allowed"]) == (118, 121)
    # Per opponent possession, unrounded as the platform: 100 * 118 / 105.44 = 111.912...;
    # 100 * 121 / 107.56 = 112.4953...
    assert (bos["defensive_rating"], nyk["defensive_rating"]) == (d("111.91"), d("112.50"))
    # The opponent's pace: NYK's 95.5 for BOS's defense.
    assert (bos["opponent_pace"], nyk["opponent_pace"]) == (d("95.5"), d("97.4"))
    assert bos["overtime_periods"] == 1 and bos["win_flag"] is True and bos["margin_of_victory"] == 3


def test_players_of_an_overtime_game(game):
    players = game["player_game_summary"]
    assert set(players) == {"jaylenstone", "marcuslane", "tomreed", "alexkerr", "samuelcole", "derekfox"}

    stone = players["jaylenstone"]
    # The newer line (32 points; the older version said 30), 40:12 = 40.2 minutes.
    assert (stone["points"], stone["minutes_played"], stone["fg_makes"]) == (32, d("40.2"), 11)
    # Usage over the game's 265 team minutes:
    # 100 * (22 + 0.44 * 7 + 3) * (265 / 5) / (40.2 * (95 + 0.44 * 24 + 14))
    #   = 100 * 28.08 * 53 / (40.2 * 119.56) = 30.964... (with 240 minutes it would be 28.04)
    assert stone["usage_rate"] == d("30.96")
    # TS: 32 / (2 * (22 + 0.44 * 7)) = 32 / 50.16 = 0.6379...; eFG: (11 + 0.5 * 4) / 22 = 0.5909...
    assert (stone["ts_pct"], stone["efg_pct"]) == (d("0.638"), d("0.591"))
    # draftkings outranks fanduel; its latest pre-game snapshot is 29.5 (the 31.5 was in-game).
    assert (stone["points_line"], stone["points_line_source"], stone["opening_line"]) == (
        d("29.5"), "draftkings", d("28.5"))
    assert (stone["line_movement"], stone["over_under_result"], stone["margin"]) == (d("1.0"), "OVER", d("2.50"))
    assert stone["win_flag"] is True and stone["is_active"] is True and stone["is_dnp"] is False

    fox = players["derekfox"]
    # 12 points on a 12.0 line: a push. 100 * (11 + 0.88 + 1) * 53 / (30 * (92 + 11.44 + 12)) = 19.71...
    assert (fox["points_line"], fox["over_under_result"], fox["margin"]) == (d("12.0"), "PUSH", d("0.00"))
    assert (fox["usage_rate"], fox["ts_pct"], fox["efg_pct"]) == (d("19.71"), d("0.505"), d("0.455"))
    assert fox["win_flag"] is False

    cole = players["samuelcole"]
    # No Odds API line: BettingPros, DraftKings before its consensus.
    assert (cole["points_line"], cole["points_line_source"], cole["opening_line"], cole["over_under_result"]) == (
        d("26.5"), "bettingpros_DraftKings", d("26.0"), "OVER")
    # 100 * (20 + 2.64 + 4) * 53 / (42 * 115.44) = 29.12...
    assert cole["usage_rate"] == d("29.12")

    lane = players["marcuslane"]
    assert lane["points_line"] is None and lane["over_under_result"] is None and lane["margin"] is None

    reed, kerr = players["tomreed"], players["alexkerr"]
    assert (reed["player_status"], reed["is_dnp"], reed["is_active"], reed["dnp_reason_category"]) == (
        "dnp", True, False, "coach_decision")
    assert (kerr["player_status"], kerr["is_dnp"], kerr["dnp_reason_category"]) == ("inactive", True, "injury")
    # A player who did not play has no graded line, even with a line offered.
    assert reed["points_line"] is None and reed["over_under_result"] is None
    assert reed["usage_rate"] is None and reed["minutes_played"] is None and reed["starter_flag"] is False
