"""Known bad-data modes of the raw feeds, injected on purpose into generated data.

- ``late_gamebook:DATE``: every gamebook row of the date is processed after 10:00 ET the next
  day (about 8 hours late).
- ``missing_gamebook:DATE[:GAME_ID]``: one game (the date's first by default; GAME_ID is the
  schedule's NBA.com id) has no gamebook rows; its live player boxscores are still there.
- ``zero_team_row:DATE[:TEAM]``: one team boxscore row (the first game's home team by default)
  gets a newer, all-zero version, so deduplication by latest ``processed_at`` picks the zeros.
- ``duplicate_raw:DATE``: every gamebook and team boxscore row of the date appears twice,
  identical down to ``processed_at``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from nba_pipeline_dev.seed.rows import HASH_FIELDS, data_hash
from nba_pipeline_dev.seed.season_calendar import EASTERN, Game, epoch_micros
from nba_pipeline_dev.seed.teams import TEAM_ABBRS

FAULT_KINDS = ("late_gamebook", "missing_gamebook", "zero_team_row", "duplicate_raw")
_TARGETED = {"missing_gamebook": "GAME_ID", "zero_team_row": "TEAM"}
_GAME_ID = re.compile(r"^00[0-9]{8}$")
LATE_BY = dt.timedelta(hours=8)
GAMEBOOK_DEADLINE_HOUR_ET = 10  # the first gamebook load of D is due before 10:00 ET on D + 1

_GAMEBOOK = "nbac_gamebook_player_stats"
_TEAM_BOXSCORE = "nbac_team_boxscore"


@dataclass(frozen=True)
class Fault:
    kind: str
    game_date: dt.date
    target: str | None = None  # a game id or a team tricode, for the kinds that take one

    def __str__(self) -> str:
        return f"{self.kind}:{self.game_date.isoformat()}" + (f":{self.target}" if self.target else "")


def parse_fault(text: str) -> Fault:
    """``KIND:YYYY-MM-DD[:TARGET]`` -> Fault; a ValueError says what is wrong and what is allowed."""
    parts = text.strip().split(":")
    kind = parts[0]
    if kind not in FAULT_KINDS:
        raise ValueError(f"unknown fault {kind!r} in {text!r}; known: {', '.join(FAULT_KINDS)}")
    usage = f"{kind}:YYYY-MM-DD" + (f"[:{_TARGETED[kind]}]" if kind in _TARGETED else "")
    if len(parts) < 2 or len(parts) > (3 if kind in _TARGETED else 2):
        raise ValueError(f"bad fault {text!r}; expected {usage}")
    try:
        game_date = dt.date.fromisoformat(parts[1])
    except ValueError:
        raise ValueError(f"bad date {parts[1]!r} in fault {text!r}; expected {usage}") from None
    target = parts[2].strip() if len(parts) == 3 else None
    if kind == "missing_gamebook" and target is not None and not _GAME_ID.match(target):
        raise ValueError(f"bad game id {target!r} in fault {text!r}; expected ten digits like 0022500745")
    if kind == "zero_team_row" and target is not None:
        target = target.upper()
        if target not in TEAM_ABBRS:
            raise ValueError(f"unknown team {target!r} in fault {text!r}; known: {', '.join(TEAM_ABBRS)}")
    return Fault(kind, game_date, target or None)


def check_applicable(
    faults: Sequence[Fault], games_by_date: Mapping[dt.date, Sequence[Game]], start: dt.date, end: dt.date
) -> None:
    """Every fault must hit a date in the range that has games, and a target that plays then."""
    for fault in faults:
        if not start <= fault.game_date <= end:
            raise ValueError(f"fault {fault} is outside the generated dates {start}..{end}")
        games = games_by_date.get(fault.game_date)
        if not games:
            raise ValueError(f"fault {fault}: no games on {fault.game_date}")
        if fault.kind == "missing_gamebook" and fault.target and fault.target not in {g.game_id for g in games}:
            raise ValueError(
                f"fault {fault}: game {fault.target} is not on {fault.game_date}; "
                f"that date has {', '.join(g.game_id for g in games)}"
            )
        if fault.kind == "zero_team_row" and fault.target and not _game_of_team(games, fault.target):
            raise ValueError(f"fault {fault}: {fault.target} does not play on {fault.game_date}")


def _game_of_team(games: Sequence[Game], team: str) -> Game | None:
    return next((g for g in games if team in (g.home, g.away)), None)


def _on_date(table: pa.Table, day: dt.date) -> pa.ChunkedArray:
    return pc.equal(table["game_date"], pa.scalar(day, pa.date32()))


def _late_gamebook(tables: dict[str, pa.Table], fault: Fault) -> None:
    table = tables[_GAMEBOOK]
    mask = _on_date(table, fault.game_date)
    stamps = table["processed_at"].cast(pa.int64())
    earliest = pc.min(pc.filter(stamps, mask)).as_py()
    next_day = fault.game_date + dt.timedelta(days=1)
    deadline = epoch_micros(dt.datetime.combine(next_day, dt.time(GAMEBOOK_DEADLINE_HOUR_ET), EASTERN))
    # Late by about eight hours, and in any case at least half an hour past the deadline.
    shift = max(int(LATE_BY.total_seconds() * 1_000_000), deadline + 30 * 60 * 1_000_000 - earliest)
    moved = pc.if_else(mask, pc.add(stamps, shift), stamps).cast(table.schema.field("processed_at").type)
    tables[_GAMEBOOK] = table.set_column(table.schema.get_field_index("processed_at"), "processed_at", moved)


def _missing_gamebook(tables: dict[str, pa.Table], fault: Fault, games: Sequence[Game]) -> None:
    game = next(g for g in games if g.game_id == fault.target) if fault.target else games[0]
    table = tables[_GAMEBOOK]  # the gamebook keys games as YYYYMMDD_AWAY_HOME
    tables[_GAMEBOOK] = table.filter(pc.invert(pc.equal(table["game_id"], game.analytics_game_id)))


_TEAM_IDENTITY = ("game_id", "nba_game_id", "game_date", "season_year", "team_id", "team_abbr", "team_name",
                  "team_city", "is_home", "source_file_path", "created_at")


def _zero_team_row(tables: dict[str, pa.Table], fault: Fault, games: Sequence[Game]) -> None:
    game = _game_of_team(games, fault.target) if fault.target else games[0]
    team = fault.target or game.home
    table = tables[_TEAM_BOXSCORE]
    rows = table.filter(pc.and_(pc.equal(table["game_id"], game.analytics_game_id), pc.equal(table["team_abbr"], team)))
    latest = pc.max(rows["processed_at"].cast(pa.int64())).as_py()
    zero = {}
    for field in table.schema:
        if field.name in _TEAM_IDENTITY:
            zero[field.name] = rows[field.name][:1]
        elif field.name == "processed_at":
            zero[field.name] = pa.array([latest + 3 * 3600 * 1_000_000], pa.int64()).cast(field.type)
        elif field.name == "minutes":
            zero[field.name] = pa.array(["0:00"], field.type)
        elif pa.types.is_floating(field.type):  # percentages of zero attempts
            zero[field.name] = pa.array([None], field.type)
        elif field.name != "data_hash":
            zero[field.name] = pa.array([0], field.type)
    zero["data_hash"] = data_hash({name: pa.concat_arrays(a.chunks) if isinstance(a, pa.ChunkedArray) else a
                                   for name, a in zero.items()}, HASH_FIELDS[_TEAM_BOXSCORE])
    tables[_TEAM_BOXSCORE] = pa.concat_tables([table, pa.table(zero, schema=table.schema)])


def _duplicate_raw(tables: dict[str, pa.Table], fault: Fault) -> None:
    for name in (_GAMEBOOK, _TEAM_BOXSCORE):
        table = tables[name]
        tables[name] = pa.concat_tables([table, table.filter(_on_date(table, fault.game_date))])


def apply_faults(
    tables: dict[str, pa.Table], faults: Sequence[Fault], games_by_date: Mapping[dt.date, Sequence[Game]]
) -> None:
    """Change ``tables`` in place, one fault after the other, in the order given."""
    for fault in faults:
        games = games_by_date[fault.game_date]
        if fault.kind == "late_gamebook":
            _late_gamebook(tables, fault)
        elif fault.kind == "missing_gamebook":
            _missing_gamebook(tables, fault, games)
        elif fault.kind == "zero_team_row":
            _zero_team_row(tables, fault, games)
        elif fault.kind == "duplicate_raw":
            _duplicate_raw(tables, fault)
