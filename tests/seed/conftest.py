"""One generated 2025-26 season shared by the generator's test modules (pure computation)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from nba_pipeline_dev.seed import SEASON_2025, generate, season_schedule

SEASON_START, SEASON_END = dt.date(2025, 10, 1), dt.date(2026, 4, 30)
SEED = 7


def latest(frame: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    """Rows of the latest version (greatest processed_at) of each key."""
    newest = frame.groupby(key)["processed_at"].transform("max")
    return frame[frame["processed_at"] == newest]


def offenders(frame: pd.DataFrame, columns: list[str], limit: int = 5) -> str:
    return frame[columns].head(limit).to_string(index=False)


@pytest.fixture(scope="session")
def season():
    progress = []
    data = generate(SEASON_START, SEASON_END, seed=SEED, progress=lambda *a: progress.append(a))
    return data, progress


@pytest.fixture(scope="session")
def raw(season):
    data, _ = season
    return {name: data[name].to_pandas() for name in data}


@pytest.fixture(scope="session")
def schedule(raw):
    """The latest version of every game, as v_nbac_schedule_latest picks it (status, then time)."""
    frame = raw["nbac_schedule"].sort_values(["game_status", "processed_at"], ascending=False)
    return frame.drop_duplicates(["game_id", "game_date"])


@pytest.fixture(scope="session")
def gamebook(raw):
    return latest(raw["nbac_gamebook_player_stats"], ["game_id", "team_abbr"])


@pytest.fixture(scope="session")
def team_box(raw):
    frame = latest(raw["nbac_team_boxscore"], ["game_id", "team_abbr"])
    return frame.assign(team_minutes=frame["minutes"].str.split(":").str[0].astype(int))


@pytest.fixture(scope="session")
def games():
    """The season's Game objects by NBA.com id."""
    return {g.game_id: g for g in season_schedule(SEASON_2025, SEED)}


@pytest.fixture(scope="session")
def tip_offs(games):
    return {g.game_id: g.tip_off for g in games.values()}


@pytest.fixture(scope="session")
def analytics_ids(games):
    """NBA.com id -> YYYYMMDD_AWAY_HOME."""
    return {g.game_id: g.analytics_game_id for g in games.values()}
