-- One row per team per analysis date with enough games: what its opponents shot by zone over its
-- last 15 games before the analysis date, against the league.
-- Columns, types, partitioning and clustering are the platform's contract
-- (nba_precompute.team_defense_zone_analysis); _fence and _run_id are this package's lineage.
CREATE TABLE IF NOT EXISTS `${project}.${precompute_dataset}.team_defense_zone_analysis` (
  team_abbr STRING NOT NULL,                           -- NBA team abbreviation (LAL, GSW, etc.)
  analysis_date DATE NOT NULL,                         -- Date this analysis represents (partition key)
  paint_pct_allowed_last_15 NUMERIC(5, 3),             -- FG% allowed in paint (≤8 feet)
  paint_attempts_allowed_per_game NUMERIC(5, 1),       -- Paint shot attempts allowed per game
  paint_points_allowed_per_game NUMERIC(5, 1),         -- Paint points allowed per game
  paint_blocks_per_game NUMERIC(4, 1),                 -- Paint blocks per game
  paint_defense_vs_league_avg NUMERIC(5, 2),           -- Percentage points vs league average
  mid_range_pct_allowed_last_15 NUMERIC(5, 3),         -- FG% allowed mid-range (9+ feet, 2PT)
  mid_range_attempts_allowed_per_game NUMERIC(5, 1),   -- Mid-range attempts allowed per game
  mid_range_blocks_per_game NUMERIC(4, 1),             -- Mid-range blocks per game
  mid_range_defense_vs_league_avg NUMERIC(5, 2),       -- Percentage points vs league average
  three_pt_pct_allowed_last_15 NUMERIC(5, 3),          -- 3PT% allowed
  three_pt_attempts_allowed_per_game NUMERIC(5, 1),    -- Three-point attempts allowed per game
  three_pt_blocks_per_game NUMERIC(4, 1),              -- Three-point blocks per game (rare)
  three_pt_defense_vs_league_avg NUMERIC(5, 2),        -- Percentage points vs league average
  defensive_rating_last_15 NUMERIC(6, 2),              -- Points allowed per 100 possessions
  opponent_points_per_game NUMERIC(5, 1),              -- Total points allowed per game
  opponent_pace NUMERIC(5, 1),                         -- Pace allowed to opponents
  games_in_sample INT64,                               -- Number of games in sample
  strongest_zone STRING,                               -- Best defensive zone
  weakest_zone STRING,                                 -- Worst defensive zone
  data_quality_tier STRING,                            -- Overall data quality assessment
  calculation_notes STRING,                            -- Issues or warnings during calculation
  source_team_defense_last_updated TIMESTAMP,          -- When source table was last processed
  source_team_defense_rows_found INT64,                -- Rows returned from source query
  source_team_defense_completeness_pct NUMERIC(5, 2),  -- Percentage of expected rows found
  source_team_defense_hash STRING,                     -- data_hash of upstream team_defense_game_summary seen at processing time
  data_hash STRING,                                    -- 16-char SHA256 prefix over hash fields (smart idempotency)
  early_season_flag BOOL,                              -- TRUE = insufficient data for calculation
  insufficient_data_reason STRING,                     -- Why data was insufficient
  expected_games_count INT64,                          -- Games expected from schedule
  actual_games_count INT64,                            -- Games actually found in upstream
  completeness_percentage FLOAT64,                     -- Completeness (0-100%)
  missing_games_count INT64,                           -- Games missing from upstream
  is_production_ready BOOL,                            -- Ready for production use?
  data_quality_issues ARRAY<STRING>,                   -- Specific quality issues found
  last_reprocess_attempt_at TIMESTAMP,                 -- When reprocessing was last attempted
  reprocess_attempt_count INT64,                       -- Number of reprocess attempts
  circuit_breaker_active BOOL,                         -- Circuit breaker tripped?
  circuit_breaker_until TIMESTAMP,                     -- When circuit breaker expires
  manual_override_required BOOL,                       -- Manual intervention needed?
  season_boundary_detected BOOL,                       -- Date near season start/end?
  backfill_bootstrap_mode BOOL,                        -- In bootstrap mode?
  processing_decision_reason STRING,                   -- Why processed or skipped?
  processed_at TIMESTAMP NOT NULL,                     -- When this calculation was performed
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP(),    -- Row creation timestamp
  quality_score FLOAT64,                               -- Quality score (Phase 3 code writes 0-100; later migration text says 0-1)
  window_completeness FLOAT64,                         -- Window completeness ratio (0-1)
  processing_context STRING,                           -- daily | backfill | manual | cascade
  _fence INT64 NOT NULL,                               -- lineage: fencing token of the lease that wrote the row
  _run_id STRING NOT NULL                              -- lineage: Airflow run that wrote the row
)
PARTITION BY analysis_date
CLUSTER BY team_abbr, analysis_date
OPTIONS (partition_expiration_days = 90);
