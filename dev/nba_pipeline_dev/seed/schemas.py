"""Arrow schemas of the raw tables, read from their DDL in ``include/sql/schema/raw/``.

The DDL is the single description of the raw columns; generating from it means a column added
there shows up here (and a generator that forgets to fill it fails loudly).
"""

from __future__ import annotations

import re
from functools import lru_cache

import pyarrow as pa

from nba_pipeline.sql import schema_files, sql_root

RAW_TABLES = (
    "nbac_schedule",
    "nbac_gamebook_player_stats",
    "nbac_player_boxscores",
    "nbac_team_boxscore",
    "nbac_play_by_play",
    "odds_api_player_points_props",
    "odds_api_game_lines",
    "nbac_injury_report",
)

_ARROW_TYPES = {
    "STRING": pa.string(),
    "INT64": pa.int64(),
    "FLOAT64": pa.float64(),
    "BOOL": pa.bool_(),
    "DATE": pa.date32(),
    "TIMESTAMP": pa.timestamp("us", tz="UTC"),
}
_COLUMN = re.compile(r"^\s*([a-z_][a-z0-9_]*)\s+([A-Z0-9]+)(\s+NOT\s+NULL)?\s*,?\s*(--.*)?$")


def parse_columns(ddl: str) -> list[pa.Field]:
    """The columns of one ``CREATE TABLE`` statement, in order, as Arrow fields."""
    body = ddl[ddl.index("(") + 1:ddl.rindex(")")]
    fields = []
    for line in body.splitlines():
        match = _COLUMN.match(line)
        if not match:
            continue
        name, kind, not_null = match.group(1), match.group(2), match.group(3)
        if kind not in _ARROW_TYPES:
            raise ValueError(f"column {name}: type {kind} has no Arrow mapping")
        fields.append(pa.field(name, _ARROW_TYPES[kind], nullable=not not_null))
    return fields


@lru_cache(maxsize=None)
def raw_schema(table: str) -> pa.Schema:
    path = f"schema/raw/{table}.sql"
    if path not in schema_files("raw"):
        raise ValueError(f"no DDL for raw table {table!r}")
    return pa.schema(parse_columns((sql_root() / path).read_text()))
