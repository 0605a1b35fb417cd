-- The platform's ML feature store (nba_predictions.ml_feature_store_v2), column for column as
-- its contract: one row per player per game_date, the 60 features of version v2_54features as
-- feature_N_value / feature_N_quality / feature_N_source (N = 0..59) plus the legacy features
-- array, quality scores and tiers, default counts and production readiness. Our own columns are
-- only the lineage pair at the end. Filled by phase4/ml_feature_store_v2.sql.
CREATE TABLE IF NOT EXISTS `${project}.${predictions_dataset}.ml_feature_store_v2` (
  player_lookup STRING NOT NULL,                               -- Normalized player key (lowercase, no punctuation)
  universal_player_id STRING,                                  -- Registry universal player id
  game_date DATE NOT NULL,                                     -- Partition key
  game_id STRING NOT NULL,                                     -- Game identifier
  features ARRAY<FLOAT64>,                                     -- Legacy feature vector; NULL written as 0.0 (use feature_N_value for NULL semantics)
  feature_names ARRAY<STRING>,                                 -- Feature names parallel to features (60 in current writer)
  feature_count INT64 NOT NULL,                                -- Declared feature count (60 in current writer)
  feature_version STRING NOT NULL,                             -- Feature set label (current writer: 'v2_54features')
  feature_generation_time_ms INT64,                            -- How long to generate features
  feature_quality_score NUMERIC(5, 2),                         -- Aggregate 0-100 quality score (see quality_rules)
  opponent_team_abbr STRING,                                   -- Opponent team abbreviation
  is_home BOOL,                                                -- Player team is home
  days_rest INT64,                                             -- Days of rest before the game (from upcoming_player_game_context)
  data_source STRING NOT NULL,                                 -- phase4 | phase4_partial | phase3 | mixed | early_season
  source_daily_cache_last_updated TIMESTAMP,                   -- When daily cache was last updated
  source_daily_cache_rows_found INT64,                         -- Number of rows found in cache
  source_daily_cache_completeness_pct NUMERIC(5, 2),           -- Percentage of expected data found
  source_daily_cache_hash STRING,                              -- data_hash of upstream player_daily_cache seen at processing time
  source_composite_last_updated TIMESTAMP,                     -- When composite factors were last updated
  source_composite_rows_found INT64,                           -- Number of rows found
  source_composite_completeness_pct NUMERIC(5, 2),             -- Percentage of expected data found
  source_composite_hash STRING,                                -- data_hash of upstream player_composite_factors seen at processing time
  source_shot_zones_last_updated TIMESTAMP,                    -- When shot zone analysis was last updated
  source_shot_zones_rows_found INT64,                          -- Number of rows found
  source_shot_zones_completeness_pct NUMERIC(5, 2),            -- Percentage of expected data found
  source_shot_zones_hash STRING,                               -- data_hash of upstream player_shot_zone_analysis seen at processing time
  source_team_defense_last_updated TIMESTAMP,                  -- When team defense was last updated
  source_team_defense_rows_found INT64,                        -- Number of rows found
  source_team_defense_completeness_pct NUMERIC(5, 2),          -- Percentage of expected data found
  source_team_defense_hash STRING,                             -- data_hash of upstream team_defense_zone_analysis seen at processing time
  early_season_flag BOOL,                                      -- TRUE if insufficient historical data
  insufficient_data_reason STRING,                             -- Why data was insufficient (if early_season_flag = TRUE)
  expected_games_count INT64,                                  -- Games expected from schedule
  actual_games_count INT64,                                    -- Games actually found in upstream table
  completeness_percentage FLOAT64,                             -- Completeness percentage 0-100%
  missing_games_count INT64,                                   -- Number of games missing from upstream
  is_production_ready BOOL,                                    -- TRUE if completeness >= 90% AND upstream complete
  data_quality_issues ARRAY<STRING>,                           -- Specific quality issues found
  last_reprocess_attempt_at TIMESTAMP,                         -- When reprocessing was last attempted
  reprocess_attempt_count INT64,                               -- Number of reprocess attempts
  circuit_breaker_active BOOL,                                 -- TRUE if max reprocess attempts reached
  circuit_breaker_until TIMESTAMP,                             -- When circuit breaker expires (7 days from last attempt)
  manual_override_required BOOL,                               -- TRUE if manual intervention needed
  season_boundary_detected BOOL,                               -- TRUE if date near season start/end
  backfill_bootstrap_mode BOOL,                                -- TRUE if first 30 days of season/backfill
  processing_decision_reason STRING,                           -- Why record was processed or skipped
  data_hash STRING,                                            -- SHA256-based hash of the feature record (smart idempotency)
  historical_completeness STRUCT<games_found INT64, games_expected INT64, is_complete BOOL, is_bootstrap BOOL, contributing_game_dates ARRAY<DATE>>,
                                                              -- Historical completeness of the rolling windows
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP(),   -- Row creation time
  updated_at TIMESTAMP,                                        -- Last update time (writer sets NULL)
  quality_tier STRING,                                         -- Overall tier: gold (>95), silver (85-95), bronze (70-85), poor (50-70), critical (<50)....
  quality_alert_level STRING,                                  -- Alert priority: green (healthy), yellow (degraded), red (critical). For real-time monit...
  quality_alerts ARRAY<STRING>,                                -- Specific alerts triggered, e.g. all_matchup_features_defaulted, high_default_rate_20pct.
  default_feature_count INT64,                                 -- Total count of features using defaults (includes optional vegas features).
  required_default_count INT64,                                -- Count of REQUIRED features using defaults (excludes optional vegas 25-27). Used for zer...
  default_feature_indices ARRAY<INT64>,                        -- Indices of features using default/fallback values (empty = all real data).
  phase4_feature_count INT64,                                  -- Count of features from Phase 4 precompute (highest quality). Target: 25+ of 37.
  phase3_feature_count INT64,                                  -- Count of features from Phase 3 analytics (good quality fallback).
  calculated_feature_count INT64,                              -- Count of features calculated on-the-fly (acceptable quality).
  is_training_ready BOOL,                                      -- TRUE if meets training quality bar (stricter): quality_tier in (gold, silver), matchup...
  training_quality_feature_count INT64,                        -- Count of features meeting training quality bar. Filter: WHERE training_quality_feature_...
  is_quality_ready BOOL,                                       -- TRUE if meets quality gate: quality_tier in (gold, silver, bronze) AND score >= 70 AND...
  matchup_quality_pct FLOAT64,                                 -- Quality % for matchup features (5-8, 13-14). 0=all defaults, 100=all high quality.
  player_history_quality_pct FLOAT64,                          -- Quality % for player history features (0-4, 29-36). 13 features. Typically 90-100%.
  team_context_quality_pct FLOAT64,                            -- Quality % for team context features (22-24). Usually 95-100%.
  vegas_quality_pct FLOAT64,                                   -- Quality % for vegas features (25-28). Expected 40-60% (not all players have lines - NOR...
  game_context_quality_pct FLOAT64,                            -- Quality % for game context features (9-12, 15-21): rest, schedule, injury, starting sta...
  matchup_default_count INT64,                                 -- Count of matchup features (6 total: 5-8, 13-14) using defaults.
  player_history_default_count INT64,                          -- Count of player history features using defaults.
  team_context_default_count INT64,                            -- Count of team context features using defaults.
  vegas_default_count INT64,                                   -- Count of vegas features using defaults. High count is NORMAL.
  game_context_default_count INT64,                            -- Count of game context features (11 total: 9-12, 15-21) using defaults.
  has_composite_factors BOOL,                                  -- TRUE if composite factors (features 5-8) available from Phase 4.
  has_opponent_defense BOOL,                                   -- TRUE if opponent defense data (features 13-14) available from Phase 3.
  has_vegas_line BOOL,                                         -- TRUE if vegas line available. FALSE is normal for low-volume props.
  vegas_line_source STRING,                                    -- Which source provided vegas line data. Values: odds_api, bettingpros, both, none. NULL...
  critical_features_training_quality BOOL,                     -- TRUE if ALL critical features (matchup 5-8, defense 13-14) meet training quality bar.
  critical_feature_count INT64,                                -- Count of CRITICAL features present with high quality.
  optional_feature_count INT64,                                -- Count of optional features present. Missing optional = acceptable.
  matchup_quality_tier STRING,                                 -- Matchup category tier: gold, silver, bronze, poor, critical. Derived from matchup_quali...
  game_context_quality_tier STRING,                            -- Game context category tier: gold, silver, bronze, poor, critical. Derived from game_con...
  feature_0_quality FLOAT64,
  feature_1_quality FLOAT64,
  feature_2_quality FLOAT64,
  feature_3_quality FLOAT64,
  feature_4_quality FLOAT64,
  feature_5_quality FLOAT64,
  feature_6_quality FLOAT64,
  feature_7_quality FLOAT64,
  feature_8_quality FLOAT64,
  feature_9_quality FLOAT64,
  feature_10_quality FLOAT64,
  feature_11_quality FLOAT64,
  feature_12_quality FLOAT64,
  feature_13_quality FLOAT64,
  feature_14_quality FLOAT64,
  feature_15_quality FLOAT64,
  feature_16_quality FLOAT64,
  feature_17_quality FLOAT64,
  feature_18_quality FLOAT64,
  feature_19_quality FLOAT64,
  feature_20_quality FLOAT64,
  feature_21_quality FLOAT64,
  feature_22_quality FLOAT64,
  feature_23_quality FLOAT64,
  feature_24_quality FLOAT64,
  feature_25_quality FLOAT64,
  feature_26_quality FLOAT64,
  feature_27_quality FLOAT64,
  feature_28_quality FLOAT64,
  feature_29_quality FLOAT64,
  feature_30_quality FLOAT64,
  feature_31_quality FLOAT64,
  feature_32_quality FLOAT64,
  feature_33_quality FLOAT64,
  feature_34_quality FLOAT64,
  feature_35_quality FLOAT64,
  feature_36_quality FLOAT64,
  feature_37_quality FLOAT64,
  feature_38_quality FLOAT64,
  feature_39_quality FLOAT64,
  feature_40_quality FLOAT64,
  feature_41_quality FLOAT64,
  feature_42_quality FLOAT64,
  feature_43_quality FLOAT64,
  feature_44_quality FLOAT64,
  feature_45_quality FLOAT64,
  feature_46_quality FLOAT64,
  feature_47_quality FLOAT64,
  feature_48_quality FLOAT64,
  feature_49_quality FLOAT64,
  feature_50_quality FLOAT64,
  feature_51_quality FLOAT64,
  feature_52_quality FLOAT64,
  feature_53_quality FLOAT64,
  feature_0_source STRING,
  feature_1_source STRING,
  feature_2_source STRING,
  feature_3_source STRING,
  feature_4_source STRING,
  feature_5_source STRING,
  feature_6_source STRING,
  feature_7_source STRING,
  feature_8_source STRING,
  feature_9_source STRING,
  feature_10_source STRING,
  feature_11_source STRING,
  feature_12_source STRING,
  feature_13_source STRING,
  feature_14_source STRING,
  feature_15_source STRING,
  feature_16_source STRING,
  feature_17_source STRING,
  feature_18_source STRING,
  feature_19_source STRING,
  feature_20_source STRING,
  feature_21_source STRING,
  feature_22_source STRING,
  feature_23_source STRING,
  feature_24_source STRING,
  feature_25_source STRING,
  feature_26_source STRING,
  feature_27_source STRING,
  feature_28_source STRING,
  feature_29_source STRING,
  feature_30_source STRING,
  feature_31_source STRING,
  feature_32_source STRING,
  feature_33_source STRING,
  feature_34_source STRING,
  feature_35_source STRING,
  feature_36_source STRING,
  feature_37_source STRING,
  feature_38_source STRING,
  feature_39_source STRING,
  feature_40_source STRING,
  feature_41_source STRING,
  feature_42_source STRING,
  feature_43_source STRING,
  feature_44_source STRING,
  feature_45_source STRING,
  feature_46_source STRING,
  feature_47_source STRING,
  feature_48_source STRING,
  feature_49_source STRING,
  feature_50_source STRING,
  feature_51_source STRING,
  feature_52_source STRING,
  feature_53_source STRING,
  feature_0_value FLOAT64,
  feature_1_value FLOAT64,
  feature_2_value FLOAT64,
  feature_3_value FLOAT64,
  feature_4_value FLOAT64,
  feature_5_value FLOAT64,
  feature_6_value FLOAT64,
  feature_7_value FLOAT64,
  feature_8_value FLOAT64,
  feature_9_value FLOAT64,
  feature_10_value FLOAT64,
  feature_11_value FLOAT64,
  feature_12_value FLOAT64,
  feature_13_value FLOAT64,
  feature_14_value FLOAT64,
  feature_15_value FLOAT64,
  feature_16_value FLOAT64,
  feature_17_value FLOAT64,
  feature_18_value FLOAT64,
  feature_19_value FLOAT64,
  feature_20_value FLOAT64,
  feature_21_value FLOAT64,
  feature_22_value FLOAT64,
  feature_23_value FLOAT64,
  feature_24_value FLOAT64,
  feature_25_value FLOAT64,
  feature_26_value FLOAT64,
  feature_27_value FLOAT64,
  feature_28_value FLOAT64,
  feature_29_value FLOAT64,
  feature_30_value FLOAT64,
  feature_31_value FLOAT64,
  feature_32_value FLOAT64,
  feature_33_value FLOAT64,
  feature_34_value FLOAT64,
  feature_35_value FLOAT64,
  feature_36_value FLOAT64,
  feature_37_value FLOAT64,
  feature_38_value FLOAT64,
  feature_39_value FLOAT64,
  feature_40_value FLOAT64,
  feature_41_value FLOAT64,
  feature_42_value FLOAT64,
  feature_43_value FLOAT64,
  feature_44_value FLOAT64,
  feature_45_value FLOAT64,
  feature_46_value FLOAT64,
  feature_47_value FLOAT64,
  feature_48_value FLOAT64,
  feature_49_value FLOAT64,
  feature_50_value FLOAT64,
  feature_51_value FLOAT64,
  feature_52_value FLOAT64,
  feature_53_value FLOAT64,
  feature_54_value FLOAT64,
  feature_fallback_reasons_json STRING,                        -- JSON map (sparse, only defaulted features): {"5":"composite_factors_missing",...}. Why...
  feature_sample_sizes_json STRING,                            -- JSON map of sample sizes: {"0":5,"1":10,...}. For rolling-window features.
  feature_expected_values_json STRING,                        -- JSON map of expected/default values: {"5":0.25,...}
  feature_value_ranges_valid_json STRING,                      -- JSON map of range validation: {"0":true,"13":false,...}. TRUE if value within expected...
  feature_upstream_tables_json STRING,                         -- JSON map of upstream tables: {"0":"player_daily_cache","5":"player_composite_factors",....
  feature_last_updated_json STRING,                            -- JSON map of last_updated timestamps: {"0":"2026-02-06T06:30:00Z",...}. Freshness per fe...
  feature_schema_version STRING,                               -- Feature schema version: v2_33features, v3_37features. Validates model/data compatibility.
  available_feature_names ARRAY<STRING>,                       -- List of feature names available in this record. Runtime validation before prediction.
  breakout_model_compatible ARRAY<STRING>,                     -- Which breakout model versions this data supports: v2_14features, v3_13features.
  breakout_v3_features_available BOOL,                         -- TRUE if V3 breakout features (star_teammate_out, fg_pct_last_game) populated.
  upstream_processors_ran STRING,                              -- Comma-separated processors that ran: PlayerCompositeFactorsProcessor,MLFeatureStoreProc...
  missing_processors STRING,                                   -- Expected processors that DID NOT run. E.g. PlayerCompositeFactorsProcessor missing caus...
  feature_store_age_hours FLOAT64,                             -- Hours since feature store computed. For training data filtering: exclude > 48h.
  upstream_data_freshness_hours FLOAT64,                       -- Hours since upstream data (Phase 3/4) updated. Detect stale dependencies.
  quality_computed_at TIMESTAMP,                               -- When quality fields computed. Detect stale quality data.
  quality_schema_version STRING,                               -- Quality schema version: v1_hybrid_20260205. For handling quality field evolution.
  feature_sources STRING,                                      -- Deprecated; Legacy JSON mapping. Use feature_N_source columns instead. Remove after 3 m...
  primary_data_source STRING,                                  -- Deprecated; Use feature_schema_version instead. Remove after 3 months.
  matchup_data_status STRING,                                  -- Deprecated; Use matchup_quality_pct and has_composite_factors instead. Remove after 3 m...
  cache_miss_fallback_used BOOL,                               -- TRUE if player_daily_cache had no entry and features were computed from last_10_games f...
  feature_54_quality FLOAT64,
  feature_54_source STRING,
  feature_55_value FLOAT64,
  feature_55_quality FLOAT64,
  feature_55_source STRING,
  feature_56_value FLOAT64,
  feature_56_quality FLOAT64,
  feature_56_source STRING,
  feature_57_value FLOAT64,
  feature_57_quality FLOAT64,
  feature_57_source STRING,
  feature_58_value FLOAT64,
  feature_58_quality FLOAT64,
  feature_58_source STRING,
  feature_59_value FLOAT64,
  feature_59_quality FLOAT64,
  feature_59_source STRING,
  quality_score FLOAT64,                                       -- Overall quality score 0-1
  window_completeness FLOAT64,                                 -- Average completeness of rolling features
  rolling_features_complete BOOL,                              -- All rolling window features are complete
  contextual_features_complete BOOL,                           -- All contextual features are complete
  opponent_features_complete BOOL,                             -- All opponent features are complete
  upstream_quality_min FLOAT64,                                -- Minimum quality from upstream sources (weakest link)
  processing_context STRING,                                   -- daily | backfill | manual | cascade
  _fence INT64 NOT NULL,                                       -- lineage: the lease's fencing token
  _run_id STRING NOT NULL                                      -- lineage: the Airflow run that wrote the row
)
PARTITION BY game_date
CLUSTER BY player_lookup, feature_version, game_date
OPTIONS (require_partition_filter = TRUE);
