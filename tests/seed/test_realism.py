"""What a review found unrealistic in the generator, measured over a whole generated season.

Each test prints its figure (run with ``-s`` to see them) and checks it against the league's:
about 15 back-to-backs a team, no four games in five nights, overtime in about 6% of games,
about five blocks a team a game, points lines centred on what players score (with some
whole-number lines, so a player can push), two-way players with the team between G League
assignments, live boxscores without the players who did not play.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest

from nba_pipeline_dev.seed import SEASON_2025, season_schedule

from .conftest import SEED


def _team_days(season_year: int, seed: int) -> dict[str, list[int]]:
    days = defaultdict(list)
    for game in season_schedule(season_year, seed):
        days[game.home].append(game.game_date.toordinal())
        days[game.away].append(game.game_date.toordinal())
    return {team: sorted(d) for team, d in days.items()}


@pytest.mark.parametrize("season_year,seed", [(SEASON_2025, SEED), (2023, 7), (2024, 11), (2026, 3)])
def test_about_fifteen_back_to_backs_a_team_and_never_four_in_five_nights(season_year, seed):
    days = _team_days(season_year, seed)
    back_to_backs = {team: sum(b - a == 1 for a, b in zip(d, d[1:])) for team, d in days.items()}
    four_in_five = sum(sum(d4 - d1 <= 4 for d1, d4 in zip(d, d[3:])) for d in days.values())
    figures = pd.Series(back_to_backs)
    print(f"season {season_year} seed {seed}: back-to-backs per team mean {figures.mean():.1f}, "
          f"min {figures.min()}, max {figures.max()}; four games in five nights: {four_in_five}")
    assert 13 <= figures.mean() <= 17, figures.sort_values()
    assert figures.between(7, 23).all(), figures.sort_values()
    assert four_in_five == 0


def test_about_six_percent_of_games_go_to_overtime(team_box):
    periods = team_box.groupby("game_id")["team_minutes"].max().sub(240).floordiv(25)
    share = (periods > 0).mean()
    print(f"overtime: {share:.1%} of {len(periods)} games ({(periods > 1).sum()} with two or more overtimes)")
    assert 0.04 <= share <= 0.08
    assert set(team_box["minutes"]) >= {"240:00", "265:00"}


def test_about_five_blocks_a_team_a_game(team_box):
    blocks = team_box["blocks"]
    print(f"blocks per team per game: mean {blocks.mean():.2f}, 10th-90th percentile "
          f"{blocks.quantile(0.1):.0f}-{blocks.quantile(0.9):.0f}")
    assert 4.5 <= blocks.mean() <= 5.5
    assert blocks.max() <= 18


def _graded_lines(raw, gamebook) -> pd.DataFrame:
    """The line phase 3 grades against: draftkings, else fanduel, else the others by key; the
    latest pre-game snapshot of that book; joined to what the player scored."""
    props = raw["odds_api_player_points_props"]
    props = props[props["minutes_before_tipoff"] >= 0]
    priority = props["bookmaker"].map({"draftkings": 1, "fanduel": 2}).fillna(3)
    props = props.assign(priority=priority).sort_values(
        ["priority", "bookmaker", "snapshot_timestamp"], ascending=[True, True, False])
    line = props.drop_duplicates(["game_date", "player_lookup"])[["game_date", "player_lookup", "points_line"]]
    played = gamebook[gamebook["player_status"] == "active"][["game_date", "player_lookup", "points"]]
    return line.merge(played, on=["game_date", "player_lookup"])


def test_points_lines_are_centred_and_some_are_whole_numbers_so_pushes_happen(raw, gamebook):
    graded = _graded_lines(raw, gamebook)
    result = np.sign(graded["points"] - graded["points_line"])
    over, under, push = (result > 0).mean(), (result < 0).mean(), (result == 0).mean()
    whole = (graded["points_line"] % 1 == 0).mean()
    miss = (graded["points"] - graded["points_line"]).mean()
    print(f"graded lines {len(graded)}: OVER {over:.1%}, UNDER {under:.1%}, PUSH {push:.1%}; "
          f"mean points - line {miss:+.2f}; whole-number lines {whole:.1%}")
    assert 0.44 <= over <= 0.54 and 0.44 <= under <= 0.54
    assert 0.003 <= push <= 0.03
    assert abs(miss) <= 1.0
    assert 0.05 <= whole <= 0.3
    by_size = graded.assign(size=pd.cut(graded["points_line"], [0, 10, 15, 20, 60]))
    for size, group in by_size.groupby("size", observed=True):
        share = (group["points"] > group["points_line"]).mean()
        print(f"  lines {size}: {len(group)} graded, OVER {share:.1%}")
        assert 0.38 <= share <= 0.6, (size, share)


def test_two_way_players_are_not_out_every_game(raw, gamebook, season):
    data, _ = season
    from nba_pipeline_dev.seed.league import TWO_WAY_DEPTH, league

    season_league = league(SEASON_2025, SEED)
    two_way = {lookup for roster in season_league.rosters.values() for lookup in roster.lookups[TWO_WAY_DEPTH:]}
    report = raw["nbac_injury_report"]
    latest = report.sort_values(["report_date", "report_hour"]).groupby(["game_id", "player_lookup"]).tail(1)
    out = latest[latest["injury_status"] == "out"].set_index(["game_id", "player_lookup"]).index
    listed = gamebook[gamebook["player_lookup"].isin(two_way)]
    marked = listed.set_index(["game_id", "player_lookup"]).index.isin(out)
    share = pd.Series(marked, index=listed["player_lookup"].values).groupby(level=0).mean()
    dressed = listed[listed["player_status"] != "inactive"].groupby("player_lookup").size()
    print(f"two-way players: {len(share)}; share of their team's games listed out: mean {share.mean():.1%}, "
          f"min {share.min():.1%}, max {share.max():.1%}; in uniform in {dressed.sum()} games")
    assert len(share) >= 20
    assert 0.3 <= share.mean() <= 0.7
    assert share.between(0.1, 0.9).all(), share.sort_values()
    assert (dressed.reindex(share.index, fill_value=0) > 0).mean() > 0.8
    g_league = latest[latest["reason"] == "G League - Two-Way"]
    assert set(g_league["player_lookup"]) <= two_way and (g_league["injury_status"] == "out").all()


def test_live_boxscores_have_no_players_who_did_not_play(raw, gamebook):
    live = raw["nbac_player_boxscores"]
    seconds = live["minutes"].str.split(":").str[0].astype(int) * 60 + live["minutes"].str.split(":").str[1].astype(int)
    listed = gamebook.groupby("game_id").size()
    played = gamebook[gamebook["player_status"] == "active"].groupby("game_id").size()
    per_game = live.groupby("game_id").size()
    print(f"live boxscore rows per game: mean {per_game.mean():.1f} (gamebook lists {listed.mean():.1f}, "
          f"{played.mean():.1f} of them played); rows without minutes: {(seconds == 0).sum()}")
    assert (seconds > 0).all()
    assert (per_game == played.reindex(per_game.index)).all()
    assert per_game.mean() < listed.mean() - 5


def test_a_schedule_game_has_both_ids(raw, gamebook, games):
    """The NBA.com id (0022500561) in the schedule, YYYYMMDD_AWAY_HOME in the gamebook."""
    schedule = raw["nbac_schedule"]
    assert schedule["game_id"].str.fullmatch(r"00225\d{5}").all()
    assert gamebook["game_id"].str.fullmatch(r"\d{8}_[A-Z]{3}_[A-Z]{3}").all()
    expected = {g.analytics_game_id for g in games.values()}
    assert set(gamebook["game_id"]) == expected
    sample = next(iter(games.values()))
    print(f"game {sample.game_id} = {sample.analytics_game_id} ({sample.game_code})")
    assert dt.date(2025, 10, 1) <= min(gamebook["game_date"])
