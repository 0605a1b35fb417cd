"""Who is on which team: ESPN's daily rosters and the players registry with universal ids.

Rosters are scraped every game day for all 30 teams (at 8 AM ET), as the platform's ESPN HTML
scraper sees them: ids, jersey, position, height and weight, no ages or birth data. The
registry has one row per player, team and season, with the universal player id the analytics
tables carry (``lookup_001``) and what the gamebook and the roster scrapes saw of the player
within the generated range.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pyarrow as pa

from nba_pipeline_dev.seed.boxscore import GameResult
from nba_pipeline_dev.seed.league import League, league
from nba_pipeline_dev.seed.rows import TableRows
from nba_pipeline_dev.seed.season_calendar import EASTERN, epoch_micros
from nba_pipeline_dev.seed.teams import BY_ABBR, TEAM_ABBRS

ROSTER_SCRAPE_HOUR = 8
# The HTML roster scraper has no API-only fields (the platform's processor leaves them NULL).
_ROSTER_NULL = ("age", "experience_years", "college", "birth_place", "birth_date", "status", "salary",
                "espn_roster_url")


def universal_player_id(lookup: str) -> str:
    """The registry's cross-source id: the lookup and a sequence number (lebronjames_001)."""
    return f"{lookup}_001"


def _height(inches: int) -> str:
    return f"{inches // 12}' {inches % 12}\""


def _morning(day: dt.date) -> int:
    return epoch_micros(dt.datetime(day.year, day.month, day.day, ROSTER_SCRAPE_HOUR, tzinfo=EASTERN))


class RosterRows:
    def __init__(self):
        self.rosters = TableRows("espn_team_rosters", null=_ROSTER_NULL)
        # (season, lookup) -> appearances by status, first/last game played; rosters seen.
        self.appearances: dict[tuple[int, str], dict] = defaultdict(
            lambda: {"active": 0, "inactive": 0, "dnp": 0, "first": None, "last": None, "last_listed": None})
        self.roster_days: dict[int, list[dt.date]] = defaultdict(list)

    def add_game(self, result: GameResult) -> None:
        game = result.game
        for team in (result.home, result.away):
            for lookup, status in zip(team.roster.lookups, team.availability.status):
                seen = self.appearances[(game.season_year, lookup)]
                seen[status] += 1
                seen["last_listed"] = game.game_date
                if status == "active":
                    seen["first"] = seen["first"] or game.game_date
                    seen["last"] = game.game_date

    def add_day(self, day: dt.date, season: League) -> None:
        """Every team's roster as scraped on the morning of a game day."""
        self.roster_days[season.season_year].append(day)
        scraped = _morning(day)
        for k, abbr in enumerate(TEAM_ABBRS):
            roster = season.rosters[abbr]
            identity = roster.identity
            at = scraped + (k * 40 + 5) * 1_000_000
            self.rosters.extend(
                roster.size, roster_date=day, scrape_hour=ROSTER_SCRAPE_HOUR, season_year=season.season_year,
                team_abbr=abbr, team_display_name=BY_ABBR[abbr].full_name,
                espn_player_id=list(identity.espn_player_ids), player_full_name=list(roster.names),
                player_lookup=list(roster.lookups),
                universal_player_id=[universal_player_id(lookup) for lookup in roster.lookups],
                jersey_number=list(identity.jerseys), position=list(identity.positions),
                position_abbr=list(identity.positions), height=[_height(h) for h in identity.heights_inches],
                weight=[f"{w} lbs" for w in identity.weights_lbs], roster_status="Active Roster",
                source_file_path=f"espn/rosters/{day}/team_{abbr}/{day:%Y%m%d}_{ROSTER_SCRAPE_HOUR:02d}0000.json",
                source_file_date=day, created_at=at, processed_at=at,
            )

    def _registry(self, seasons: list[int], seed: int) -> pa.Table:
        rows = TableRows("nba_players_registry")
        for season_year in seasons:
            days = self.roster_days.get(season_year)
            if not days:
                continue
            season = league(season_year, seed)
            label = f"{season_year}-{(season_year + 1) % 100:02d}"
            for abbr in TEAM_ABBRS:
                roster = season.rosters[abbr]
                for i, lookup in enumerate(roster.lookups):
                    seen = self.appearances.get((season_year, lookup))
                    listed = seen["last_listed"] if seen else None
                    roster_update = _morning(days[-1]) + 5_000_000
                    gamebook_update = (epoch_micros(dt.datetime.combine(listed + dt.timedelta(days=1), dt.time(6),
                                                                        EASTERN)) if listed else None)
                    total = sum(seen[s] for s in ("active", "inactive", "dnp")) if seen else 0
                    latest = max(v for v in (roster_update, gamebook_update) if v is not None)
                    rows.extend(
                        1, universal_player_id=universal_player_id(lookup), player_name=roster.names[i],
                        player_lookup=lookup, team_abbr=abbr, season=label,
                        first_game_date=seen["first"] if seen else None, last_game_date=seen["last"] if seen else None,
                        games_played=seen["active"] if seen else 0, total_appearances=total,
                        inactive_appearances=seen["inactive"] if seen else 0, dnp_appearances=seen["dnp"] if seen else 0,
                        jersey_number=int(roster.identity.jerseys[i]), position=roster.identity.positions[i],
                        source_priority="nba_gamebook" if total else "roster_espn",
                        confidence_score=1.0 if total else 0.8,
                        last_processor="gamebook" if gamebook_update and gamebook_update > roster_update else "roster",
                        last_gamebook_update=gamebook_update, last_roster_update=roster_update,
                        gamebook_update_count=total, roster_update_count=len(days),
                        update_sequence_number=total + len(days), last_gamebook_activity_date=listed,
                        last_roster_activity_date=days[-1], created_by=f"run_{days[0]:%Y%m%d}_080000_registry",
                        created_at=_morning(days[0]) + 5_000_000, processed_at=latest,
                    )
        return rows.table()

    def tables(self, seasons: list[int], seed: int) -> dict[str, pa.Table]:
        return {"espn_team_rosters": self.rosters.table(), "nba_players_registry": self._registry(seasons, seed)}
