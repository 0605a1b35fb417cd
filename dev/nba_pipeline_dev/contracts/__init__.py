"""The platform's table contracts, and how our DDL differs from them.

``platform_tables.json`` beside this file is the platform's contract for every table we read or
write (columns with type, NUMERIC precision/scale and mode; partitioning, clustering,
``require_partition_filter``, expiry; merge key), extracted from the platform's own DDL
(najicham/nba-stats-scraper; its ``source`` names the commit).

``differences(name)`` compares one table's DDL in ``include/sql/schema/`` with its contract and
returns every difference as a sentence; given a BigQuery client it also reads back the table
(or view) as BigQuery stored it, which is the only way a view's columns can be checked.
Our lineage columns (``_fence``, ``_run_id``) are allowed extras, and ``KNOWN_DEVIATIONS``
lists the few differences we keep on purpose, each with its reason.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from nba_pipeline.ddl import Column, TableDefinition, definition, definitions

CONTRACTS_FILE = Path(__file__).with_name("platform_tables.json")
LINEAGE_COLUMNS = ("_fence", "_run_id")

# (table, difference) -> why we keep it. A listed difference that no longer occurs is itself
# reported, so this list cannot go stale.
KNOWN_DEVIATIONS = {
    ("nba_raw.nbac_schedule",
     "cluster: contract game_date, data_source, home_team_tricode, away_team_tricode, season_year; "
     "DDL game_date, data_source, home_team_tricode, away_team_tricode"):
        "BigQuery allows at most four clustering columns, so the contract's five cannot be created; "
        "we keep its first four (same sort order).",
}


@lru_cache(maxsize=1)
def _contracts() -> dict:
    return json.loads(CONTRACTS_FILE.read_text())


def source() -> dict:
    """Which platform repository and commit the contracts were taken from."""
    return dict(_contracts()["source"])


def contract_names() -> list[str]:
    return sorted(_contracts()["tables"])


def contract(name: str) -> dict:
    """One table's contract; a view's columns are those of the table it copies."""
    tables = _contracts()["tables"]
    if name not in tables:
        raise KeyError(f"no contract for {name!r}; known: {', '.join(sorted(tables))}")
    entry = dict(tables[name])
    if "columns_same_as" in entry and not entry.get("columns"):
        entry["columns"] = tables[entry["columns_same_as"]]["columns"]
    return entry


def tables_with_ddl() -> list[str]:
    """Contract tables that our DDL defines."""
    ours = definitions()
    return [name for name in contract_names() if name in ours]


def _type_text(column: dict) -> str:
    return " ".join(column["type"].replace("<", " < ").replace(">", " > ").replace(",", " , ").split())


def _ours_text(column: Column) -> str:
    return " ".join(column.type.replace("<", " < ").replace(">", " > ").replace(",", " , ").split())


def _compare_columns(expected: list[dict], ours: tuple[Column, ...], allowed_extra: tuple[str, ...]) -> list[str]:
    found = []
    by_name = {c.name: c for c in ours}
    for column in expected:
        name = column["name"]
        mine = by_name.get(name)
        if mine is None:
            found.append(f"missing column {name} {column['type']} {column.get('mode', 'NULLABLE')}")
            continue
        if _type_text(column) != _ours_text(mine):
            found.append(f"column {name}: type {column['type']} in the contract, {mine.type} in the DDL")
        for part in ("precision", "scale"):
            if column.get(part) != getattr(mine, part):
                found.append(f"column {name}: {part} {column.get(part)} in the contract, {getattr(mine, part)} in the DDL")
        if column.get("mode", "NULLABLE") != mine.mode:
            found.append(f"column {name}: mode {column.get('mode', 'NULLABLE')} in the contract, {mine.mode} in the DDL")
    names = {c["name"] for c in expected}
    for mine in ours:
        if mine.name not in names and mine.name not in allowed_extra:
            found.append(f"extra column {mine.name} {mine.type} (not in the contract)")
    return found


def _compare_layout(expected: dict, ours: TableDefinition) -> list[str]:
    found = []
    partition = expected.get("partition") or {}
    if (partition.get("column"), partition.get("type")) != (ours.partition_column, ours.partition_type):
        found.append(
            f"partition: contract {partition.get('column')} {partition.get('type')}; "
            f"DDL {ours.partition_column} {ours.partition_type}"
        )
    if bool(partition.get("require_partition_filter")) != ours.require_partition_filter:
        found.append(
            f"require_partition_filter: contract {bool(partition.get('require_partition_filter'))}; "
            f"DDL {ours.require_partition_filter}"
        )
    if partition.get("expiration_days") != ours.expiration_days:
        found.append(f"partition expiry: contract {partition.get('expiration_days')} days; DDL {ours.expiration_days}")
    cluster = tuple(expected.get("cluster") or ())
    if cluster != ours.cluster:
        found.append(f"cluster: contract {', '.join(cluster) or '-'}; DDL {', '.join(ours.cluster) or '-'}")
    return found


_EMULATOR_TYPES = {"INTEGER": "INT64", "FLOAT": "FLOAT64", "BOOLEAN": "BOOL", "RECORD": "STRUCT"}


def _stored_columns(client, name: str, config):
    """(name, base type, mode) of every column BigQuery stored for one of our tables or views."""
    dataset, table = name.split(".")
    table_id = f"{config.project}.{config.dataset_for(dataset.removeprefix('nba_'))}.{table}"
    stored = client.get_table(table_id)
    return [(f.name, _EMULATOR_TYPES.get(f.field_type, f.field_type), f.mode) for f in stored.schema], stored


def _base_type(type_text: str) -> str:
    if type_text.startswith("ARRAY<"):
        return _base_type(type_text[len("ARRAY<"):-1])
    return type_text.split("<")[0]


def _compare_stored(client, name: str, expected_columns: list[dict], ours: TableDefinition, config) -> list[str]:
    """What BigQuery stored against the contract: names, base types and modes; partitioning.

    bqemulator keeps names, modes, REPEATED and partitioning but stores JSON as STRING, drops
    NUMERIC precision and scale and drops clustering (so those are checked on the DDL text),
    and like BigQuery it reports every view column as NULLABLE.
    """
    found = []
    columns, stored = _stored_columns(client, name, config)
    by_name = {column: (kind, mode) for column, kind, mode in columns}
    for column in expected_columns:
        got = by_name.get(column["name"])
        if got is None:
            found.append(f"stored: no column {column['name']}")
            continue
        kind = _base_type(column["type"])
        if got[0] != kind and not (kind == "JSON" and got[0] == "STRING"):
            found.append(f"stored: column {column['name']} is {got[0]}, the contract says {kind}")
        mode = column.get("mode", "NULLABLE")
        if ours.kind == "view":
            mode = "REPEATED" if mode == "REPEATED" else "NULLABLE"
        if got[1] != mode:
            found.append(f"stored: column {column['name']} is {got[1]}, the contract says {mode}")
    names = {c["name"] for c in expected_columns}
    for column, _, _ in columns:
        if column not in names and column not in LINEAGE_COLUMNS:
            found.append(f"stored: extra column {column}")
    if ours.kind == "table":
        partitioning = stored.time_partitioning
        stored_partition = (partitioning.field, partitioning.type_) if partitioning else (None, None)
        if stored_partition != (ours.partition_column, ours.partition_type):
            found.append(f"stored: partition {stored_partition}, the DDL says {(ours.partition_column, ours.partition_type)}")
        # Real BigQuery reports it on the table, bqemulator inside timePartitioning.
        stored_filter = bool(stored.require_partition_filter) or bool(
            partitioning and partitioning._properties.get("requirePartitionFilter"))
        if stored_filter != ours.require_partition_filter:
            found.append(f"stored: require_partition_filter {stored_filter}, the DDL says {ours.require_partition_filter}")
    return found


def compare(expected: dict, ours: TableDefinition) -> list[str]:
    """Differences between one contract entry and one parsed DDL definition (text only)."""
    found = []
    if expected.get("kind", "table") != ours.kind:
        found.append(f"kind: contract {expected.get('kind', 'table')}; DDL {ours.kind}")
    if ours.kind == "table":
        found += _compare_columns(expected["columns"], ours.columns, LINEAGE_COLUMNS)
        found += _compare_layout(expected, ours)
    elif "columns_same_as" in expected and expected["columns_same_as"] not in ours.sources:
        found.append(f"view reads {', '.join(ours.sources) or 'nothing'}, the contract copies {expected['columns_same_as']}")
    return found


def differences(name: str, client=None, config=None) -> list[str]:
    """Every way our DDL of ``name`` (``nba_raw.nbac_schedule``) differs from its contract.

    Known deviations are left out (and reported if they no longer occur). With ``client``,
    the table as BigQuery stored it is compared too (it must have been created already, e.g.
    by ``nba_pipeline.warehouse.ensure_tables``); a view is only checkable that way.
    """
    from nba_pipeline.config import settings

    expected = contract(name)
    ours = definition(name)
    if client is None and ours.kind == "view":
        raise ValueError(f"{name} is a view: its columns can only be compared with a BigQuery client")
    found = compare(expected, ours)
    if client is not None:
        found += _compare_stored(client, name, expected["columns"], ours, config or settings())
    known = {difference for table, difference in KNOWN_DEVIATIONS if table == name}
    for difference in sorted(known - set(found)):
        found.append(f"known deviation no longer occurs (remove it from KNOWN_DEVIATIONS): {difference}")
    return [d for d in found if d not in known]
