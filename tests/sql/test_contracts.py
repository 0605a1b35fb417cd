"""Our DDL against the platform's table contracts (``nba_pipeline_dev/contracts``).

Each table that follows its contract is compared twice: as written (names, types, NUMERIC
precision and scale, modes, partitioning, clustering, require_partition_filter, expiry) and as
BigQuery stored it after ``ensure_tables`` (names, types, modes, partitioning; the only check a
view's columns can have). Every difference is listed in the failure message. Tables whose DDL
does not follow its contract yet are declared in ``PENDING``, and a test keeps that list exact.
"""

from __future__ import annotations

import pytest

from nba_pipeline_dev import contracts

FOLLOWING = (
    "nba_raw.nbac_schedule",
    "nba_raw.v_nbac_schedule_latest",
    "nba_raw.nbac_gamebook_player_stats",
    "nba_raw.nbac_player_boxscores",
    "nba_raw.nbac_team_boxscore",
    "nba_raw.nbac_play_by_play",
    "nba_raw.odds_api_player_points_props",
    "nba_raw.bettingpros_player_points_props",
    "nba_raw.odds_api_game_lines",
    "nba_raw.nbac_injury_report",
    "nba_raw.espn_team_rosters",
    "nba_reference.nba_players_registry",
    "nba_analytics.player_game_summary",
    "nba_analytics.team_offense_game_summary",
    "nba_analytics.team_defense_game_summary",
    "nba_analytics.upcoming_player_game_context",
    "nba_analytics.upcoming_team_game_context",
    "nba_predictions.ml_feature_store_v2",
    "nba_precompute.team_defense_zone_analysis",
    "nba_precompute.player_shot_zone_analysis",
    "nba_precompute.player_daily_cache",
    "nba_precompute.player_composite_factors",
)
# Tables we have DDL for that do not follow their contract yet: move each to FOLLOWING when it does.
PENDING = ()
TABLES = [name for name in FOLLOWING if contracts.contract(name).get("kind", "table") == "table"]


def _listed(name: str, found: list[str]) -> str:
    return f"{name}: {len(found)} difference(s) from the platform contract:\n  " + "\n  ".join(found)


@pytest.mark.parametrize("name", TABLES)
def test_ddl_follows_the_contract(name):
    found = contracts.differences(name)
    print(f"{name}: {len(contracts.contract(name)['columns'])} contract columns, {len(found)} differences")
    assert not found, _listed(name, found)


@pytest.mark.integration
@pytest.mark.parametrize("name", FOLLOWING)
def test_stored_table_follows_the_contract(bigquery_client, warehouse_tables, name):
    found = contracts.differences(name, client=bigquery_client)
    assert not found, _listed(name, found)


def test_every_table_with_ddl_is_checked_or_declared_pending():
    with_ddl = set(contracts.tables_with_ddl())
    assert with_ddl == set(FOLLOWING) | set(PENDING), (
        f"not declared: {sorted(with_ddl - set(FOLLOWING) - set(PENDING))}; "
        f"declared without DDL: {sorted(set(FOLLOWING) | set(PENDING) - with_ddl)}"
    )
    for name in PENDING:
        count = len(contracts.differences(name))
        print(f"pending {name}: {count} differences")
        assert count, f"{name} follows its contract now: move it from PENDING to FOLLOWING"


def test_known_deviations_say_why():
    for (name, difference), reason in contracts.KNOWN_DEVIATIONS.items():
        assert name in FOLLOWING and difference and len(reason) > 20, (name, difference)
        print(f"{name}: {difference} -- {reason}")
