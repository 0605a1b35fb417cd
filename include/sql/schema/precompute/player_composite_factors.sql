-- One row per player of the game date's context: the platform's composite factors (fatigue
-- 100 = rested, shot-zone mismatch, pace, usage spike) and their total adjustment.
-- Columns, types, partitioning and clustering are the platform's contract
-- (nba_precompute.player_composite_factors); _fence and _run_id are this package's lineage.
CREATE TABLE IF NOT EXISTS `${project}.${precompute_dataset}.player_composite_factors` (
  player_lookup STRING NOT NULL,                         -- Normalized player identifier
  universal_player_id STRING,                            -- Universal player ID from registry
  game_date DATE NOT NULL,                               -- Game date (partition key)
  game_id STRING NOT NULL,                               -- Unique game identifier
  analysis_date DATE,                                    -- Date of analysis run
  fatigue_score INT64,                                   -- 0-100 (100 = fresh, 0 = exhausted)
  shot_zone_mismatch_score NUMERIC(4, 1),                -- -10.0 to +10.0
  pace_score NUMERIC(3, 1),                              -- -3.0 to +3.0
  usage_spike_score NUMERIC(3, 1),                       -- -3.0 to +3.0
  referee_favorability_score NUMERIC(3, 1),              -- -5.0 to +5.0 (PLACEHOLDER: returns 0.0)
  look_ahead_pressure_score NUMERIC(3, 1),               -- -5.0 to +5.0 (PLACEHOLDER: returns 0.0)
  travel_impact_score NUMERIC(3, 1),                     -- -3.0 to +3.0 (PLACEHOLDER: returns 0.0)
  opponent_strength_score NUMERIC(3, 1),                 -- -3.0 to +3.0 (PLACEHOLDER: returns 0.0)
  total_composite_adjustment NUMERIC(5, 2),              -- Sum of all factor adjustments
  fatigue_context_json STRING,                           -- JSON string with fatigue details
  shot_zone_context_json STRING,                         -- JSON string with zone matchup details
  pace_context_json STRING,                              -- JSON string with pace details
  usage_context_json STRING,                             -- JSON string with usage details
  calculation_version STRING,                            -- values/example: "v1_4factors", "v2_8factors", etc.
  data_completeness_pct NUMERIC(5, 2),                   -- % of required data available
  missing_data_fields STRING,                            -- Comma-separated list of missing fields
  has_warnings BOOL,                                     -- TRUE if any calculation had warnings
  warning_details STRING,                                -- Description of warnings
  source_player_context_last_updated TIMESTAMP,          -- When source was last processed
  source_player_context_rows_found INT64,                -- Rows returned from query
  source_player_context_completeness_pct NUMERIC(5, 2),  -- % of expected data found
  source_team_context_last_updated TIMESTAMP,            -- When source was last processed
  source_team_context_rows_found INT64,                  -- Rows returned from query
  source_team_context_completeness_pct NUMERIC(5, 2),    -- % of expected data found
  source_player_shot_last_updated TIMESTAMP,             -- When source was last processed
  source_player_shot_rows_found INT64,                   -- Rows returned from query
  source_player_shot_completeness_pct NUMERIC(5, 2),     -- % of expected data found
  source_team_defense_last_updated TIMESTAMP,            -- When source was last processed
  source_team_defense_rows_found INT64,                  -- Rows returned from query
  source_team_defense_completeness_pct NUMERIC(5, 2),    -- % of expected data found
  source_player_context_hash STRING,                     -- data_hash of upstream upcoming_player_game_context seen at processing time
  source_team_context_hash STRING,                       -- data_hash of upstream upcoming_team_game_context seen at processing time
  source_player_shot_hash STRING,                        -- data_hash of upstream player_shot_zone_analysis seen at processing time
  source_team_defense_hash STRING,                       -- data_hash of upstream team_defense_zone_analysis seen at processing time
  data_hash STRING,                                      -- 16-char SHA256 prefix over hash fields (smart idempotency)
  early_season_flag BOOL,                                -- TRUE when insufficient data
  insufficient_data_reason STRING,                       -- Why data was insufficient
  expected_games_count INT64,                            -- Games expected from schedule
  actual_games_count INT64,                              -- Games actually found in upstream table
  completeness_percentage FLOAT64,                       -- Completeness percentage 0-100%
  missing_games_count INT64,                             -- Number of games missing from upstream
  is_production_ready BOOL,                              -- TRUE if completeness >= 90% AND upstream complete
  data_quality_issues ARRAY<STRING>,                     -- Specific quality issues found
  upstream_player_shot_ready BOOL,                       -- TRUE if player_shot_zone_analysis is_production_ready
  upstream_team_defense_ready BOOL,                      -- TRUE if team_defense_zone_analysis is_production_ready
  upstream_player_context_ready BOOL,                    -- TRUE if upcoming_player_game_context is_production_ready
  upstream_team_context_ready BOOL,                      -- TRUE if upcoming_team_game_context is_production_ready
  all_upstreams_ready BOOL,                              -- TRUE if ALL upstream sources are production ready
  last_reprocess_attempt_at TIMESTAMP,                   -- When reprocessing was last attempted
  reprocess_attempt_count INT64,                         -- Number of reprocess attempts
  circuit_breaker_active BOOL,                           -- TRUE if max reprocess attempts reached
  circuit_breaker_until TIMESTAMP,                       -- When circuit breaker expires (7 days from last attempt)
  manual_override_required BOOL,                         -- TRUE if manual intervention needed
  season_boundary_detected BOOL,                         -- TRUE if date near season start/end
  backfill_bootstrap_mode BOOL,                          -- TRUE if first 30 days of season/backfill
  processing_decision_reason STRING,                     -- Why record was processed or skipped
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP(),      -- Row creation timestamp
  processed_at TIMESTAMP,                                -- When this calculation was performed
  quality_score FLOAT64,                                 -- Overall quality score 0-1
  window_completeness FLOAT64,                           -- Primary window completeness ratio
  upstream_quality_min FLOAT64,                          -- Minimum quality from upstream sources (weakest link)
  processing_context STRING,                             -- Context: daily | backfill | manual | cascade
  _fence INT64 NOT NULL,                                 -- lineage: fencing token of the lease that wrote the row
  _run_id STRING NOT NULL                                -- lineage: Airflow run that wrote the row
)
PARTITION BY game_date
CLUSTER BY player_lookup, universal_player_id, game_date;
