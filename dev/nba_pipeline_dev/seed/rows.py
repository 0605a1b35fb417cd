"""Column lists for one generated table, turned into an Arrow table of its DDL's schema.

Every column of the DDL is either filled row by row or named as left NULL up front (what the
platform's own processor leaves empty), so a column added to the DDL and forgotten here fails
loudly. ``data_hash`` is computed the platform's way from the table's hash fields.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from nba_pipeline_dev.seed.schemas import raw_schema

# The fields each platform processor hashes into data_hash (its HASH_FIELDS).
HASH_FIELDS = {
    "nbac_schedule": ("game_id", "game_date", "game_date_est", "home_team_tricode", "away_team_tricode",
                      "game_status"),
    "nbac_gamebook_player_stats": ("game_id", "player_lookup", "minutes", "field_goals_made",
                                   "field_goals_attempted", "points", "total_rebounds", "assists"),
    "nbac_player_boxscores": ("game_id", "player_lookup", "points", "total_rebounds", "assists", "minutes",
                              "field_goals_made", "field_goals_attempted"),
    "nbac_team_boxscore": ("game_id", "team_abbr", "is_home", "fg_made", "fg_attempted", "three_pt_made",
                           "three_pt_attempted", "ft_made", "ft_attempted", "offensive_rebounds",
                           "defensive_rebounds", "total_rebounds", "assists", "steals", "blocks", "turnovers",
                           "personal_fouls", "points", "plus_minus"),
    "nbac_play_by_play": ("game_id", "event_id", "period", "game_clock", "event_type", "event_description",
                          "score_home", "score_away"),
    "odds_api_player_points_props": ("player_lookup", "game_date", "game_id", "bookmaker", "points_line",
                                     "snapshot_timestamp"),
    "bettingpros_player_points_props": ("player_lookup", "game_date", "market_type", "bookmaker", "bet_side",
                                        "points_line", "is_best_line"),
    "odds_api_game_lines": ("game_id", "game_date", "bookmaker_key", "market_key", "outcome_name",
                            "outcome_point", "snapshot_timestamp"),
    "nbac_injury_report": ("player_lookup", "team", "game_date", "game_id", "injury_status", "reason",
                           "reason_category"),
    "espn_team_rosters": ("roster_date", "team_abbr", "espn_player_id", "player_full_name", "jersey_number",
                          "position", "height", "weight", "status", "roster_status"),
}


def data_hash(columns: Mapping[str, pa.Array], fields: Iterable[str]) -> pa.Array:
    """16 hex characters of SHA-256 over ``name:value`` pairs, sorted and joined by ``|``.

    Values are rendered as text the way Arrow casts them (NULL as ``NULL``, strings trimmed,
    timestamps ``2026-02-03 18:35:12.000000Z``), so the hash is the platform's algorithm over
    our rendering of the values.
    """
    parts = []
    for name in sorted(fields, key=lambda field: f"{field}:"):
        values = columns[name]
        text = pc.utf8_trim_whitespace(values) if pa.types.is_string(values.type) else pc.cast(values, pa.string())
        parts.append(pc.binary_join_element_wise(f"{name}:", pc.fill_null(text, "NULL"), ""))
    canonical = pc.binary_join_element_wise(*parts, "|").cast(pa.binary())
    return pa.array([hashlib.sha256(value).hexdigest()[:16] for value in canonical.to_pylist()], pa.string())


class TableRows:
    """Rows of one table, column by column. Timestamps are given as epoch microseconds.

    Values arrive per batch of rows (a game, a roster day) as a list, a numpy array or one value
    for the whole batch; numpy batches go to Arrow without passing through Python objects.
    """

    def __init__(self, table: str, *, null: Iterable[str] = ()):
        self.name = table
        self.schema = raw_schema(table)
        self.null = frozenset(null)
        unknown = self.null - set(self.schema.names)
        if unknown:
            raise ValueError(f"{table}: columns {sorted(unknown)} left NULL are not in its DDL")
        self.hashed = "data_hash" in self.schema.names and table in HASH_FIELDS
        self.columns: dict[str, list] = {
            name: [] for name in self.schema.names if name not in self.null and not (self.hashed and name == "data_hash")
        }
        self.rows = 0

    def extend(self, count: int, **values) -> None:
        """``count`` rows; a list or array gives one value per row, anything else is the same for all."""
        if values.keys() != self.columns.keys():
            missing = sorted(set(self.columns) - set(values))
            raise ValueError(f"{self.name}: columns missing {missing}, unexpected {sorted(set(values) - set(self.columns))}")
        columns = self.columns
        for name, value in values.items():
            kind = type(value)
            if kind is list or kind is np.ndarray:
                if len(value) != count:
                    raise ValueError(f"{self.name}.{name}: {len(value)} values for {count} rows")
                columns[name].append(value)
            else:
                columns[name].append(_Same(value, count))
        self.rows += count

    def _array(self, field: pa.Field, chunks: list) -> pa.Array:
        arrow_type = pa.int64() if pa.types.is_timestamp(field.type) else field.type
        numeric = pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type) or pa.types.is_boolean(arrow_type)
        if numeric and all(isinstance(c, np.ndarray) or (isinstance(c, _Same) and c.value is not None) for c in chunks):
            values = np.concatenate([c if isinstance(c, np.ndarray) else np.full(c.count, c.value) for c in chunks]) \
                if chunks else np.zeros(0)
            array = pa.array(values, arrow_type)
        else:
            flat: list = []
            for c in chunks:
                if isinstance(c, _Same):
                    flat.extend([c.value] * c.count)
                elif isinstance(c, np.ndarray):
                    flat.extend(c.tolist())
                else:
                    flat.extend(c)
            array = pa.array(flat, arrow_type)
        return array.cast(field.type) if arrow_type != field.type else array

    def table(self) -> pa.Table:
        arrays = {}
        for field in self.schema:
            if field.name in self.null:
                arrays[field.name] = pa.nulls(self.rows, field.type)
                continue
            if field.name == "data_hash" and self.hashed:
                continue
            array = self._array(field, self.columns[field.name])
            if not field.nullable and array.null_count:
                raise ValueError(f"{self.name}.{field.name} is NOT NULL but got {array.null_count} NULLs")
            arrays[field.name] = array
        if self.hashed:
            arrays["data_hash"] = data_hash(arrays, HASH_FIELDS[self.name])
        return pa.Table.from_arrays([arrays[f.name] for f in self.schema], schema=self.schema)


class _Same:
    """One value for a whole batch of rows."""

    __slots__ = ("value", "count")

    def __init__(self, value, count: int):
        self.value, self.count = value, count
