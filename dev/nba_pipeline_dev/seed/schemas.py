"""Arrow schemas of the seeded tables, read from their DDL in ``include/sql/schema/``.

The DDL is the single description of the raw columns; generating from it means a column added
there shows up here (and a generator that forgets to fill it, or to say it leaves it NULL,
fails loudly).
"""

from __future__ import annotations

from functools import lru_cache

import pyarrow as pa

from nba_pipeline.ddl import Column, definition

# Every table the generator fills, by table name, with the platform dataset it lives in.
SEEDED_TABLES = {
    "nbac_schedule": "nba_raw",
    "nbac_gamebook_player_stats": "nba_raw",
    "nbac_player_boxscores": "nba_raw",
    "nbac_team_boxscore": "nba_raw",
    "nbac_play_by_play": "nba_raw",
    "odds_api_player_points_props": "nba_raw",
    "bettingpros_player_points_props": "nba_raw",
    "odds_api_game_lines": "nba_raw",
    "nbac_injury_report": "nba_raw",
    "espn_team_rosters": "nba_raw",
    "nba_players_registry": "nba_reference",
}

_ARROW_TYPES = {
    "STRING": pa.string(),
    "INT64": pa.int64(),
    "FLOAT64": pa.float64(),
    "BOOL": pa.bool_(),
    "DATE": pa.date32(),
    "TIMESTAMP": pa.timestamp("us", tz="UTC"),
}


def platform_name(table: str) -> str:
    """``nbac_schedule`` -> ``nba_raw.nbac_schedule``."""
    if table not in SEEDED_TABLES:
        raise ValueError(f"{table!r} is not a seeded table; seeded: {', '.join(SEEDED_TABLES)}")
    return f"{SEEDED_TABLES[table]}.{table}"


def layer_of(table: str) -> str:
    """The settings layer (``raw``, ``reference``) whose dataset holds a seeded table."""
    return platform_name(table).split(".")[0].removeprefix("nba_")


def date_column(table: str) -> str | None:
    """The column a table is partitioned on (the dates a load replaces); None if unpartitioned."""
    return definition(platform_name(table)).partition_column


def _arrow_field(column: Column) -> pa.Field:
    if column.type.startswith("ARRAY<"):
        element = column.type[len("ARRAY<"):-1]
        if element not in _ARROW_TYPES:
            raise ValueError(f"column {column.name}: ARRAY of {element} has no Arrow mapping")
        return pa.field(column.name, pa.list_(_ARROW_TYPES[element]), nullable=True)
    if column.type not in _ARROW_TYPES:
        raise ValueError(f"column {column.name}: type {column.type} has no Arrow mapping")
    return pa.field(column.name, _ARROW_TYPES[column.type], nullable=column.mode != "REQUIRED")


@lru_cache(maxsize=None)
def raw_schema(table: str) -> pa.Schema:
    """The Arrow schema of a seeded table, column for column as its DDL declares it."""
    return pa.schema([_arrow_field(c) for c in definition(platform_name(table)).columns])
