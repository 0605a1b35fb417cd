"""A few phase 3 rows written by hand, their phase 4 values worked out by hand.

Mid-season, analysis date A = 2026-01-15 (no schedule rows, so opening night is the platform's
default, 2025-10-22):

* ``patlane`` (HOM, against OPP) and ``dicole`` (VIS, against STR) each have 10 games, every one
  6 paint attempts (3 made), 2 mid-range (1), 2 threes (1), 5 made field goals of which 3 assisted;
  ``patlane`` scores 12, 14, .. 30 points from his newest game to his oldest.
* OPP allows 26 of 40 in the paint, 8 of 20 mid-range and 10 of 30 threes in each of its last 15
  games (a 16th, older game allows 40 of 40 in the paint and must not count); STR allows 22 of 40,
  9 of 20 and 11 of 30; THN has only 14 games. With two qualifying teams there is no league
  average: the platform's defaults 0.580, 0.410 and 0.355 apply.
* ``bonash`` has no games, is on a back-to-back after 40-minute games (4 in 7 days, 2 back-to-backs
  in 14, age 36); ``cyroth`` is the same player after three days off.
* ``exwood`` (HOM) has 3 games and is not in the context; ``foyle`` (HOM) has 2.
* ERL has 9 games around opening night, short of the 15 every team needs by then.

Early season: ``ezhart`` has 9 games from 2025-10-24 and ``fyhill`` 8; A = 2025-11-10 is 19 days
after opening night (minimum LEAST(3 + 19 / 3, 9) = 9 games) and A = 2025-11-01 is day 10, inside
the platform's 14-day bootstrap, when nothing is written.

Every expected value below is arithmetic on these rows, written out.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from nba_pipeline import ddl

from . import helpers

pytestmark = pytest.mark.integration

A = dt.date(2026, 1, 15)
EARLY = dt.date(2025, 11, 10)
BOOTSTRAP = dt.date(2025, 11, 1)
PHASE4 = ("team_defense_zone_analysis", "player_shot_zone_analysis", "player_daily_cache",
          "player_composite_factors")
WRITTEN = dt.datetime(2026, 1, 14, 23, tzinfo=dt.timezone.utc)


def _literal(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return f"TIMESTAMP '{value.isoformat()}'"
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, str):
        return "'" + value.replace("'", "\\'") + "'"
    return repr(value)


def insert(client, table: str, rows: list[dict]) -> None:
    """INSERT the rows, REQUIRED columns nobody set given a placeholder."""
    definition = ddl.definition(f"nba_analytics.{table}")
    placeholders = {"STRING": "x", "INT64": 0, "BOOL": False, "TIMESTAMP": WRITTEN}
    required = {c.name: placeholders[c.type] for c in definition.columns
                if c.mode == "REQUIRED" and c.type in placeholders}
    full = [{**required, "_fence": 1, "_run_id": "hand", **row} for row in rows]
    columns = sorted({c for row in full for c in row})
    values = ",\n".join("(" + ", ".join(_literal(row.get(c)) for c in columns) + ")" for row in full)
    helpers.query(client, f"INSERT INTO `{helpers.table_id(table)}` ({', '.join(columns)}) VALUES {values}")


def game_dates(last: dt.date, count: int, step: int = 2) -> list[dt.date]:
    """``count`` game dates, the newest ``last``, ``step`` days apart."""
    return [last - dt.timedelta(days=step * i) for i in range(count)]


def player_games(lookup: str, team: str, dates: list[dt.date], points=None) -> list[dict]:
    return [dict(player_lookup=lookup, universal_player_id=f"{lookup}_001", game_id=f"{day:%Y%m%d}_{team}_ZZZ",
                 game_date=day, team_abbr=team, opponent_team_abbr="ZZZ", season_year=2025, is_active=True,
                 is_dnp=False, minutes_played=30, points=points[i] if points else 20, fg_attempts=10, fg_makes=5,
                 paint_attempts=6, paint_makes=3, mid_range_attempts=2, mid_range_makes=1, three_pt_attempts=2,
                 three_pt_makes=1, assisted_fg_makes=3, unassisted_fg_makes=2, usage_rate=25.0, ts_pct=0.55,
                 processed_at=WRITTEN, data_hash=f"{lookup}{i}")
            for i, day in enumerate(dates)]


def defense_games(team: str, dates: list[dt.date], paint, mid, three) -> list[dict]:
    return [dict(game_id=f"{day:%Y%m%d}_{team}_ZZZ", game_date=day, defending_team_abbr=team,
                 opponent_team_abbr="ZZZ", season_year=2025, home_game=True, opp_paint_makes=paint[0],
                 opp_paint_attempts=paint[1], opp_mid_range_makes=mid[0], opp_mid_range_attempts=mid[1],
                 opp_three_pt_makes=three[0], opp_three_pt_attempts=three[1], points_in_paint_allowed=2 * paint[0],
                 points_allowed=110, defensive_rating=100.0 + i, opponent_pace=90.0 + i, processed_at=WRITTEN,
                 data_hash=f"{team}{i}")
            for i, day in enumerate(dates)]


def context(lookup, team, opponent, day=A, **values) -> dict:
    return dict(player_lookup=lookup, universal_player_id=f"{lookup}_001", game_id=f"{day:%Y%m%d}_{opponent}_{team}",
                game_date=day, team_abbr=team, opponent_team_abbr=opponent, is_production_ready=True,
                processed_at=WRITTEN, data_hash=f"ctx{lookup}", **values)


def team_context(team, opponent, day=A) -> dict:
    return dict(team_abbr=team, game_id=f"{day:%Y%m%d}_{opponent}_{team}", game_date=day, season_year=2025,
                opponent_team_abbr=opponent, is_production_ready=True, processed_at=WRITTEN, created_at=WRITTEN)


TIRED = dict(back_to_back=True, days_rest=1, games_in_last_7_days=4, minutes_in_last_7_days=160,
             avg_minutes_per_game_last_7=40.0, back_to_backs_last_14_days=2, player_age=36,
             pace_differential=-8.0, avg_usage_rate_last_7_games=30.0, star_teammates_out=2)


@pytest.fixture(scope="module")
def phase4(bigquery_client):
    client = bigquery_client
    with helpers.isolated_warehouse(client):
        before = A - dt.timedelta(days=1)
        insert(client, "player_game_summary", [
            *player_games("patlane", "HOM", game_dates(A - dt.timedelta(days=2), 10), points=[12 + 2 * i for i in range(10)]),
            *player_games("dicole", "VIS", game_dates(A - dt.timedelta(days=2), 10)),
            *player_games("exwood", "HOM", game_dates(A - dt.timedelta(days=2), 3)),
            *player_games("foyle", "HOM", game_dates(A - dt.timedelta(days=2), 2)),
            *player_games("ezhart", "ERL", game_dates(dt.date(2025, 11, 1), 9, step=1)),
            *player_games("fyhill", "ERL", game_dates(dt.date(2025, 10, 31), 8, step=1)),
        ])
        insert(client, "team_defense_game_summary", [
            *defense_games("OPP", game_dates(before, 15), (26, 40), (8, 20), (10, 30)),
            *defense_games("OPP", [A - dt.timedelta(days=31)], (40, 40), (8, 20), (10, 30)),
            *defense_games("STR", game_dates(before, 15), (22, 40), (9, 20), (11, 30)),
            *defense_games("THN", game_dates(before, 14), (20, 40), (8, 20), (10, 30)),
            *defense_games("ERL", game_dates(dt.date(2025, 11, 1), 9, step=1), (20, 40), (8, 20), (10, 30)),
        ])
        insert(client, "team_offense_game_summary", [
            dict(game_id=f"{day:%Y%m%d}_HOM_ZZZ", game_date=day, team_abbr="HOM", opponent_team_abbr="ZZZ",
                 season_year=2025, home_game=True, win_flag=True, pace=98.0 if i % 2 else 102.0,
                 offensive_rating=110.0 if i % 2 else 114.0, processed_at=WRITTEN, data_hash=f"off{i}")
            for i, day in enumerate(game_dates(before, 10))
        ] + [dict(game_id="old", game_date=A - dt.timedelta(days=25), team_abbr="HOM", opponent_team_abbr="ZZZ",
                  season_year=2025, home_game=True, win_flag=True, pace=150.0, offensive_rating=150.0)])
        insert(client, "upcoming_player_game_context", [
            context("patlane", "HOM", "OPP", back_to_back=False, days_rest=3, games_in_last_7_days=3,
                    minutes_in_last_7_days=90, avg_minutes_per_game_last_7=30.0, back_to_backs_last_14_days=0,
                    pace_differential=3.2, avg_usage_rate_last_7_games=21.0, star_teammates_out=1),
            context("bonash", "HOM", "OPP", **TIRED),
            context("cyroth", "HOM", "OPP", **{**TIRED, "back_to_back": False, "days_rest": 3}),
            context("dicole", "VIS", "STR", back_to_back=False, days_rest=2, games_in_last_7_days=3,
                    minutes_in_last_7_days=90, avg_minutes_per_game_last_7=30.0, back_to_backs_last_14_days=0,
                    pace_differential=0.0, avg_usage_rate_last_7_games=25.0, star_teammates_out=0),
            context("ezhart", "ERL", "ZZZ", day=EARLY, days_rest=1),
            context("ezhart", "ERL", "ZZZ", day=BOOTSTRAP, days_rest=1),
        ])
        insert(client, "upcoming_team_game_context", [
            team_context("HOM", "OPP"), team_context("OPP", "HOM"), team_context("VIS", "STR"),
            team_context("STR", "VIS"), team_context("ERL", "ZZZ", EARLY), team_context("ERL", "ZZZ", BOOTSTRAP),
        ])
        written = {}
        for target in (A, EARLY, BOOTSTRAP):
            for name in PHASE4:
                helpers.run(client, name, target - dt.timedelta(days=1), fence=1, run_id="hand")
            written[target] = {}
            for name in PHASE4:
                rows = helpers.fetch_processor_rows(client, name, target - dt.timedelta(days=1))
                key = "team_abbr" if name == "team_defense_zone_analysis" else "player_lookup"
                written[target][name] = {r[key]: r for r in rows}
        yield written


def d(text: str) -> Decimal:
    return Decimal(text)


def test_team_defense_zones(phase4):
    teams = phase4[A]["team_defense_zone_analysis"]
    # THN has 14 games, one short of the 15 the platform requires.
    assert set(teams) == {"OPP", "STR"}
    opp, strong = teams["OPP"], teams["STR"]
    # 15 x 26 / 15 x 40 = 0.650 (the 16th, older game's 40 of 40 is outside the window).
    assert (opp["games_in_sample"], opp["paint_pct_allowed_last_15"]) == (15, d("0.650"))
    assert (opp["mid_range_pct_allowed_last_15"], opp["three_pt_pct_allowed_last_15"]) == (d("0.400"), d("0.333"))
    # Two teams with 10+ games in A - 30 .. A - 1: fewer than 10, so the defaults 0.580 / 0.410 / 0.355.
    # (0.650 - 0.580) x 100 = 7.00; (0.400 - 0.410) x 100 = -1.00; (10/30 - 0.355) x 100 = -2.17.
    assert opp["paint_defense_vs_league_avg"] == d("7.00")
    assert opp["mid_range_defense_vs_league_avg"] == d("-1.00")
    assert opp["three_pt_defense_vs_league_avg"] == d("-2.17")
    assert (opp["weakest_zone"], opp["strongest_zone"]) == ("paint", "perimeter")
    # STR: 22/40 = 0.550 -> -3.00; 9/20 = 0.450 -> +4.00; 11/30 = 0.3667 -> +1.17.
    assert (strong["paint_defense_vs_league_avg"], strong["mid_range_defense_vs_league_avg"],
            strong["three_pt_defense_vs_league_avg"]) == (d("-3.00"), d("4.00"), d("1.17"))
    assert (strong["weakest_zone"], strong["strongest_zone"]) == ("mid_range", "paint")
    # Per game: 40 paint attempts, 2 x 26 = 52 paint points, 110 points; the ratings 100, 101, .. 114
    # average 107, the paces 90 .. 104 average 97.
    assert (opp["paint_attempts_allowed_per_game"], opp["paint_points_allowed_per_game"]) == (d("40.0"), d("52.0"))
    assert (opp["opponent_points_per_game"], opp["defensive_rating_last_15"], opp["opponent_pace"]) == (
        d("110.0"), d("107.00"), d("97.0"))
    assert (opp["data_quality_tier"], opp["early_season_flag"]) == ("high", False)


def test_player_shot_zones_in_percent_with_the_team_vocabulary(phase4):
    players = phase4[A]["player_shot_zone_analysis"]
    # exwood (3 games) and foyle (2) are short of the 10 the platform requires mid-season.
    assert set(players) == {"patlane", "dicole"}
    pat = players["patlane"]
    # 60 paint, 20 mid-range, 20 three attempts over 10 games: 60 %, 20 %, 20 % (percent, not fractions).
    assert (pat["paint_rate_last_10"], pat["mid_range_rate_last_10"], pat["three_pt_rate_last_10"]) == (
        d("60.00"), d("20.00"), d("20.00"))
    assert (pat["paint_pct_last_10"], pat["mid_range_pct_last_10"], pat["three_pt_pct_last_10"]) == (
        d("0.500"), d("0.500"), d("0.500"))
    assert (pat["paint_attempts_per_game"], pat["total_shots_last_10"]) == (d("6.0"), 100)
    # 30 of 50 made field goals assisted.
    assert (pat["assisted_rate_last_10"], pat["unassisted_rate_last_10"]) == (d("60.00"), d("40.00"))
    # 10 games: excellent over 10, limited over 20 (10 >= 50 % of 20), no 20-game rates below 15 games.
    assert (pat["sample_quality_10"], pat["sample_quality_20"], pat["paint_rate_last_20"]) == (
        "excellent", "limited", None)
    assert pat["primary_scoring_zone"] == "paint"
    # The player's zone is one of the team table's zone names: it matches OPP's weakest zone.
    assert pat["primary_scoring_zone"] == phase4[A]["team_defense_zone_analysis"]["OPP"]["weakest_zone"]
    assert (pat["data_quality_tier"], pat["early_season_flag"], pat["insufficient_data_reason"]) == ("high", False, None)


def test_player_daily_cache(phase4):
    cache = phase4[A]["player_daily_cache"]
    # The context's players with 3+ games, and exwood, a HOM player the context does not list;
    # bonash and cyroth have no games, foyle only 2.
    assert set(cache) == {"patlane", "dicole", "exwood"}
    pat = cache["patlane"]
    # Points 12, 14, .. 30: last 5 = 80 / 5 = 16.0; last 10 and season = 210 / 10 = 21.0; the sample
    # standard deviation is 2 x sqrt(55 / 6) = 6.055 -> 6.06.
    assert (pat["points_avg_last_5"], pat["points_avg_last_10"], pat["points_avg_season"]) == (
        d("16.0"), d("21.0"), d("21.0"))
    assert pat["points_std_last_10"] == d("6.06")
    assert (pat["games_played_season"], pat["early_season_flag"]) == (10, False)
    # HOM's last 10 games alternate pace 102/98 and rating 114/110 (the older 150 game is the 11th).
    assert (pat["team_pace_last_10"], pat["team_off_rating_last_10"]) == (d("100.0"), d("112.00"))
    # Copied from the shot-zone row, in percent; 30 of 50 makes assisted = 60 %.
    assert (pat["primary_scoring_zone"], pat["paint_rate_last_10"], pat["three_pt_rate_last_10"]) == (
        "paint", d("60.00"), d("20.00"))
    assert pat["assisted_rate_last_10"] == d("60.00")
    assert (pat["games_in_last_7_days"], pat["minutes_in_last_7_days"]) == (3, 90)
    ex = cache["exwood"]
    assert (ex["games_played_season"], ex["early_season_flag"], ex["shot_zone_data_available"]) == (3, True, False)
    assert ex["insufficient_data_reason"] == "Only 3 games played, need 10 minimum"
    assert ex["games_in_last_7_days"] is None  # not in the context


def test_composite_factors(phase4):
    factors = phase4[A]["player_composite_factors"]
    assert set(factors) == {"patlane", "bonash", "cyroth", "dicole"}
    pat, bo, cy, di = (factors[p] for p in ("patlane", "bonash", "cyroth", "dicole"))
    # patlane: 3 days of rest (+5, clamped to 100), a normal week.
    assert pat["fatigue_score"] == 100
    # Paint scorer (60 % >= 50 %: full weight) against OPP's paint +7.00: 7.0 > 5, so x 1.2 = 8.4.
    assert pat["shot_zone_mismatch_score"] == d("8.4")
    # pace_differential 3.2 / 2 = 1.6; usage 0.3 x (25 - 21) = 1.2, one star out: x 1.15 = 1.38 -> 1.4.
    assert (pat["pace_score"], pat["usage_spike_score"]) == (d("1.6"), d("1.4"))
    # (100 - 100) / 20 + 8.4 + 1.6 + 1.38 = 11.38.
    assert pat["total_composite_adjustment"] == d("11.38")
    assert (pat["has_warnings"], pat["warning_details"]) == (True, "EXTREME_MATCHUP: Unusual zone mismatch")
    assert (pat["data_completeness_pct"], pat["missing_data_fields"]) == (d("80.00"), "projected_usage_rate")
    # bonash: 100 - 15 (back-to-back) - 10 (4 games) - 8 (40 a game) - 12 (2 back-to-backs) - 10 (36) = 45.
    assert bo["fatigue_score"] == 45
    # No shot-zone row: mismatch 0; pace -8 / 2 = -4 -> -3; usage 0.3 x (25 - 30) = -1.5 (no star boost
    # when negative); total (45 - 100) / 20 - 3 - 1.5 = -2.75 - 4.5 = -7.25.
    assert (bo["shot_zone_mismatch_score"], bo["pace_score"], bo["usage_spike_score"]) == (d("0.0"), d("-3.0"), d("-1.5"))
    assert bo["total_composite_adjustment"] == d("-7.25")
    assert bo["shot_zone_context_json"] == '{"missing_data":true}'
    assert bo["missing_data_fields"] == "projected_usage_rate, player_shot_zone"
    assert bo["warning_details"] == "EXTREME_FATIGUE: Player showing severe fatigue"
    # The same player after three days off: 100 - 10 - 8 - 12 - 10 = 60 + 5 = 65.
    assert cy["fatigue_score"] == 65
    # dicole, the same paint profile against STR's paint -3.00: -3.0.
    assert di["shot_zone_mismatch_score"] == d("-3.0")
    for row in factors.values():
        assert row["calculation_version"] == "v1_4factors"
        assert (row["referee_favorability_score"], row["travel_impact_score"]) == (d("0.0"), d("0.0"))


def test_a_back_to_back_after_40_minute_games_is_less_rested_than_three_days_off(phase4):
    """fatigue_score runs the platform's way: 100 = fully rested. bonash and cyroth are the same
    player (age, week, minutes) but for the rest before A."""
    factors = phase4[A]["player_composite_factors"]
    tired, rested = factors["bonash"], factors["cyroth"]
    assert tired["fatigue_score"] < rested["fatigue_score"]
    assert tired["total_composite_adjustment"] < rested["total_composite_adjustment"]


def test_a_defense_allowing_more_paint_points_raises_a_paint_scorers_mismatch(phase4):
    """patlane and dicole have the same paint-heavy profile; OPP allows 26 of 40 in the paint,
    STR 22 of 40: against OPP the mismatch is higher."""
    factors = phase4[A]["player_composite_factors"]
    defense = phase4[A]["team_defense_zone_analysis"]
    assert defense["OPP"]["paint_points_allowed_per_game"] > defense["STR"]["paint_points_allowed_per_game"]
    assert factors["patlane"]["shot_zone_mismatch_score"] > factors["dicole"]["shot_zone_mismatch_score"]


def test_early_season_gating(phase4):
    # Day 19 after opening night: 9 games are enough (LEAST(3 + 6, 9)), flagged early season.
    players = phase4[EARLY]["player_shot_zone_analysis"]
    assert set(players) == {"ezhart"}  # fyhill has 8
    ez = players["ezhart"]
    assert (ez["games_in_sample_10"], ez["early_season_flag"], ez["sample_quality_10"]) == (9, True, "good")
    assert ez["insufficient_data_reason"] == "early season: 9 games (need 9 of 10)"
    assert (ez["data_quality_tier"], ez["backfill_bootstrap_mode"]) == ("high", True)
    # Teams still need 15 games (40 days after October 1, past the early-season rule): ERL has 9.
    assert phase4[EARLY]["team_defense_zone_analysis"] == {}
    assert set(phase4[EARLY]["player_composite_factors"]) == {"ezhart"}
    # Day 10: inside the 14-day bootstrap nothing is written, though ezhart has 8 games before it
    # and a context row.
    assert all(rows == {} for rows in phase4[BOOTSTRAP].values()), phase4[BOOTSTRAP]
