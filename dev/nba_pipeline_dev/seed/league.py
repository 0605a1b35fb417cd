"""The league a season is generated for: 30 teams, their rosters and each player's abilities.

Everything here depends only on the season year and the seed, never on the dates asked for,
so any date range of a season sees the same players on the same teams.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from statistics import NormalDist

import numpy as np

from nba_pipeline_dev.seed.season_calendar import season_days
from nba_pipeline_dev.seed.teams import TEAM_ABBRS, TEAMS

# Common given and family names, with the apostrophes, hyphens and accents that make the
# normalized player_lookup worth having.
_FIRST_NAMES = (
    "Aaron", "Adrian", "Alec", "Alex", "Andre", "Anthony", "Austin", "Bennett", "Brandon", "Bryce",
    "Caleb", "Cam", "Cameron", "Carter", "Chris", "Cole", "Collin", "Cooper", "Damon", "Daniel",
    "Darius", "David", "De'Andre", "De'Von", "Derrick", "Devin", "Dillon", "Donovan", "Eli", "Elijah",
    "Emmanuel", "Eric", "Evan", "Gabe", "Gary", "Grant", "Isaac", "Isaiah", "Jaden", "Jalen", "Jamal",
    "Jared", "Jaylen", "Jeremy", "Jordan", "Jonas", "Josh", "Julian", "Justin", "Kai", "Keegan",
    "Kevin", "Kris", "Kyle", "Lamar", "Landry", "Malik", "Marcus", "Mark", "Marko", "Max", "Micah",
    "Miles", "Moses", "Nick", "Noah", "Omar", "Quentin", "Reed", "Ricky", "Royce", "Ryan", "Sam",
    "Sion", "Terrence", "Trey", "Tyus", "Victor", "Walker", "Wendell", "Xavier", "Zach",
)
_LAST_NAMES = (
    "Adams", "Allen", "Anderson", "Bailey", "Banks", "Barnes", "Bates", "Bell", "Bennett", "Black",
    "Brooks", "Brown", "Bryant", "Butler", "Caldwell", "Carter", "Clark", "Coleman", "Collins",
    "Cook", "Cooper", "Davis", "Dawson", "Dixon", "Dunn", "Edwards", "Ellis", "Evans", "Fields",
    "Fleming", "Ford", "Foster", "Fox", "Freeman", "Gaines", "Gibson", "Gordon", "Graham", "Grant",
    "Green", "Griffin", "Hall", "Hardy", "Harper", "Harris", "Hayes", "Henderson", "Hill", "Holmes",
    "Howard", "Hughes", "Hunter", "Jackson", "James", "Jenkins", "Johnson", "Jones", "Kelly", "King",
    "Knight", "Lane", "Lewis", "Love", "Marshall", "Martin", "Miller", "Mitchell", "Moore", "Morris",
    "Murray", "Nelson", "O'Brien", "O'Neal", "Okoro", "Parker", "Patterson", "Payne", "Porter",
    "Powell", "Price", "Reed", "Richardson", "Robinson", "Rose", "Ross", "Russell", "Sanders",
    "Scott", "Shaw", "Simmons", "Smith", "Stevens", "Stewart", "Thomas", "Thompson", "Tucker",
    "Turner", "Vincent", "Wagner", "Walker", "Wallace", "Warren", "Washington", "Watson", "White",
    "Williams", "Wilson", "Wright", "Young", "Petrović", "Marković", "Núñez", "Šimić", "Müller",
    "Diallo", "Okafor-Reed", "Hart-Jones",
)
_SUFFIXES = ("", "", "", "", "", "", "", "", "", "", "", "", " Jr.", " II", " III")

# Share of a team's regulation minutes by depth (best player first), before per-game noise.
_MINUTES_BY_DEPTH = np.array([35, 34, 32, 31, 29, 25, 22, 20, 17, 13, 9, 6, 4, 3, 2, 1.5, 1.0])
_USAGE_BY_DEPTH = np.array([1.45, 1.25, 1.1, 1.0, 0.9, 1.0, 0.95, 0.9, 0.85, 0.85, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8])
_POSITIONS_BY_DEPTH = "GWWBBGWBGWBGWBGWB"  # guard, wing, big
TWO_WAY_DEPTH = 15  # players at depth 15 and 16 are two-way contracts, mostly in the G League
MAX_ACTIVE = 13  # the league's limit on players in uniform


def player_lookup(name: str) -> str:
    """The platform's player key: lowercase name without accents, spaces or punctuation."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", ascii_name.lower())


@dataclass(frozen=True)
class Roster:
    """One team's players for a season; arrays are indexed like ``names`` (depth order)."""

    team: str
    names: tuple[str, ...]
    lookups: tuple[str, ...]
    positions: str
    minutes_weight: np.ndarray
    usage: np.ndarray
    three_rate: np.ndarray
    three_pct: np.ndarray
    paint_share: np.ndarray  # share of two-point attempts taken in the paint
    paint_pct: np.ndarray
    mid_pct: np.ndarray
    free_throw_rate: np.ndarray
    free_throw_pct: np.ndarray
    off_rebound: np.ndarray
    def_rebound: np.ndarray
    playmaking: np.ndarray
    steal: np.ndarray
    block: np.ndarray
    turnover: np.ndarray
    foul_rate: np.ndarray  # personal fouls per minute
    expected_points: np.ndarray  # per game with usual minutes: the anchor of the points lines
    identity: Identity

    @property
    def size(self) -> int:
        return len(self.names)

    @property
    def two_way(self) -> np.ndarray:
        """Two-way contracts: the deepest players, shuttling between the team and the G League."""
        return np.arange(self.size) >= TWO_WAY_DEPTH


@dataclass(frozen=True)
class Identity:
    """Who the players of one roster are to the outside world (ids, jersey, body), by depth."""

    nba_player_ids: tuple[int, ...]
    espn_player_ids: tuple[int, ...]
    bettingpros_player_ids: tuple[int, ...]
    jerseys: tuple[str, ...]
    positions: tuple[str, ...]  # PG, SG, SF, PF, C
    heights_inches: tuple[int, ...]
    weights_lbs: tuple[int, ...]


@dataclass(frozen=True)
class League:
    season_year: int
    seed: int
    rosters: dict[str, Roster]
    offense: dict[str, float]  # points above a league-average offense
    defense: dict[str, float]  # points a team's defense takes off an average opponent
    pace: dict[str, float]
    injuries: dict[str, list[tuple[dt.date, dt.date, str]]]  # lookup -> (first day out, last day out, reason)
    g_league: dict[str, list[tuple[dt.date, dt.date]]]  # two-way lookup -> (first, last day on assignment)

    def on_assignment(self, lookup: str, day: dt.date) -> bool:
        """Is this two-way player with the G League affiliate on ``day``?"""
        return any(start <= day <= end for start, end in self.g_league.get(lookup, ()))


LEAGUE_POINTS = 113.5
LEAGUE_FGA = 88.5
LEAGUE_FTA = 21.5
LEAGUE_TOV = 13.8
_NET_STRENGTH_SD = 4.2

_INJURIES = (
    "Left Ankle; Sprain", "Right Ankle; Sprain", "Left Knee; Soreness", "Right Knee; Tendinitis",
    "Lower Back; Spasms", "Right Hamstring; Strain", "Left Calf; Strain", "Illness; Non-COVID",
    "Right Foot; Plantar Fasciitis", "Left Hand; Fracture", "Concussion Protocol", "Right Shoulder; Soreness",
)


def _rng(seed: int, season_year: int, stream: int) -> np.random.Generator:
    return np.random.default_rng([seed, season_year, stream])


def _names(rng: np.random.Generator, count: int) -> list[tuple[str, str]]:
    chosen: list[tuple[str, str]] = []
    seen: set[str] = set()
    while len(chosen) < count:
        first = _FIRST_NAMES[rng.integers(len(_FIRST_NAMES))]
        last = _LAST_NAMES[rng.integers(len(_LAST_NAMES))]
        name = f"{first} {last}{_SUFFIXES[rng.integers(len(_SUFFIXES))]}"
        lookup = player_lookup(name)
        if lookup not in seen:
            seen.add(lookup)
            chosen.append((name, lookup))
    return chosen


def _expected_points(r: dict[str, np.ndarray]) -> np.ndarray:
    usual = r["minutes_weight"].copy()
    usual[TWO_WAY_DEPTH:] = 0.0
    minutes = 240.0 * usual / usual.sum()
    shot_weight = r["usage"] * minutes
    attempts = LEAGUE_FGA * shot_weight / shot_weight.sum()
    two_point_value = 2 * (r["paint_share"] * r["paint_pct"] + (1 - r["paint_share"]) * r["mid_pct"])
    per_attempt = r["three_rate"] * 3 * r["three_pct"] + (1 - r["three_rate"]) * two_point_value
    ft_weight = r["free_throw_rate"] * shot_weight
    free_throws = LEAGUE_FTA * ft_weight / ft_weight.sum()
    return attempts * per_attempt + free_throws * r["free_throw_pct"]


_JERSEYS = tuple(["0", "00"] + [str(i) for i in range(1, 56)])
# ESPN positions by our depth letters: guard, wing, big.
_ESPN_POSITIONS = {"G": ("PG", "SG"), "W": ("SG", "SF", "SF", "PF"), "B": ("PF", "C", "C")}
_BODY = {"G": (75.0, 195.0), "W": (79.0, 215.0), "B": (83.0, 245.0)}  # inches, pounds


def _identities(rosters: dict[str, list[tuple[str, str]]], positions: dict[str, str],
                rng: np.random.Generator) -> dict[str, Identity]:
    """League-unique NBA.com, ESPN and BettingPros ids; a jersey per player unique in his team."""
    count = sum(len(players) for players in rosters.values())
    nba = rng.choice(np.arange(1626150, 1642600), size=count, replace=False)
    espn = rng.choice(np.arange(3_000_000, 5_300_000), size=count, replace=False)
    bettingpros = rng.choice(np.arange(10_000, 99_999), size=count, replace=False)
    found, at = {}, 0
    for team, players in rosters.items():
        n, letters = len(players), positions[team]
        jerseys = rng.choice(len(_JERSEYS), size=n, replace=False)
        body = np.array([_BODY[letter] for letter in letters])
        height = np.round(body[:, 0] + rng.normal(0.0, 1.6, n)).astype(int)
        weight = np.round(body[:, 1] + rng.normal(0.0, 12.0, n)).astype(int)
        found[team] = Identity(
            nba_player_ids=tuple(int(v) for v in nba[at:at + n]),
            espn_player_ids=tuple(int(v) for v in espn[at:at + n]),
            bettingpros_player_ids=tuple(int(v) for v in bettingpros[at:at + n]),
            jerseys=tuple(_JERSEYS[j] for j in jerseys),
            positions=tuple(str(rng.choice(_ESPN_POSITIONS[letter])) for letter in letters),
            heights_inches=tuple(int(h) for h in height),
            weights_lbs=tuple(int(w) for w in weight),
        )
        at += n
    return found


def _g_league_spells(rng: np.random.Generator, lookups: list[str], season_year: int) -> dict[str, list[tuple[dt.date, dt.date]]]:
    """Stretches a two-way player spends with the G League affiliate: about half his season."""
    days = season_days(season_year)
    first, last = days[0], days[-1]
    spells: dict[str, list[tuple[dt.date, dt.date]]] = {}
    for lookup in lookups:
        day, away = first, bool(rng.random() < 0.5)
        while day <= last:
            length = int(rng.geometric(1 / 9))  # a week or two at a time
            end = min(day + dt.timedelta(days=length - 1), last)
            if away:
                spells.setdefault(lookup, []).append((day, end))
            day, away = end + dt.timedelta(days=1), not away
    return spells


def _roster(team: str, players: list[tuple[str, str]], rng: np.random.Generator, identity: Identity) -> Roster:
    n = len(players)
    pos = _POSITIONS_BY_DEPTH[:n]
    guard = np.array([p == "G" for p in pos])
    big = np.array([p == "B" for p in pos])

    def by_position(g: float, w: float, b: float, spread: float) -> np.ndarray:
        base = np.where(guard, g, np.where(big, b, w))
        return base * rng.lognormal(0.0, spread, n)

    r = {
        "minutes_weight": _MINUTES_BY_DEPTH[:n] * rng.lognormal(0.0, 0.08, n),
        "usage": _USAGE_BY_DEPTH[:n] * rng.lognormal(0.0, 0.15, n),
        "three_rate": np.clip(by_position(0.46, 0.43, 0.14, 0.25), 0.0, 0.75),
        "three_pct": np.clip(rng.normal(0.355, 0.03, n) - np.where(big, 0.03, 0.0), 0.25, 0.45),
        "paint_share": np.clip(by_position(0.52, 0.6, 0.86, 0.1), 0.25, 0.97),
        "paint_pct": np.clip(rng.normal(0.62, 0.04, n) + np.where(big, 0.04, 0.0), 0.5, 0.75),
        "mid_pct": np.clip(rng.normal(0.43, 0.04, n), 0.32, 0.55),
        "free_throw_rate": by_position(1.0, 1.0, 1.2, 0.3),
        "free_throw_pct": np.clip(rng.normal(0.79, 0.05, n) - np.where(big, 0.08, 0.0), 0.5, 0.94),
        "off_rebound": by_position(0.5, 0.9, 2.6, 0.25),
        "def_rebound": by_position(1.0, 1.4, 2.6, 0.2),
        "playmaking": by_position(3.0, 1.4, 0.9, 0.35) * np.where(np.arange(n) < 3, 1.4, 1.0),
        "steal": by_position(1.2, 1.1, 0.8, 0.25),
        "block": by_position(0.4, 0.8, 2.8, 0.35),
        "turnover": _USAGE_BY_DEPTH[:n] * by_position(1.3, 1.0, 1.0, 0.2),
        "foul_rate": np.where(big, 0.095, 0.07) * rng.lognormal(0.0, 0.15, n),
    }
    return Roster(
        team=team,
        names=tuple(name for name, _ in players),
        lookups=tuple(lookup for _, lookup in players),
        positions=pos,
        expected_points=_expected_points(r),
        identity=identity,
        **r,
    )


def _injury_spells(
    rng: np.random.Generator, lookups: tuple[str, ...], season_year: int
) -> dict[str, list[tuple[dt.date, dt.date, str]]]:
    days = season_days(season_year)
    first, last = days[0], days[-1]
    span = (last - first).days
    spells: dict[str, list[tuple[dt.date, dt.date, str]]] = {}
    for lookup in lookups:
        for _ in range(rng.poisson(1.1)):
            start = first + dt.timedelta(days=int(rng.integers(span)))
            length = int(min(60, rng.geometric(0.18)))  # mostly a few days, now and then weeks
            reason = _INJURIES[rng.integers(len(_INJURIES))]
            spells.setdefault(lookup, []).append((start, start + dt.timedelta(days=length - 1), reason))
    return spells


@lru_cache(maxsize=8)
def league(season_year: int, seed: int = 7) -> League:
    """Rosters (13 to 17 players, league-unique ``player_lookup``), team strengths and injuries."""
    rng = _rng(seed, season_year, 1)
    sizes = rng.choice([13, 14, 15, 16, 17], size=len(TEAMS), p=[0.02, 0.05, 0.13, 0.3, 0.5])
    people = _names(rng, int(sizes.sum()))
    members: dict[str, list[tuple[str, str]]] = {}
    at = 0
    for team, size in zip(TEAM_ABBRS, sizes):
        members[team] = people[at:at + size]
        at += size
    # Identities come from their own stream, so adding one never reshuffles the players.
    identities = _identities(members, {t: _POSITIONS_BY_DEPTH[:len(p)] for t, p in members.items()},
                             _rng(seed, season_year, 3))
    rosters = {team: _roster(team, players, rng, identities[team]) for team, players in members.items()}
    # Net strength (points better than average) spread evenly over a normal's quantiles, so no
    # season gets absurd outliers; each team splits it between offense and defense.
    net = np.array([NormalDist(0.0, _NET_STRENGTH_SD).inv_cdf((i + 0.5) / len(TEAMS)) for i in range(len(TEAMS))])
    net = rng.permutation(net)
    offense_share = rng.uniform(0.25, 0.75, len(TEAMS))
    offense = {t: float(v) for t, v in zip(TEAM_ABBRS, net * offense_share)}
    defense = {t: float(v) for t, v in zip(TEAM_ABBRS, net * (1 - offense_share))}
    pace = {t: float(v) for t, v in zip(TEAM_ABBRS, rng.normal(1.0, 0.025, len(TEAMS)))}
    everyone = tuple(lookup for _, lookup in people)
    injuries = _injury_spells(_rng(seed, season_year, 2), everyone, season_year)
    two_way = [lookup for roster in rosters.values() for lookup in roster.lookups[TWO_WAY_DEPTH:]]
    g_league = _g_league_spells(_rng(seed, season_year, 4), two_way, season_year)
    return League(season_year, seed, rosters, offense, defense, pace, injuries, g_league)
