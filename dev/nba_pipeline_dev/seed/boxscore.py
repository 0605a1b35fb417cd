"""One game simulated from the players' abilities: box scores and shot events that add up.

Team totals are never drawn on their own: every team figure is the sum of its players, every
point comes from a shot or free throw, every assist from an assisted make, every rebound from
a miss and every steal from an opponent's turnover. A tie after regulation plays overtime.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from nba_pipeline_dev.seed.season_calendar import Game
from nba_pipeline_dev.seed.league import (
    LEAGUE_FGA,
    LEAGUE_FTA,
    LEAGUE_POINTS,
    LEAGUE_TOV,
    MAX_ACTIVE,
    TWO_WAY_DEPTH,
    League,
    Roster,
)

# Columns of a team's stat matrix (one row per player).
STATS = (
    "seconds", "points", "field_goals_made", "field_goals_attempted", "three_pointers_made",
    "three_pointers_attempted", "free_throws_made", "free_throws_attempted", "offensive_rebounds",
    "defensive_rebounds", "total_rebounds", "assists", "steals", "blocks", "turnovers", "personal_fouls",
)
(SEC, PTS, FGM, FGA, TPM, TPA, FTM, FTA, OREB, DREB, REB, AST, STL, BLK, TOV, PF) = range(len(STATS))

ZONES = ("paint", "mid_range", "three")
_ASSISTED_SHARE = np.array([0.5, 0.62, 0.86])  # share of makes that are assisted, by zone
REGULATION_SECONDS = 240 * 60  # five players for 48 minutes
OVERTIME_SECONDS = 25 * 60
_HOME_EDGE = 1.4  # points, each way
_MAX_OVERTIMES = 6
_FIELD_GOAL_SHARE_INVERSE = 1.0 / 0.85  # about 85% of points come from field goals
DNP_COACH = "DNP - Coach's Decision"
INACTIVE_TWO_WAY = "Inactive - G League - Two-Way"
INACTIVE_REST = "Inactive - Rest"
INACTIVE_NOT_WITH_TEAM = "Inactive - Not With Team"


@dataclass
class Availability:
    status: list[str]  # active | dnp | inactive, per roster player
    reasons: list[str | None]
    report: list[tuple[int, str, str | None]]  # (player index, latest status, status the day before)
    starters: np.ndarray  # bool per roster player


@dataclass
class TeamGame:
    roster: Roster
    is_home: bool
    availability: Availability
    stats: np.ndarray  # int64 (players, len(STATS)); zeros for players who did not play
    plus_minus: np.ndarray

    @property
    def played(self) -> np.ndarray:
        return np.array([s == "active" for s in self.availability.status])

    @property
    def totals(self) -> np.ndarray:
        return self.stats.sum(axis=0)

    @property
    def points(self) -> int:
        return int(self.stats[:, PTS].sum())


@dataclass
class Shots:
    event_id: np.ndarray
    team_is_home: np.ndarray
    shooter: np.ndarray  # roster index within the shooting team
    zone: np.ndarray  # index into ZONES
    made: np.ndarray
    assisted: np.ndarray


@dataclass
class GameResult:
    game: Game
    home: TeamGame
    away: TeamGame
    overtime_periods: int
    shots: Shots

    @property
    def team_minutes(self) -> int:
        return 240 + 25 * self.overtime_periods


def _spell_on(league: League, lookup: str, day: dt.date):
    for start, end, reason in league.injuries.get(lookup, ()):
        if start <= day <= end:
            return start, end, reason
    return None


def availability(roster: Roster, day: dt.date, league: League, rng: np.random.Generator) -> Availability:
    """Who is injured, resting, in the G League, dressed but unused, or playing, and the report."""
    n = roster.size
    status = ["active"] * n
    reasons: list[str | None] = [None] * n
    report: list[tuple[int, str, str | None]] = []
    regulars = min(n, TWO_WAY_DEPTH)
    healthy = regulars
    for i in range(n):
        spell = _spell_on(league, roster.lookups[i], day)
        if spell is not None and (i >= regulars or healthy > 11):
            start, end, reason = spell
            status[i], reasons[i] = "inactive", f"Inactive - Injury/Illness - {reason}"
            if i < regulars:
                healthy -= 1
            day_before = "doubtful" if (end - day).days <= 1 else "out"
            report.append((i, "out", day_before if rng.random() < 0.6 else None))
        elif spell is None:
            recent = any(0 < (day - end).days <= 3 for _, end, _ in league.injuries.get(roster.lookups[i], ()))
            if recent:
                report.append((i, "probable" if rng.random() < 0.6 else "available", "questionable"))
            elif i < regulars and rng.random() < 0.03:
                report.append((i, "questionable", None))
    for i in range(regulars, n):
        if status[i] == "active" and (healthy >= 12 or rng.random() < 0.3):
            status[i], reasons[i] = "inactive", INACTIVE_TWO_WAY
            report.append((i, "out", "out"))
    for i in range(min(8, regulars)):
        if status[i] == "active" and healthy > 11 and rng.random() < 0.012:
            status[i], reasons[i] = "inactive", INACTIVE_REST
            healthy -= 1
            report.append((i, "out", "questionable"))
    dressed = [i for i in range(n) if status[i] == "active"]
    for i in dressed[MAX_ACTIVE:]:
        status[i], reasons[i] = "inactive", INACTIVE_NOT_WITH_TEAM
    dressed = dressed[:MAX_ACTIVE]
    playing = min(len(dressed), int(rng.choice([10, 11, 11, 12, 12, 12, 13, 13])))
    # The coach leaves out the least used, with some game-to-game variation.
    preference = roster.minutes_weight[dressed] * rng.lognormal(0.0, 0.25, len(dressed))
    for k in np.argsort(-preference)[playing:]:
        status[dressed[k]], reasons[dressed[k]] = "dnp", DNP_COACH
    starters = np.zeros(n, dtype=bool)
    starters[[i for i in range(n) if status[i] == "active"][:5]] = True
    return Availability(status, reasons, report, starters)


def split_evenly(total: int, weights: np.ndarray, cap: float, floor: float = 0.0) -> np.ndarray:
    """Integers summing to ``total``, proportional to ``weights``, each within [floor, cap]."""
    n = len(weights)
    fixed = np.full(n, np.nan)
    share = weights * total / weights.sum()
    for _ in range(n):
        free = np.isnan(fixed)
        rest = total - np.nansum(fixed)
        share = np.where(free, weights * rest / weights[free].sum(), fixed)
        high, low = free & (share > cap), free & (share < floor)
        if not high.any() and not low.any():
            break
        fixed[high], fixed[low] = cap, floor
    return round_to_sum(share, total)


def round_to_sum(values: np.ndarray, total: int) -> np.ndarray:
    """Integers near ``values`` that add up to ``total`` (the largest remainders round up)."""
    whole = np.floor(values).astype(np.int64)
    short = int(total - whole.sum())
    if short:
        whole[np.argsort(-(values - whole))[:short]] += 1
    return whole


def _spread(rng: np.random.Generator, count: int, weights: np.ndarray) -> np.ndarray:
    return rng.multinomial(max(int(count), 0), weights / weights.sum())


@dataclass
class _Segment:
    """One team's shooting in one period of play (regulation or an overtime)."""

    seconds: np.ndarray
    stats: np.ndarray
    shooter: np.ndarray
    zone: np.ndarray
    made: np.ndarray
    assisted: np.ndarray


def _shoot(rng, roster: Roster, seconds: np.ndarray, quality: float, tempo: float) -> _Segment:
    """Field goals, free throws, turnovers and fouls of one team in one period of play.

    ``tempo`` is shared by both teams (they have the same possessions); ``quality`` scales
    shooting for the matchup (offense against the opponent's defense, home court).
    """
    n = roster.size
    scale = seconds.sum() / REGULATION_SECONDS
    on = seconds > 0
    stats = np.zeros((n, len(STATS)), dtype=np.int64)
    stats[:, SEC] = seconds
    minutes = seconds / 60.0
    shot_weight = roster.usage * minutes
    attempts = _spread(rng, round(LEAGUE_FGA * tempo * scale + rng.normal(0.0, 2.0)), shot_weight)
    threes = rng.binomial(attempts, roster.three_rate)
    twos = attempts - threes
    paint = rng.binomial(twos, roster.paint_share)
    mid = twos - paint
    # Field goals carry most of the points, so they carry the whole matchup edge.
    shooting = quality ** _FIELD_GOAL_SHARE_INVERSE
    made_three = rng.binomial(threes, np.minimum(roster.three_pct * shooting, 0.9))
    made_paint = rng.binomial(paint, np.minimum(roster.paint_pct * shooting, 0.9))
    made_mid = rng.binomial(mid, np.minimum(roster.mid_pct * shooting, 0.9))
    free_throw_count = round(max(rng.normal(LEAGUE_FTA, 4.0), 0.0) * scale)
    free_throws = _spread(rng, free_throw_count, roster.free_throw_rate * shot_weight)
    made_free = rng.binomial(free_throws, roster.free_throw_pct)
    stats[:, FGA] = attempts
    stats[:, TPA] = threes
    stats[:, TPM] = made_three
    stats[:, FGM] = made_three + made_paint + made_mid
    stats[:, FTA] = free_throws
    stats[:, FTM] = made_free
    stats[:, PTS] = 2 * stats[:, FGM] + made_three + made_free
    stats[:, TOV] = _spread(rng, rng.poisson(LEAGUE_TOV * scale), roster.turnover * minutes)
    stats[:, PF] = rng.poisson(roster.foul_rate * minutes)

    # One entry per attempt, made ones first within each player and zone.
    counts = np.stack([made_paint, paint - made_paint, made_mid, mid - made_mid, made_three, threes - made_three], 1)
    per_kind = counts.T.reshape(-1)
    shooter = np.repeat(np.tile(np.arange(n), 6), per_kind)
    kind = np.repeat(np.repeat(np.arange(6), n), per_kind)
    zone = kind // 2
    made = kind % 2 == 0
    assisted = made & (rng.random(len(made)) < _ASSISTED_SHARE[zone])
    helpers = np.flatnonzero(assisted)
    if helpers.size:
        weight = np.where(on, roster.playmaking * minutes, 0.0)
        table = np.tile(weight, (helpers.size, 1))
        table[np.arange(helpers.size), shooter[helpers]] = 0.0
        cumulative = table.cumsum(axis=1)
        pick = rng.random(helpers.size) * cumulative[:, -1]
        passer = (cumulative <= pick[:, None]).sum(axis=1)
        stats[:, AST] = np.bincount(passer, minlength=n)
    return _Segment(seconds, stats, shooter, zone, made, assisted)


def _contest(rng, home: _Segment, away: _Segment, rosters: tuple[Roster, Roster]) -> None:
    """Steals, blocks and rebounds: what one team gets from the other's turnovers and misses."""
    for own, other, roster in ((home, away, rosters[0]), (away, home, rosters[1])):
        minutes = own.seconds / 60.0
        steals = rng.binomial(int(other.stats[:, TOV].sum()), 0.55)
        own.stats[:, STL] = _spread(rng, steals, roster.steal * minutes)
        missed_twos = int(((other.zone < 2) & ~other.made).sum())
        own.stats[:, BLK] = _spread(rng, rng.binomial(missed_twos, 0.1), roster.block * minutes)
    for shooting, defending, rosters_pair in ((home, away, rosters), (away, home, rosters[::-1])):
        missed_free = int(shooting.stats[:, FTA].sum() - shooting.stats[:, FTM].sum())
        misses = int((~shooting.made).sum()) + rng.binomial(missed_free, 0.45)
        credited = rng.binomial(misses, 0.9)  # the rest are team rebounds
        offensive = rng.binomial(credited, 0.25)
        shooting.stats[:, OREB] = _spread(rng, offensive, rosters_pair[0].off_rebound * shooting.seconds)
        defending.stats[:, DREB] = _spread(rng, credited - offensive, rosters_pair[1].def_rebound * defending.seconds)
    for side in (home, away):
        side.stats[:, REB] = side.stats[:, OREB] + side.stats[:, DREB]


def _plus_minus(rng, seconds: np.ndarray, margin: int, played: np.ndarray) -> np.ndarray:
    """Each player's share of the margin by time on court, plus noise; sums to 5 x margin."""
    on_court = seconds / (seconds.sum() / 5)  # sums to 5
    noise = np.where(played, rng.normal(0.0, 5.0, len(seconds)) * np.sqrt(on_court), 0.0)
    return round_to_sum(margin * on_court + noise - noise.sum() * on_court / 5, 5 * margin)


def simulate(game: Game, league: League, rng: np.random.Generator) -> GameResult:
    """Play one game: who plays, for how long, every shot, and both box scores."""
    rosters = (league.rosters[game.home], league.rosters[game.away])
    sides = [availability(r, game.game_date, league, rng) for r in rosters]
    quality = (
        (LEAGUE_POINTS + league.offense[game.home] - league.defense[game.away] + _HOME_EDGE) / LEAGUE_POINTS,
        (LEAGUE_POINTS + league.offense[game.away] - league.defense[game.home] - _HOME_EDGE) / LEAGUE_POINTS,
    )
    pace = (league.pace[game.home] + league.pace[game.away]) / 2
    weights = []
    for roster, side in zip(rosters, sides):
        played = np.array([s == "active" for s in side.status])
        w = np.where(played, roster.minutes_weight * rng.lognormal(0.0, 0.18, roster.size), 0.0)
        w[side.starters] *= 1.15
        weights.append(w)
    totals = [np.zeros((r.size, len(STATS)), dtype=np.int64) for r in rosters]
    shot_parts: list[tuple[int, _Segment]] = []
    overtime = 0
    while True:
        segments = []
        tempo = pace * rng.normal(1.0, 0.04)
        for k, (roster, w) in enumerate(zip(rosters, weights)):
            if overtime == 0:
                seconds = np.zeros(roster.size, dtype=np.int64)
                on = np.flatnonzero(w > 0)
                seconds[on] = split_evenly(REGULATION_SECONDS, w[on], cap=42 * 60, floor=90)
            else:
                closers = np.argsort(-w)[:7]
                seconds = np.zeros(roster.size, dtype=np.int64)
                seconds[closers] = split_evenly(OVERTIME_SECONDS, w[closers], cap=300)
            segments.append(_shoot(rng, roster, seconds, quality[k], tempo))
        _contest(rng, segments[0], segments[1], rosters)
        for k, segment in enumerate(segments):
            totals[k] += segment.stats
            shot_parts.append((k, segment))
        if totals[0][:, PTS].sum() != totals[1][:, PTS].sum():
            break
        overtime += 1
        if overtime == _MAX_OVERTIMES:  # practically never: settle it at the line
            star = int(np.argmax(weights[0]))
            totals[0][star, [FTA, FTM, PTS]] += 1
            break
    for k, roster in enumerate(rosters):
        totals[k][:, PF] = np.minimum(totals[k][:, PF], 6)  # fouled out
    margin = int(totals[0][:, PTS].sum() - totals[1][:, PTS].sum())
    teams = []
    for k, (roster, side) in enumerate(zip(rosters, sides)):
        own_margin = margin if k == 0 else -margin
        played = np.array([s == "active" for s in side.status])
        pm = _plus_minus(rng, totals[k][:, SEC], own_margin, played)
        teams.append(TeamGame(roster, k == 0, side, totals[k], pm))
    return GameResult(game, teams[0], teams[1], overtime, _events(rng, shot_parts))


def _events(rng, parts: list[tuple[int, _Segment]]) -> Shots:
    """Interleave both teams' attempts period by period; event ids grow with the game clock."""
    columns = {"team_is_home": [], "shooter": [], "zone": [], "made": [], "assisted": []}
    for start in range(0, len(parts), 2):
        pair = parts[start:start + 2]
        home_flags = np.concatenate([np.full(len(seg.shooter), k == 0) for k, seg in pair])
        order = rng.permutation(len(home_flags))
        columns["team_is_home"].append(home_flags[order])
        for name in ("shooter", "zone", "made", "assisted"):
            columns[name].append(np.concatenate([getattr(seg, name) for _, seg in pair])[order])
    joined = {name: np.concatenate(values) for name, values in columns.items()}
    # Other events (rebounds, fouls, substitutions) sit between the shots.
    event_id = 1 + np.cumsum(rng.integers(1, 7, len(joined["shooter"])))
    return Shots(event_id=event_id, **joined)
