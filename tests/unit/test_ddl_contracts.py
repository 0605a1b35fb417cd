"""The DDL parser and the contract comparison catch every kind of difference they claim to."""

from __future__ import annotations

import pytest

from nba_pipeline import ddl
from nba_pipeline_dev import contracts

CONTRACT = {
    "kind": "table",
    "partition": {"column": "game_date", "type": "DAY", "require_partition_filter": True, "expiration_days": 90},
    "cluster": ["team_abbr", "game_id"],
    "columns": [
        {"name": "game_id", "type": "STRING", "mode": "REQUIRED"},
        {"name": "game_date", "type": "DATE", "mode": "REQUIRED"},
        {"name": "team_abbr", "type": "STRING", "mode": "NULLABLE"},
        {"name": "usage_rate", "type": "NUMERIC", "precision": 6, "scale": 2, "mode": "NULLABLE"},
        {"name": "flags", "type": "ARRAY<STRING>", "mode": "REPEATED"},
        {"name": "window", "type": "STRUCT<games INT64, dates ARRAY<DATE>>", "mode": "NULLABLE"},
        {"name": "processed_at", "type": "TIMESTAMP", "mode": "NULLABLE", "default": "CURRENT_TIMESTAMP()"},
    ],
}
MATCHING = """
-- a comment with a quote ' and a semicolon ;
CREATE TABLE IF NOT EXISTS `${project}.${analytics_dataset}.example` (
  game_id STRING NOT NULL,            -- YYYYMMDD_AWAY_HOME
  game_date DATE NOT NULL,
  team_abbr STRING OPTIONS (description = 'the team, e.g. BOS'),
  usage_rate NUMERIC(6, 2),
  flags ARRAY<STRING>,
  window STRUCT<games INT64, dates ARRAY<DATE>>,
  processed_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP(),
  _fence INT64 NOT NULL,
  _run_id STRING
)
PARTITION BY game_date
CLUSTER BY team_abbr, game_id
OPTIONS (require_partition_filter = TRUE, partition_expiration_days = 90, description = "x");
"""


def _parsed(text: str) -> ddl.TableDefinition:
    (definition,) = ddl.parse(text)
    return definition


def test_parser_reads_every_part_of_a_create_table():
    table = _parsed(MATCHING)
    assert table.name == "nba_analytics.example" and table.kind == "table"
    assert table.column("usage_rate") == ddl.Column("usage_rate", "NUMERIC", "NULLABLE", 6, 2)
    assert table.column("flags").mode == "REPEATED" and table.column("flags").type == "ARRAY<STRING>"
    window = table.column("window")
    assert window.type == "STRUCT<games INT64, dates ARRAY<DATE>>"
    assert [(f.name, f.type, f.mode) for f in window.fields] == [("games", "INT64", "NULLABLE"),
                                                                ("dates", "ARRAY<DATE>", "REPEATED")]
    assert table.column("processed_at").default == "CURRENT_TIMESTAMP()"
    assert table.column("game_id").mode == "REQUIRED"
    assert (table.partition_column, table.partition_type, table.cluster) == ("game_date", "DAY", ("team_abbr", "game_id"))
    assert table.require_partition_filter and table.expiration_days == 90


def test_matching_ddl_has_no_differences_and_lineage_columns_are_allowed():
    assert contracts.compare(CONTRACT, _parsed(MATCHING)) == []


@pytest.mark.parametrize("change,expected", [
    (("usage_rate NUMERIC(6, 2)", "usage_rate FLOAT64"), "column usage_rate: type NUMERIC"),
    (("usage_rate NUMERIC(6, 2)", "usage_rate NUMERIC(5, 2)"), "column usage_rate: precision 6"),
    (("usage_rate NUMERIC(6, 2)", "usage_rate NUMERIC(6, 3)"), "column usage_rate: scale 2"),
    (("game_id STRING NOT NULL", "game_id STRING"), "column game_id: mode REQUIRED in the contract, NULLABLE"),
    (("  team_abbr STRING OPTIONS (description = 'the team, e.g. BOS'),\n", ""), "missing column team_abbr"),
    (("  _run_id STRING\n", "  _run_id STRING,\n  extra BOOL\n"), "extra column extra"),
    (("dates ARRAY<DATE>", "dates DATE"), "column window: type STRUCT"),
    (("PARTITION BY game_date", "PARTITION BY DATE(processed_at)"), "partition: contract game_date DAY"),
    (("CLUSTER BY team_abbr, game_id", "CLUSTER BY game_id, team_abbr"), "cluster: contract team_abbr, game_id"),
    (("require_partition_filter = TRUE", "require_partition_filter = FALSE"), "require_partition_filter: contract True"),
    (("partition_expiration_days = 90, ", ""), "partition expiry: contract 90"),
])
def test_each_kind_of_difference_is_reported(change, expected):
    old, new = change
    assert old in MATCHING
    found = contracts.compare(CONTRACT, _parsed(MATCHING.replace(old, new)))
    assert any(d.startswith(expected) for d in found), found


def test_views_name_the_tables_they_read():
    (view,) = ddl.parse("CREATE OR REPLACE VIEW `${project}.${raw_dataset}.v` AS "
                        "SELECT * FROM `${project}.${raw_dataset}.base` JOIN `${project}.${reference_dataset}.r` USING (k)")
    assert view.kind == "view" and view.sources == ("nba_raw.base", "nba_reference.r")
    assert contracts.compare({"kind": "view", "columns_same_as": "nba_raw.base"}, view) == []
    assert contracts.compare({"kind": "view", "columns_same_as": "nba_raw.other"}, view)


def test_a_table_function_has_its_arguments_and_sources():
    (function,) = ddl.parse(
        "CREATE OR REPLACE TABLE FUNCTION `${project}.${analytics_dataset}.stg`(start_date DATE, end_date DATE) AS "
        "SELECT * FROM `${project}.${raw_dataset}.base` WHERE d BETWEEN start_date AND end_date AND x != 'y'"
    )
    assert (function.name, function.kind) == ("nba_analytics.stg", "table function")
    assert function.arguments == ("start_date", "end_date") and function.sources == ("nba_raw.base",)


@pytest.mark.parametrize("text,message", [
    ("CREATE TABLE `nba_raw.t` (a INT64)", "cannot tell the dataset"),
    ("CREATE TABLE `${project}.${raw_dataset}.t` (a INT64 COLLATE 'und:ci')", "unexpected"),
    ("CREATE FUNCTION f() AS (1)", "not a table, a view or a table function"),
    ("CREATE TABLE `${project}.${raw_dataset}.t` (a INT64, a STRING)", "declares a column twice"),
])
def test_ddl_it_does_not_understand_is_a_clear_error(text, message):
    with pytest.raises(ddl.DDLError, match=message):
        ddl.parse(text, "example.sql")


def test_every_schema_file_parses_and_every_view_reads_known_tables():
    found = ddl.definitions()
    assert "nba_raw.nbac_schedule" in found and "nba_reference.nba_players_registry" in found
    for definition in found.values():
        for source in definition.sources:
            assert source in found, f"{definition.name} reads {source}, which no DDL defines"
