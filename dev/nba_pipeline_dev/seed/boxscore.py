"""One game simulated from the players' abilities: box scores and scoring plays that add up.

Team totals are never drawn on their own: every team figure is the sum of its players, every
point comes from a shot or free throw, every assist from an assisted make, every rebound from
a miss and every steal from an opponent's turnover. A tie after regulation plays overtime.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

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
from nba_pipeline_dev.seed.season_calendar import Game

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
_LATE_TIE_CHANCE = 0.35
_BLOCKED_TWO_SHARE = 0.2  # of the opponent's missed twos: about five blocks a team a game
_FIELD_GOAL_SHARE_INVERSE = 1.0 / 0.85  # about 85% of points come from field goals
DNP_COACH = "DNP - Coach's Decision"
INACTIVE_TWO_WAY = "Inactive - G League - Two-Way"
INACTIVE_REST = "Inactive - Rest"
INACTIVE_NOT_WITH_TEAM = "Inactive - Not With Team"


_MINOR = ("Left Ankle; Soreness", "Right Knee; Soreness", "Illness; Non-COVID", "Lower Back; Tightness")


@dataclass(frozen=True)
class ReportEntry:
    """One player's line on the injury report for a game."""

    player: int  # roster index
    status: str  # on the game-day report: out | doubtful | questionable | probable | available
    day_before: str | None  # on the previous day's report, if he was on it
    reason: str  # as the report words it: "Injury/Illness - Left Ankle; Sprain", "G League - Two-Way"


@dataclass
class Availability:
    status: list[str]  # active | dnp | inactive, per roster player
    reasons: list[str | None]
    report: list[ReportEntry]
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
class Events:
    """The scoring plays of a game in clock order: every field goal and free throw attempt."""

    action_number: np.ndarray  # NBA.com actionNumber: grows with the clock, gaps for other plays
    period: np.ndarray  # 1-4, then 5+ for overtimes
    clock_seconds: np.ndarray  # left in the period
    elapsed_seconds: np.ndarray  # since tip-off
    team_is_home: np.ndarray
    shooter: np.ndarray  # roster index within the shooting team
    zone: np.ndarray  # index into ZONES for field goals, FREE_THROW for free throws
    made: np.ndarray
    passer: np.ndarray  # roster index of the assisting teammate, -1 when unassisted
    distance: np.ndarray  # feet from the basket (0 for free throws)
    angle: np.ndarray  # radians from one baseline to the other, as seen from the basket
    free_throw: np.ndarray  # for free throws: (number in the trip, trip length); else (0, 0)

    @property
    def assisted(self) -> np.ndarray:
        return self.passer >= 0


@dataclass
class GameResult:
    game: Game
    home: TeamGame
    away: TeamGame
    overtime_periods: int
    events: Events

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
    report: list[ReportEntry] = []
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
            report.append(ReportEntry(i, "out", day_before if rng.random() < 0.6 else None, f"Injury/Illness - {reason}"))
        elif spell is None:
            recent = [r for _, end, r in league.injuries.get(roster.lookups[i], ()) if 0 < (day - end).days <= 3]
            if recent:
                latest = "probable" if rng.random() < 0.6 else "available"
                report.append(ReportEntry(i, latest, "questionable", f"Injury/Illness - {recent[-1]}"))
            elif i < regulars and rng.random() < 0.03:
                report.append(ReportEntry(i, "questionable", None, f"Injury/Illness - {_MINOR[rng.integers(len(_MINOR))]}"))
    # Two-way players are with the team between G League assignments, not out every game.
    yesterday = day - dt.timedelta(days=1)
    for i in range(regulars, n):
        if status[i] == "active" and league.on_assignment(roster.lookups[i], day):
            status[i], reasons[i] = "inactive", INACTIVE_TWO_WAY
            before = "out" if league.on_assignment(roster.lookups[i], yesterday) else None
            report = [entry for entry in report if entry.player != i]  # the assignment is what the report says
            report.append(ReportEntry(i, "out", before, "G League - Two-Way"))
    listed = {entry.player for entry in report}
    for i in range(min(8, regulars)):
        if status[i] == "active" and healthy > 11 and rng.random() < 0.012 and i not in listed:
            status[i], reasons[i] = "inactive", INACTIVE_REST
            healthy -= 1
            report.append(ReportEntry(i, "out", "questionable", "Rest"))
    # Thirteen dress: the rotation first, then the end of the bench, where a two-way player with
    # the team often takes the place of the deepest standard contracts.
    available = [i for i in range(n) if status[i] == "active"]
    priority = np.array([i - (rng.uniform(0.0, 5.0) if i >= regulars else 0.0) for i in available])
    dressed = sorted(available[k] for k in np.argsort(priority, kind="stable")[:MAX_ACTIVE])
    for i in set(available) - set(dressed):
        status[i], reasons[i] = "inactive", INACTIVE_NOT_WITH_TEAM
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
    passer: np.ndarray


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
    passer = np.full(len(made), -1, dtype=np.int64)
    helpers = np.flatnonzero(assisted)
    if helpers.size:
        weight = np.where(on, roster.playmaking * minutes, 0.0)
        table = np.tile(weight, (helpers.size, 1))
        table[np.arange(helpers.size), shooter[helpers]] = 0.0
        cumulative = table.cumsum(axis=1)
        pick = rng.random(helpers.size) * cumulative[:, -1]
        passer[helpers] = (cumulative <= pick[:, None]).sum(axis=1)
        stats[:, AST] = np.bincount(passer[helpers], minlength=n)
    return _Segment(seconds, stats, shooter, zone, made, passer)


def _tie_late(rng, segments: list[_Segment]) -> None:
    """Close regulation games end level more often than shooting luck alone makes them.

    A trailing team fouls, presses and takes the last shot: when regulation ends within three
    points, a late miss of the trailing team sometimes goes in instead (a three for a three-point
    deficit, a two for two, a free throw for one), so about 6% of games reach overtime, as in
    the league, rather than the 2% that independent shooting gives.
    """
    margin = int(segments[0].stats[:, PTS].sum() - segments[1].stats[:, PTS].sum())
    if not 1 <= abs(margin) <= 3 or rng.random() >= _LATE_TIE_CHANCE:
        return
    trailing = segments[1] if margin > 0 else segments[0]
    stats = trailing.stats
    if abs(margin) == 1:
        shooters = np.flatnonzero(stats[:, FTA] > stats[:, FTM])
        if shooters.size:
            k = int(rng.choice(shooters))
            stats[k, FTM] += 1
            stats[k, PTS] += 1
        return
    three = abs(margin) == 3
    misses = np.flatnonzero(~trailing.made & ((trailing.zone == 2) == three))
    if misses.size:
        shot = int(rng.choice(misses))
        trailing.made[shot] = True  # unassisted: a late isolation
        k = int(trailing.shooter[shot])
        stats[k, FGM] += 1
        stats[k, TPM] += int(three)
        stats[k, PTS] += 3 if three else 2


def _contest(rng, home: _Segment, away: _Segment, rosters: tuple[Roster, Roster]) -> None:
    """Steals, blocks and rebounds: what one team gets from the other's turnovers and misses."""
    for own, other, roster in ((home, away, rosters[0]), (away, home, rosters[1])):
        minutes = own.seconds / 60.0
        steals = rng.binomial(int(other.stats[:, TOV].sum()), 0.55)
        own.stats[:, STL] = _spread(rng, steals, roster.steal * minutes)
        missed_twos = int(((other.zone < 2) & ~other.made).sum())
        missed_threes = int(((other.zone == 2) & ~other.made).sum())
        blocks = rng.binomial(missed_twos, _BLOCKED_TWO_SHARE) + rng.binomial(missed_threes, 0.02)
        own.stats[:, BLK] = _spread(rng, blocks, roster.block * minutes)
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
    periods: list[list[_Segment]] = []
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
        if overtime == 0:
            _tie_late(rng, segments)
        _contest(rng, segments[0], segments[1], rosters)
        for k, segment in enumerate(segments):
            totals[k] += segment.stats
        periods.append(segments)
        if totals[0][:, PTS].sum() != totals[1][:, PTS].sum():
            break
        overtime += 1
        if overtime == _MAX_OVERTIMES:  # practically never: one more free throw settles it
            star = int(np.argmax(weights[0]))
            for stats in (totals[0], segments[0].stats):
                stats[star, [FTA, FTM, PTS]] += 1
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
    return GameResult(game, teams[0], teams[1], overtime, _events(rng, periods))


FREE_THROW = 3  # the zone code of a free throw in Events
_PAINT_FEET, _MID_FEET, _CORNER_THREE_FEET, _ARC_FEET = (0.5, 8.0), (8.5, 21.5), 22.0, 23.75


def _free_throw_trips(rng, segment: _Segment) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each player's free throws in trips of two (the odd one alone): shooter, made, number, trip."""
    shooters, made, number, trip = [], [], [], []
    for player in np.flatnonzero(segment.stats[:, FTA]):
        attempts, makes = int(segment.stats[player, FTA]), int(segment.stats[player, FTM])
        hits = np.zeros(attempts, dtype=bool)
        hits[rng.choice(attempts, size=makes, replace=False)] = True
        sizes = [2] * (attempts // 2) + [1] * (attempts % 2)
        shooters += [player] * attempts
        made += hits.tolist()
        for size in sizes:
            number += list(range(1, size + 1))
            trip += [size] * size
    return (np.array(shooters, dtype=np.int64), np.array(made, dtype=bool),
            np.array(number, dtype=np.int64), np.array(trip, dtype=np.int64))


def _events(rng, periods: list[list[_Segment]]) -> Events:
    """Both teams' attempts placed on the game clock, period by period, in time order."""
    parts: dict[str, list[np.ndarray]] = {name: [] for name in (
        "period", "clock_seconds", "elapsed_seconds", "team_is_home", "shooter", "zone", "made", "passer",
        "distance", "angle", "ft_number", "ft_trip")}
    for index, pair in enumerate(periods):
        length, first_period, period_length = (
            (REGULATION_SECONDS // 5, 1, 720) if index == 0 else (OVERTIME_SECONDS // 5, 4 + index, 300))
        start = 0 if index == 0 else 2880 + 300 * (index - 1)
        columns: dict[str, list[np.ndarray]] = {name: [] for name in parts}
        for k, segment in enumerate(pair):
            shots = len(segment.shooter)
            ft_shooter, ft_made, ft_number, ft_trip = _free_throw_trips(rng, segment)
            trips = int((ft_number == 1).sum())
            shot_time = rng.integers(1, length, shots)
            trip_time = rng.integers(1, length, trips)
            ft_time = np.repeat(trip_time, np.bincount(np.cumsum(ft_number == 1) - 1, minlength=trips)) if trips else                 np.zeros(0, dtype=np.int64)
            columns["elapsed_seconds"] += [shot_time, ft_time]
            columns["team_is_home"] += [np.full(shots + len(ft_shooter), k == 0)]
            columns["shooter"] += [segment.shooter, ft_shooter]
            columns["zone"] += [segment.zone, np.full(len(ft_shooter), FREE_THROW)]
            columns["made"] += [segment.made, ft_made]
            columns["passer"] += [segment.passer, np.full(len(ft_shooter), -1)]
            low = np.where(segment.zone == 0, _PAINT_FEET[0], np.where(segment.zone == 1, _MID_FEET[0], 0.0))
            high = np.where(segment.zone == 0, _PAINT_FEET[1], np.where(segment.zone == 1, _MID_FEET[1], 0.0))
            angle = rng.uniform(0.0, np.pi, shots)
            corner = (np.sin(angle) * _CORNER_THREE_FEET) < 8.75  # along the baseline, below the break
            three_from = np.where(corner, _CORNER_THREE_FEET, _ARC_FEET)
            distance = np.where(segment.zone == 2, three_from + rng.exponential(1.6, shots), rng.uniform(low, high))
            columns["distance"] += [distance, np.zeros(len(ft_shooter))]
            columns["angle"] += [angle, np.zeros(len(ft_shooter))]
            columns["ft_number"] += [np.zeros(shots, dtype=np.int64), ft_number]
            columns["ft_trip"] += [np.zeros(shots, dtype=np.int64), ft_trip]
        joined = {name: np.concatenate(values) for name, values in columns.items() if values}
        # Within one second: field goals before free throws, a trip's throws in order.
        order = np.lexsort((joined["ft_number"], joined["zone"] == FREE_THROW, joined["elapsed_seconds"]))
        elapsed = joined["elapsed_seconds"][order]
        for name, values in joined.items():
            parts[name].append(values[order] if name != "elapsed_seconds" else start + elapsed)
        in_period = elapsed // period_length if index == 0 else np.zeros(len(elapsed), dtype=np.int64)
        parts["period"].append(first_period + in_period)
        parts["clock_seconds"].append(period_length - (elapsed - in_period * period_length))
    joined = {name: np.concatenate(values) for name, values in parts.items()}
    # Other plays (rebounds, fouls, substitutions, timeouts) take the action numbers between.
    action_number = 1 + np.cumsum(rng.integers(1, 5, len(joined["shooter"])))
    free_throw = np.stack([joined.pop("ft_number"), joined.pop("ft_trip")], axis=1)
    return Events(action_number=action_number, free_throw=free_throw, **joined)
