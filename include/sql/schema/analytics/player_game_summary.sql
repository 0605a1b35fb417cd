-- One row per rostered player per final game (active, DNP and inactive players alike).
-- Columns, types, partitioning and clustering are the platform's contract
-- (nba_analytics.player_game_summary); _fence and _run_id are this package's lineage.
CREATE TABLE IF NOT EXISTS `${project}.${analytics_dataset}.player_game_summary` (
  player_lookup STRING NOT NULL,                     -- Normalized player identifier (join key)
  universal_player_id STRING,                        -- Universal player ID from registry (e.g., lebronjames_2024)
  player_full_name STRING,                           -- Display name for reports
  game_id STRING NOT NULL,                           -- Unique game identifier: "20250120_BKN_MIL"
  game_date DATE NOT NULL,                           -- Game date (partition key)
  team_abbr STRING NOT NULL,                         -- Player's team abbreviation
  opponent_team_abbr STRING NOT NULL,                -- Opposing team abbreviation
  season_year INT64 NOT NULL,                        -- Season year (2024 for 2024-25 season)
  points INT64,                                      -- Total points scored
  minutes_played NUMERIC(5, 1),                      -- Minutes played (decimal format)
  assists INT64,                                     -- Total assists
  offensive_rebounds INT64,                          -- Offensive rebounds
  defensive_rebounds INT64,                          -- Defensive rebounds
  steals INT64,                                      -- Total steals
  blocks INT64,                                      -- Total blocks
  turnovers INT64,                                   -- Total turnovers
  fg_attempts INT64,                                 -- Total field goal attempts
  fg_makes INT64,                                    -- Total field goal makes
  three_pt_attempts INT64,                           -- Three-point attempts
  three_pt_makes INT64,                              -- Three-point makes
  ft_attempts INT64,                                 -- Free throw attempts
  ft_makes INT64,                                    -- Free throw makes
  plus_minus INT64,                                  -- Plus/minus (NBA.com only)
  personal_fouls INT64,                              -- Personal fouls committed
  paint_attempts INT64,                              -- Field goal attempts in paint (≤8 feet)
  paint_makes INT64,                                 -- Field goal makes in paint
  mid_range_attempts INT64,                          -- Mid-range attempts (9-23 feet, 2PT)
  mid_range_makes INT64,                             -- Mid-range makes
  three_attempts_pbp INT64,                          -- Three-point attempts from play-by-play (matches paint/mid source)
  three_makes_pbp INT64,                             -- Three-point makes from play-by-play (matches paint/mid source)
  has_complete_shot_zones BOOL,                      -- TRUE if all three zones have data from same PBP source
  paint_blocks INT64,                                -- Blocks on paint shots (Big Ball Data only)
  mid_range_blocks INT64,                            -- Blocks on mid-range shots (Big Ball Data only)
  three_pt_blocks INT64,                             -- Blocks on three-point shots (Big Ball Data only)
  and1_count INT64,                                  -- Made FG + shooting foul drawn (Big Ball Data only)
  assisted_fg_makes INT64,                           -- Made FGs that were assisted
  unassisted_fg_makes INT64,                         -- Made FGs unassisted (shot creation)
  usage_rate NUMERIC(6, 2),                          -- Percentage of team plays used (widened to handle outliers)
  ts_pct NUMERIC(5, 3),                              -- True Shooting percentage
  efg_pct NUMERIC(5, 3),                             -- Effective Field Goal percentage
  starter_flag BOOL NOT NULL,                        -- Whether player started (minutes > 20)
  win_flag BOOL NOT NULL,                            -- Whether player's team won
  points_line NUMERIC(4, 1),                         -- Betting line for points prop (closing)
  over_under_result STRING,                          -- values/example: 'OVER', 'UNDER', or NULL
  margin NUMERIC(6, 2),                              -- Actual points minus line
  opening_line NUMERIC(4, 1),                        -- Opening betting line
  line_movement NUMERIC(4, 1),                       -- Line movement (closing - opening)
  points_line_source STRING,                         -- Source of closing line (e.g., 'draftkings')
  opening_line_source STRING,                        -- Source of opening line
  is_active BOOL NOT NULL,                           -- Whether player played
  player_status STRING,                              -- values/example: 'active', 'inactive', 'dnp', etc.
  source_nbac_last_updated TIMESTAMP,                -- When NBA.com gamebook was last processed
  source_nbac_rows_found INT64,                      -- How many NBA.com records found for this game
  source_nbac_completeness_pct NUMERIC(5, 2),        -- % of expected active players found
  source_nbac_hash STRING,                           -- data_hash of upstream nbac_gamebook_player_stats seen at processing time
  source_bdl_last_updated TIMESTAMP,                 -- When BDL table was last processed
  source_bdl_rows_found INT64,                       -- How many BDL records found for this game
  source_bdl_completeness_pct NUMERIC(5, 2),         -- % of expected players found
  source_bdl_hash STRING,                            -- data_hash of upstream bdl_player_boxscores seen at processing time
  source_bbd_last_updated TIMESTAMP,                 -- When Big Ball Data was last processed
  source_bbd_rows_found INT64,                       -- How many shot events found for this player
  source_bbd_completeness_pct NUMERIC(5, 2),         -- % of expected shot events found
  source_bbd_hash STRING,                            -- data_hash of upstream bigdataball_play_by_play seen at processing time
  source_nbac_pbp_last_updated TIMESTAMP,            -- When NBA.com PBP was last processed
  source_nbac_pbp_rows_found INT64,                  -- How many PBP shot events found for this player
  source_nbac_pbp_completeness_pct NUMERIC(5, 2),    -- % of expected shot events found
  source_nbac_pbp_hash STRING,                       -- data_hash of upstream nbac_play_by_play seen at processing time
  source_odds_last_updated TIMESTAMP,                -- When Odds API was last processed
  source_odds_rows_found INT64,                      -- How many prop snapshots found for this player
  source_odds_completeness_pct NUMERIC(5, 2),        -- % of expected bookmakers found
  source_odds_hash STRING,                           -- data_hash of upstream odds_api_player_points_props seen at processing time
  source_bp_last_updated TIMESTAMP,                  -- When BettingPros was last processed
  source_bp_rows_found INT64,                        -- How many prop records found for this player
  source_bp_completeness_pct NUMERIC(5, 2),          -- % of expected bookmakers found
  source_bp_hash STRING,                             -- data_hash of upstream bettingpros_player_points_props seen at processing time
  source_team_last_updated TIMESTAMP,                -- When team offense analytics was last processed
  source_team_rows_found INT64,                      -- How many team records found for this game
  source_team_completeness_pct NUMERIC(5, 2),        -- % completeness of team data
  source_team_hash STRING,                           -- data_hash of upstream team_offense_game_summary seen at processing time
  data_quality_tier STRING,                          -- values/example: 'high', 'medium', 'low' (based on source availability)
  primary_source_used STRING,                        -- Primary data source: 'nbac_gamebook', 'bdl_boxscores', 'nbac_bdl_combined'
  processed_with_issues BOOL,                        -- Quality issues flag
  shot_zones_estimated BOOL,                         -- TRUE if shot zones estimated (no play-by-play data)
  is_dnp BOOL,                                       -- TRUE if player was on roster but did not play
  dnp_reason STRING,                                 -- Raw DNP reason text from gamebook
  dnp_reason_category STRING,                        -- Categorized: 'coach_decision', 'injury', 'rest', 'other'
  is_partial_game_data BOOL DEFAULT FALSE,           -- TRUE if game data was incomplete at processing time
  game_completeness_pct NUMERIC(5, 2),               -- % of expected data available (based on team FG attempts)
  game_status_at_processing STRING,                  -- values/example: 'scheduled', 'in_progress', 'final' at time of processing
  usage_rate_valid BOOL,                             -- FALSE if usage_rate > 50% or team data incomplete
  usage_rate_capped NUMERIC(5, 2),                   -- Usage rate capped at 50% for safety
  usage_rate_raw NUMERIC(6, 2),                      -- Original uncapped usage rate (for debugging)
  usage_rate_anomaly_reason STRING,                  -- values/example: 'partial_team_data', 'exceeds_max', NULL if valid
  dedup_key STRING,                                  -- CONCAT(game_id, '|', player_lookup) for unique identification
  record_version INT64 DEFAULT 1,                    -- Increments on each re-process of same record
  first_processed_at TIMESTAMP,                      -- When record was first created (never updated)
  data_hash STRING,                                  -- 16-char SHA256 prefix over output fields (smart idempotency)
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP(),  -- When record first created (Pass 1)
  processed_at TIMESTAMP,                            -- When record last processed/updated (Pass 1/2/3)
  quality_tier STRING,                               -- Quality tier (gold/silver/bronze/poor/unusable in Phase 3)
  quality_score FLOAT64,                             -- Quality score (Phase 3 code writes 0-100; later migration text says 0-1)
  quality_issues ARRAY<STRING>,                      -- List of quality problems (e.g. thin_sample:3/10)
  data_sources ARRAY<STRING>,                        -- Sources used (e.g. primary, espn_backup, reconstructed)
  quality_sample_size INT64,                         -- Games in sample for rolling calculations
  quality_used_fallback BOOL,                        -- TRUE if any fallback source was used
  quality_reconstructed BOOL,                        -- TRUE if data was reconstructed/derived
  quality_calculated_at TIMESTAMP,                   -- When quality was assessed
  quality_metadata JSON,                             -- JSON with extra quality context
  data_quality_flag STRING,                          -- Quality flag: complete | partial | incomplete | corrected
  processing_context STRING,                         -- Context: daily | backfill | manual | cascade
  _fence INT64 NOT NULL,                             -- lineage: fencing token of the lease that wrote the row
  _run_id STRING NOT NULL                            -- lineage: Airflow run that wrote the row
)
PARTITION BY game_date
CLUSTER BY universal_player_id, player_lookup, team_abbr, game_date;
