-- One row per player of a team scheduled on the date: the game, lines, rest and load, form, injury status.
-- Columns, types, partitioning and clustering are the platform's contract
-- (nba_analytics.upcoming_player_game_context); _fence and _run_id are this package's lineage.
CREATE TABLE IF NOT EXISTS `${project}.${analytics_dataset}.upcoming_player_game_context` (
  player_lookup STRING NOT NULL,                     -- Normalized player identifier (join key)
  universal_player_id STRING,                        -- Universal player ID from registry (e.g., lebronjames_001)
  game_id STRING NOT NULL,                           -- Unique game identifier: "20250120_LAL_BOS"
  game_date DATE NOT NULL,                           -- Game date (partition key)
  team_abbr STRING NOT NULL,                         -- Player's team abbreviation
  opponent_team_abbr STRING NOT NULL,                -- Opposing team abbreviation
  has_prop_line BOOL DEFAULT FALSE,                  -- TRUE if player has betting prop line for this game (v3.2)
  current_points_line NUMERIC(4, 1),                 -- Most recent player points line
  opening_points_line NUMERIC(4, 1),                 -- Opening player points line
  line_movement NUMERIC(4, 1),                       -- Current line - opening line
  current_points_line_source STRING,                 -- Source of current line (bookmaker(s))
  opening_points_line_source STRING,                 -- Source of opening line (bookmaker(s))
  game_spread NUMERIC(4, 1),                         -- Current point spread (consensus across bookmakers)
  opening_spread NUMERIC(4, 1),                      -- Opening point spread
  spread_movement NUMERIC(4, 1),                     -- Current spread - opening spread
  game_spread_source STRING,                         -- Source of current spread (bookmaker(s))
  spread_public_betting_pct NUMERIC(5, 2),           -- % of public bets on favorite (not populated yet per DDL)
  game_total NUMERIC(5, 1),                          -- Current over/under total points
  opening_total NUMERIC(5, 1),                       -- Opening total
  total_movement NUMERIC(4, 1),                      -- Current total - opening total
  game_total_source STRING,                          -- Source of current total (bookmaker(s))
  total_public_betting_pct NUMERIC(5, 2),            -- % of public bets on OVER (not populated yet per DDL)
  pace_differential NUMERIC(5, 1),                   -- Team vs opponent pace (not populated yet per DDL)
  opponent_pace_last_10 NUMERIC(5, 1),               -- Opponent recent pace (not populated yet per DDL)
  game_start_time_local STRING,                      -- Game start time in local timezone (e.g., "7:30 PM ET")
  opponent_ft_rate_allowed NUMERIC(5, 3),            -- FT opportunities (not populated yet per DDL)
  home_game BOOL,                                    -- Home vs away
  back_to_back BOOL,                                 -- Back-to-back flag
  season_phase STRING,                               -- values/example: 'early', 'mid', 'late', 'playoffs'
  projected_usage_rate NUMERIC(5, 2),                -- Expected usage based on available players (not populated yet per DDL)
  days_rest INT64,                                   -- Rest days since last game
  days_rest_before_last_game INT64,                  -- Previous rest (fatigue trend)
  days_since_2_plus_days_rest INT64,                 -- Time since real rest
  games_in_last_7_days INT64,                        -- Weekly load
  games_in_last_14_days INT64,                       -- Bi-weekly load
  minutes_in_last_7_days INT64,                      -- Weekly minutes
  minutes_in_last_14_days INT64,                     -- Bi-weekly minutes
  avg_minutes_per_game_last_7 NUMERIC(5, 1),         -- Recent intensity
  back_to_backs_last_14_days INT64,                  -- Recent compression
  avg_usage_rate_last_7_games NUMERIC(5, 2),         -- Usage intensity (not populated yet per DDL)
  fourth_quarter_minutes_last_7 INT64,               -- Crunch time load (not populated yet per DDL)
  clutch_minutes_last_7_games INT64,                 -- High-stress minutes (not populated yet per DDL)
  travel_miles INT64,                                -- Travel distance (not populated yet per DDL)
  time_zone_changes INT64,                           -- Time zones crossed (not populated yet per DDL)
  consecutive_road_games INT64,                      -- Road trip length (not populated yet per DDL)
  miles_traveled_last_14_days INT64,                 -- Cumulative travel (not populated yet per DDL)
  time_zones_crossed_last_14_days INT64,             -- Jet lag factor (not populated yet per DDL)
  player_age INT64,                                  -- Current age for fatigue analysis
  points_avg_last_5 NUMERIC(5, 1),                   -- Recent form
  points_avg_last_10 NUMERIC(5, 1),                  -- Broader trend
  prop_over_streak INT64,                            -- Current over streak
  prop_under_streak INT64,                           -- Current under streak
  star_teammates_out INT64,                          -- Key players out (not populated yet per DDL)
  opponent_def_rating_last_10 NUMERIC(6, 2),         -- Opponent defense (not populated yet per DDL)
  shooting_pct_decline_last_5 NUMERIC(5, 3),         -- Performance decline signal (not populated yet per DDL)
  fourth_quarter_production_last_7 NUMERIC(5, 1),    -- Late-game energy (not populated yet per DDL)
  next_game_days_rest INT64,                         -- Days until player's next game
  games_in_next_7_days INT64,                        -- Player's upcoming game density
  next_opponent_win_pct NUMERIC(5, 3),               -- Win percentage of player's next opponent
  next_game_is_primetime BOOL,                       -- Whether player's next game is nationally televised
  opponent_days_rest INT64,                          -- Current opponent's rest before this game
  opponent_games_in_next_7_days INT64,               -- Current opponent's upcoming schedule density
  opponent_next_game_days_rest INT64,                -- Current opponent's rest after this game
  player_status STRING,                              -- Injury report status: 'out', 'questionable', 'doubtful', 'probable', 'available'
  injury_report STRING,                              -- Detailed injury info
  questionable_teammates INT64,                      -- Questionable players on team
  probable_teammates INT64,                          -- Probable players on team
  source_boxscore_last_updated TIMESTAMP,            -- When boxscore table was last processed
  source_boxscore_rows_found INT64,                  -- How many player games found (last 30 days)
  source_boxscore_completeness_pct NUMERIC(5, 2),    -- % of expected games found
  source_boxscore_hash STRING,                       -- data_hash of upstream bdl_player_boxscores seen at processing time
  source_schedule_last_updated TIMESTAMP,            -- When schedule table was last processed
  source_schedule_rows_found INT64,                  -- How many game records found
  source_schedule_completeness_pct NUMERIC(5, 2),    -- % of expected schedule data found
  source_schedule_hash STRING,                       -- data_hash of upstream nbac_schedule seen at processing time
  source_props_last_updated TIMESTAMP,               -- When props table was last processed
  source_props_rows_found INT64,                     -- How many prop records found
  source_props_completeness_pct NUMERIC(5, 2),       -- % of expected props found
  source_props_hash STRING,                          -- data_hash of upstream odds_api_player_points_props seen at processing time
  source_game_lines_last_updated TIMESTAMP,          -- When game lines table was last processed
  source_game_lines_rows_found INT64,                -- How many line records found
  source_game_lines_completeness_pct NUMERIC(5, 2),  -- % of expected lines found
  source_game_lines_hash STRING,                     -- data_hash of upstream odds_api_game_lines seen at processing time
  data_quality_tier STRING,                          -- values/example: 'high', 'medium', 'low' based on sample size
  primary_source_used STRING,                        -- Which boxscore source: 'bdl_player_boxscores', 'nbac_player_boxscores', 'nbac_gamebook'
  processed_with_issues BOOL,                        -- Issues flag (missing lines, <3 bookmakers, etc.)
  expected_games_count INT64,                        -- Games expected from schedule
  actual_games_count INT64,                          -- Games actually found in upstream table
  completeness_percentage FLOAT64,                   -- Completeness percentage 0-100%
  missing_games_count INT64,                         -- Number of games missing from upstream
  is_production_ready BOOL,                          -- TRUE if all windows >= 90% complete
  data_quality_issues ARRAY<STRING>,                 -- Specific quality issues found
  last_reprocess_attempt_at TIMESTAMP,               -- When reprocessing was last attempted
  reprocess_attempt_count INT64,                     -- Number of reprocess attempts
  circuit_breaker_active BOOL,                       -- TRUE if max reprocess attempts reached
  circuit_breaker_until TIMESTAMP,                   -- When circuit breaker expires (7 days from last attempt)
  manual_override_required BOOL,                     -- TRUE if manual intervention needed
  season_boundary_detected BOOL,                     -- TRUE if date near season start/end
  backfill_bootstrap_mode BOOL,                      -- TRUE if first 30 days of season/backfill
  processing_decision_reason STRING,                 -- Why record was processed or skipped
  l5_completeness_pct FLOAT64,                       -- L5 games completeness percentage
  l5_is_complete BOOL,                               -- TRUE if L5 >= 90% complete
  l10_completeness_pct FLOAT64,                      -- L10 games completeness percentage
  l10_is_complete BOOL,                              -- TRUE if L10 >= 90% complete
  l7d_completeness_pct FLOAT64,                      -- L7 days completeness percentage
  l7d_is_complete BOOL,                              -- TRUE if L7d >= 90% complete
  l14d_completeness_pct FLOAT64,                     -- L14 days completeness percentage
  l14d_is_complete BOOL,                             -- TRUE if L14d >= 90% complete
  l30d_completeness_pct FLOAT64,                     -- L30 days completeness percentage
  l30d_is_complete BOOL,                             -- TRUE if L30d >= 90% complete
  all_windows_complete BOOL,                         -- TRUE if ALL windows >= 90% complete
  data_hash STRING,                                  -- 16-char SHA256 prefix over output fields (smart idempotency)
  context_version INT64,                             -- Update counter (for intraday updates)
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP(),  -- Row creation time
  processed_at TIMESTAMP,                            -- Last processing time
  quality_tier STRING,                               -- Quality tier (gold/silver/bronze/poor/unusable in Phase 3)
  quality_score FLOAT64,                             -- Quality score (Phase 3 code writes 0-100; later migration text says 0-1)
  quality_issues ARRAY<STRING>,                      -- List of quality problems (e.g. thin_sample:3/10)
  data_sources ARRAY<STRING>,                        -- Sources used (e.g. primary, espn_backup, reconstructed)
  quality_sample_size INT64,                         -- Games in sample for rolling calculations
  quality_used_fallback BOOL,                        -- TRUE if any fallback source was used
  quality_reconstructed BOOL,                        -- TRUE if data was reconstructed/derived
  quality_calculated_at TIMESTAMP,                   -- When quality was assessed
  quality_metadata JSON,                             -- JSON with extra quality context
  data_quality_flag STRING,                          -- complete | partial | incomplete | corrected (code also writes partial_no_team_stats)
  processing_context STRING,                         -- daily | backfill | manual | cascade
  _fence INT64 NOT NULL,                             -- lineage: fencing token of the lease that wrote the row
  _run_id STRING NOT NULL                            -- lineage: Airflow run that wrote the row
)
PARTITION BY game_date
CLUSTER BY player_lookup, universal_player_id, game_date;
