"""The regular-season calendar and schedule: 1,230 games, 82 per team, an All-Star break.

Dates follow the league's habits: opening night on the first Tuesday from October 20, the
last day on the second Sunday of April, no games on Thanksgiving, Christmas Eve or during the
week around the All-Star Sunday (the third Sunday of February).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np

from nba_pipeline_dev.seed.teams import BY_ABBR, TEAM_ABBRS, TEAMS

SEASON_2025 = 2025  # the 2025-26 season: seasons are named by the year they start
EASTERN = ZoneInfo("America/New_York")


def epoch_micros(moment: dt.datetime) -> int:
    """Microseconds since the Unix epoch of an aware datetime (how TIMESTAMP columns are built)."""
    return int(round(moment.timestamp() * 1_000_000))


@lru_cache(maxsize=8192)
def utc_text(micros: int, pattern: str = "%Y%m%d_%H%M%S") -> str:
    """An epoch-microsecond instant as UTC text, the way scrapers stamp their file names."""
    return dt.datetime.fromtimestamp(micros / 1_000_000, dt.timezone.utc).strftime(pattern)


def season_year_of(day: dt.date) -> int:
    """The season a date belongs to (August onwards starts a new season)."""
    return day.year if day.month >= 8 else day.year - 1


def _weekday_on_or_after(day: dt.date, weekday: int) -> dt.date:
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def opening_night(season_year: int) -> dt.date:
    return _weekday_on_or_after(dt.date(season_year, 10, 20), 1)


def last_day(season_year: int) -> dt.date:
    return _weekday_on_or_after(dt.date(season_year + 1, 4, 1), 6) + dt.timedelta(days=7)


def all_star_sunday(season_year: int) -> dt.date:
    return _weekday_on_or_after(dt.date(season_year + 1, 2, 15), 6)


def all_star_break(season_year: int) -> tuple[dt.date, dt.date]:
    """First and last day without games around the All-Star game (Thursday to Wednesday)."""
    sunday = all_star_sunday(season_year)
    return sunday - dt.timedelta(days=3), sunday + dt.timedelta(days=3)


def _days_off(season_year: int) -> set[dt.date]:
    thanksgiving = _weekday_on_or_after(dt.date(season_year, 11, 22), 3)
    first, last = all_star_break(season_year)
    off = {thanksgiving, dt.date(season_year, 12, 24)}
    off.update(first + dt.timedelta(days=i) for i in range((last - first).days + 1))
    return off


@lru_cache(maxsize=8)
def season_days(season_year: int) -> tuple[dt.date, ...]:
    """Every date of the regular season on which games may be played."""
    first, last = opening_night(season_year), last_day(season_year)
    off = _days_off(season_year)
    return tuple(
        d for d in (first + dt.timedelta(days=i) for i in range((last - first).days + 1)) if d not in off
    )


@dataclass(frozen=True)
class Game:
    game_id: str  # the league's id: 002 + two-digit season + five-digit number
    game_date: dt.date  # ET date of tip-off
    season_year: int
    home: str
    away: str
    tip_off: dt.datetime  # timezone-aware, America/New_York
    number: int  # 1..1230 in date and tip-off order

    @property
    def analytics_game_id(self) -> str:
        """The id analytics tables use: ``YYYYMMDD_AWAY_HOME``."""
        return f"{self.game_date:%Y%m%d}_{self.away}_{self.home}"

    @property
    def game_code(self) -> str:
        """NBA.com's game code: ``YYYYMMDD/AWAYHOME``."""
        return f"{self.game_date:%Y%m%d}/{self.away}{self.home}"

    @property
    def is_cup_game(self) -> bool:
        """NBA Cup group play: conference games on the Tuesdays and Fridays of November."""
        in_window = dt.date(self.season_year, 11, 1) <= self.game_date <= dt.date(self.season_year, 12, 2)
        return (in_window and self.game_date.weekday() in (1, 4)
                and BY_ABBR[self.home].conference == BY_ABBR[self.away].conference)


def _matchups(rng: np.random.Generator) -> list[tuple[str, str]]:
    """(home, away) for all 1,230 games: the league's 82-game formula, 41 home games each.

    Two games against each team of the other conference, four against each division rival,
    four against six of the other conference teams and three against the remaining four.
    """
    games: list[tuple[str, str]] = []
    for i, a in enumerate(TEAMS):
        for b in TEAMS[i + 1:]:
            if a.conference != b.conference:
                games += [(a.abbr, b.abbr), (b.abbr, a.abbr)]
            elif a.division == b.division:
                games += [(a.abbr, b.abbr), (b.abbr, a.abbr)] * 2
    for conference in ("East", "West"):
        divisions: dict[str, list[str]] = {}
        for team in TEAMS:
            if team.conference == conference:
                divisions.setdefault(team.division, []).append(team.abbr)
        groups = [divisions[name] for name in sorted(divisions)]
        for x in range(3):
            for y in range(x + 1, 3):
                first, second = groups[x], groups[y]
                shift = int(rng.integers(5))
                for i in range(5):
                    # Each pair of divisions: every team meets two teams of the other division
                    # three times, once with the extra game at home and once away.
                    home_extra = second[(i + shift) % 5]
                    away_extra = second[(i + shift + 1) % 5]
                    for j in range(5):
                        other = second[j]
                        pair = [(first[i], other), (other, first[i])]
                        if other == home_extra:
                            games += pair + [(first[i], other)]
                        elif other == away_extra:
                            games += pair + [(other, first[i])]
                        else:
                            games += pair * 2
    return games


# Relative number of games by weekday (Monday first): busy Wednesdays and Fridays.
_WEEKDAY_LOAD = np.array([1.0, 0.85, 1.25, 0.75, 1.15, 1.05, 0.95])


# Score taken off a matchup for each of its teams that played the day before: just enough that
# a team plays about 15 back-to-backs a season, as NBA teams do (not the 25 a greedy fill gives).
_BACK_TO_BACK_PENALTY = 0.03


def _assign_dates(
    matchups: list[tuple[str, str]], days: tuple[dt.date, ...], rng: np.random.Generator
) -> list[tuple[dt.date, str, str]] | None:
    """Place every matchup on a day; None when the greedy pass gets stuck (the caller retries).

    A team never plays three days in a row nor four games in five nights (the league stopped
    scheduling both), and back-to-backs are taken only when other pairings run short.
    """
    index = {abbr: i for i, abbr in enumerate(TEAM_ABBRS)}
    home = np.array([index[h] for h, _ in matchups])
    away = np.array([index[a] for _, a in matchups])
    remaining = np.ones(len(matchups), dtype=bool)
    games_left = np.bincount(home, minlength=30) + np.bincount(away, minlength=30)
    played_on = np.full((30, 3), -10)  # the ordinal days of each team's last three games
    last_meeting: dict[tuple[int, int], int] = {}
    placed: list[tuple[dt.date, str, str]] = []
    total_days = len(days)
    for d, day in enumerate(days):
        days_left = total_days - d
        left = int(remaining.sum())
        if left == 0:
            break
        pace = left / days_left
        load = _WEEKDAY_LOAD[day.weekday()] / _WEEKDAY_LOAD.mean()
        target = int(np.clip(round(pace * load + rng.normal(0, 1.2)), 2, 15))
        if days_left <= 3:
            target = 15
        today = day.toordinal()
        yesterday = played_on[:, 0] == today - 1
        three_in_three = yesterday & (played_on[:, 1] == today - 2)
        four_in_five = played_on[:, 2] >= today - 4
        rested = ~(three_in_three | four_in_five)
        urgency = games_left / days_left
        candidates = np.flatnonzero(remaining & rested[home] & rested[away])
        if candidates.size == 0:
            continue
        tired = yesterday[home[candidates]].astype(float) + yesterday[away[candidates]]
        score = (urgency[home[candidates]] + urgency[away[candidates]] + rng.random(candidates.size) * 0.35
                 - _BACK_TO_BACK_PENALTY * tired)
        busy = np.zeros(30, dtype=bool)
        chosen = 0
        for c in candidates[np.argsort(-score)]:
            h, a = home[c], away[c]
            if busy[h] or busy[a]:
                continue
            pair = (min(h, a), max(h, a))
            if d - last_meeting.get(pair, -100) < 5 and days_left > 20:
                continue
            busy[h] = busy[a] = True
            remaining[c] = False
            games_left[h] -= 1
            games_left[a] -= 1
            last_meeting[pair] = d
            placed.append((day, TEAM_ABBRS[h], TEAM_ABBRS[a]))
            chosen += 1
            if chosen >= target:
                break
        for t in np.flatnonzero(busy):
            played_on[t] = (today, played_on[t, 0], played_on[t, 1])
    return placed if not remaining.any() else None


def _tip_off(day: dt.date, home: str, rng: np.random.Generator) -> dt.datetime:
    choices = BY_ABBR[home].tip_hours_et
    hour = choices[rng.integers(len(choices))]
    if day.weekday() in (5, 6) and rng.random() < 0.2:
        hour = float(rng.choice([13.0, 15.5, 18.0]))  # weekend matinee
    minutes = int(round(hour * 60))
    return dt.datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=EASTERN)


@lru_cache(maxsize=8)
def _schedule(season_year: int, seed: int) -> tuple[Game, ...]:
    days = season_days(season_year)
    placed = None
    attempt = 0
    while placed is None:
        rng = np.random.default_rng([seed, season_year, 100 + attempt])
        placed = _assign_dates(_matchups(rng), days, rng)
        attempt += 1
        if attempt > 50:
            raise RuntimeError(f"could not build a schedule for season {season_year} with seed {seed}")
    rng = np.random.default_rng([seed, season_year, 99])
    timed = sorted(
        ((day, _tip_off(day, home, rng), home, away) for day, home, away in placed),
        key=lambda g: (g[0], g[1], g[2]),
    )
    prefix = f"002{season_year % 100:02d}"
    return tuple(
        Game(f"{prefix}{n:05d}", day, season_year, home, away, tip, n)
        for n, (day, tip, home, away) in enumerate(timed, start=1)
    )


def season_schedule(season_year: int, seed: int = 7) -> list[Game]:
    """Every regular-season game of a season, in date and tip-off order."""
    return list(_schedule(season_year, seed))
