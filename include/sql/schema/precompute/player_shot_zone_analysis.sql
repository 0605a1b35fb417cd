-- One row per player per analysis date with enough games: his shot distribution (percent) and
-- efficiency (fractions) by zone over his last 10 and 20 games before the analysis date.
-- Columns, types, partitioning and clustering are the platform's contract
-- (nba_precompute.player_shot_zone_analysis); _fence and _run_id are this package's lineage.
CREATE TABLE IF NOT EXISTS `${project}.${precompute_dataset}.player_shot_zone_analysis` (
  player_lookup STRING NOT NULL,                      -- Normalized player identifier
  universal_player_id STRING,                         -- Universal player ID from registry
  analysis_date DATE NOT NULL,                        -- Date this analysis represents (partition key)
  paint_rate_last_10 NUMERIC(5, 2),                   -- % of shots in paint (≤8 feet)
  mid_range_rate_last_10 NUMERIC(5, 2),               -- % of shots mid-range (9+ feet, 2PT)
  three_pt_rate_last_10 NUMERIC(5, 2),                -- % of shots from three
  total_shots_last_10 INT64,                          -- Total shots in sample
  games_in_sample_10 INT64,                           -- Number of games (max 10)
  sample_quality_10 STRING,                           -- values/example: 'excellent' (10 games), 'good' (7-9), 'limited' (<7)
  paint_pct_last_10 NUMERIC(5, 3),                    -- FG% in paint
  mid_range_pct_last_10 NUMERIC(5, 3),                -- FG% mid-range
  three_pt_pct_last_10 NUMERIC(5, 3),                 -- 3PT%
  paint_attempts_per_game NUMERIC(4, 1),              -- Paint attempts per game
  mid_range_attempts_per_game NUMERIC(4, 1),          -- Mid-range attempts per game
  three_pt_attempts_per_game NUMERIC(4, 1),           -- Three-point attempts per game
  paint_rate_last_20 NUMERIC(5, 2),                   -- % of shots in paint (20-game window)
  paint_pct_last_20 NUMERIC(5, 3),                    -- FG% in paint (20-game window)
  games_in_sample_20 INT64,                           -- Number of games in 20-game sample
  sample_quality_20 STRING,                           -- values/example: 'excellent' (20), 'good' (15-19), 'limited' (<15)
  assisted_rate_last_10 NUMERIC(5, 2),                -- % of made FGs that were assisted
  unassisted_rate_last_10 NUMERIC(5, 2),              -- % of made FGs unassisted (shot creation)
  player_position STRING,                             -- G, F, C (from registry or inferred)
  primary_scoring_zone STRING,                        -- values/example: 'paint', 'mid_range', 'perimeter', 'balanced'
  data_quality_tier STRING,                           -- values/example: 'high' (10+ games), 'medium' (5-9), 'low' (<5)
  calculation_notes STRING,                           -- Any issues or warnings
  source_player_game_last_updated TIMESTAMP,          -- When source was last processed
  source_player_game_rows_found INT64,                -- How many game records found
  source_player_game_completeness_pct NUMERIC(5, 2),  -- % of expected games found
  source_player_game_hash STRING,                     -- data_hash of upstream player_game_summary seen at processing time
  data_hash STRING,                                   -- 16-char SHA256 prefix over hash fields (smart idempotency)
  early_season_flag BOOL,                             -- TRUE when <10 games available
  insufficient_data_reason STRING,                    -- Why data was insufficient
  expected_games_count INT64,                         -- Games expected from schedule
  actual_games_count INT64,                           -- Games actually found in upstream table
  completeness_percentage FLOAT64,                    -- Completeness percentage 0-100%
  missing_games_count INT64,                          -- Number of games missing from upstream
  is_production_ready BOOL,                           -- TRUE if completeness >= 90%
  data_quality_issues ARRAY<STRING>,                  -- Specific quality issues found
  last_reprocess_attempt_at TIMESTAMP,                -- When reprocessing was last attempted
  reprocess_attempt_count INT64,                      -- Number of reprocess attempts
  circuit_breaker_active BOOL,                        -- TRUE if max reprocess attempts reached
  circuit_breaker_until TIMESTAMP,                    -- When circuit breaker expires (7 days from last attempt)
  manual_override_required BOOL,                      -- TRUE if manual intervention needed
  season_boundary_detected BOOL,                      -- TRUE if date near season start/end
  backfill_bootstrap_mode BOOL,                       -- TRUE if first 30 days of season/backfill
  processing_decision_reason STRING,                  -- Why record was processed or skipped
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP(),   -- Row creation time
  processed_at TIMESTAMP,                             -- Last processing time
  quality_score FLOAT64,                              -- Quality score (Phase 3 code writes 0-100; later migration text says 0-1)
  window_completeness FLOAT64,                        -- Window completeness ratio (0-1)
  processing_context STRING,                          -- daily | backfill | manual | cascade
  _fence INT64 NOT NULL,                              -- lineage: fencing token of the lease that wrote the row
  _run_id STRING NOT NULL                             -- lineage: Airflow run that wrote the row
)
PARTITION BY analysis_date
CLUSTER BY player_lookup, universal_player_id, analysis_date
OPTIONS (partition_expiration_days = 90);
