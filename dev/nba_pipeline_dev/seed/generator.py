"""Raw rows for every phase 2 table over a range of game dates, from a seed.

Each game draws from its own random stream (seed, season, game number), and the calendar,
rosters and abilities depend only on the season and the seed, so generating part of a range
gives exactly that part of the rows of the whole range.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence

import numpy as np
import pyarrow as pa

from nba_pipeline_dev.seed import markets
from nba_pipeline_dev.seed.boxscore import (
    AST,
    BLK,
    DREB,
    FGA,
    FGM,
    FTA,
    FTM,
    OREB,
    PF,
    PTS,
    REB,
    SEC,
    STL,
    TOV,
    TPA,
    TPM,
    ZONES,
    GameResult,
    TeamGame,
    simulate,
)
from nba_pipeline_dev.seed.season_calendar import EASTERN, Game, epoch_micros, season_schedule, season_year_of
from nba_pipeline_dev.seed.faults import Fault, apply_faults, check_applicable, parse_fault
from nba_pipeline_dev.seed.league import League, league
from nba_pipeline_dev.seed.schemas import RAW_TABLES, raw_schema

Progress = Callable[[int, int, str], None]
GENERATE_STEP = "generate raw data"  # the progress label of generate()

# Gamebook and live boxscore stat columns, in the order of the box-score matrix.
PLAYER_STAT_COLUMNS = (
    ("points", PTS), ("field_goals_made", FGM), ("field_goals_attempted", FGA),
    ("three_pointers_made", TPM), ("three_pointers_attempted", TPA), ("free_throws_made", FTM),
    ("free_throws_attempted", FTA), ("offensive_rebounds", OREB), ("defensive_rebounds", DREB),
    ("total_rebounds", REB), ("assists", AST), ("steals", STL), ("blocks", BLK), ("turnovers", TOV),
    ("personal_fouls", PF),
)
TEAM_STAT_COLUMNS = (
    ("fg_made", FGM), ("fg_attempted", FGA), ("three_pt_made", TPM), ("three_pt_attempted", TPA),
    ("ft_made", FTM), ("ft_attempted", FTA), ("offensive_rebounds", OREB), ("defensive_rebounds", DREB),
    ("total_rebounds", REB), ("assists", AST), ("steals", STL), ("blocks", BLK), ("turnovers", TOV),
    ("personal_fouls", PF), ("points", PTS),
)
# How many versions a scraped row has: most one, some re-scraped once or twice.
_VERSION_ODDS = (0.84, 0.12, 0.04)
_SCHEDULE_VERSION_ODDS = (0.6, 0.3, 0.1)


class RawData(Mapping[str, pa.Table]):
    """Generated raw tables by name (Arrow tables in the DDL's schema) for ``start``..``end``."""

    def __init__(self, tables: dict[str, pa.Table], start: dt.date, end: dt.date, seed: int,
                 faults: Sequence[Fault] = ()):
        self._tables = tables
        self.start, self.end, self.seed, self.faults = start, end, seed, tuple(faults)

    def __getitem__(self, name: str) -> pa.Table:
        return self._tables[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._tables)

    def __len__(self) -> int:
        return len(self._tables)

    def row_counts(self) -> dict[str, int]:
        return {name: table.num_rows for name, table in self._tables.items()}

    @property
    def dates(self) -> list[dt.date]:
        """Every calendar date of the range, game days or not (the dates a load replaces)."""
        return [self.start + dt.timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    @property
    def game_dates(self) -> list[dt.date]:
        """The dates of the range that have games."""
        days = self._tables["nbac_schedule"]["game_date"].unique().to_pylist()
        return sorted(days)

    def __repr__(self) -> str:
        return f"RawData({self.start}..{self.end}, seed={self.seed}, rows={sum(self.row_counts().values())})"


def _et(day: dt.date, hours: float) -> dt.datetime:
    """A wall-clock time in New York, ``hours`` after midnight starting ``day`` (may pass 24)."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=EASTERN) + dt.timedelta(hours=hours)


def _next_morning(rng: np.random.Generator, game: Game, after: dt.datetime, count: int) -> list[int]:
    """``count`` sorted load times between 2 and 6 AM ET the day after the game, after ``after``."""
    next_day = game.game_date + dt.timedelta(days=1)
    earliest = max(_et(next_day, 2.0), after + dt.timedelta(minutes=20)).timestamp()
    latest = _et(next_day, 6.0).timestamp()
    return sorted(int(round(t * 1_000_000)) for t in rng.uniform(earliest, latest, count))


def _version_count(rng: np.random.Generator, odds=_VERSION_ODDS) -> int:
    return 1 + int(rng.choice(len(odds), p=odds))


class _Rows:
    """Column lists for one table, turned into an Arrow table of the DDL's schema at the end."""

    def __init__(self, table: str):
        self.name = table
        self.schema = raw_schema(table)
        self.columns: dict[str, list] = {name: [] for name in self.schema.names}

    def add(self, **values) -> None:
        for name, value in values.items():
            self.columns[name].append(value)

    def extend(self, **values) -> None:
        for name, value in values.items():
            self.columns[name].extend(value)

    def table(self) -> pa.Table:
        lengths = {name: len(values) for name, values in self.columns.items()}
        if len(set(lengths.values())) > 1:
            raise ValueError(f"{self.name}: columns were filled unevenly: {lengths}")
        arrays = []
        for field in self.schema:
            values = self.columns[field.name]
            if pa.types.is_timestamp(field.type):
                array = pa.array(values, pa.int64()).cast(field.type)
            else:
                array = pa.array(values, field.type)
            if not field.nullable and array.null_count:
                raise ValueError(f"{self.name}.{field.name} is NOT NULL but got {array.null_count} NULLs")
            arrays.append(array)
        return pa.Table.from_arrays(arrays, schema=self.schema)


class _Builder:
    def __init__(self):
        self.rows = {name: _Rows(name) for name in RAW_TABLES}

    def add_game(self, result: GameResult, season: League, rng: np.random.Generator) -> None:
        game = result.game
        end_of_game = game.tip_off + dt.timedelta(
            minutes=135 + 15 * result.overtime_periods + float(rng.uniform(0, 20))
        )
        self._schedule(result, end_of_game, rng)
        self._players(result, end_of_game, rng)
        self._teams(result, end_of_game, rng)
        self._shots(result)
        self._injuries(result)
        self._markets(result, season, rng)

    def _schedule(self, result: GameResult, end_of_game: dt.datetime, rng) -> None:
        game = result.game
        home, away = result.home.points, result.away.points
        versions = _version_count(rng, _SCHEDULE_VERSION_ODDS)
        states = [(3, home, away, end_of_game + dt.timedelta(minutes=float(rng.uniform(5, 40))))]
        if versions >= 2:  # the morning scrape, before tip-off
            morning = min(_et(game.game_date, float(rng.uniform(6, 9))), game.tip_off - dt.timedelta(hours=1))
            states.insert(0, (1, None, None, morning))
        if versions == 3:  # a scrape while the game was on
            share = float(rng.uniform(0.4, 0.6))
            states.insert(1, (2, int(home * share), int(away * share), game.tip_off + dt.timedelta(minutes=70)))
        for status, home_score, away_score, at in states:
            self.rows["nbac_schedule"].add(
                game_id=game.game_id, game_date=game.game_date, season_year=game.season_year,
                game_status=status, home_team_tricode=game.home, away_team_tricode=game.away,
                home_team_score=home_score, away_team_score=away_score, is_regular_season=True,
                is_playoffs=False, processed_at=epoch_micros(at),
            )

    def _player_rows(self, table: str, result: GameResult, team: TeamGame, processed_at: int,
                     stats: np.ndarray | None = None) -> None:
        game = result.game
        roster, side = team.roster, team.availability
        stats = team.stats if stats is None else stats
        played = team.played.tolist()
        n = roster.size

        def nullable(values) -> list:
            return [v if p else None for v, p in zip(values, played)]

        columns = {name: nullable(stats[:, k].tolist()) for name, k in PLAYER_STAT_COLUMNS}
        self.rows[table].extend(
            game_id=[game.game_id] * n, game_date=[game.game_date] * n, season_year=[game.season_year] * n,
            team_abbr=[roster.team] * n, player_lookup=roster.lookups, player_name=roster.names,
            player_status=side.status, dnp_reason=side.reasons,
            minutes_decimal=nullable(np.round(stats[:, SEC] / 60.0, 2).tolist()),
            plus_minus=nullable(team.plus_minus.tolist()), starter=side.starters.tolist(),
            processed_at=[processed_at] * n, **columns,
        )

    def _players(self, result: GameResult, end_of_game: dt.datetime, rng) -> None:
        live = end_of_game + dt.timedelta(minutes=float(rng.uniform(3, 25)))
        live_at = epoch_micros(live)
        loads = _next_morning(rng, result.game, live, _version_count(rng))
        for team in (result.home, result.away):
            self._player_rows("nbac_player_boxscores", result, team, live_at)
            for at in loads[:-1]:  # earlier gamebook versions: a stat correction came later
                self._player_rows("nbac_gamebook_player_stats", result, team, at, _corrected(team, rng))
            self._player_rows("nbac_gamebook_player_stats", result, team, loads[-1])

    def _teams(self, result: GameResult, end_of_game: dt.datetime, rng) -> None:
        game = result.game
        versions = _version_count(rng)
        night = end_of_game + dt.timedelta(minutes=float(rng.uniform(10, 45)))
        loads = [epoch_micros(night)] + _next_morning(rng, game, night, versions - 1)
        for team in (result.home, result.away):
            for k, at in enumerate(loads):
                totals = team.totals.copy()
                if k < len(loads) - 1:
                    totals[AST] = max(totals[AST] + int(rng.choice([-1, 1])), 0)
                    totals[TOV] = max(totals[TOV] + int(rng.choice([-1, 1])), 0)
                self.rows["nbac_team_boxscore"].add(
                    game_id=game.game_id, game_date=game.game_date, team_abbr=team.roster.team,
                    is_home=team.is_home, minutes=result.team_minutes, processed_at=at,
                    **{name: int(totals[k_]) for name, k_ in TEAM_STAT_COLUMNS},
                )

    def _shots(self, result: GameResult) -> None:
        game, shots = result.game, result.shots
        n = len(shots.event_id)
        home_shot = shots.team_is_home
        shooter = np.empty(n, dtype=object)
        shooter[home_shot] = np.array(result.home.roster.lookups, dtype=object)[shots.shooter[home_shot]]
        shooter[~home_shot] = np.array(result.away.roster.lookups, dtype=object)[shots.shooter[~home_shot]]
        self.rows["nbac_play_by_play"].extend(
            game_id=[game.game_id] * n, game_date=[game.game_date] * n, event_id=shots.event_id.tolist(),
            team_abbr=np.where(home_shot, game.home, game.away).tolist(), player_lookup=shooter.tolist(),
            shot_zone=np.array(ZONES, dtype=object)[shots.zone].tolist(), shot_made=shots.made.tolist(),
            assisted=shots.assisted.tolist(),
        )

    def _injuries(self, result: GameResult) -> None:
        game = result.game
        day_before = game.game_date - dt.timedelta(days=1)
        rows = self.rows["nbac_injury_report"]
        for team in (result.home, result.away):
            for i, latest, earlier in team.availability.report:
                lookup = team.roster.lookups[i]
                if earlier is not None:
                    rows.add(report_date=day_before, game_date=game.game_date, team_abbr=team.roster.team,
                             player_lookup=lookup, injury_status=earlier)
                rows.add(report_date=game.game_date, game_date=game.game_date, team_abbr=team.roster.team,
                         player_lookup=lookup, injury_status=latest)

    def _markets(self, result: GameResult, season: League, rng) -> None:
        game = result.game
        props = markets.player_props(result, rng)
        count = len(props["player_lookup"])
        self.rows["odds_api_player_points_props"].extend(
            game_date=[game.game_date] * count, game_id=[game.game_id] * count, **props
        )
        lines = self.rows["odds_api_game_lines"]
        for spread, total, at in markets.game_lines(result, season, rng):
            lines.add(game_date=game.game_date, game_id=game.game_id, home_team_abbr=game.home,
                      away_team_abbr=game.away, spread=spread, total=total, snapshot_timestamp=at)

    def tables(self) -> dict[str, pa.Table]:
        return {name: rows.table() for name, rows in self.rows.items()}


def _corrected(team: TeamGame, rng: np.random.Generator) -> np.ndarray:
    """An earlier gamebook version: a few players' assists and rebounds off by one."""
    stats = team.stats.copy()
    players = np.flatnonzero(team.played)
    for i in rng.choice(players, size=min(len(players), int(rng.integers(1, 4))), replace=False):
        stats[i, AST] = max(stats[i, AST] + int(rng.choice([-1, 1])), 0)
        delta = int(rng.choice([-1, 1]))
        stats[i, DREB] = max(stats[i, DREB] + delta, 0)
        stats[i, REB] = stats[i, OREB] + stats[i, DREB]
    return stats


def game_stream(seed: int, game: Game) -> np.random.Generator:
    """The random stream of one game: independent of which other games are generated."""
    return np.random.default_rng([seed, game.season_year, 1000 + game.number])


def games_between(start: dt.date, end: dt.date, seed: int = 7) -> list[Game]:
    games = []
    for season_year in range(season_year_of(start), season_year_of(end) + 1):
        games += [g for g in season_schedule(season_year, seed) if start <= g.game_date <= end]
    return games


def generate(start: dt.date, end: dt.date, *, seed: int = 7, faults: Sequence[Fault | str] = (),
             progress: Progress | None = None) -> RawData:
    """Rows of every raw table for the game dates ``start``..``end`` (inclusive).

    ``faults`` are Fault objects or their text form (``late_gamebook:2026-02-04``);
    ``progress(done, total, GENERATE_STEP)`` is called after each date (the label stays the
    same, so a progress bar can key on it).
    """
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    faults = [parse_fault(f) if isinstance(f, str) else f for f in faults]
    games = games_between(start, end, seed)
    by_date: dict[dt.date, list[Game]] = {}
    for game in games:
        by_date.setdefault(game.game_date, []).append(game)
    check_applicable(faults, by_date, start, end)
    builder = _Builder()
    total_days = (end - start).days + 1
    done = 0
    for offset in range(total_days):
        day = start + dt.timedelta(days=offset)
        for game in by_date.get(day, ()):
            season = league(game.season_year, seed)
            rng = game_stream(seed, game)
            builder.add_game(simulate(game, season, rng), season, rng)
        done += 1
        if progress is not None:
            progress(done, total_days, GENERATE_STEP)
    tables = builder.tables()
    apply_faults(tables, faults, by_date)
    return RawData(tables, start, end, seed, faults)
