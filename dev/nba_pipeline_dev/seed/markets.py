"""Pre-game markets: player points props (The Odds API, BettingPros) and game lines, snapshotted.

Lines come from what the market can know before tip-off: each player's expected points with
his usual minutes, scaled by the matchup (his team's offense against the opponent's defense,
home court). Books quote the consensus line or shade it by half a point or a point, so some
lines are whole numbers and a player can land exactly on one (a push).
"""

from __future__ import annotations

import datetime as dt
import hashlib

import numpy as np
import pyarrow as pa

from nba_pipeline_dev.seed.boxscore import GameResult
from nba_pipeline_dev.seed.league import LEAGUE_POINTS, TWO_WAY_DEPTH, League
from nba_pipeline_dev.seed.rows import TableRows
from nba_pipeline_dev.seed.season_calendar import epoch_micros
from nba_pipeline_dev.seed.season_calendar import utc_text as _stamp
from nba_pipeline_dev.seed.teams import BY_ABBR

# The Odds API bookmakers in the platform's priority order: (key, title, how often it lists a player).
BOOKMAKERS = (
    ("draftkings", "DraftKings", 0.97), ("fanduel", "FanDuel", 0.95), ("betmgm", "BetMGM", 0.6),
    ("williamhill_us", "Caesars", 0.5), ("betrivers", "BetRivers", 0.35),
)
# BettingPros books: (book_id, display name, how often it lists a player); 0 is their consensus.
BETTINGPROS_BOOKS = (
    (0, "BettingPros Consensus", 1.0), (12, "DraftKings", 0.9), (10, "FanDuel", 0.9), (19, "BetMGM", 0.6),
    (13, "Caesars", 0.5), (36, "ESPN Bet", 0.4),
)
BETTINGPROS_POINTS_MARKET = 156
# Snapshot times before tip-off (hours); each book is seen at some of them.
_SNAPSHOT_LEADS = np.array([10.0, 7.0, 4.0, 2.0, 0.75])
_MIN_EXPECTED_POINTS = 6.0
# A book's line against the consensus half-point line: mostly the same, sometimes shaded.
_BOOK_SHADES = np.array([-1.0, -0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5, 1.0])
# Expected points assume the whole roster healthy; the players the market prices play more
# when teammates sit. Scaling by this share keeps overs and unders about even.
_HEALTHY_ROSTER_SHARE = 1.07
_VIG = 1.045  # implied probabilities of the two sides add up to this
_IN_GAME_SHARE = 0.1  # games whose props were also captured after tip-off
_ID_FALLBACK_SHARE = 0.02  # games the props processor could not find in the schedule
_HOME_EDGE = 1.4


def snapshot_times(tip_off: dt.datetime, rng: np.random.Generator) -> list[dt.datetime]:
    jitter = rng.integers(0, 10, len(_SNAPSHOT_LEADS))
    return [tip_off - dt.timedelta(hours=float(lead), minutes=-int(j)) for lead, j in zip(_SNAPSHOT_LEADS, jitter)]


def _half_point(value):
    """The consensus points line: a half point, so a player cannot push against it; at least 0.5."""
    return np.maximum(np.floor(value) + 0.5, 0.5)


def odds_event_id(game_id: str, seed: int) -> str:
    """The Odds API's event id of a game: 32 hex characters."""
    return hashlib.md5(f"{seed}:{game_id}".encode()).hexdigest()


def decimal_odds(probability: np.ndarray) -> np.ndarray:
    """Decimal odds for the chance of one side, with the book's margin, as the API rounds them."""
    return np.round(1.0 / (probability * _VIG), 2)


def american(decimal: float) -> int:
    """Decimal -> American odds, truncated the way the platform converts them."""
    return int((decimal - 1) * 100) if decimal >= 2.0 else int(-100 / (decimal - 1))


def expected_points(result: GameResult, league: League) -> tuple[list[tuple[int, int]], np.ndarray]:
    """Who the market prices (team side, roster index) and their expected points this game.

    Players on the latest injury report as out, two-way players and the deep bench get no line.
    """
    game = result.game
    chosen: list[tuple[int, int]] = []
    expected: list[float] = []
    for side, (team, own, other, edge) in enumerate(((result.home, game.home, game.away, _HOME_EDGE),
                                                     (result.away, game.away, game.home, -_HOME_EDGE))):
        quality = (LEAGUE_POINTS + league.offense[own] - league.defense[other] + edge) / LEAGUE_POINTS
        ruled_out = {e.player for e in team.availability.report if e.status == "out"}
        roster = team.roster
        candidates = [
            i for i in range(min(roster.size, TWO_WAY_DEPTH))
            if i not in ruled_out and roster.expected_points[i] >= _MIN_EXPECTED_POINTS
        ]
        candidates.sort(key=lambda i: -roster.expected_points[i])
        for i in candidates:
            chosen.append((side, i))
            expected.append(float(roster.expected_points[i] * quality * _HEALTHY_ROSTER_SHARE))
    return chosen, np.array(expected)


class MarketRows:
    """The three market tables, filled game by game."""

    def __init__(self):
        self.props = TableRows("odds_api_player_points_props")
        self.bettingpros = TableRows("bettingpros_player_points_props", null=("validated_team", "player_complications"))
        self.lines = TableRows("odds_api_game_lines")

    def add_game(self, result: GameResult, league: League, rng: np.random.Generator, seed: int) -> None:
        players, expected = expected_points(result, league)
        # The market's number for each player, before any book shades it.
        consensus = _half_point(expected * rng.lognormal(0.0, 0.05, len(expected)))
        self._odds_api(result, players, consensus, rng, seed)
        self._bettingpros(result, players, consensus, rng)
        self._game_lines(result, league, rng, seed)

    def _odds_api(self, result: GameResult, players, consensus: np.ndarray, rng, seed: int) -> None:
        """The top five to nine scorers of each team, at two to four snapshots of each book."""
        game = result.game
        sides = (result.home, result.away)
        keep = []
        for side in (0, 1):
            of_side = [k for k, (s, _) in enumerate(players) if s == side]
            keep += of_side[: int(rng.integers(5, 10))]
        times = [epoch_micros(t) for t in snapshot_times(game.tip_off, rng)]
        tip = epoch_micros(game.tip_off)
        if rng.random() < _IN_GAME_SHARE:
            times.append(tip + int(rng.integers(20, 40)) * 60_000_000)
        moments = len(times)
        books = len(BOOKMAKERS)
        count = len(keep)
        shade = _BOOK_SHADES[rng.integers(0, len(_BOOK_SHADES), (count, books))]
        moves = np.where(rng.random((count, books, moments)) < 0.15, rng.choice([-1.0, 1.0], (count, books, moments)), 0.0)
        lines = np.maximum(consensus[keep][:, None, None] + shade[:, :, None] + moves.cumsum(axis=2), 0.5)
        listed = rng.random((count, books)) < np.array([coverage for _, _, coverage in BOOKMAKERS])
        # Each book is seen at two to four of the pre-game snapshots; the in-game capture is draftkings'.
        before = len(_SNAPSHOT_LEADS)
        rank = rng.random((count, books, before)).argsort(axis=2).argsort(axis=2)
        seen = np.zeros((count, books, moments), dtype=bool)
        seen[:, :, :before] = listed[:, :, None] & (rank < rng.integers(2, 5, (count, books))[:, :, None])
        if moments > before:
            seen[:, 0, before:] = listed[:, 0, None]
        p, b, t = np.nonzero(seen)
        over_probability = np.clip(rng.normal(0.5, 0.03, len(p)), 0.4, 0.6)
        over, under = decimal_odds(over_probability), decimal_odds(1 - over_probability)
        event = odds_event_id(game.game_id, seed)
        game_id = game.game_id if rng.random() >= _ID_FALLBACK_SHARE else game.analytics_game_id
        snapshots = [times[k] for k in t.tolist()]
        lookups = [sides[players[keep[k]][0]].roster.lookups[players[keep[k]][1]] for k in p.tolist()]
        names = [sides[players[keep[k]][0]].roster.names[players[keep[k]][1]] for k in p.tolist()]
        self.props.extend(
            len(p), game_id=game_id, odds_api_event_id=event, game_date=game.game_date, game_start_time=tip,
            home_team_abbr=game.home, away_team_abbr=game.away, snapshot_timestamp=snapshots,
            snapshot_tag=[_stamp(s, "snap-%H%M") for s in snapshots],
            capture_timestamp=[s + int(c) * 1_000_000 for s, c in zip(snapshots, rng.integers(5, 60, len(p)))],
            minutes_before_tipoff=[(tip - s) // 60_000_000 for s in snapshots],
            bookmaker=[BOOKMAKERS[k][0] for k in b.tolist()], player_name=names, player_lookup=lookups,
            points_line=lines[p, b, t], over_price=over,
            over_price_american=[american(v) for v in over.tolist()], under_price=under,
            under_price_american=[american(v) for v in under.tolist()],
            bookmaker_last_update=[s - int(m) * 60_000_000 for s, m in zip(snapshots, rng.integers(1, 30, len(p)))],
            source_file_path=[
                f"odds-api/player-props/{game.game_date}/{event}-{game.away}{game.home}/"
                f"{_stamp(s, '%Y%m%d_%H%M%S')}-{_stamp(s, 'snap-%H%M')}.json" for s in snapshots],
            data_source="current", processed_at=[s + 150_000_000 for s in snapshots],
        )

    def _bettingpros(self, result: GameResult, players, consensus: np.ndarray, rng) -> None:
        """Every priced player (deeper than the Odds API lists), per book and side, in one or two files."""
        game = result.game
        sides = (result.home, result.away)
        tip = epoch_micros(game.tip_off)
        files = sorted({min(epoch_micros(game.tip_off - dt.timedelta(hours=h)), tip - 1_800_000_000)
                        for h in ([9.0, 3.0] if rng.random() < 0.4 else [6.0])})
        bp_event = 20_000 + game.number * 7 + game.season_year % 100 * 100_000
        count, books = len(players), len(BETTINGPROS_BOOKS)
        listed = rng.random((count, books)) < np.array([coverage for _, _, coverage in BETTINGPROS_BOOKS])
        shade = _BOOK_SHADES[rng.integers(0, len(_BOOK_SHADES), (count, books))]
        shade[:, 0] = 0.0  # the consensus is the consensus
        move = np.where(np.arange(len(files)) > 0, rng.choice([-0.5, 0.0, 0.0, 0.0, 0.5], len(files)), 0.0)
        # One row per player, book, file and side.
        p, b, f, side = (a.ravel() for a in np.meshgrid(
            np.arange(count), np.arange(books), np.arange(len(files)), np.arange(2), indexing="ij"))
        keep = listed[p, b]
        p, b, f, side = p[keep], b[keep], f[keep], side[keep]
        odds = np.array([american(v) for v in decimal_odds(np.clip(rng.normal(0.5, 0.03, len(p)), 0.4, 0.6)).tolist()])
        # The best price of each (player, file, side) across the books quoting it.
        group = (p * len(files) + f) * 2 + side
        best_of_group = np.full(group.max() + 1 if len(group) else 0, -10_000)
        np.maximum.at(best_of_group, group, odds)
        first_best = np.zeros(len(p), dtype=bool)
        seen: set[int] = set()
        for k in np.flatnonzero(odds == best_of_group[group]):
            if group[k] not in seen:
                seen.add(int(group[k]))
                first_best[k] = True
        at = np.array(files, dtype=np.int64)[f]
        hours_before = (tip - at) / 3_600_000_000
        who = [players[k] for k in p.tolist()]
        roster = [sides[s_].roster for s_, _ in who]
        index = [i for _, i in who]
        offer = [f"{bp_event}{k:02d}" for k in p.tolist()]
        book_ids = [BETTINGPROS_BOOKS[k][0] for k in b.tolist()]
        created = (at + 60_000_000).tolist()
        self.bettingpros.extend(
            len(p), game_date=game.game_date, market_type="points", market_id=BETTINGPROS_POINTS_MARKET,
            bp_event_id=bp_event, offer_id=offer, bet_side=np.where(side == 0, "over", "under").tolist(),
            bp_player_id=[r.identity.bettingpros_player_ids[i] for r, i in zip(roster, index)],
            player_name=[r.names[i] for r, i in zip(roster, index)],
            player_lookup=[r.lookups[i] for r, i in zip(roster, index)], player_team=[r.team for r in roster],
            player_position=[r.identity.positions[i] for r, i in zip(roster, index)], team_source="bettingpros",
            has_team_issues=True, validation_confidence=np.where(hours_before < 12, 0.95, 0.7),
            validation_method="bettingpros_freshness_based",
            validation_notes=np.where(hours_before < 12, "same_day_processing", "day_ahead").tolist(),
            book_id=book_ids, bookmaker=[BETTINGPROS_BOOKS[k][1] for k in b.tolist()],
            line_id=[f"{o}-{k}" for o, k in zip(offer, book_ids)],
            points_line=np.maximum(consensus[p] + shade[p, b] + move[f], 0.5),
            odds_american=odds, is_active=True, is_best_line=first_best,
            bookmaker_last_update=at - rng.integers(2, 90, len(p)) * 60_000_000,
            opening_line=consensus[p], opening_odds=-110, opening_book_id=0,
            opening_timestamp=tip - 26 * 3_600_000_000,
            source_file_path=[f"bettingpros/player-props/points/{game.game_date}/{_stamp(t, '%Y%m%d_%H%M%S')}.json"
                              for t in at.tolist()],
            created_at=created, processed_at=created,
        )

    def _game_lines(self, result: GameResult, league: League, rng, seed: int) -> None:
        """Spreads and totals of each book at three to five snapshots: both outcomes of each market."""
        game = result.game
        home, away = game.home, game.away
        margin = (league.offense[home] - league.defense[away]) - (league.offense[away] - league.defense[home]) + 2.8
        spread = round((-margin + rng.normal(0.0, 1.5)) * 2) / 2
        pace = (league.pace[home] + league.pace[away]) / 2
        expected_total = (2 * LEAGUE_POINTS * pace + league.offense[home] + league.offense[away]
                          - league.defense[home] - league.defense[away] + rng.normal(0.0, 3.0))
        total = float(_half_point(expected_total))
        times = snapshot_times(game.tip_off, rng)
        picked = np.sort(rng.choice(len(times), size=int(rng.integers(3, 6)), replace=False))
        snapshots = []
        for k in picked:
            if rng.random() < 0.3:
                spread += float(rng.choice([-0.5, 0.5]))
            if rng.random() < 0.3:
                total += float(rng.choice([-1.0, 1.0]))
            snapshots.append((epoch_micros(times[k]), spread, total))
        event = odds_event_id(game.game_id, seed)
        home_name, away_name = BY_ABBR[home].full_name, BY_ABBR[away].full_name
        tip = epoch_micros(game.tip_off)
        columns: dict[str, list] = {name: [] for name in (
            "snapshot_timestamp", "previous_snapshot_timestamp", "next_snapshot_timestamp", "bookmaker_key",
            "bookmaker_title", "bookmaker_last_update", "market_key", "market_last_update", "outcome_name",
            "outcome_price", "outcome_point", "source_file_path", "created_at", "processed_at")}
        stamps = [s for s, _, _ in snapshots]
        books = [book for book in BOOKMAKERS if rng.random() < 0.6 + 0.4 * book[2]]
        offsets = {key: (float(rng.choice([-0.5, 0.0, 0.0, 0.5])), float(rng.choice([-0.5, 0.0, 0.0, 0.5])))
                   for key, _, _ in books}
        for n, (at, spread_now, total_now) in enumerate(snapshots):
            path = (f"odds-api/game-lines/{game.game_date}/{event}-{away}{home}/"
                    f"{_stamp(at, '%Y%m%d_%H%M%S')}-{_stamp(at, 'snap-%H%M')}.json")
            for key, title, _ in books:
                spread_offset, total_offset = offsets[key]
                updated = at - int(rng.integers(1, 20)) * 60_000_000
                home_probability = float(np.clip(rng.normal(0.5, 0.02), 0.45, 0.55))
                over_probability = float(np.clip(rng.normal(0.5, 0.02), 0.45, 0.55))
                prices = decimal_odds(np.array([home_probability, 1 - home_probability,
                                                over_probability, 1 - over_probability])).tolist()
                point = spread_now + spread_offset
                for market, outcome, price, value in (
                    ("spreads", home_name, prices[0], point), ("spreads", away_name, prices[1], -point),
                    ("totals", "Over", prices[2], total_now + total_offset),
                    ("totals", "Under", prices[3], total_now + total_offset),
                ):
                    columns["snapshot_timestamp"].append(at)
                    columns["previous_snapshot_timestamp"].append(stamps[n - 1] if n else None)
                    columns["next_snapshot_timestamp"].append(stamps[n + 1] if n + 1 < len(stamps) else None)
                    columns["bookmaker_key"].append(key)
                    columns["bookmaker_title"].append(title)
                    columns["bookmaker_last_update"].append(updated)
                    columns["market_key"].append(market)
                    columns["market_last_update"].append(updated)
                    columns["outcome_name"].append(outcome)
                    columns["outcome_price"].append(price)
                    columns["outcome_point"].append(value)
                    columns["source_file_path"].append(path)
                    columns["created_at"].append(at + 120_000_000)
                    columns["processed_at"].append(at + 120_000_000)
        self.lines.extend(
            len(columns["snapshot_timestamp"]), game_id=event, sport_key="basketball_nba", sport_title="NBA",
            commence_time=tip, game_date=game.game_date, home_team=home_name, away_team=away_name,
            home_team_abbr=home, away_team_abbr=away, data_source="current", **columns,
        )

    def tables(self) -> dict[str, pa.Table]:
        return {
            "odds_api_player_points_props": self.props.table(),
            "bettingpros_player_points_props": self.bettingpros.table(),
            "odds_api_game_lines": self.lines.table(),
        }
