"""How our phase 3 and phase 4 tables, the feature store included, compare with the platform's,
column by column.

``docs/compatibility.md`` is generated from this module and the DDL (``python -m
nba_pipeline_dev.compatibility > docs/compatibility.md``); ``tests/sql/test_compatibility.py``
fails when the file is stale, when a column the source SELECT writes as NULL has no reason here
(or one listed here is computed after all), and when a generated game day leaves a column NULL
that this module does not explain.

Every contract column is one of:

* computed: following the platform's meaning and units (``NOTES`` says how where it helps);
* deliberately different: computed, but not as the platform's writer does (``DIFFERENT``: how);
* NULL: our inputs cannot give it (``NULL_REASONS``: why).

``CONDITIONAL`` lists computed columns that are NULL on some rows by their definition (e.g. a
reason that exists only for an anomaly), so a game day may leave them NULL.
"""

from __future__ import annotations

import sys

from nba_pipeline import merge, processors

PHASE3 = tuple(p.name for p in processors.phase(3))
# The phase 4 tables that follow the platform's contracts, and the feature store (with its feature table).
PHASE4 = ("team_defense_zone_analysis", "player_shot_zone_analysis", "player_daily_cache",
          "player_composite_factors")
FEATURE_STORE = "ml_feature_store_v2"
TABLES = PHASE3 + PHASE4 + (FEATURE_STORE,)

_NOT_IN_INPUTS = {
    "bdl": "Ball Don't Lie boxscores are not among the inputs (the platform has them disabled too)",
    "bbd": "BigDataBall play-by-play is not among the inputs",
    "blocks": "the play-by-play holds no block actions (no blocker on a missed shot)",
    "starters": "the gamebook has no starter column, so there is no starter history to tell regular starters",
    "referee": "no referee assignments among the inputs (the platform leaves it NULL too)",
    "second_chance": "needs offensive-rebound sequences; the play-by-play holds only shots and free throws",
    "fast_break": "needs transition tagging; the play-by-play holds only shots and free throws",
    "sample": "a per-game row has no rolling sample (the platform leaves it for phase 4)",
    "reprocess": "no reprocess history is kept (the platform reads nba_orchestration.reprocess_attempts); "
                 "set only while a circuit breaker is open",
}
_DATA_HASH = ("the tables.json convention ('name:value' pairs of the platform processor's HASH_FIELDS, "
              "sorted, joined with '|', first 16 hex of SHA-256); the platform's analytics writers hash "
              "a JSON rendering of the same fields, so the values differ while the fields are the same")
_PROCESSING_CONTEXT = ("from the kind of Airflow run (scheduled: daily, backfill: backfill, else manual); "
                       "the platform derives it from the days between the game date and today")
_COMPLETENESS = ("the share of the date's final games (of the schedule) the source covers, capped at 100; "
                 "the platform divides the rows found by a fixed minimum count")

NULL_REASONS: dict[str, dict[str, str]] = {
    "team_offense_game_summary": {
        "second_chance_points_scored": _NOT_IN_INPUTS["second_chance"],
        "starters_inactive": _NOT_IN_INPUTS["starters"],
        "referee_crew_id": _NOT_IN_INPUTS["referee"],
        "quality_sample_size": _NOT_IN_INPUTS["sample"],
    },
    "team_defense_game_summary": {
        "second_chance_points_allowed": _NOT_IN_INPUTS["second_chance"],
        "fast_break_points_allowed": _NOT_IN_INPUTS["fast_break"],
        "blocks_paint": _NOT_IN_INPUTS["blocks"],
        "blocks_mid_range": _NOT_IN_INPUTS["blocks"],
        "blocks_three_pt": _NOT_IN_INPUTS["blocks"],
        "starters_inactive": _NOT_IN_INPUTS["starters"],
        "referee_crew_id": _NOT_IN_INPUTS["referee"],
        "source_bdl_players_last_updated": _NOT_IN_INPUTS["bdl"],
        "source_bdl_players_rows_found": _NOT_IN_INPUTS["bdl"],
        "source_bdl_players_completeness_pct": _NOT_IN_INPUTS["bdl"],
        "source_bdl_players_hash": _NOT_IN_INPUTS["bdl"],
        "quality_sample_size": _NOT_IN_INPUTS["sample"],
    },
    "upcoming_team_game_context": {
        "last_reprocess_attempt_at": _NOT_IN_INPUTS["reprocess"],
        "circuit_breaker_until": _NOT_IN_INPUTS["reprocess"],
        "quality_sample_size": "the context counts games, it averages none (the platform leaves it NULL)",
    },
    "player_game_summary": {
        "paint_blocks": _NOT_IN_INPUTS["blocks"],
        "mid_range_blocks": _NOT_IN_INPUTS["blocks"],
        "three_pt_blocks": _NOT_IN_INPUTS["blocks"],
        "and1_count": "needs shooting fouls; the play-by-play holds no fouls (BigDataBall only, per the DDL)",
        **{f"source_bdl_{part}": _NOT_IN_INPUTS["bdl"]
           for part in ("last_updated", "rows_found", "completeness_pct", "hash")},
        **{f"source_bbd_{part}": _NOT_IN_INPUTS["bbd"]
           for part in ("last_updated", "rows_found", "completeness_pct", "hash")},
        "quality_sample_size": _NOT_IN_INPUTS["sample"],
    },
    "upcoming_player_game_context": {
        "spread_public_betting_pct": "no public betting percentages among the inputs (not populated on the platform either)",
        "total_public_betting_pct": "no public betting percentages among the inputs (not populated on the platform either)",
        "projected_usage_rate": "the platform's writer always leaves it NULL (a future feature per its DDL)",
        "fourth_quarter_minutes_last_7": "needs minutes by quarter; the play-by-play has no substitutions",
        "clutch_minutes_last_7_games": "needs minutes by game situation; the play-by-play has no substitutions",
        "travel_miles": "no arena coordinates or distance table among the inputs",
        "miles_traveled_last_14_days": "no arena coordinates or distance table among the inputs",
        "shooting_pct_decline_last_5": "the platform defines no formula (not populated per its DDL)",
        "fourth_quarter_production_last_7": "needs points by quarter; not in the inputs (not populated per the DDL)",
        "last_reprocess_attempt_at": _NOT_IN_INPUTS["reprocess"],
        "circuit_breaker_until": _NOT_IN_INPUTS["reprocess"],
    },
}

_USAGE = ("team minutes are the game's real length, 240 + 25 per overtime (the platform assumes 240); "
          "rounded to the column's 2 decimals (the platform rounds to 1); NULL outside 0-100")
_LINE = ("the highest-priority bookmaker's (draftkings, fanduel, then by name) latest pre-game snapshot "
         "(the platform takes one of that bookmaker's rows in no set order); BettingPros when the Odds API "
         "has none")

DIFFERENT: dict[str, dict[str, str]] = {
    "team_offense_game_summary": {
        "data_hash": _DATA_HASH,
        "processing_context": _PROCESSING_CONTEXT,
        "source_nbac_boxscore_completeness_pct": _COMPLETENESS,
        "source_play_by_play_completeness_pct": _COMPLETENESS,
    },
    "team_defense_game_summary": {
        "opponent_pace": ("the opponent's possessions per 48 minutes of the game's length (the platform "
                          "writes the opponent's possessions, which is the same in regulation)"),
        "overtime_periods": "the game's overtime periods from the team minutes (the platform's writer always writes 0)",
        "data_hash": _DATA_HASH,
        "processing_context": _PROCESSING_CONTEXT,
        "source_team_boxscore_completeness_pct": _COMPLETENESS,
        "source_gamebook_players_completeness_pct": _COMPLETENESS,
    },
    "upcoming_team_game_context": {
        "game_number_in_season": ("counted over the whole season so far (the platform counts the games of "
                                  "its 30-day schedule window)"),
        "team_win_streak_entering": "over the whole season so far (the platform looks back 30 days)",
        "team_loss_streak_entering": "over the whole season so far (the platform looks back 30 days)",
        "game_spread": ("draftkings, then fanduel, then the other bookmakers by key (the platform stops "
                        "after fanduel and leaves it NULL)"),
        "game_total": "draftkings, then fanduel, then the other bookmakers by key (the platform stops after fanduel)",
        "travel_miles": ("0 for away games too: no distances among the inputs (REQUIRED, so the platform's "
                         "default 0 rather than NULL)"),
        "expected_games_count": "the 14-day window's final games of the schedule, as the platform",
        "actual_games_count": ("the window's games whose team boxscore arrived (the platform counts its "
                               "own schedule, so it is always complete)"),
        "completeness_percentage": "actual / expected games of the 14-day window (see actual_games_count)",
        "missing_games_count": "expected - actual games of the 14-day window (see actual_games_count)",
        "l7d_completeness_pct": "games whose team boxscore arrived / final games, 7-day window",
        "l14d_completeness_pct": "games whose team boxscore arrived / final games, 14-day window",
        "reprocess_attempt_count": "always 0: no reprocess history is kept",
        "circuit_breaker_active": "always FALSE: no circuit breaker is kept",
        "data_hash": _DATA_HASH,
        "processing_context": _PROCESSING_CONTEXT,
    },
    "player_game_summary": {
        "win_flag": "the game's result (the platform's writer leaves FALSE on every row)",
        "over_under_result": "PUSH when the points equal a whole-number line (the platform counts a push as OVER)",
        "points_line": _LINE,
        "points_line_source": _LINE,
        "usage_rate": _USAGE,
        "usage_rate_capped": "LEAST(usage, 50) of the overtime-adjusted usage",
        "usage_rate_raw": "the overtime-adjusted usage before the 0-100 check",
        "ts_pct": "0.000 stays 0.000 (the platform's truthiness test writes NULL for it)",
        "efg_pct": "0.000 stays 0.000 (the platform's truthiness test writes NULL for it)",
        "universal_player_id": ("NULL for a player the registry does not know (the platform drops such a "
                                "player's row)"),
        "shot_zones_estimated": "FALSE: zones are never estimated (the platform writes NULL for that)",
        "processed_with_issues": "TRUE when the row has issues beyond its source (the platform always writes FALSE)",
        "data_hash": _DATA_HASH,
        "processing_context": _PROCESSING_CONTEXT,
        "source_nbac_completeness_pct": ("the game's gamebook active players against its live boxscore "
                                         "players (the platform divides by a fixed minimum)"),
        "source_odds_completeness_pct": "the player's bookmakers against the date's bookmakers",
        "source_bp_completeness_pct": "the player's bookmakers against the date's bookmakers",
    },
    "upcoming_player_game_context": {
        "player_status": "'available' for a player the injury report does not list (the platform writes NULL)",
        "game_spread": ("the median over bookmakers of their latest spreads, from the player's team's side "
                        "(the platform takes the favourite's side)"),
        "opening_spread": "the median over bookmakers of their earliest spreads, from the player's team's side",
        "spread_movement": "current - opening consensus spread, from the player's team's side",
        "source_boxscore_last_updated": ("the latest write time of the player_game_summary rows read, so it changes when that table is re-written (the "
                                         "platform stamps the processing time)"),
        "source_schedule_last_updated": "the schedule rows' latest processed_at (the platform stamps the processing time)",
        "source_props_last_updated": "the props rows' latest processed_at (the platform stamps the processing time)",
        "source_game_lines_last_updated": "the lines rows' latest processed_at (the platform stamps the processing time)",
        "source_boxscore_hash": "the upstream row's data_hash (the platform hashes its own time stamp and row count)",
        "source_schedule_hash": "the upstream row's data_hash (the platform hashes its own time stamp and row count)",
        "source_props_hash": "the upstream row's data_hash (the platform hashes its own time stamp and row count)",
        "source_game_lines_hash": "the upstream row's data_hash (the platform hashes its own time stamp and row count)",
        "reprocess_attempt_count": "always 0: no reprocess history is kept",
        "circuit_breaker_active": "always FALSE: no circuit breaker is kept",
        "data_hash": _DATA_HASH,
        "processing_context": _PROCESSING_CONTEXT,
    },
}

_WRITE_TIME = "the write's time (the template)"
NOTES: dict[str, dict[str, str]] = {
    "team_offense_game_summary": {
        "possessions": "FGA + 0.44 FTA + TOV - OREB, rounded to 0.1 and stored truncated, as the platform",
        "offensive_rating": "100 points per possession (the 0.1-rounded estimate)",
        "pace": "possessions per 48 minutes of the game's length (\"265:00\" team minutes = one overtime)",
        "overtime_periods": "(team minutes - 240) / 25",
        "margin_of_victory": "points - opponent points (positive = won)",
        "players_inactive": "the team's inactive players in the gamebook (NULL for a live-boxscore game)",
        "source_nbac_boxscore_hash": "the team's own upstream row's data_hash",
        "source_play_by_play_hash": "the data_hash of the date's most recently processed play-by-play row",
    },
    "player_game_summary": {
        "is_dnp": "DNP or inactive, or active with no minutes",
        "dnp_reason_category": "the platform's keyword rules: injury, rest, personal, coach_decision, other",
        "three_pt_attempts": "from the play-by-play when it arrived (the same source as the zones), as the platform",
        "margin": "points - line",
        "source_team_last_updated": "the team offense rows' write time (it changes when that table is re-written)",
    },
    "upcoming_team_game_context": {
        "team_days_rest": "days between the games - 1 (0 = a back-to-back)",
        "games_in_last_7_days": "final games in D-6..D-1",
        "games_in_last_14_days": "final games in D-13..D-1",
        "starters_out_count": "every player of the team listed out, as the platform's writer counts it",
    },
    "upcoming_player_game_context": {
        "days_rest": "days since his last game (1 = a back-to-back), as the platform counts a player's rest",
        "games_in_last_7_days": "his games in D-6..D-1",
        "next_game_days_rest": "from the schedule of the week after (the platform's writer leaves 0)",
        "games_in_next_7_days": "from the schedule of the week after (the platform's writer leaves 0)",
        "opponent_days_rest": "from the opponent's schedule (the platform's writer leaves 0)",
        "star_teammates_out": "the platform's star rule (10+ games and 18+ points, or 28+ minutes and 12+ points)",
    },
}
for _table in PHASE3:
    _names = {c.name for c in merge.target_table(processors.get(_table)).columns}
    NOTES.setdefault(_table, {}).update(
        {c: _WRITE_TIME for c in ("processed_at", "created_at", "first_processed_at", "quality_calculated_at")
         if c in _names})

CONDITIONAL: dict[str, dict[str, str]] = {
    "team_offense_game_summary": {
        "shot_zones_source": "NULL for a game whose play-by-play has not arrived",
    },
    "upcoming_team_game_context": {
        "insufficient_data_reason": "set only early in the season (bootstrap mode)",
    },
    "player_game_summary": {
        "dnp_reason": "only for a player who did not play",
        "dnp_reason_category": "only for a player who did not play",
        "usage_rate_anomaly_reason": "only for an anomalous usage rate",
    },
    "upcoming_player_game_context": {
        "injury_report": "only for a player the injury report lists",
        "days_rest_before_last_game": "NULL before the player's second game of the season",
        "days_since_2_plus_days_rest": "NULL until a game of his season followed two or more days off",
        "next_game_days_rest": "NULL when the team has no game in the week after",
        "next_opponent_win_pct": "NULL when the team has no game in the week after",
        "opponent_next_game_days_rest": "NULL when the opponent has no game in the week after",
        "player_age": ("from the roster's age or birth date, which the ESPN HTML scraper (and our generated "
                       "rosters) leave NULL"),
    },
}


# --- nba_predictions.ml_feature_store_v2 ------------------------------------------------------
NULL_REASONS[FEATURE_STORE] = {
    "feature_generation_time_ms": "a timing of the writer process; one SQL statement has none to report",
    "last_reprocess_attempt_at": _NOT_IN_INPUTS["reprocess"],
    "circuit_breaker_until": _NOT_IN_INPUTS["reprocess"],
    "updated_at": "the platform's writer leaves it NULL too",
    "upstream_data_freshness_hours": "an age against the wall clock would make two runs of one date differ",
    "feature_sources": "deprecated in the contract; the platform's writer no longer fills it",
    "upstream_quality_min": "the upstream phase 4 rows' quality scores are not combined into one here",
}
DIFFERENT[FEATURE_STORE] = {
    "has_vegas_line": ("TRUE when the player has a real line; the platform derives it from feature 28's tag, "
                       "which is always 'calculated', so its value is always TRUE"),
    "data_hash": _DATA_HASH,
    "processing_context": _PROCESSING_CONTEXT,
    **{f"source_{name}_completeness_pct": ("100 when the player's (the opponent's) row exists, else 0; the "
                                           "platform divides the rows found by the rows expected")
       for name in ("daily_cache", "composite", "shot_zones", "team_defense")},
    "feature_fallback_reasons_json": "each defaulted feature's tag (default or missing); the platform names a reason",
}
NOTES[FEATURE_STORE] = {
    "created_at": _WRITE_TIME,
    "quality_computed_at": _WRITE_TIME,
    "feature_version": "'v2_54features', the string the platform's writer still writes for 60 features",
    "is_production_ready": ("the player's last-10-game completeness (his team's final games in the schedule "
                            "against his player_game_summary rows) >= 70% and all four phase 4 rows ready"),
    "feature_quality_score": "the contract's rule: mean tag weight, defaulted optional features left out, capped",
}
CONDITIONAL[FEATURE_STORE] = {
    "insufficient_data_reason": "set only on early-season placeholder rows",
    "source_daily_cache_last_updated": "NULL when the player has no player_daily_cache row",
    "source_composite_last_updated": "NULL when the player has no player_composite_factors row",
    "source_shot_zones_last_updated": "NULL when the player has no player_shot_zone_analysis row",
    "source_team_defense_last_updated": "NULL when the opponent has no team_defense_zone_analysis row",
    "universal_player_id": "NULL for a player the registry does not know",
    "upstream_processors_ran": "NULL when no phase 4 row exists for the player",
    "missing_processors": "NULL when all four phase 4 rows exist",
}
# How each feature is filled here; the contract (ml_feature_store_v2_features.json) has the
# platform's rule. A feature without an entry follows it as written.
FEATURE_NOTES: dict[int, str] = {
    0: "player_daily_cache, else the last 5 played games (the cache-miss recompute)",
    1: "player_daily_cache, else the last 10 played games",
    2: "player_daily_cache, else the season's mean in player_game_summary (phase 3)",
    3: "player_daily_cache, else the sample stdev of the last 10 played games",
    4: "player_daily_cache, else upcoming_player_game_context (phase 3)",
    18: "player_shot_zone_analysis percent / 100, else player_daily_cache percent / 100",
    22: "player_daily_cache, else the team's last 10 team_offense_game_summary games",
    23: "player_daily_cache, else the team's last 10 team_offense_game_summary games",
    25: "stg_player_points_lines: the priority bookmaker's latest pre-tip Odds API line, else BettingPros",
    26: "that bookmaker's earliest pre-tip snapshot, else BettingPros' opening line, else the current line",
    29: "played games against the opponent in the 365 days before; else the season mean; else 10",
    31: "played games in the 30 days before; else player_daily_cache",
}
FEATURE_DIFFERENT: dict[int, str] = {
    18: ("the cache fallback divides the cache's percent by 100; as read, the platform's recompute divides a "
         "0-1 fraction by 100 again"),
    47: ("computed from the injury report of the game date and player_game_summary (30-day usage, games over "
         "10 minutes); the platform reads it from its upcoming-context writer, whose contract has no column for it"),
    50: "Odds API books only: the BettingPros fill-in for players the Odds API does not cover is left out",
    59: "NULL (tag missing) when feature 22 or 14 is missing, rather than a difference of defaults",
}
FEATURE_DEFAULTED: dict[int, str] = {
    55: "needs nba_predictions.prediction_accuracy (graded predictions), which this package does not build",
    56: "needs nba_predictions.prediction_accuracy (graded predictions), which this package does not build",
}


def _is_feature_column(table: str, column: str) -> bool:
    return table == FEATURE_STORE and column.startswith("feature_") and column[8].isdigit()


# --- phase 4 ---------------------------------------------------------------------------------
_REPROCESS_NULL = _NOT_IN_INPUTS["reprocess"]
_UPSTREAM_QUALITY = ("the upstream quality scores are on different scales (phase 3 writes 0-100, the phase 4 "
                     "migration says 0-1), so no minimum of them would mean anything")
_BACKFILL_COMPLETENESS = ("the platform's backfill-mode values (expected = actual games, 100%, production "
                          "ready): phase 4 runs only after the earlier-dates guard found every earlier "
                          "date's phase 3 complete, which is what the platform's schedule check establishes")
_ALWAYS_ZERO = "always 0 / FALSE: no reprocess history or circuit breaker is kept"
_LAST_UPDATED = "the latest write time of the upstream rows read (the platform stamps the analysis date)"
_PHASE4_QUALITY = "1.0 (0-1, per the migration): every window is complete under the earlier-dates guard"

NULL_REASONS.update({
    "team_defense_zone_analysis": {
        "paint_blocks_per_game": "team_defense_game_summary has no blocks by zone: " + _NOT_IN_INPUTS["blocks"],
        "mid_range_blocks_per_game": "team_defense_game_summary has no blocks by zone: " + _NOT_IN_INPUTS["blocks"],
        "three_pt_blocks_per_game": "team_defense_game_summary has no blocks by zone: " + _NOT_IN_INPUTS["blocks"],
        "last_reprocess_attempt_at": _REPROCESS_NULL,
        "circuit_breaker_until": _REPROCESS_NULL,
    },
    "player_shot_zone_analysis": {
        "player_position": "the platform's writer always writes NULL (the registry and rosters hold no position it reads)",
        "last_reprocess_attempt_at": _REPROCESS_NULL,
        "circuit_breaker_until": _REPROCESS_NULL,
    },
    "player_daily_cache": {
        "fourth_quarter_minutes_last_7": ("copied from upcoming_player_game_context, which cannot have it: "
                                          + NULL_REASONS["upcoming_player_game_context"]["fourth_quarter_minutes_last_7"]),
        "last_reprocess_attempt_at": _REPROCESS_NULL,
        "circuit_breaker_until": _REPROCESS_NULL,
        "upstream_quality_min": _UPSTREAM_QUALITY,
    },
    "player_composite_factors": {
        "insufficient_data_reason": "the platform's writer always writes NULL (early_season_flag is always FALSE)",
        "last_reprocess_attempt_at": _REPROCESS_NULL,
        "circuit_breaker_until": _REPROCESS_NULL,
        "upstream_quality_min": _UPSTREAM_QUALITY,
    },
})

DIFFERENT.update({
    "team_defense_zone_analysis": {
        "paint_defense_vs_league_avg": ("the league window is A - 30 .. A - 1: only games before the analysis "
                                        "date (the platform's window includes the analysis date itself)"),
        "mid_range_defense_vs_league_avg": "the league window ends the day before the analysis date (see paint)",
        "three_pt_defense_vs_league_avg": "the league window ends the day before the analysis date (see paint)",
        "source_team_defense_last_updated": _LAST_UPDATED,
        "expected_games_count": ("the team's final games of the schedule since October 1, at most 15, and never "
                                 "fewer than found (the platform asks its schedule service)"),
        "is_production_ready": "completeness >= 70% or bootstrap mode, as the platform, but a team is not skipped for it",
        "reprocess_attempt_count": _ALWAYS_ZERO,
        "circuit_breaker_active": _ALWAYS_ZERO,
        "quality_score": "window completeness, 0-1 (the platform's phase 4 writer sets none)",
        "processing_context": _PROCESSING_CONTEXT,
    },
    "player_shot_zone_analysis": {
        "source_player_game_last_updated": _LAST_UPDATED,
        "source_player_game_hash": ("the data_hash of the player's newest game row read (the platform takes the "
                                    "newest data_hash of the whole table)"),
        "source_player_game_completeness_pct": _BACKFILL_COMPLETENESS,
        "expected_games_count": _BACKFILL_COMPLETENESS,
        "actual_games_count": _BACKFILL_COMPLETENESS,
        "completeness_percentage": _BACKFILL_COMPLETENESS,
        "missing_games_count": _BACKFILL_COMPLETENESS,
        "is_production_ready": _BACKFILL_COMPLETENESS,
        "reprocess_attempt_count": _ALWAYS_ZERO,
        "circuit_breaker_active": _ALWAYS_ZERO,
        "quality_score": _PHASE4_QUALITY,
        "window_completeness": _PHASE4_QUALITY,
        "processing_context": _PROCESSING_CONTEXT,
    },
    "player_daily_cache": {
        "assisted_rate_last_10": ("a percent of made field goals, as the column says (the platform's writer "
                                  "stores the fraction, 0-1, in this percent column)"),
        "source_player_game_last_updated": _LAST_UPDATED,
        "source_team_offense_last_updated": _LAST_UPDATED,
        "source_upcoming_context_last_updated": _LAST_UPDATED,
        "source_shot_zone_last_updated": _LAST_UPDATED,
        "source_player_game_completeness_pct": _BACKFILL_COMPLETENESS,
        "expected_games_count": _BACKFILL_COMPLETENESS,
        "actual_games_count": _BACKFILL_COMPLETENESS,
        "completeness_percentage": _BACKFILL_COMPLETENESS,
        "missing_games_count": _BACKFILL_COMPLETENESS,
        "is_production_ready": _BACKFILL_COMPLETENESS,
        **{f"{window}_completeness_pct": _BACKFILL_COMPLETENESS for window in ("l5", "l10", "l7d", "l14d")},
        **{f"{window}_is_complete": _BACKFILL_COMPLETENESS for window in ("l5", "l10", "l7d", "l14d")},
        "all_windows_complete": _BACKFILL_COMPLETENESS,
        **{f"{stat}_{window}_complete": _BACKFILL_COMPLETENESS
           for stat in ("points", "rebounds", "assists") for window in ("l5", "l10", "l7d", "l14d")},
        "reprocess_attempt_count": _ALWAYS_ZERO,
        "circuit_breaker_active": _ALWAYS_ZERO,
        "quality_score": _PHASE4_QUALITY,
        "window_completeness": _PHASE4_QUALITY,
        "data_hash": ("the tables.json convention over the platform's HASH_FIELDS without cache_quality_score, "
                      "which no contract column holds"),
        "processing_context": _PROCESSING_CONTEXT,
    },
    "player_composite_factors": {
        "source_player_context_last_updated": _LAST_UPDATED,
        "source_team_context_last_updated": _LAST_UPDATED,
        "source_player_shot_last_updated": _LAST_UPDATED,
        "source_team_defense_last_updated": _LAST_UPDATED,
        "expected_games_count": _BACKFILL_COMPLETENESS + " (10 games, the platform's window)",
        "actual_games_count": _BACKFILL_COMPLETENESS,
        "completeness_percentage": _BACKFILL_COMPLETENESS,
        "missing_games_count": _BACKFILL_COMPLETENESS,
        "reprocess_attempt_count": _ALWAYS_ZERO,
        "circuit_breaker_active": _ALWAYS_ZERO,
        "quality_score": "1.0 when every upstream is production ready, else 0.0 (the platform's writer sets none)",
        "window_completeness": _PHASE4_QUALITY,
        "processing_context": _PROCESSING_CONTEXT,
    },
})

NOTES.update({
    "team_defense_zone_analysis": {
        "paint_pct_allowed_last_15": "a fraction: opponents' summed paint makes / attempts over the last 15 games",
        "mid_range_pct_allowed_last_15": "a fraction, as paint",
        "three_pt_pct_allowed_last_15": "a fraction, as paint",
        "defensive_rating_last_15": "the mean of the games' defensive ratings",
        "opponent_pace": "the mean of the games' opponent_pace",
        "strongest_zone": "paint, mid_range or perimeter: the lowest versus-league value",
        "weakest_zone": "paint, mid_range or perimeter: the highest versus-league value",
        "data_quality_tier": "high with 15 games, medium with 10, else low",
        "early_season_flag": ("TRUE while the early-season minimum (LEAST(5 + days since October 1 / 3, 14)) "
                              "applies; after the 14-day bootstrap skip that never happens, as on the platform"),
        "backfill_bootstrap_mode": "less than 30 days after October 1, as the platform",
    },
    "player_shot_zone_analysis": {
        "paint_rate_last_10": "a percent (0-100) of paint + mid-range + three-point attempts",
        "paint_pct_last_10": "a fraction (FG%)",
        "primary_scoring_zone": "paint >= 40, else perimeter (three >= 40), else mid_range >= 35, else balanced",
        "sample_quality_10": "excellent 10 games, good 7, limited 5, else insufficient",
        "sample_quality_20": "excellent 20 games, good 14, limited 10, else insufficient",
        "data_quality_tier": "high at the (early-season) minimum, medium at 7, else low",
        "early_season_flag": "TRUE while the early-season minimum (LEAST(3 + days since opening night / 3, 9)) applies",
        "universal_player_id": "from the player's newest game row",
    },
    "player_daily_cache": {
        "paint_rate_last_10": "copied from player_shot_zone_analysis (percent)",
        "three_pt_rate_last_10": "copied from player_shot_zone_analysis (percent)",
        "primary_scoring_zone": "copied from player_shot_zone_analysis (paint, mid_range, perimeter, balanced)",
        "team_pace_last_10": "the mean pace of the team's last 10 games",
        "ts_pct_last_10": "the mean of the games' ts_pct",
        "early_season_flag": "fewer than 10 games this season",
    },
    "player_composite_factors": {
        "fatigue_score": "0-100, 100 = rested (see the SQL for the rules)",
        "shot_zone_mismatch_score": "-10..+10, positive = favourable: zone weight times the opponent's versus-league points",
        "pace_score": "pace_differential / 2, -3..+3",
        "usage_spike_score": "0.3 x (projected usage (25 when NULL, always on the platform) - usage of the last 7 days), -3..+3",
        "total_composite_adjustment": "(fatigue - 100) / 20 + the three unrounded scores + four zeros, rounded to 2",
        "referee_favorability_score": "deferred on the platform: always 0",
        "look_ahead_pressure_score": "deferred on the platform: always 0",
        "travel_impact_score": "deferred on the platform: always 0",
        "opponent_strength_score": "deferred on the platform: always 0",
        "data_completeness_pct": "20 x present of days_rest, projected_usage_rate, pace_differential, the two zone rows (at most 80)",
        "early_season_flag": "always FALSE, as the platform's writer",
    },
})
for _table in PHASE4:
    NOTES[_table].update({c: _WRITE_TIME for c in ("processed_at", "created_at")})

CONDITIONAL.update({
    "team_defense_zone_analysis": {
        "calculation_notes": "only when a zone had no attempts in the sample",
        "insufficient_data_reason": "only while the early-season minimum applies",
    },
    "player_shot_zone_analysis": {
        "calculation_notes": "only when the zone data of the window is incomplete",
        "insufficient_data_reason": "only while the early-season minimum applies",
        "paint_rate_last_20": "only with 15 or more games in the 20-game window",
        "paint_pct_last_20": "only with 15 or more games in the 20-game window",
    },
    "player_daily_cache": {
        "insufficient_data_reason": "only with fewer than 10 games",
        "player_age": CONDITIONAL["upcoming_player_game_context"]["player_age"],
        "source_upcoming_context_last_updated": "NULL for a team player the context does not list",
        "source_upcoming_context_hash": "NULL for a team player the context does not list",
        "source_shot_zone_last_updated": "NULL for a player without a shot-zone row (fewer than 10 games)",
        "source_shot_zone_hash": "NULL for a player without a shot-zone row (fewer than 10 games)",
        "primary_scoring_zone": "NULL for a player without a shot-zone row (fewer than 10 games)",
    },
    "player_composite_factors": {
        "missing_data_fields": "NULL when nothing is missing (never on the platform: projected_usage_rate is always NULL)",
        "warning_details": "only when a factor is extreme",
    },
})

# Which rows each phase 4 table holds, as the platform's processors choose them.
ROWS = {
    "team_defense_zone_analysis": ("every team with 15 games since October 1 before the analysis date (fewer "
                                   "while the early-season minimum applies), on a date with games (the platform's "
                                   "processors run on game days); none in the first 14 days after opening night"),
    "player_shot_zone_analysis": ("every player with 10 active games this season before the analysis date (the "
                                  "early-season minimum LEAST(3 + days / 3, 9) in the first 21 days), whether or not "
                                  "he plays that day, on a date with games; none in the first 14 days after opening "
                                  "night"),
    "player_daily_cache": ("every player of the date's upcoming_player_game_context, plus the other players of those "
                           "teams with a game in the 30 days before, who have 3 or more games this season; none in "
                           "the first 14 days after opening night"),
    "player_composite_factors": ("every player of the date's upcoming_player_game_context; none in the first 14 "
                                 "days after opening night"),
}

def contract_columns(table: str):
    """The table's DDL columns without our lineage columns (the DDL follows the contract)."""
    return [c for c in merge.target_table(processors.get(table)).columns if c.name not in merge.LINEAGE_COLUMNS]


def status(table: str, column: str) -> tuple[str, str]:
    if _is_feature_column(table, column):
        return "computed", "see the feature table"
    if column in NULL_REASONS.get(table, {}):
        return "NULL", NULL_REASONS[table][column]
    if column in DIFFERENT.get(table, {}):
        return "deliberately different", DIFFERENT[table][column]
    note = NOTES.get(table, {}).get(column) or CONDITIONAL.get(table, {}).get(column) or ""
    return "computed", note


def _type(column) -> str:
    if column.precision is None:
        return column.type
    return f"{column.type}({column.precision}, {column.scale})" if column.scale is not None else f"{column.type}({column.precision})"


def render() -> str:
    lines = [
        "# Compatibility with the platform's phase 3 and phase 4 tables and feature store",
        "",
        "Generated by `python -m nba_pipeline_dev.compatibility > docs/compatibility.md` from",
        "`dev/nba_pipeline_dev/compatibility.py` and the DDL; `tests/sql/test_compatibility.py` fails when this",
        "file is stale, when the SQL writes a column as NULL that is not listed here as NULL (or computes one",
        "listed as NULL), and when a generated game day leaves a column NULL that this file does not explain.",
        "",
        "Each table has every column of its contract (`platform/tables.json`: name, type, NUMERIC precision",
        "and scale, mode, partitioning, clustering), plus our lineage columns `_fence` and `_run_id`.",
        "*computed*: following the platform's meaning and units; *deliberately different*: computed, but not",
        "as the platform's writer does (how); *NULL*: our inputs cannot give it (why).",
        "",
        "Table-wide differences: a final game whose team row is missing or all zeros keeps its rows, with",
        "NULL statistics and `data_quality_flag` / `quality_issues` saying why (the platform drops such a team",
        "and re-runs later); the write-context columns (`processed_at`, `created_at`, `quality_calculated_at`,",
        "`first_processed_at`, `record_version`, `context_version`, `processing_context`) and `data_hash` are",
        "filled by the one MERGE template (docs/sql.md).",
        "",
        "Phase 4 tables hold the rows the platform's processors write (each table's *Rows* line) and read",
        "only games strictly before the analysis date. Their `data_hash` follows the platform's precompute",
        "writers (the tables.json convention over their HASH_FIELDS). The completeness columns take the",
        "platform's backfill-mode values: phase 4 runs only after every earlier date's phase 3 is complete.",
        "The DDL keeps the contract's partition expiry (90 days for the zone tables, 30 for the daily cache):",
        "on BigQuery, rows of older dates are deleted as they are written, so a backfill of a past season",
        "keeps none of them (bqemulator does not expire partitions). Remove the option on a warehouse that",
        "backfills past seasons.",
    ]
    for table in TABLES:
        columns = contract_columns(table)
        counts = {"computed": 0, "deliberately different": 0, "NULL": 0}
        rows = []
        for column in columns:
            state, text = status(table, column.name)
            counts[state] += 1
            rows.append(f"| `{column.name}` | {_type(column)} | {state} | {text} |")
        if table == FEATURE_STORE:
            rows = [row for row, column in zip(rows, columns) if not _is_feature_column(table, column.name)]
            rows.append("| `feature_N_value`, `feature_N_quality`, `feature_N_source` (N = 0..59) | "
                        "FLOAT64, FLOAT64, STRING | computed | the feature table below |")
        lines += [
            "",
            f"## {table}",
            "",
            *([f"Rows: {ROWS[table]}.", ""] if table in ROWS else []),
            f"{len(columns)} contract columns: {counts['computed']} computed, "
            f"{counts['deliberately different']} deliberately different, {counts['NULL']} NULL "
            f"({100 * (len(columns) - counts['NULL']) / len(columns):.0f}% written).",
            "",
            "| column | type | status | how / why |",
            "|---|---|---|---|",
            *rows,
        ]
    lines += _feature_table()
    return "\n".join(lines) + "\n"


def _feature_table() -> list[str]:
    from nba_pipeline import feature_store

    lines = [
        "",
        "### The 60 features",
        "",
        "Every feature is written as value, quality and source by the contract's rules: an input that is",
        "missing gives the feature's default (tag `default`, quality 40; `missing`, quality 0, for a feature",
        "without a default constant), a NULL `feature_N_value`, source `default`, and counts in",
        "`default_feature_count`. *computed* features are computed whenever their inputs exist (how often,",
        "on a generated game day, `tests/sql/test_feature_store.py` prints); *defaulted* ones always take",
        "their default here (why).",
        "",
        "| # | feature | status | how here / why |",
        "|---|---|---|---|",
    ]
    for feature in feature_store.FEATURES:
        i = feature.index
        if i in FEATURE_DEFAULTED:
            state, text = "defaulted", FEATURE_DEFAULTED[i]
        elif i in FEATURE_DIFFERENT:
            state, text = "deliberately different", FEATURE_DIFFERENT[i]
        else:
            state, text = "computed", FEATURE_NOTES.get(i, "as the contract describes")
        lines.append(f"| {i} | `{feature.name}` | {state} | {text} |")
    return lines


if __name__ == "__main__":
    sys.stdout.write(render())
