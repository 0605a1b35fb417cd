-- One row per player of the cache date's games with at least 3 games this season: rolling
-- averages, team pace, fatigue load and shot-zone tendencies from games before the cache date.
-- Columns, types, partitioning and clustering are the platform's contract
-- (nba_precompute.player_daily_cache); _fence and _run_id are this package's lineage.
CREATE TABLE IF NOT EXISTS `${project}.${precompute_dataset}.player_daily_cache` (
  player_lookup STRING NOT NULL,                           -- Normalized player identifier
  universal_player_id STRING,                              -- Universal player ID (e.g., lebronjames_001)
  cache_date DATE NOT NULL,                                -- Date this cache represents (partition key)
  points_avg_last_5 NUMERIC(5, 1),                         -- Average points over last 5 games
  points_avg_last_10 NUMERIC(5, 1),                        -- Average points over last 10 games
  points_avg_season NUMERIC(5, 1),                         -- Season average points
  points_std_last_10 NUMERIC(5, 2),                        -- Standard deviation of points (volatility)
  minutes_avg_last_10 NUMERIC(5, 1),                       -- Average minutes over last 10 games
  usage_rate_last_10 NUMERIC(5, 2),                        -- Average usage rate over last 10 games
  ts_pct_last_10 NUMERIC(5, 3),                            -- Average true shooting % over last 10 games
  games_played_season INT64,                               -- Total games played this season
  team_pace_last_10 NUMERIC(5, 1),                         -- Team's recent pace (possessions per 48 min)
  team_off_rating_last_10 NUMERIC(6, 2),                   -- Team's offensive efficiency (points per 100 poss)
  player_usage_rate_season NUMERIC(5, 2),                  -- Season-long usage rate
  games_in_last_7_days INT64,                              -- Games played in last 7 days
  games_in_last_14_days INT64,                             -- Games played in last 14 days
  minutes_in_last_7_days INT64,                            -- Total minutes in last 7 days
  minutes_in_last_14_days INT64,                           -- Total minutes in last 14 days
  back_to_backs_last_14_days INT64,                        -- Back-to-back games in last 14 days
  avg_minutes_per_game_last_7 NUMERIC(5, 1),               -- Average minutes per game (last 7 days)
  fourth_quarter_minutes_last_7 INT64,                     -- 4th quarter minutes (last 7 days)
  primary_scoring_zone STRING,                             -- Primary scoring zone: 'paint', 'mid_range', '3pt'
  paint_rate_last_10 NUMERIC(5, 2),                        -- % of shots from paint (last 10 games)
  three_pt_rate_last_10 NUMERIC(5, 2),                     -- % of shots from three (last 10 games)
  assisted_rate_last_10 NUMERIC(5, 2),                     -- % of made FGs that were assisted (last 10)
  player_age INT64,                                        -- Player's current age
  source_player_game_last_updated TIMESTAMP,               -- When player_game_summary was last updated
  source_player_game_rows_found INT64,                     -- How many game records found for player
  source_player_game_completeness_pct NUMERIC(5, 2),       -- % of expected games found
  source_player_game_hash STRING,                          -- data_hash of upstream player_game_summary seen at processing time
  source_team_offense_last_updated TIMESTAMP,              -- When team_offense_game_summary was last updated
  source_team_offense_rows_found INT64,                    -- How many team games found
  source_team_offense_completeness_pct NUMERIC(5, 2),      -- % of expected team games found
  source_team_offense_hash STRING,                         -- data_hash of upstream team_offense_game_summary seen at processing time
  source_upcoming_context_last_updated TIMESTAMP,          -- When upcoming_player_game_context was last updated
  source_upcoming_context_rows_found INT64,                -- Should be 1 (today's context record)
  source_upcoming_context_completeness_pct NUMERIC(5, 2),  -- Should be 100% (1 row expected)
  source_upcoming_context_hash STRING,                     -- data_hash of upstream upcoming_player_game_context seen at processing time
  source_shot_zone_last_updated TIMESTAMP,                 -- When player_shot_zone_analysis was last updated
  source_shot_zone_rows_found INT64,                       -- Should be 1 (today's analysis)
  source_shot_zone_completeness_pct NUMERIC(5, 2),         -- Should be 100% (1 row expected)
  source_shot_zone_hash STRING,                            -- data_hash of upstream player_shot_zone_analysis seen at processing time
  data_hash STRING,                                        -- 16-char SHA256 prefix over hash fields (smart idempotency)
  early_season_flag BOOL,                                  -- TRUE if player has < 10 games
  insufficient_data_reason STRING,                         -- Why data was insufficient (if early_season_flag = TRUE)
  shot_zone_data_available BOOL,                           -- TRUE if shot zone analysis was available (for re-run tracking)
  expected_games_count INT64,                              -- Games expected from schedule
  actual_games_count INT64,                                -- Games actually found in upstream table
  completeness_percentage FLOAT64,                         -- Completeness percentage 0-100%
  missing_games_count INT64,                               -- Number of games missing from upstream
  is_production_ready BOOL,                                -- TRUE if completeness >= 90%
  data_quality_issues ARRAY<STRING>,                       -- Specific quality issues found
  last_reprocess_attempt_at TIMESTAMP,                     -- When reprocessing was last attempted
  reprocess_attempt_count INT64,                           -- Number of reprocess attempts
  circuit_breaker_active BOOL,                             -- TRUE if max reprocess attempts reached
  circuit_breaker_until TIMESTAMP,                         -- When circuit breaker expires (7 days from last attempt)
  manual_override_required BOOL,                           -- TRUE if manual intervention needed
  season_boundary_detected BOOL,                           -- TRUE if date near season start/end
  backfill_bootstrap_mode BOOL,                            -- TRUE if first 30 days of season/backfill
  processing_decision_reason STRING,                       -- Why record was processed or skipped
  l5_completeness_pct FLOAT64,                             -- L5 games completeness percentage
  l5_is_complete BOOL,                                     -- TRUE if L5 >= 90% complete
  l10_completeness_pct FLOAT64,                            -- L10 games completeness percentage
  l10_is_complete BOOL,                                    -- TRUE if L10 >= 90% complete
  l7d_completeness_pct FLOAT64,                            -- L7 days completeness percentage
  l7d_is_complete BOOL,                                    -- TRUE if L7d >= 90% complete
  l14d_completeness_pct FLOAT64,                           -- L14 days completeness percentage
  l14d_is_complete BOOL,                                   -- TRUE if L14d >= 90% complete
  all_windows_complete BOOL,                               -- TRUE if ALL windows >= 90% complete
  cache_version STRING,                                    -- Version identifier: "v1", "v2", etc.
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP(),        -- When record was first created
  processed_at TIMESTAMP,                                  -- When this cache was generated
  quality_score FLOAT64,                                   -- Overall quality score 0-1
  window_completeness FLOAT64,                             -- Average completeness across all windows
  points_l5_complete BOOL,                                 -- Last 5 games window is complete
  points_l10_complete BOOL,                                -- Last 10 games window is complete
  points_l7d_complete BOOL,                                -- Last 7 days window is complete
  points_l14d_complete BOOL,                               -- Last 14 days window is complete
  rebounds_l5_complete BOOL,                               -- rebounds L5 window is complete
  rebounds_l10_complete BOOL,                              -- rebounds L10 window is complete
  rebounds_l7d_complete BOOL,                              -- rebounds L7D window is complete
  rebounds_l14d_complete BOOL,                             -- rebounds L14D window is complete
  assists_l5_complete BOOL,                                -- assists L5 window is complete
  assists_l10_complete BOOL,                               -- assists L10 window is complete
  assists_l7d_complete BOOL,                               -- assists L7D window is complete
  assists_l14d_complete BOOL,                              -- assists L14D window is complete
  upstream_quality_min FLOAT64,                            -- Minimum quality from upstream sources
  processing_context STRING,                               -- daily | backfill | manual | cascade
  _fence INT64 NOT NULL,                                   -- lineage: fencing token of the lease that wrote the row
  _run_id STRING NOT NULL                                  -- lineage: Airflow run that wrote the row
)
PARTITION BY cache_date
CLUSTER BY player_lookup, universal_player_id
OPTIONS (partition_expiration_days = 30);
