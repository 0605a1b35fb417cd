"""A seeded generator of realistic raw NBA data, and its loader into the raw BigQuery tables.

``generate(start, end, seed=7)`` builds every seeded table (the platform's raw tables and its
players registry) for a range of game dates (consistent box scores, a season calendar with an
All-Star break, several raw versions, optional faults); ``load(client, data)`` puts them into
BigQuery with Parquet load jobs.
"""

from nba_pipeline_dev.seed.faults import FAULT_KINDS, Fault, parse_fault
from nba_pipeline_dev.seed.generator import RANGE_COLUMNS, RawData, generate
from nba_pipeline_dev.seed.league import player_lookup
from nba_pipeline_dev.seed.loader import load
from nba_pipeline_dev.seed.schemas import SEEDED_TABLES, layer_of, platform_name, raw_schema
from nba_pipeline_dev.seed.season_calendar import SEASON_2025, Game, all_star_break, season_schedule, season_year_of
from nba_pipeline_dev.seed.teams import TEAM_ABBRS

__all__ = [
    "FAULT_KINDS",
    "Fault",
    "Game",
    "RANGE_COLUMNS",
    "RawData",
    "SEASON_2025",
    "SEEDED_TABLES",
    "TEAM_ABBRS",
    "all_star_break",
    "generate",
    "layer_of",
    "load",
    "parse_fault",
    "platform_name",
    "player_lookup",
    "raw_schema",
    "season_schedule",
    "season_year_of",
]
