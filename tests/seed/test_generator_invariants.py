"""Invariants of the seeded raw-data generator, checked over a whole generated 2025-26 season.

No emulator is needed: the generator is pure computation. Failure messages name the
offending game, team or player.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import subprocess
import sys
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from nba_pipeline_dev.seed import (
    RANGE_COLUMNS,
    SEASON_2025,
    SEEDED_TABLES,
    Fault,
    all_star_break,
    generate,
    parse_fault,
    player_lookup,
    raw_schema,
    season_schedule,
)

from .conftest import SEASON_END, SEASON_START, SEED
from .conftest import latest as _latest
from .conftest import offenders as _offenders

EASTERN = ZoneInfo("America/New_York")
NBA_TRICODES = {
    "ATL", "BOS", "BKN", "CHA", "CHI", "CLE", "DAL", "DEN", "DET", "GSW", "HOU", "IND", "LAC", "LAL", "MEM",
    "MIA", "MIL", "MIN", "NOP", "NYK", "OKC", "ORL", "PHI", "PHX", "POR", "SAC", "SAS", "TOR", "UTA", "WAS",
}
PLAYER_STATS = [
    "points", "field_goals_made", "field_goals_attempted", "three_pointers_made", "three_pointers_attempted",
    "free_throws_made", "free_throws_attempted", "offensive_rebounds", "defensive_rebounds", "total_rebounds",
    "assists", "steals", "blocks", "turnovers", "personal_fouls",
]
# Gamebook stat -> team boxscore column.
TEAM_COLUMN = {
    "points": "points", "field_goals_made": "fg_made", "field_goals_attempted": "fg_attempted",
    "three_pointers_made": "three_pt_made", "three_pointers_attempted": "three_pt_attempted",
    "free_throws_made": "ft_made", "free_throws_attempted": "ft_attempted",
    "offensive_rebounds": "offensive_rebounds", "defensive_rebounds": "defensive_rebounds",
    "total_rebounds": "total_rebounds", "assists": "assists", "steals": "steals", "blocks": "blocks",
    "turnovers": "turnovers", "personal_fouls": "personal_fouls",
}


# --- shape -------------------------------------------------------------------------------------

def test_every_raw_table_has_the_ddl_schema(season):
    data, _ = season
    assert sorted(data) == sorted(SEEDED_TABLES)
    for name in SEEDED_TABLES:
        assert data[name].schema.equals(raw_schema(name)), f"{name}: {data[name].schema} != DDL"
        for field in raw_schema(name):
            if not field.nullable:
                assert data[name][field.name].null_count == 0, f"{name}.{field.name} has NULLs"
    counts = data.row_counts()
    assert all(counts[name] > 0 for name in SEEDED_TABLES), counts
    assert data.dates[0] == SEASON_START and data.dates[-1] == SEASON_END
    assert len(data.dates) == (SEASON_END - SEASON_START).days + 1


def test_progress_reports_every_date(season):
    data, progress = season
    assert [p[0] for p in progress] == list(range(1, len(data.dates) + 1))
    assert {p[1] for p in progress} == {len(data.dates)}
    assert {p[2] for p in progress} == {"generate raw data"}


# --- calendar -------------------------------------------------------------------------------------

def test_thirty_real_teams(schedule):
    assert set(schedule["home_team_tricode"]) == NBA_TRICODES
    assert set(schedule["away_team_tricode"]) == NBA_TRICODES


def _check_calendar(games: pd.DataFrame, season_year: int) -> None:
    assert len(games) == 1230, f"{len(games)} games"
    assert games["game_id"].is_unique
    prefix = f"002{season_year % 100:02d}"
    bad_ids = games[~games["game_id"].str.match(rf"^{prefix}\d{{5}}$")]
    assert bad_ids.empty, _offenders(bad_ids, ["game_id", "game_date"])
    ordered = games.sort_values("game_id")
    assert ordered["game_date"].is_monotonic_increasing, "game ids are not in date order"
    assert ordered["game_id"].iloc[0] == f"{prefix}00001" and ordered["game_id"].iloc[-1] == f"{prefix}01230"
    home = games["home_team_tricode"].value_counts()
    away = games["away_team_tricode"].value_counts()
    assert set(home) == {41}, f"home games per team: {home[home != 41].to_dict()}"
    assert set(away) == {41}, f"away games per team: {away[away != 41].to_dict()}"
    appearances = pd.concat([
        games[["game_date", "home_team_tricode"]].rename(columns={"home_team_tricode": "team"}),
        games[["game_date", "away_team_tricode"]].rename(columns={"away_team_tricode": "team"}),
    ])
    twice = appearances[appearances.duplicated(["game_date", "team"], keep=False)]
    assert twice.empty, f"teams playing twice on one day:\n{_offenders(twice, ['game_date', 'team'])}"
    first, last = games["game_date"].min(), games["game_date"].max()
    assert dt.date(season_year, 10, 18) <= first <= dt.date(season_year, 10, 31), first
    assert dt.date(season_year + 1, 4, 8) <= last <= dt.date(season_year + 1, 4, 18), last
    per_day = games.groupby("game_date").size()
    every_day = pd.Series(0, index=[first + dt.timedelta(days=i) for i in range((last - first).days + 1)])
    per_day = per_day.reindex(every_day.index, fill_value=0)
    assert per_day.max() <= 15 and per_day.min() >= 0, per_day.describe()
    # The All-Star break: the only long stretch without games, about a week in mid February.
    gaps, run, start = [], 0, None
    for day, count in per_day.items():
        if count == 0:
            run, start = run + 1, start or day
        else:
            if run:
                gaps.append((start, run))
            run, start = 0, None
    longest_start, longest = max(gaps, key=lambda g: g[1])
    assert 6 <= longest <= 8, gaps
    assert longest_start.month == 2 and 9 <= longest_start.day <= 20, longest_start
    assert all(length <= 1 for s, length in gaps if s != longest_start), gaps
    break_first, break_last = all_star_break(season_year)
    assert not ((games["game_date"] >= break_first) & (games["game_date"] <= break_last)).any()
    # Never three games on three consecutive days, nor four games in five nights, for one team.
    for team, days in appearances.groupby("team")["game_date"]:
        ordinal = sorted(d.toordinal() for d in days)
        triples = [dt.date.fromordinal(a) for a, c in zip(ordinal, ordinal[2:]) if c - a == 2]
        assert not triples, f"{team} plays three days in a row from {triples[:3]}"
        crowded = [dt.date.fromordinal(a) for a, d in zip(ordinal, ordinal[3:]) if d - a <= 4]
        assert not crowded, f"{team} plays four games in five nights from {crowded[:3]}"


def test_season_calendar(schedule):
    _check_calendar(schedule, SEASON_2025)
    assert (schedule["season_year"] == SEASON_2025).all()


@pytest.mark.parametrize("season_year,seed", [(2023, 7), (2024, 11), (2026, 3)])
def test_other_seasons_have_a_valid_calendar(season_year, seed):
    games = pd.DataFrame(
        [{"game_id": g.game_id, "game_date": g.game_date, "home_team_tricode": g.home,
          "away_team_tricode": g.away} for g in season_schedule(season_year, seed)]
    )
    _check_calendar(games, season_year)


def test_tip_offs_are_evening_et_on_the_game_date(tip_offs, schedule):
    for game_id, game_date, est in zip(schedule["game_id"], schedule["game_date"], schedule["game_date_est"]):
        tip = tip_offs[game_id]
        assert tip.date() == game_date, game_id
        assert est == pd.Timestamp(tip), (game_id, est, tip)
        assert 12 <= tip.hour + tip.minute / 60 <= 22.5, f"{game_id} tips at {tip}"
    evening = sum(1 for t in tip_offs.values() if 19 <= t.hour + t.minute / 60 <= 22.5)
    assert evening / len(tip_offs) > 0.85


# --- rosters and players -------------------------------------------------------------------------

def test_rosters_are_stable_and_names_normalized(gamebook):
    per_team = gamebook.groupby("team_abbr")["player_lookup"].nunique()
    assert per_team.between(13, 17).all(), per_team[~per_team.between(13, 17)].to_dict()
    teams_of = gamebook.groupby("player_lookup")["team_abbr"].nunique()
    movers = teams_of[teams_of > 1]
    assert movers.empty, f"players on several teams: {movers.index[:5].tolist()}"
    names = gamebook.drop_duplicates("player_lookup")[["player_lookup", "player_name"]]
    for lookup, name in zip(names["player_lookup"], names["player_name"]):
        assert re.fullmatch(r"[a-z0-9]+", lookup), lookup
        assert lookup == player_lookup(name), (lookup, name)
        first, last, *suffix = name.split(" ")
        assert suffix in ([], ["Jr."], ["II"], ["III"]), name
        for part in (first, last):
            assert part[0].isupper() and part.replace("'", "").replace("-", "").isalpha(), name
    assert names["player_name"].is_unique
    assert 400 <= len(names) <= 510
    assert player_lookup("De'Andre Šimić-Hart Jr.") == "deandresimichartjr"


def test_player_rows_per_game(gamebook):
    rows = gamebook.groupby("game_id").size()
    active = gamebook[gamebook["player_status"] == "active"].groupby("game_id").size()
    assert rows.between(26, 36).all(), rows[~rows.between(26, 36)].head().to_dict()
    assert 30 <= rows.mean() <= 36, rows.mean()
    assert active.between(19, 34).all(), active[~active.between(19, 34)].head().to_dict()
    assert set(gamebook["player_status"]) == {"active", "inactive", "dnp"}
    per_team_active = gamebook[gamebook["player_status"] == "active"].groupby(["game_id", "team_abbr"]).size()
    assert per_team_active.between(9, 13).all(), per_team_active[~per_team_active.between(9, 13)].head()


def test_players_who_did_not_play_have_a_reason_and_no_stats(gamebook):
    out = gamebook[gamebook["player_status"] != "active"]
    missing_reason = out[out["dnp_reason"].isna()]
    assert missing_reason.empty, _offenders(missing_reason, ["game_id", "player_lookup", "player_status"])
    stat_columns = PLAYER_STATS + ["minutes", "minutes_decimal", "plus_minus"]
    with_stats = out[out[stat_columns].notna().any(axis=1)]
    assert with_stats.empty, _offenders(with_stats, ["game_id", "player_lookup", "points"])
    dnp = gamebook[gamebook["player_status"] == "dnp"]
    assert dnp["dnp_reason"].str.startswith("DNP").all()
    assert out[out["player_status"] == "inactive"]["dnp_reason"].str.startswith("Inactive").all()
    played = gamebook[gamebook["player_status"] == "active"]
    assert played["dnp_reason"].isna().all()
    assert played[stat_columns].notna().all().all()
    no_minutes = played[played["minutes_decimal"] <= 0]
    assert no_minutes.empty, _offenders(no_minutes, ["game_id", "player_lookup", "minutes_decimal"])


# --- box scores ----------------------------------------------------------------------------------

@pytest.mark.parametrize("table", ["nbac_gamebook_player_stats", "nbac_player_boxscores"])
def test_box_score_arithmetic(raw, table):
    rows = raw[table]
    played = rows[rows["player_status"] == "active"] if "player_status" in rows else rows
    ident = ["game_id", "player_lookup"]
    checks = {
        "points = 2*FGM + 3PM + FTM": played["points"] != 2 * played["field_goals_made"]
        + played["three_pointers_made"] + played["free_throws_made"],
        "FGM <= FGA": played["field_goals_made"] > played["field_goals_attempted"],
        "3PM <= 3PA": played["three_pointers_made"] > played["three_pointers_attempted"],
        "FTM <= FTA": played["free_throws_made"] > played["free_throws_attempted"],
        "3PM <= FGM": played["three_pointers_made"] > played["field_goals_made"],
        "3PA <= FGA": played["three_pointers_attempted"] > played["field_goals_attempted"],
        "REB = OREB + DREB": played["total_rebounds"] != played["offensive_rebounds"] + played["defensive_rebounds"],
        "PF <= 6": played["personal_fouls"] > 6,
        "no negatives": (played[PLAYER_STATS] < 0).any(axis=1),
        "minutes are MM:SS": ~played["minutes"].str.fullmatch(r"\d{1,2}:[0-5]\d"),
        "FG% = FGM / FGA": (played["field_goal_percentage"].fillna(-1) - (
            played["field_goals_made"] / played["field_goals_attempted"]).round(3).fillna(-1)).abs() > 1e-9,
    }
    for rule, broken in checks.items():
        assert not broken.any(), f"{table}: {rule} broken for\n{_offenders(played[broken], ident + ['points'])}"


def test_team_row_is_the_sum_of_its_players(gamebook, team_box):
    sums = gamebook.groupby(["game_id", "team_abbr"])[PLAYER_STATS + ["minutes_decimal"]].sum()
    joined = team_box.set_index(["game_id", "team_abbr"]).join(sums, how="outer", suffixes=("", "_players"))
    assert len(joined) == 2 * 1230 and joined[list(TEAM_COLUMN.values())].notna().all().all()
    for stat, column in TEAM_COLUMN.items():
        left = joined[column] if column != stat else joined[stat]
        right = joined[f"{stat}_players"] if column == stat else joined[stat]
        broken = joined[left != right]
        assert broken.empty, f"team {column} != sum of players' {stat} for {broken.index[:5].tolist()}"
    assert joined["minutes"].str.fullmatch(r"\d{3}:00").all(), joined["minutes"].unique()
    overtime = (joined["team_minutes"] - 240) / 25
    assert ((overtime >= 0) & (overtime == overtime.round())).all(), joined["minutes"].unique()
    off_by = (joined["minutes_decimal"] - joined["team_minutes"]).abs()
    assert (off_by <= 0.01).all(), f"player minutes do not add up: {off_by[off_by > 0.01].head().to_dict()}"
    both = team_box.groupby("game_id")["minutes"].nunique()
    assert (both == 1).all(), "the two teams of a game played different minutes"
    assert 0.01 <= (overtime > 0).mean() <= 0.1


def test_scores_match_the_schedule_and_nobody_ties(schedule, team_box, analytics_ids):
    assert (schedule["game_status"] == 3).all()
    points = team_box.pivot(index="nba_game_id", columns="is_home", values="points")
    merged = schedule.set_index("game_id").join(points)
    wrong = merged[(merged["home_team_score"] != merged[True]) | (merged["away_team_score"] != merged[False])]
    assert wrong.empty, f"schedule scores differ from box scores: {wrong.index[:5].tolist()}"
    ties = merged[merged["home_team_score"] == merged["away_team_score"]]
    assert ties.empty, f"tied games: {ties.index[:5].tolist()}"
    winners = np.where(merged["home_team_score"] > merged["away_team_score"], merged["home_team_tricode"],
                       merged["away_team_tricode"])
    assert (merged["winning_team_tricode"] == winners).all()
    homes = team_box[team_box["is_home"]].set_index("nba_game_id")["team_abbr"]
    assert (homes.reindex(merged.index) == merged["home_team_tricode"]).all()
    # The two ids of a game name the same game: YYYYMMDD_AWAY_HOME beside the NBA.com id.
    assert (team_box["game_id"] == team_box["nba_game_id"].map(analytics_ids)).all()


def test_realistic_stat_distributions(team_box, gamebook):
    regulation = team_box[team_box["team_minutes"] == 240]
    points, attempts = regulation["points"], regulation["fg_attempted"]
    assert 108 <= points.mean() <= 120, points.describe()
    assert 94 <= points.quantile(0.1) and points.quantile(0.9) <= 135, points.describe()
    assert 9 <= points.std() <= 15, points.std()
    assert 82 <= attempts.mean() <= 95, attempts.describe()
    assert 0.33 <= (regulation["three_pt_made"] / regulation["three_pt_attempted"]).mean() <= 0.39
    assert 38 <= regulation["total_rebounds"].mean() <= 48
    assert 22 <= regulation["assists"].mean() <= 30
    home_wins = team_box[team_box["is_home"]].set_index("game_id")["points"] > \
        team_box[~team_box["is_home"]].set_index("game_id")["points"]
    assert 0.5 <= home_wins.mean() <= 0.62
    played = gamebook[gamebook["player_status"] == "active"]
    averages = played.groupby("player_lookup")["points"].mean()
    assert 25 <= averages.max() <= 38, averages.max()
    assert played["minutes_decimal"].max() <= 48 + 5 * 4
    minutes_avg = played.groupby("player_lookup")["minutes_decimal"].mean()
    assert minutes_avg.max() <= 41


def test_plus_minus_adds_up_to_five_times_the_margin(gamebook, team_box):
    pm = gamebook.groupby(["game_id", "team_abbr"])["plus_minus"].sum()
    by_game = team_box.set_index(["game_id", "team_abbr"])["points"]
    opponent = team_box.groupby("game_id")["points"].transform("sum").values - team_box["points"].values
    margin = pd.Series(team_box["points"].values - opponent, index=by_game.index)
    wrong = (pm.reindex(margin.index) != 5 * margin)
    assert not wrong.any(), f"plus-minus does not add up for {margin.index[wrong][:5].tolist()}"
    assert (team_box.set_index(["game_id", "team_abbr"])["plus_minus"] == margin).all()
    assert team_box.groupby("game_id")["plus_minus"].sum().eq(0).all()


# --- play-by-play ------------------------------------------------------------------------------

def test_shot_events_match_the_box_score(raw, gamebook, team_box, schedule):
    events = raw["nbac_play_by_play"]
    assert set(events["event_type"]) == {"fieldgoal", "freethrow"}
    assert set(events["shot_type"]) == {"2PT", "3PT", "FT"}
    assert set(events["event_action_type"]) == {"made", "missed"}
    shots = events[events["event_type"] == "fieldgoal"]
    free = events[events["event_type"] == "freethrow"]
    three = shots["shot_type"] == "3PT"
    paint = (shots["shot_type"] == "2PT") & (shots["shot_distance"] <= 8.0)  # the platform's zones
    mid = (shots["shot_type"] == "2PT") & (shots["shot_distance"] > 8.0)
    key = ["game_id", "player_1_team_abbr", "player_1_lookup"]
    per_player = shots.assign(
        fga=1, fgm=shots["shot_made"].astype(int), tpa=three.astype(int), tpm=(three & shots["shot_made"]).astype(int),
        paint=paint.astype(int), mid=mid.astype(int),
    ).groupby(key)[["fga", "fgm", "tpa", "tpm", "paint", "mid"]].sum()
    per_player = per_player.join(free.assign(fta=1, ftm=free["shot_made"].astype(int)).groupby(key)[["fta", "ftm"]].sum(),
                                 how="outer").fillna(0)
    per_player.index.names = ["game_id", "team_abbr", "player_lookup"]
    played = gamebook[gamebook["player_status"] == "active"].set_index(["game_id", "team_abbr", "player_lookup"])
    joined = played.join(per_player, how="outer")
    joined[per_player.columns] = joined[per_player.columns].fillna(0)
    for box, pbp in (("field_goals_attempted", "fga"), ("field_goals_made", "fgm"),
                     ("three_pointers_attempted", "tpa"), ("three_pointers_made", "tpm"),
                     ("free_throws_attempted", "fta"), ("free_throws_made", "ftm")):
        wrong = joined[joined[box] != joined[pbp]]
        assert wrong.empty, f"{box} != play-by-play ({pbp}) for {wrong.index[:5].tolist()}"
    twos = joined["field_goals_attempted"] - joined["three_pointers_attempted"]
    assert (joined["paint"] + joined["mid"] == twos).all()
    assert joined["paint"].sum() > joined["mid"].sum() > 0
    assert (shots[three]["shot_distance"] >= 22.0).all() and (shots[~three]["shot_distance"] < 22.0).all()
    assert free["shot_x"].isna().all() and (free["shot_distance"] == 0.0).all()
    assisted_misses = shots[shots["player_2_lookup"].notna() & ~shots["shot_made"]]
    assert assisted_misses.empty, "a missed shot has an assist"
    assert free["player_2_lookup"].isna().all()
    assisted = shots[shots["player_2_lookup"].notna()].groupby(["game_id", "player_1_team_abbr"]).size()
    assists = team_box.set_index(["game_id", "team_abbr"])["assists"]
    assisted.index.names = assists.index.names
    wrong = assists[assisted.reindex(assists.index, fill_value=0) != assists]
    assert wrong.empty, f"team assists != assisted made shots for {wrong.index[:5].tolist()}"
    # The running score ends at the final score, in the last period the game reached.
    last = events.sort_values("event_sequence").groupby("nba_game_id").tail(1).set_index("nba_game_id")
    final = schedule.set_index("game_id")
    assert (last["score_home"] == final["home_team_score"].reindex(last.index)).all()
    assert (last["score_away"] == final["away_team_score"].reindex(last.index)).all()
    periods = events.groupby("game_id")["period"].max()
    overtimes = team_box.groupby("game_id")["team_minutes"].max().sub(240).floordiv(25)
    assert (periods.reindex(overtimes.index) <= 4 + overtimes).all()
    assert events["game_clock"].str.fullmatch(r"\d\d:\d\d").all()


def test_event_ids_increase_within_each_game(season):
    data, _ = season
    events = data["nbac_play_by_play"].select(["game_id", "event_id", "event_sequence", "time_elapsed_seconds"]).to_pandas()
    step = events.groupby("game_id")["event_sequence"].diff().dropna()
    assert (step > 0).all(), f"actions not increasing in {events.loc[step[step <= 0].index, 'game_id'].unique()[:5]}"
    assert (events.groupby("game_id")["time_elapsed_seconds"].diff().dropna() >= 0).all(), "actions out of clock order"
    assert (events["event_id"] == events["event_sequence"].astype(str)).all()
    assert events.duplicated(["game_id", "event_id"]).sum() == 0


# --- live boxscores, versions and load times --------------------------------------------------------

def test_live_boxscores_list_only_who_played_as_the_final_gamebook(raw, gamebook):
    live = raw["nbac_player_boxscores"]
    assert live.duplicated(["game_id", "player_lookup"]).sum() == 0
    assert (live["minutes"].str.split(":").str[0].astype(int) * 60 + live["minutes"].str.split(":").str[1].astype(int)
            > 0).all(), "a live boxscore row for a player who did not play"
    columns = ["game_id", "team_abbr", "player_lookup", "minutes", "plus_minus"] + PLAYER_STATS
    played = gamebook[gamebook["player_status"] == "active"]
    left = live[columns].sort_values(["game_id", "player_lookup"]).reset_index(drop=True)
    right = played[columns].sort_values(["game_id", "player_lookup"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(left, right, check_dtype=False)


def _et_wall_hours_after_midnight_of(stamps: pd.Series, days: pd.Series) -> pd.Series:
    """Hours on New York clocks since midnight starting ``days`` (a DST night still reads 2-6 AM)."""
    local = stamps.dt.tz_convert(EASTERN)
    day_offset = (pd.to_datetime(local.dt.date) - pd.to_datetime(days)).dt.days
    return day_offset * 24 + local.dt.hour + local.dt.minute / 60 + local.dt.second / 3600


def test_several_raw_versions_latest_is_correct(raw, gamebook):
    for table, key in (("nbac_gamebook_player_stats", ["game_id", "player_lookup"]),
                       ("nbac_team_boxscore", ["game_id", "team_abbr"]), ("nbac_schedule", ["game_id", "game_date"])):
        versions = raw[table].groupby(key)["processed_at"].nunique()
        exact = raw[table].groupby(key).size()
        assert (versions == exact).all(), f"{table}: two versions of a row share processed_at"
        assert versions.max() == 3 and 0.05 <= (versions > 1).mean() <= 0.5, (table, versions.value_counts())
    book = raw["nbac_gamebook_player_stats"]
    versions = book.groupby(["game_id", "player_lookup"])["processed_at"].transform("nunique")
    older = book[(versions > 1) & (book["processed_at"] < book.groupby("game_id")["processed_at"].transform("max"))]
    latest = gamebook.set_index(["game_id", "player_lookup"])
    compared = older.set_index(["game_id", "player_lookup"])[["assists", "data_hash"]].join(
        latest[["assists", "data_hash"]], suffixes=("", "_latest")
    )
    changed = compared["assists"].fillna(-1) != compared["assists_latest"].fillna(-1)
    assert changed.any(), "earlier versions never differ"
    assert (compared[changed]["data_hash"] != compared[changed]["data_hash_latest"]).all(), "data_hash misses a change"
    schedule = raw["nbac_schedule"]
    early = schedule[schedule["game_status"] != 3]
    assert not early.empty and early["game_status"].isin([1, 2]).all()
    # The platform's schedule writes scores (and the winner) only once a game is final.
    assert early[["home_team_score", "away_team_score", "winning_team_tricode"]].isna().all().all()
    assert set(early["game_status_text"]) == {"Scheduled", "In Progress"}
    for name in SEEDED_TABLES:
        if "data_hash" in raw[name]:
            assert raw[name]["data_hash"].str.fullmatch(r"[0-9a-f]{16}").all(), name


def test_load_times(raw, tip_offs):
    book = raw["nbac_gamebook_player_stats"]
    hours = _et_wall_hours_after_midnight_of(book["processed_at"], book["game_date"])
    late = book[(hours < 24 + 2) | (hours > 24 + 6)]
    assert late.empty, f"gamebook outside 2-6 AM ET next morning:\n{_offenders(late, ['game_id', 'processed_at'])}"
    live = raw["nbac_player_boxscores"]
    tips = live["nba_game_id"].map(tip_offs)
    after_tip = (live["processed_at"] - tips.map(lambda t: pd.Timestamp(t))).dt.total_seconds() / 3600
    assert after_tip.between(2, 5).all(), after_tip.describe()
    first_gamebook = book.groupby("game_id")["processed_at"].min()
    live_at = live.groupby("game_id")["processed_at"].max()
    early = first_gamebook[first_gamebook <= live_at.reindex(first_gamebook.index)]
    assert early.empty, f"gamebook loaded before the live boxscore: {early.index[:5].tolist()}"
    team = raw["nbac_team_boxscore"]
    team_tips = team["nba_game_id"].map(tip_offs).map(lambda t: pd.Timestamp(t))
    assert (team["processed_at"] > team_tips + pd.Timedelta(hours=2)).all()


# --- markets and injuries --------------------------------------------------------------------------

def test_player_props(raw, gamebook, tip_offs, analytics_ids):
    props = raw["odds_api_player_points_props"]
    assert set(props["bookmaker"]) == {"draftkings", "fanduel", "betmgm", "williamhill_us", "betrivers"}
    assert ((props["points_line"] * 2) % 1 == 0).all(), "a line off the half-point grid"
    nba_ids = {v: k for k, v in analytics_ids.items()}
    game = props["game_id"].where(props["game_id"].isin(tip_offs.keys()), props["game_id"].map(nba_ids))
    assert game.notna().all(), "a props game id that is neither the NBA.com id nor the date form"
    assert 0 < (props["game_id"] != game).mean() < 0.05, "the date-form fallback id should be rare but present"
    tips = game.map(tip_offs).map(lambda t: pd.Timestamp(t))
    before = props["snapshot_timestamp"] < tips
    assert (before == (props["minutes_before_tipoff"] >= 0)).all()
    assert (props["minutes_before_tipoff"] == ((tips - props["snapshot_timestamp"]).dt.total_seconds() // 60)).all()
    in_game = props[~before]
    assert not in_game.empty and set(in_game["bookmaker"]) == {"draftkings"}, "in-game snapshots should exist"
    pre = props[before]
    assert (pre["odds_api_event_id"].str.fullmatch(r"[0-9a-f]{32}")).all()
    players_per_game = pre.groupby("odds_api_event_id")["player_lookup"].nunique()
    assert players_per_game.between(6, 20).all(), players_per_game.describe()
    snapshots = pre.groupby(["odds_api_event_id", "player_lookup", "bookmaker"]).size()
    assert snapshots.min() >= 2 and snapshots.max() <= 4
    assert (pre.groupby(["odds_api_event_id", "player_lookup"])["bookmaker"].apply(set).map(
        lambda s: "draftkings" in s or "fanduel" in s)).mean() > 0.99
    assert (pre["over_price"] > 1.0).all() and (pre["under_price"] > 1.0).all()
    assert (1 / pre["over_price"] + 1 / pre["under_price"]).between(1.0, 1.1).all(), "prices without a margin"
    statuses = gamebook.set_index(["game_date", "player_lookup"])["player_status"]
    offered = pre.drop_duplicates(["game_date", "player_lookup"]).set_index(["game_date", "player_lookup"])
    status = statuses.reindex(offered.index)
    assert status.notna().all(), "a prop for a player not in the gamebook"
    injured = gamebook[gamebook["dnp_reason"].fillna("").str.contains("Injury")]
    clash = offered.index.intersection(injured.set_index(["game_date", "player_lookup"]).index)
    assert clash.empty, f"props for injured players: {list(clash[:5])}"
    played = gamebook[gamebook["player_status"] == "active"]
    average = played.groupby("player_lookup")["points"].mean()
    typical_line = pre.groupby("player_lookup")["points_line"].median()
    gap = (typical_line - average.reindex(typical_line.index)).abs()
    assert (gap <= 5).mean() >= 0.9, gap.sort_values().tail()


def test_bettingpros_props_are_the_deeper_fallback(raw):
    bp = raw["bettingpros_player_points_props"]
    odds = raw["odds_api_player_points_props"]
    assert set(bp["market_type"]) == {"points"} and set(bp["bet_side"]) == {"over", "under"}
    assert "BettingPros Consensus" in set(bp["bookmaker"]) and bp["bookmaker"].nunique() >= 5
    assert ((bp["points_line"] * 2) % 1 == 0).all()
    # Both sides of an offer at a book in one file share the line.
    sides = bp.groupby(["offer_id", "book_id", "source_file_path"])
    assert (sides["points_line"].nunique() == 1).all() and (sides["bet_side"].nunique() == 2).all()
    assert (bp.groupby(["source_file_path", "offer_id", "bet_side"])["is_best_line"].sum() == 1).all()
    bp_players = set(zip(bp["game_date"], bp["player_lookup"]))
    odds_players = set(zip(odds["game_date"], odds["player_lookup"]))
    assert odds_players <= bp_players, "the Odds API prices a player BettingPros does not"
    only_bp = len(bp_players - odds_players) / len(bp_players)
    print(f"players priced by BettingPros only: {only_bp:.1%} of {len(bp_players)}")
    assert 0.05 <= only_bp <= 0.5


def test_game_lines_per_bookmaker_market_and_outcome(raw, schedule, tip_offs):
    lines = raw["odds_api_game_lines"]
    assert set(lines["market_key"]) == {"spreads", "totals"}
    assert lines["bookmaker_key"].nunique() == 5 and (lines["sport_key"] == "basketball_nba").all()
    assert lines.duplicated(["game_date", "game_id", "snapshot_timestamp", "bookmaker_key", "market_key",
                             "outcome_name"]).sum() == 0, "the platform's merge key repeats"
    assert lines["game_id"].str.fullmatch(r"[0-9a-f]{32}").all()
    events = lines.drop_duplicates("game_id").merge(
        schedule, left_on=["game_date", "home_team_abbr", "away_team_abbr"],
        right_on=["game_date", "home_team_tricode", "away_team_tricode"])
    assert len(events) == len(schedule) == lines["game_id"].nunique()
    assert ((events["commence_time"] == events["game_id_y"].map(tip_offs).map(pd.Timestamp))).all()
    snapshots = lines.groupby("game_id")["snapshot_timestamp"].nunique()
    assert snapshots.between(3, 5).all()
    assert (lines["snapshot_timestamp"] < lines["commence_time"]).all()
    spreads = lines[lines["market_key"] == "spreads"]
    assert set(spreads["outcome_name"]) <= set(lines["home_team"]) | set(lines["away_team"])
    key = ["game_id", "snapshot_timestamp", "bookmaker_key"]
    home = spreads[spreads["outcome_name"] == spreads["home_team"]].set_index(key)["outcome_point"]
    away = spreads[spreads["outcome_name"] == spreads["away_team"]].set_index(key)["outcome_point"]
    assert (home == -away.reindex(home.index)).all(), "the two sides of a spread differ"
    totals = lines[lines["market_key"] == "totals"]
    assert set(totals["outcome_name"]) == {"Over", "Under"}
    over = totals[totals["outcome_name"] == "Over"].set_index(key)["outcome_point"]
    under = totals[totals["outcome_name"] == "Under"].set_index(key)["outcome_point"]
    assert (over == under.reindex(over.index)).all()
    assert over.between(195, 260).all() and home.abs().max() <= 25
    assert ((home * 2) % 1 == 0).all() and ((over * 2) % 1 == 0).all()
    chain = lines.drop_duplicates(["game_id", "snapshot_timestamp"]).sort_values(["game_id", "snapshot_timestamp"])
    previous = chain.groupby("game_id")["snapshot_timestamp"].shift()
    assert (chain["previous_snapshot_timestamp"].isna() == previous.isna()).all()
    assert (chain["previous_snapshot_timestamp"].dropna() == previous.dropna()).all()
    last = lines[lines["snapshot_timestamp"] == lines.groupby("game_id")["snapshot_timestamp"].transform("max")]
    last = last[(last["bookmaker_key"] == "draftkings") & (last["market_key"] == "spreads")
                & (last["outcome_name"] == last["home_team"])].merge(
        schedule, left_on=["game_date", "home_team_abbr"], right_on=["game_date", "home_team_tricode"])
    favourite_won = ((last["outcome_point"] < 0) == (last["home_team_score"] > last["away_team_score"]))[
        last["outcome_point"] != 0]
    assert favourite_won.mean() > 0.56, favourite_won.mean()


def test_injury_reports_match_who_was_inactive(raw, gamebook):
    report = raw["nbac_injury_report"]
    assert set(report["injury_status"]) <= {"out", "doubtful", "questionable", "probable", "available"}
    assert {"out", "questionable"} <= set(report["injury_status"])
    assert set(report["report_hour"]) <= {11, 13, 17} and report["report_hour"].nunique() >= 2
    assert set(report["reason_category"]) <= {"injury", "g_league", "rest"}
    lag = (pd.to_datetime(report["game_date"]) - pd.to_datetime(report["report_date"])).dt.days
    assert lag.between(0, 1).all(), "report_date after game_date or too early"
    assert (report["game_id"] == report["game_date"].map(lambda d: f"{d:%Y%m%d}") + "_" + report["away_team"]
            + "_" + report["home_team"]).all()
    assert (report["matchup"] == report["away_team"] + "@" + report["home_team"]).all()
    assert report.duplicated(["report_date", "report_hour", "game_id", "player_lookup"]).sum() == 0
    latest = report.sort_values(["report_date", "report_hour"]).groupby(["game_date", "player_lookup"]).tail(1)
    status = gamebook.set_index(["game_date", "player_lookup"])[["player_status", "team_abbr"]]
    joined = latest.set_index(["game_date", "player_lookup"]).join(status)
    assert joined["player_status"].notna().all(), "a report for a player not in the gamebook"
    assert (joined["team"] == joined["team_abbr"]).all()
    out_but_played = joined[(joined["injury_status"] == "out") & (joined["player_status"] != "inactive")]
    assert out_but_played.empty, f"ruled out but not inactive: {out_but_played.index[:5].tolist()}"
    hurt = gamebook[gamebook["dnp_reason"].fillna("").str.startswith("Inactive - Injury")]
    reported = set(zip(latest["game_date"], latest["player_lookup"]))
    missing = [(d, p) for d, p in zip(hurt["game_date"], hurt["player_lookup"]) if (d, p) not in reported]
    assert not missing, f"injured players missing from the report: {missing[:5]}"
    names = report.drop_duplicates("player_lookup")
    assert (names["player_name_original"].str.split(", ").str[::-1].str.join(" ") == names["player_full_name"]).all()


# --- determinism ---------------------------------------------------------------------------------

def _between(table: pa.Table, start: dt.date, end: dt.date, column: str = "game_date") -> pa.Table:
    dates = table[column]
    mask = pc.and_(pc.greater_equal(dates, pa.scalar(start, pa.date32())),
                   pc.less_equal(dates, pa.scalar(end, pa.date32())))
    return table.filter(mask)


def test_same_seed_same_rows_and_sub_ranges_match(season):
    data, _ = season
    start, end = dt.date(2026, 1, 5), dt.date(2026, 1, 8)
    part = generate(start, end, seed=SEED)
    again = generate(start, end, seed=SEED)
    for name in SEEDED_TABLES:
        assert part[name].num_rows > 0, name
        assert part[name].equals(again[name]), f"{name} differs between two runs with one seed"
        if RANGE_COLUMNS[name] != "season":  # the registry counts appearances over the range
            column = RANGE_COLUMNS[name]
            assert part[name].equals(_between(data[name], start, end, column)), f"{name}: sub-range differs"
    other = generate(start, end, seed=SEED + 1)
    assert not other["nbac_team_boxscore"].equals(part["nbac_team_boxscore"])


_DIGEST = (
    "import datetime as dt, hashlib\n"
    "from nba_pipeline_dev.seed import generate\n"
    "data = generate(dt.date(2026, 3, 1), dt.date(2026, 3, 2), seed=11)\n"
    "print(hashlib.sha256(repr([data[n].to_pylist() for n in data]).encode()).hexdigest())\n"
)


@pytest.mark.integration  # other interpreters
def test_rows_do_not_depend_on_the_process():
    """Same seed, same rows in other interpreters too (no hash-order or clock dependence)."""
    data = generate(dt.date(2026, 3, 1), dt.date(2026, 3, 2), seed=11)
    expected = hashlib.sha256(repr([data[n].to_pylist() for n in data]).encode()).hexdigest()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run([sys.executable, "-c", _DIGEST], env=env, capture_output=True, text=True, check=True)
        assert out.stdout.strip() == expected, f"PYTHONHASHSEED={hash_seed} gave other rows"


def test_dates_without_games_give_no_rows():
    first, last = all_star_break(SEASON_2025)
    quiet = generate(first, last)
    assert quiet.row_counts() == {name: 0 for name in SEEDED_TABLES}
    assert quiet.dates[0] == first and quiet.dates[-1] == last and quiet.game_dates == []
    summer = generate(dt.date(2025, 7, 1), dt.date(2025, 7, 3))
    assert sum(summer.row_counts().values()) == 0
    with pytest.raises(ValueError, match="before start"):
        generate(dt.date(2026, 1, 2), dt.date(2026, 1, 1))


def test_ranges_across_two_seasons():
    data = generate(dt.date(2026, 4, 12), dt.date(2026, 10, 21))
    seasons = set(data["nbac_schedule"]["season_year"].to_pylist())
    assert seasons == {2025, 2026}
    assert data.game_dates[0] == dt.date(2026, 4, 12) and data.game_dates[-1] == dt.date(2026, 10, 21)
    ids = data["nbac_schedule"]["game_id"].to_pylist()
    assert any(i.startswith("00225") for i in ids) and any(i.startswith("00226") for i in ids)


# --- faults ----------------------------------------------------------------------------------------

FAULT_DAY = dt.date(2026, 2, 4)
RANGE = (dt.date(2026, 2, 3), dt.date(2026, 2, 5))


@pytest.fixture(scope="module")
def clean():
    return generate(*RANGE)


def _changed_tables(clean, faulty) -> set[str]:
    return {name for name in SEEDED_TABLES if not clean[name].equals(faulty[name])}


def _rows_of(table: pa.Table, day: dt.date) -> pd.DataFrame:
    return _between(table, day, day).to_pandas()


def _other_days_equal(clean, faulty, name):
    for day in (RANGE[0], RANGE[1]):
        assert _rows_of(clean[name], day).equals(_rows_of(faulty[name], day)), f"{name} changed on {day}"


def test_fault_late_gamebook(clean):
    faulty = generate(*RANGE, faults=[parse_fault(f"late_gamebook:{FAULT_DAY}")])
    assert _changed_tables(clean, faulty) == {"nbac_gamebook_player_stats"}
    name = "nbac_gamebook_player_stats"
    _other_days_equal(clean, faulty, name)
    before, after = _rows_of(clean[name], FAULT_DAY), _rows_of(faulty[name], FAULT_DAY)
    pd.testing.assert_frame_equal(before.drop(columns="processed_at"), after.drop(columns="processed_at"))
    deadline = pd.Timestamp(dt.datetime.combine(FAULT_DAY + dt.timedelta(days=1), dt.time(10), EASTERN))
    assert after["processed_at"].min() > deadline, after["processed_at"].min()
    delay = (after["processed_at"] - before["processed_at"]).dt.total_seconds() / 3600
    assert delay.min() >= 8 and delay.nunique() == 1


@pytest.mark.parametrize("explicit", [False, True])
def test_fault_missing_gamebook(clean, explicit):
    schedule = _rows_of(clean["nbac_schedule"], FAULT_DAY).drop_duplicates("game_id").sort_values("game_id")
    ids = dict(zip(schedule["game_id"], schedule["game_date"].map(lambda d: f"{d:%Y%m%d}") + "_"
                   + schedule["away_team_tricode"] + "_" + schedule["home_team_tricode"]))
    games = list(ids)
    target = games[2] if explicit else games[0]
    text = f"missing_gamebook:{FAULT_DAY}" + (f":{target}" if explicit else "")
    faulty = generate(*RANGE, faults=[parse_fault(text)])
    assert _changed_tables(clean, faulty) == {"nbac_gamebook_player_stats"}
    name = "nbac_gamebook_player_stats"
    _other_days_equal(clean, faulty, name)
    before, after = _rows_of(clean[name], FAULT_DAY), _rows_of(faulty[name], FAULT_DAY)
    assert ids[target] not in set(after["game_id"])  # the gamebook keys games as YYYYMMDD_AWAY_HOME
    assert set(after["game_id"]) == set(ids.values()) - {ids[target]}
    assert len(after) == len(before[before["game_id"] != ids[target]])
    live = _rows_of(faulty["nbac_player_boxscores"], FAULT_DAY)
    assert (live["nba_game_id"] == target).sum() >= 19


@pytest.mark.parametrize("team", [None, "pick"])
def test_fault_zero_team_row(clean, team):
    teams = _rows_of(clean["nbac_team_boxscore"], FAULT_DAY)
    schedule = _rows_of(clean["nbac_schedule"], FAULT_DAY).drop_duplicates("game_id").sort_values("game_id")
    analytics = (schedule["game_date"].map(lambda d: f"{d:%Y%m%d}") + "_" + schedule["away_team_tricode"] + "_"
                 + schedule["home_team_tricode"])
    if team == "pick":
        team = schedule["away_team_tricode"].iloc[-1]
        game_id = analytics.iloc[-1]
    else:
        game_id = analytics.iloc[0]
    expected_team = team or schedule["home_team_tricode"].iloc[0]
    fault = f"zero_team_row:{FAULT_DAY}" + (f":{team.lower()}" if team else "")
    faulty = generate(*RANGE, faults=[parse_fault(fault)])
    assert _changed_tables(clean, faulty) == {"nbac_team_boxscore"}
    after = _rows_of(faulty["nbac_team_boxscore"], FAULT_DAY)
    assert len(after) == len(teams) + 1
    added = after.merge(teams, how="left", indicator=True).query("_merge == 'left_only'")
    assert len(added) == 1
    row = added.iloc[0]
    assert (row["game_id"], row["team_abbr"]) == (game_id, expected_team)
    identity = ("game_id", "nba_game_id", "game_date", "season_year", "team_id", "team_abbr", "team_name", "team_city",
                "is_home", "source_file_path", "created_at", "data_hash", "processed_at")
    percentages = ("fg_percentage", "three_pt_percentage", "ft_percentage")
    stat_columns = [c for c in teams.columns if c not in identity + percentages + ("minutes",)]
    assert all(row[c] == 0 for c in stat_columns), row.to_dict()
    assert row["minutes"] == "0:00" and all(pd.isna(row[c]) for c in percentages)
    assert row["data_hash"] not in set(teams["data_hash"])
    same_row = after[(after["game_id"] == game_id) & (after["team_abbr"] == expected_team)]
    assert row["processed_at"] == same_row["processed_at"].max() and same_row["processed_at"].is_unique
    latest = _latest(after, ["game_id", "team_abbr"])
    assert (latest[(latest["game_id"] == game_id) & (latest["team_abbr"] == expected_team)]["points"] == 0).all()


def test_fault_duplicate_raw(clean):
    faulty = generate(*RANGE, faults=[f"duplicate_raw:{FAULT_DAY}"])  # the text form works too
    assert _changed_tables(clean, faulty) == {"nbac_gamebook_player_stats", "nbac_team_boxscore"}
    for name in ("nbac_gamebook_player_stats", "nbac_team_boxscore"):
        _other_days_equal(clean, faulty, name)
        before, after = _rows_of(clean[name], FAULT_DAY), _rows_of(faulty[name], FAULT_DAY)
        assert len(after) == 2 * len(before)
        after = after.apply(lambda c: c.map(lambda v: tuple(v) if isinstance(v, (list, np.ndarray)) else v))
        doubled = after.groupby(list(after.columns), dropna=False).size()
        assert (doubled == 2).all(), f"{name}: not every row is exactly duplicated"


@pytest.mark.parametrize("text,message", [
    ("late_boxscore:2026-02-04", "unknown fault"),
    ("late_gamebook:2026-02-30", "bad date"),
    ("late_gamebook", "expected late_gamebook:YYYY-MM-DD"),
    ("late_gamebook:2026-02-04:BOS", "expected late_gamebook:YYYY-MM-DD"),
    ("zero_team_row:2026-02-04:XYZ", "unknown team"),
    ("missing_gamebook:2026-02-04:123", "bad game id"),
])
def test_bad_fault_text_is_a_clear_error(text, message):
    with pytest.raises(ValueError, match=message):
        parse_fault(text)


def test_parse_fault():
    assert parse_fault("late_gamebook:2026-02-04") == Fault("late_gamebook", FAULT_DAY)
    assert parse_fault("zero_team_row:2026-02-04:bos") == Fault("zero_team_row", FAULT_DAY, "BOS")
    assert str(parse_fault("missing_gamebook:2026-02-04:0022500745")) == "missing_gamebook:2026-02-04:0022500745"


def test_faults_that_cannot_apply_are_clear_errors(clean):
    first, _ = all_star_break(SEASON_2025)
    with pytest.raises(ValueError, match="outside the generated dates"):
        generate(*RANGE, faults=[parse_fault("late_gamebook:2026-03-01")])
    with pytest.raises(ValueError, match="no games"):
        generate(first, first, faults=[parse_fault(f"duplicate_raw:{first}")])
    schedule = _rows_of(clean["nbac_schedule"], FAULT_DAY)
    playing = set(schedule["home_team_tricode"]) | set(schedule["away_team_tricode"])
    idle = sorted(NBA_TRICODES - playing)[0]
    with pytest.raises(ValueError, match=f"{idle} does not play"):
        generate(*RANGE, faults=[parse_fault(f"zero_team_row:{FAULT_DAY}:{idle}")])
    with pytest.raises(ValueError, match="is not on"):
        generate(*RANGE, faults=[parse_fault(f"missing_gamebook:{FAULT_DAY}:0022599999")])
