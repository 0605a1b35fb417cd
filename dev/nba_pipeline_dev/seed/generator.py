"""Raw rows for every seeded table over a range of game dates, from a seed.

Each game draws from its own random stream (seed, season, game number), and the calendar,
rosters and abilities depend only on the season and the seed, so generating part of a range
gives exactly that part of the rows of the whole range (the players registry, which counts
appearances over the range, is the one exception).

Rows take the platform's shapes (``include/sql/schema/raw/``): the schedule keyed by the NBA.com
id, box scores and play-by-play by ``YYYYMMDD_AWAY_HOME`` with the NBA.com id beside it,
minutes as "MM:SS" strings, markets per bookmaker and snapshot, injury reports per report hour.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator, Mapping, Sequence

import numpy as np
import pyarrow as pa

from nba_pipeline_dev.seed import markets, rosters
from nba_pipeline_dev.seed.boxscore import (
    AST,
    BLK,
    DREB,
    FGA,
    FGM,
    FREE_THROW,
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
    GameResult,
    TeamGame,
    simulate,
)
from nba_pipeline_dev.seed.faults import Fault, apply_faults, check_applicable, parse_fault
from nba_pipeline_dev.seed.league import League, league
from nba_pipeline_dev.seed.rows import TableRows
from nba_pipeline_dev.seed.schemas import SEEDED_TABLES
from nba_pipeline_dev.seed.season_calendar import (
    EASTERN,
    Game,
    epoch_micros,
    season_schedule,
    season_year_of,
)
from nba_pipeline_dev.seed.season_calendar import utc_text as stamp
from nba_pipeline_dev.seed.teams import BR_CODES, BY_ABBR

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
# The column each table's generated range is on (what a reload of the range replaces). The
# injury report is partitioned on report_date, but a game's reports start the day before it.
RANGE_COLUMNS = {name: "game_date" for name in SEEDED_TABLES}
RANGE_COLUMNS.update(espn_team_rosters="roster_date", nba_players_registry="season")
# How many versions a scraped row has: most one, some re-scraped once or twice.
_VERSION_ODDS = (0.84, 0.12, 0.04)
_SCHEDULE_VERSION_ODDS = (0.6, 0.3, 0.1)
_STATUS_TEXT = {1: "Scheduled", 2: "In Progress", 3: "Final"}

# What the platform's processors leave NULL in each table (their source has no such field).
_NULL = {
    "nbac_schedule": ("playoff_round",),
    "nbac_gamebook_player_stats": (),
    # The league game log the live boxscores come from has no starters, quarters or advanced stats.
    "nbac_player_boxscores": (
        "game_code", "home_team_id", "home_team_score", "away_team_id", "away_team_score", "jersey_number",
        "position", "starter", "flagrant_fouls", "technical_fouls", "true_shooting_pct", "effective_fg_pct",
        "usage_rate", "offensive_rating", "defensive_rating", "pace", "pie", "points_q1", "points_q2",
        "points_q3", "points_q4", "points_ot",
    ),
    "nbac_team_boxscore": (),
    "nbac_play_by_play": ("player_3_id", "player_3_lookup", "player_3_team_abbr", "video_url"),
    "nbac_injury_report": (),
}


class RawData(Mapping[str, pa.Table]):
    """Generated tables by name (Arrow tables in the DDL's schema) for ``start``..``end``."""

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

    @property
    def seasons(self) -> list[str]:
        """The registry seasons ('2025-26') the range covers."""
        return [season_label(y) for y in range(season_year_of(self.start), season_year_of(self.end) + 1)]

    def __repr__(self) -> str:
        return f"RawData({self.start}..{self.end}, seed={self.seed}, rows={sum(self.row_counts().values())})"


def season_label(season_year: int) -> str:
    """2025 -> '2025-26', the registry's and injury report's way of naming a season."""
    return f"{season_year}-{(season_year + 1) % 100:02d}"


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


def run_id(micros: int, salt: str) -> str:
    """A processor run id as the platform writes them: run_YYYYMMDD_HHMMSS_<8 hex>."""
    return f"run_{stamp(micros)}_{hashlib.sha256(f'{salt}{micros}'.encode()).hexdigest()[:8]}"


def minutes_text(seconds: int) -> str:
    """Seconds on court as the box score writes them: 2172 -> '36:12'."""
    return f"{seconds // 60}:{seconds % 60:02d}"


def _share(made: int, attempted: int) -> float | None:
    return round(made / attempted, 3) if attempted else None


def _networks(game: Game) -> tuple[str | None, list[str], list[str]]:
    """National broadcasts by weekday: (primary network, TV networks, streaming platforms).

    Every fifth evening game is national; a primary network makes it primetime, as the
    platform's schedule scraper decides (streaming alone does not).
    """
    weekday, hour = game.tip_off.weekday(), game.tip_off.hour + game.tip_off.minute / 60
    national = {1: ("NBC", ["NBC"], ["Peacock"]), 2: ("ESPN", ["ESPN"], []), 3: (None, [], ["Prime Video"]),
                4: ("ESPN", ["ESPN"], []), 5: ("ABC", ["ABC"], ["ESPN+"]), 6: ("NBC", ["NBC"], ["Peacock"])}
    if weekday not in national or hour < 19.0 or game.number % 5 != 0:
        return None, [], []
    return national[weekday]


class _Builder:
    def __init__(self, seed: int):
        self.seed = seed
        self.rows = {name: TableRows(name, null=_NULL.get(name, ())) for name in _NULL}
        self.markets = markets.MarketRows()
        self.rosters = rosters.RosterRows()

    def add_game(self, result: GameResult, season: League, rng: np.random.Generator) -> None:
        game = result.game
        end_of_game = game.tip_off + dt.timedelta(
            minutes=135 + 15 * result.overtime_periods + float(rng.uniform(0, 20))
        )
        self._schedule(result, end_of_game, rng)
        self._players(result, end_of_game, rng)
        self._teams(result, end_of_game, rng)
        self._play_by_play(result, end_of_game, rng)
        self._injuries(result, rng)
        self.markets.add_game(result, season, rng, self.seed)
        self.rosters.add_game(result)

    def _schedule(self, result: GameResult, end_of_game: dt.datetime, rng) -> None:
        game = result.game
        home, away = BY_ABBR[game.home], BY_ABBR[game.away]
        versions = _version_count(rng, _SCHEDULE_VERSION_ODDS)
        states = [(3, end_of_game + dt.timedelta(minutes=float(rng.uniform(5, 40))))]
        if versions >= 2:  # the morning scrape, before tip-off
            states.insert(0, (1, min(_et(game.game_date, float(rng.uniform(6, 9))), game.tip_off - dt.timedelta(hours=1))))
        if versions == 3:  # a scrape while the game was on
            states.insert(1, (2, game.tip_off + dt.timedelta(minutes=70)))
        primary, networks, streaming = _networks(game)
        hour = game.tip_off.hour
        winner = game.home if result.home.points > result.away.points else game.away
        mlk = game.game_date.month == 1 and game.game_date.weekday() == 0 and 15 <= game.game_date.day <= 21
        for status, at in states:
            final = status == 3
            source = "api_stats" if rng.random() < 0.8 else "cdn_static"
            path = f"nba-com/{'schedule' if source == 'api_stats' else 'schedule-cdn'}/{game.season_year}/{stamp(epoch_micros(at))}.json"
            scraped = epoch_micros(at) - int(rng.integers(30, 300)) * 1_000_000
            self.rows["nbac_schedule"].extend(
                1, game_id=game.game_id, game_code=game.game_code, season=str(game.season_year),
                season_nba_format=season_label(game.season_year), season_year=game.season_year,
                game_date=game.game_date, game_date_est=epoch_micros(game.tip_off), game_status=status,
                game_status_text=_STATUS_TEXT[status], home_team_id=home.team_id, home_team_tricode=home.abbr,
                home_team_name=home.name, away_team_id=away.team_id, away_team_tricode=away.abbr,
                away_team_name=away.name, arena_name=home.arena, arena_city=home.arena_city,
                arena_state=home.arena_state, is_primetime=primary is not None,
                has_national_tv=bool(networks or streaming), primary_network=primary,
                traditional_networks=json.dumps(networks) if networks else None,
                streaming_platforms=json.dumps(streaming) if streaming else None,
                is_regular_season=True, is_playoffs=False, is_all_star=False,
                is_emirates_cup=game.is_cup_game, is_christmas=game.game_date.month == 12 and game.game_date.day == 25,
                is_mlk_day=mlk, day_of_week=game.game_date.strftime("%a").lower(),
                is_weekend=game.game_date.weekday() >= 4,
                time_slot="afternoon" if hour < 15 else ("early_evening" if hour < 20 else "primetime"),
                neutral_site_flag=False, international_game=False, arena_timezone=home.arena_timezone,
                home_team_score=result.home.points if final else None,
                away_team_score=result.away.points if final else None,
                winning_team_tricode=winner if final else None, data_source=source,
                source_updated_at=epoch_micros(at), source_file_path=path, scrape_timestamp=scraped,
                created_at=epoch_micros(at), processed_at=epoch_micros(at),
            )

    def _gamebook_rows(self, result: GameResult, team: TeamGame, processed_at: int, stats: np.ndarray) -> None:
        game = result.game
        roster, side = team.roster, team.availability
        played = team.played.tolist()
        n = roster.size

        def nullable(values) -> list:
            return [v if p else None for v, p in zip(values, played)]

        columns = {name: nullable(stats[:, k].tolist()) for name, k in PLAYER_STAT_COLUMNS}
        minutes = [minutes_text(s) for s in stats[:, SEC].tolist()]
        inactive = [s == "inactive" for s in side.status]
        path = (f"nba-com/gamebooks-data/{game.game_date}/{game.game_date:%Y%m%d}-{game.away}{game.home}/"
                f"{stamp(processed_at)}.json")
        self.rows["nbac_gamebook_player_stats"].extend(
            n, game_id=game.analytics_game_id, game_code=game.game_code, game_date=game.game_date,
            season_year=game.season_year, home_team_abbr=game.home, away_team_abbr=game.away,
            player_name=list(roster.names), player_name_original=list(roster.names), player_lookup=list(roster.lookups),
            team_abbr=roster.team, player_status=side.status, dnp_reason=side.reasons,
            # Inactive players are resolved against the injury database; the others keep the gamebook's name.
            name_resolution_status=["resolved" if i else "original" for i in inactive],
            name_resolution_confidence=[1.0 if i else None for i in inactive],
            name_resolution_method=["auto_exact" if i else None for i in inactive],
            br_team_abbr_used=[BR_CODES.get(roster.team, roster.team) if i else None for i in inactive],
            minutes=nullable(minutes), minutes_decimal=nullable([_decimal(m) for m in minutes]),
            field_goal_percentage=nullable([_share(m, a) for m, a in zip(stats[:, FGM].tolist(), stats[:, FGA].tolist())]),
            three_point_percentage=nullable([_share(m, a) for m, a in zip(stats[:, TPM].tolist(), stats[:, TPA].tolist())]),
            free_throw_percentage=nullable([_share(m, a) for m, a in zip(stats[:, FTM].tolist(), stats[:, FTA].tolist())]),
            plus_minus=nullable(team.plus_minus.tolist()),
            processed_by_run_id=run_id(processed_at, game.game_id), source_file_path=path,
            processed_at=processed_at, data_quality_flags=[["suffix_handled"] if " Jr." in name or name.endswith("I")
                                                           else [] for name in roster.names],
            requires_manual_review=inactive, **columns,
        )

    def _live_rows(self, result: GameResult, team: TeamGame, processed_at: int) -> None:
        """The league game log: only the players who got on the floor."""
        game = result.game
        roster = team.roster
        who = np.flatnonzero(team.played)
        stats = team.stats[who]
        self.rows["nbac_player_boxscores"].extend(
            len(who), game_id=game.analytics_game_id, game_date=game.game_date, season_year=game.season_year,
            season_type="Regular Season", nba_game_id=game.game_id, game_status="Final",
            period=4 + result.overtime_periods, is_playoff_game=False, home_team_abbr=game.home,
            away_team_abbr=game.away, nba_player_id=[roster.identity.nba_player_ids[i] for i in who],
            player_full_name=[roster.names[i] for i in who], player_lookup=[roster.lookups[i] for i in who],
            team_id=BY_ABBR[roster.team].team_id, team_abbr=roster.team,
            minutes=[minutes_text(s) for s in stats[:, SEC].tolist()],
            field_goal_percentage=[_share(m, a) for m, a in zip(stats[:, FGM].tolist(), stats[:, FGA].tolist())],
            three_point_percentage=[_share(m, a) for m, a in zip(stats[:, TPM].tolist(), stats[:, TPA].tolist())],
            free_throw_percentage=[_share(m, a) for m, a in zip(stats[:, FTM].tolist(), stats[:, FTA].tolist())],
            plus_minus=team.plus_minus[who],
            source_file_path=f"nba-com/player-boxscores/{game.game_date}/{stamp(processed_at)}.json",
            scrape_timestamp=processed_at - 45_000_000, created_at=processed_at, processed_at=processed_at,
            **{name: stats[:, k] for name, k in PLAYER_STAT_COLUMNS},
        )

    def _players(self, result: GameResult, end_of_game: dt.datetime, rng) -> None:
        live = end_of_game + dt.timedelta(minutes=float(rng.uniform(3, 25)))
        live_at = epoch_micros(live)
        loads = _next_morning(rng, result.game, live, _version_count(rng))
        for team in (result.home, result.away):
            self._live_rows(result, team, live_at)
            for at in loads[:-1]:  # earlier gamebook versions: a stat correction came later
                self._gamebook_rows(result, team, at, _corrected(team, rng))
            self._gamebook_rows(result, team, loads[-1], team.stats)

    def _teams(self, result: GameResult, end_of_game: dt.datetime, rng) -> None:
        game = result.game
        versions = _version_count(rng)
        night = end_of_game + dt.timedelta(minutes=float(rng.uniform(10, 45)))
        loads = [epoch_micros(night)] + _next_morning(rng, game, night, versions - 1)
        for team in (result.home, result.away):
            info = BY_ABBR[team.roster.team]
            margin = team.points - (result.away.points if team.is_home else result.home.points)
            for k, at in enumerate(loads):
                totals = team.totals.copy()
                if k < len(loads) - 1:
                    totals[AST] = max(totals[AST] + int(rng.choice([-1, 1])), 0)
                    totals[TOV] = max(totals[TOV] + int(rng.choice([-1, 1])), 0)
                self.rows["nbac_team_boxscore"].extend(
                    1, game_id=game.analytics_game_id, nba_game_id=game.game_id, game_date=game.game_date,
                    season_year=game.season_year, team_id=info.team_id, team_abbr=info.abbr, team_name=info.name,
                    team_city=info.city, is_home=team.is_home, minutes=f"{result.team_minutes}:00",
                    fg_percentage=_share(int(totals[FGM]), int(totals[FGA])),
                    three_pt_percentage=_share(int(totals[TPM]), int(totals[TPA])),
                    ft_percentage=_share(int(totals[FTM]), int(totals[FTA])), plus_minus=margin,
                    source_file_path=f"nba-com/team-boxscore/{game.game_date:%Y%m%d}/{game.game_id}/{stamp(at)}.json",
                    created_at=loads[0], processed_at=at,
                    **{name: int(totals[k_]) for name, k_ in TEAM_STAT_COLUMNS},
                )

    def _play_by_play(self, result: GameResult, end_of_game: dt.datetime, rng) -> None:
        game, events = result.game, result.events
        n = len(events.action_number)
        home = events.team_is_home
        sides = (result.home.roster, result.away.roster)
        lookups = [np.array(r.lookups, dtype=object) for r in sides]
        ids = [np.array(r.identity.nba_player_ids, dtype=np.int64) for r in sides]
        last_names = [np.array([name.split(" ", 1)[1] for name in r.names], dtype=object) for r in sides]

        def by_team(arrays, index, default=None):
            values = np.empty(n, dtype=object)
            valid = index >= 0
            for k, is_home in ((0, True), (1, False)):
                mask = (home == is_home) & valid
                values[mask] = arrays[k][index[mask]]
            if default is not None:
                values[~valid] = default
            return values

        shooter_lookup = by_team(lookups, events.shooter)
        passer_lookup = by_team(lookups, events.passer)
        team = np.where(home, game.home, game.away)
        free_throw = events.zone == FREE_THROW
        three = events.zone == 2
        points = np.where(events.made, np.where(free_throw, 1, np.where(three, 3, 2)), 0)
        score_home = np.cumsum(np.where(home, points, 0))
        score_away = np.cumsum(np.where(home, 0, points))
        x = np.where(free_throw, np.nan, 25.0 + events.distance * np.cos(events.angle))
        y = np.where(free_throw, np.nan, 5.25 + events.distance * np.sin(events.angle))
        # The platform recomputes the distance from the rounded coordinates.
        x, y = np.round(x, 1), np.round(y, 1)
        distance = np.where(free_throw, 0.0, np.round(np.hypot(x - 25.0, y - 5.25), 1))
        shooter_name = by_team(last_names, events.shooter)
        passer_name = by_team(last_names, events.passer)
        descriptions = []
        for k in range(n):
            if free_throw[k]:
                number, trip = events.free_throw[k]
                text = f"{shooter_name[k]} Free Throw {number} of {trip}"
                descriptions.append(text if events.made[k] else f"MISS {text}")
                continue
            shot = f"{shooter_name[k]} {int(distance[k])}' {'3PT Jump Shot' if three[k] else ('Layup' if distance[k] <= 4 else 'Jump Shot')}"
            if not events.made[k]:
                descriptions.append(f"MISS {shot}")
            elif events.passer[k] >= 0:
                descriptions.append(f"{shot} ({passer_name[k]} AST)")
            else:
                descriptions.append(shot)
        clock = events.clock_seconds.tolist()  # formatted per action below
        processed_at = epoch_micros(end_of_game + dt.timedelta(minutes=float(rng.uniform(20, 60))))
        self.rows["nbac_play_by_play"].extend(
            n, game_id=game.analytics_game_id, nba_game_id=game.game_id, game_date=game.game_date,
            season_year=game.season_year, home_team_abbr=game.home, away_team_abbr=game.away,
            event_id=[str(a) for a in events.action_number.tolist()], event_sequence=events.action_number,
            period=events.period, game_clock=[f"{c // 60:02d}:{c % 60:02d}" for c in clock],
            game_clock_seconds=events.clock_seconds, time_elapsed_seconds=events.elapsed_seconds,
            event_type=np.where(free_throw, "freethrow", "fieldgoal").tolist(),
            event_action_type=np.where(events.made, "made", "missed").tolist(), event_description=descriptions,
            score_home=score_home, score_away=score_away,
            player_1_id=by_team(ids, events.shooter), player_1_lookup=shooter_lookup,
            player_1_team_abbr=team, player_2_id=by_team(ids, events.passer),
            player_2_lookup=passer_lookup,
            player_2_team_abbr=np.where(events.passer >= 0, team, None).tolist(),
            shot_made=events.made, shot_type=np.where(free_throw, "FT", np.where(three, "3PT", "2PT")).tolist(),
            shot_x=[None if np.isnan(v) else float(v) for v in x.tolist()],
            shot_y=[None if np.isnan(v) else float(v) for v in y.tolist()], shot_distance=distance,
            video_available=False,
            source_file_path=f"nba-com/play-by-play/{game.game_date}/game_{game.game_id}/{stamp(processed_at)}.json",
            processed_at=processed_at,
        )

    def _injuries(self, result: GameResult, rng) -> None:
        """Reports the day before (5 PM ET) and on game day at the hours before tip-off."""
        game = result.game
        day_before = game.game_date - dt.timedelta(days=1)
        tip_hour = game.tip_off.hour + game.tip_off.minute / 60
        game_day_hours = [h for h in (11, 13, 17) if h < tip_hour - 0.5] or [int(tip_hour) - 2]
        game_time = game.tip_off.strftime("%I:%M")
        for team in (result.home, result.away):
            roster = team.roster
            entries = team.availability.report
            if not entries:
                continue
            reports = [(day_before, 17, [(e, e.day_before) for e in entries if e.day_before is not None])]
            for k, hour in enumerate(game_day_hours):
                # An early game-day report can still carry the previous day's status.
                reports.append((game.game_date, hour, [
                    (e, e.day_before if k == 0 and e.day_before and len(game_day_hours) > 1 and e.status != "out"
                     else e.status) for e in entries]))
            for report_date, hour, listed in reports:
                if not listed:
                    continue
                scraped = epoch_micros(_et(report_date, hour + float(rng.uniform(0.05, 0.4))))
                count = len(listed)
                names = [roster.names[e.player] for e, _ in listed]
                self.rows["nbac_injury_report"].extend(
                    count, report_date=report_date, report_hour=hour, season=season_label(game.season_year),
                    game_date=game.game_date, game_time=game_time, game_id=game.analytics_game_id,
                    matchup=f"{game.away}@{game.home}", away_team=game.away, home_team=game.home, team=roster.team,
                    player_name_original=[_last_first(name) for name in names], player_full_name=names,
                    player_lookup=[roster.lookups[e.player] for e, _ in listed],
                    injury_status=[status for _, status in listed], reason=[e.reason for e, _ in listed],
                    reason_category=[_reason_category(e.reason) for e, _ in listed],
                    confidence_score=[round(float(c), 2) for c in rng.uniform(0.9, 1.0, count)],
                    overall_report_confidence=0.97, scrape_time=stamp(scraped, "%Y-%m-%dT%H:%M:%SZ"),
                    run_id=stamp(scraped, "%Y%m%d%H%M%S"),
                    source_file_path=f"nba-com/injury-report-data/{report_date}/{hour:02d}/{stamp(scraped)}.json",
                    processed_at=scraped + 90_000_000,
                )

    def tables(self, seasons: list[int]) -> dict[str, pa.Table]:
        tables = {name: rows.table() for name, rows in self.rows.items()}
        tables.update(self.markets.tables())
        tables.update(self.rosters.tables(seasons, self.seed))
        return {name: tables[name] for name in SEEDED_TABLES}


def _decimal(minutes: str) -> float:
    """'36:12' -> 36.2, as the gamebook processor converts it."""
    whole, seconds = minutes.split(":")
    return float(whole) + float(seconds) / 60


def _last_first(name: str) -> str:
    """The injury report's "Last, First" spelling (a suffix stays with the last name)."""
    first, last = name.split(" ", 1)
    return f"{last}, {first}"


def _reason_category(reason: str) -> str:
    lowered = reason.lower()
    if "injury/illness" in lowered:
        return "injury"
    if "g league" in lowered:
        return "g_league"
    if "rest" in lowered:
        return "rest"
    return "other"


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
    """Rows of every seeded table for the game dates ``start``..``end`` (inclusive).

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
    builder = _Builder(seed)
    total_days = (end - start).days + 1
    done = 0
    for offset in range(total_days):
        day = start + dt.timedelta(days=offset)
        for game in by_date.get(day, ()):
            season = league(game.season_year, seed)
            rng = game_stream(seed, game)
            builder.add_game(simulate(game, season, rng), season, rng)
        if day in by_date:
            builder.rosters.add_day(day, league(season_year_of(day), seed))
        done += 1
        if progress is not None:
            progress(done, total_days, GENERATE_STEP)
    seasons = list(range(season_year_of(start), season_year_of(end) + 1))
    tables = builder.tables(seasons)
    apply_faults(tables, faults, by_date)
    return RawData(tables, start, end, seed, faults)
