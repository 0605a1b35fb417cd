"""A seeded generator of realistic raw NBA data, and its loader into the raw BigQuery tables.

``generate(start, end, seed=7)`` builds every raw table for a range of game dates (consistent
box scores, a season calendar with an All-Star break, several raw versions, optional faults);
``load(client, data)`` puts them into BigQuery with Parquet load jobs.
"""

from nba_pipeline_dev.seed.season_calendar import SEASON_2025, Game, all_star_break, season_schedule, season_year_of
from nba_pipeline_dev.seed.faults import FAULT_KINDS, Fault, parse_fault
from nba_pipeline_dev.seed.generator import RawData, generate
from nba_pipeline_dev.seed.league import player_lookup
from nba_pipeline_dev.seed.loader import load
from nba_pipeline_dev.seed.schemas import RAW_TABLES, raw_schema
from nba_pipeline_dev.seed.teams import TEAM_ABBRS

__all__ = [
    "FAULT_KINDS",
    "Fault",
    "Game",
    "RAW_TABLES",
    "RawData",
    "SEASON_2025",
    "TEAM_ABBRS",
    "all_star_break",
    "generate",
    "load",
    "parse_fault",
    "player_lookup",
    "raw_schema",
    "season_schedule",
    "season_year_of",
]
