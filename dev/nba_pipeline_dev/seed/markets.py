"""Pre-game markets: player points props and game lines, snapshotted before tip-off."""

from __future__ import annotations

import datetime as dt

import numpy as np

from nba_pipeline_dev.seed.boxscore import GameResult
from nba_pipeline_dev.seed.season_calendar import epoch_micros
from nba_pipeline_dev.seed.league import LEAGUE_POINTS, TWO_WAY_DEPTH, League

# Bookmakers in the platform's priority order, with how often each lists a given player.
BOOKMAKERS = (("draftkings", 0.97), ("fanduel", 0.95), ("betmgm", 0.6), ("caesars", 0.5), ("betrivers", 0.35))
# Snapshot times before tip-off (hours); each book is seen at some of them.
_SNAPSHOT_LEADS = np.array([10.0, 7.0, 4.0, 2.0, 0.75])
_MIN_EXPECTED_POINTS = 6.0


def snapshot_times(tip_off: dt.datetime, rng: np.random.Generator) -> list[dt.datetime]:
    jitter = rng.integers(0, 10, len(_SNAPSHOT_LEADS))
    return [tip_off - dt.timedelta(hours=float(lead), minutes=-int(j)) for lead, j in zip(_SNAPSHOT_LEADS, jitter)]


def _half_point(value):
    """A points line: always a half point, so a player cannot push, and at least 0.5."""
    return np.maximum(np.floor(value) + 0.5, 0.5)


def player_props(result: GameResult, rng: np.random.Generator) -> dict[str, list]:
    """Columns player_lookup, bookmaker, points_line, snapshot_timestamp (epoch microseconds).

    A subset of the players expected to play (not ruled out, usual scorers) gets a line near
    their average from most books; each book is seen at two to four of the snapshot times,
    and its line moves by a point now and then.
    """
    times = np.array([epoch_micros(t) for t in snapshot_times(result.game.tip_off, rng)])
    lookups: list[str] = []
    expected: list[float] = []
    for team in (result.home, result.away):
        ruled_out = {i for i, latest, _ in team.availability.report if latest == "out"}
        roster = team.roster
        candidates = [
            i for i in range(min(roster.size, TWO_WAY_DEPTH))
            if i not in ruled_out and roster.expected_points[i] >= _MIN_EXPECTED_POINTS
        ]
        candidates.sort(key=lambda i: -roster.expected_points[i])
        chosen = candidates[: int(rng.integers(5, 10))]
        lookups += [roster.lookups[i] for i in chosen]
        expected += [roster.expected_points[i] for i in chosen]
    players, books, moments = len(lookups), len(BOOKMAKERS), len(times)
    base = _half_point(np.array(expected) * rng.lognormal(0.0, 0.07, players))
    listed = rng.random((players, books)) < np.array([coverage for _, coverage in BOOKMAKERS])
    book_offset = np.array([-1.0, 0.0, 0.0, 0.0, 0.0, 1.0])[rng.integers(0, 6, (players, books))]
    shape = (players, books, moments)
    moves = np.where(rng.random(shape) < 0.15, rng.choice([-1.0, 1.0], shape), 0.0)
    lines = np.maximum(base[:, None, None] + book_offset[:, :, None] + moves.cumsum(axis=2), 0.5)
    # Each book is seen at 2 to 4 of the snapshot times, picked at random.
    rank = rng.random((players, books, moments)).argsort(axis=2).argsort(axis=2)
    seen = listed[:, :, None] & (rank < rng.integers(2, 5, (players, books))[:, :, None])
    p, b, t = np.nonzero(seen)
    return {
        "player_lookup": [lookups[i] for i in p.tolist()],
        "bookmaker": [BOOKMAKERS[k][0] for k in b.tolist()],
        "points_line": lines[p, b, t].tolist(),
        "snapshot_timestamp": times[t].tolist(),
    }


def game_lines(result: GameResult, league: League, rng: np.random.Generator) -> list[tuple[float, float, int]]:
    """(home spread, total, snapshot epoch microseconds): the market's view from team strengths."""
    home, away = result.game.home, result.game.away
    margin = (league.offense[home] - league.defense[away]) - (league.offense[away] - league.defense[home]) + 2.8
    spread = round((-margin + rng.normal(0.0, 1.5)) * 2) / 2
    pace = (league.pace[home] + league.pace[away]) / 2
    expected_total = (2 * LEAGUE_POINTS * pace + league.offense[home] + league.offense[away]
                      - league.defense[home] - league.defense[away] + rng.normal(0.0, 3.0))
    total = float(_half_point(expected_total))
    times = snapshot_times(result.game.tip_off, rng)
    rows = []
    for k in np.sort(rng.choice(len(times), size=int(rng.integers(3, 6)), replace=False)):
        if rng.random() < 0.3:
            spread += float(rng.choice([-0.5, 0.5]))
        if rng.random() < 0.3:
            total += float(rng.choice([-1.0, 1.0]))
        rows.append((spread, total, epoch_micros(times[k])))
    return rows
