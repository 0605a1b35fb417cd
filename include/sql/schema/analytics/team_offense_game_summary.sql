-- One row per team per final game: the team's box score, possessions, ratings, pace and overtime.
-- Columns, types, partitioning and clustering are the platform's contract
-- (nba_analytics.team_offense_game_summary); _fence and _run_id are this package's lineage.
CREATE TABLE IF NOT EXISTS `${project}.${analytics_dataset}.team_offense_game_summary` (
  game_id STRING NOT NULL,                              -- System format: "20250115_LAL_PHI" (YYYYMMDD_AWAY_HOME)
  nba_game_id STRING,                                   -- NBA.com game ID: "0022400561" (for debugging/lookups)
  game_date DATE NOT NULL,                              -- Game date (partition key)
  team_abbr STRING NOT NULL,                            -- Team playing offense: "LAL", "PHI", "BOS", etc.
  opponent_team_abbr STRING NOT NULL,                   -- Opposing defensive team
  season_year INT64 NOT NULL,                           -- NBA season starting year (2024 for 2024-25 season)
  points_scored INT64,                                  -- Total points scored by team
  fg_attempts INT64,                                    -- Total field goal attempts
  fg_makes INT64,                                       -- Total field goal makes
  three_pt_attempts INT64,                              -- Three-point attempts
  three_pt_makes INT64,                                 -- Three-point makes
  ft_attempts INT64,                                    -- Free throw attempts
  ft_makes INT64,                                       -- Free throw makes
  rebounds INT64,                                       -- Total rebounds (offensive + defensive)
  assists INT64,                                        -- Total assists
  turnovers INT64,                                      -- Total turnovers
  personal_fouls INT64,                                 -- Personal fouls committed
  team_paint_attempts INT64,                            -- Paint shot attempts (≤8 feet)
  team_paint_makes INT64,                               -- Paint shot makes
  team_mid_range_attempts INT64,                        -- Mid-range attempts (9-23 feet, 2PT)
  team_mid_range_makes INT64,                           -- Mid-range makes
  points_in_paint_scored INT64,                         -- Points scored from paint shots
  second_chance_points_scored INT64,                    -- Points immediately after offensive rebounds
  offensive_rating NUMERIC(6, 2),                       -- Points per 100 possessions
  pace NUMERIC(5, 1),                                   -- Possessions per 48 minutes (normalized)
  possessions INT64,                                    -- Estimated total possessions
  ts_pct NUMERIC(5, 3),                                 -- Team true shooting percentage
  home_game BOOL NOT NULL,                              -- Whether team was playing at home
  win_flag BOOL NOT NULL,                               -- Whether team won the game
  margin_of_victory INT64,                              -- Point margin (positive = won, negative = lost)
  overtime_periods INT64,                               -- Number of overtime periods (0 = regulation)
  players_inactive INT64,                               -- Number of players inactive/out (not populated yet per DDL)
  starters_inactive INT64,                              -- Number of regular starters inactive (not populated yet per DDL)
  referee_crew_id STRING,                               -- Links to game_referees table (not populated yet per DDL)
  source_nbac_boxscore_last_updated TIMESTAMP,          -- When boxscore table was last processed
  source_nbac_boxscore_rows_found INT64,                -- How many team records found for this date range
  source_nbac_boxscore_completeness_pct NUMERIC(5, 2),  -- % of expected teams found
  source_nbac_boxscore_hash STRING,                     -- data_hash of upstream nbac_team_boxscore seen at processing time
  source_play_by_play_last_updated TIMESTAMP,           -- When play-by-play table was last processed
  source_play_by_play_rows_found INT64,                 -- How many play-by-play events found
  source_play_by_play_completeness_pct NUMERIC(5, 2),   -- % of expected shot events found
  source_play_by_play_hash STRING,                      -- data_hash of upstream nbac_play_by_play seen at processing time or bigdataball_play_by_play
  data_quality_tier STRING,                             -- values/example: 'high', 'medium', 'low' based on source availability
  shot_zones_available BOOL,                            -- TRUE if play-by-play was processed
  shot_zones_source STRING,                             -- values/example: 'nbac_pbp', 'bigdataball', or NULL
  primary_source_used STRING,                           -- values/example: 'nbac_team_boxscore' (always)
  processed_with_issues BOOL,                           -- TRUE if validation issues logged
  is_partial_game_data BOOL DEFAULT FALSE,              -- TRUE if game data was incomplete at processing time
  game_completeness_pct NUMERIC(5, 2),                  -- % of expected data available
  game_status_at_processing STRING,                     -- values/example: 'scheduled', 'in_progress', 'final' at time of processing
  data_hash STRING,                                     -- 16-char SHA256 prefix over output fields (smart idempotency)
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP(),     -- When record first created
  processed_at TIMESTAMP,                               -- When record last processed/updated
  quality_tier STRING,                                  -- Quality tier (gold/silver/bronze/poor/unusable in Phase 3)
  quality_score FLOAT64,                                -- Quality score (Phase 3 code writes 0-100; later migration text says 0-1)
  quality_issues ARRAY<STRING>,                         -- List of quality problems (e.g. thin_sample:3/10)
  data_sources ARRAY<STRING>,                           -- Sources used (e.g. primary, espn_backup, reconstructed)
  quality_sample_size INT64,                            -- Games in sample for rolling calculations
  quality_used_fallback BOOL,                           -- TRUE if any fallback source was used
  quality_reconstructed BOOL,                           -- TRUE if data was reconstructed/derived
  quality_calculated_at TIMESTAMP,                      -- When quality was assessed
  quality_metadata JSON,                                -- JSON with extra quality context
  data_quality_flag STRING,                             -- complete | partial | incomplete | corrected (code also writes partial_no_team_stats)
  processing_context STRING,                            -- daily | backfill | manual | cascade
  _fence INT64 NOT NULL,                                -- lineage: fencing token of the lease that wrote the row
  _run_id STRING NOT NULL                               -- lineage: Airflow run that wrote the row
)
PARTITION BY game_date
CLUSTER BY team_abbr, game_date, home_game
OPTIONS (require_partition_filter = TRUE);
