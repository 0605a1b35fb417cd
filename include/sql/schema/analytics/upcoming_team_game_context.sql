-- One row per team per scheduled game of the date: rest, schedule density, betting lines, injuries, form.
-- Columns, types, partitioning and clustering are the platform's contract
-- (nba_analytics.upcoming_team_game_context); _fence and _run_id are this package's lineage.
CREATE TABLE IF NOT EXISTS `${project}.${analytics_dataset}.upcoming_team_game_context` (
  team_abbr STRING NOT NULL,                            -- Team for which this context applies (LAL, GSW, etc)
  game_id STRING NOT NULL,                              -- NBA.com game id taken from nbac_schedule (e.g. '0022400123')
  game_date DATE NOT NULL,                              -- Eastern date of game (YYYY-MM-DD)
  season_year INT64 NOT NULL,                           -- NBA season year (2024 = 2024-25 season)
  opponent_team_abbr STRING NOT NULL,                   -- Opposing team abbreviation
  home_game BOOL NOT NULL,                              -- TRUE if team is home, FALSE if away
  is_back_to_back BOOL NOT NULL,                        -- TRUE if game is on consecutive days
  days_since_last_game INT64,                           -- Number of days since team's previous game (NULL if first game)
  game_number_in_season INT64,                          -- Sequential game number for this team (1, 2, 3, ...)
  team_days_rest INT64,                                 -- Days of rest before this game (0 = back-to-back, NULL if first game)
  team_back_to_back BOOL NOT NULL,                      -- TRUE if this is 2nd game of back-to-back for team
  games_in_last_7_days INT64 NOT NULL,                  -- Number of games played in previous 7 days
  games_in_last_14_days INT64 NOT NULL,                 -- Number of games played in previous 14 days
  game_spread NUMERIC(5, 2),                            -- Point spread for team (negative = favored, positive = underdog, NULL if unavailable)
  game_total NUMERIC(5, 1),                             -- Over/under total points for game (NULL if unavailable)
  game_spread_source STRING,                            -- Bookmaker providing spread (e.g., 'draftkings', 'fanduel', NULL if unavailable)
  game_total_source STRING,                             -- Bookmaker providing total (e.g., 'draftkings', 'fanduel', NULL if unavailable)
  spread_movement NUMERIC(5, 2),                        -- Line movement from opening to current (positive = moved toward team, NULL if unavailable)
  total_movement NUMERIC(5, 1),                         -- Total movement from opening to current (positive = moved higher, NULL if unavailable)
  betting_lines_updated_at TIMESTAMP,                   -- When betting lines were last updated (NULL if no lines available)
  starters_out_count INT64 NOT NULL,                    -- Number of expected starters with status='out' (processor defaults to 0)
  questionable_players_count INT64 NOT NULL,            -- Number of players with status='questionable' or 'doubtful' (processor defaults to 0)
  team_win_streak_entering INT64 NOT NULL,              -- Current winning streak (0 if not on streak, negative for losing streak) (processor defaults to 0)
  team_loss_streak_entering INT64 NOT NULL,             -- Current losing streak (0 if not on streak) (processor defaults to 0)
  last_game_margin INT64,                               -- Point differential in team's last game (positive = win margin, negative = loss margin, NULL if first game)
  last_game_result STRING,                              -- Result of team's last game ('W', 'L', NULL if first game)
  travel_miles INT64 NOT NULL,                          -- Miles traveled to this game from last game location (processor defaults to 0 for home games)
  source_nbac_schedule_last_updated TIMESTAMP,          -- When nbac_schedule table was last processed (NULL if table missing)
  source_nbac_schedule_rows_found INT64,                -- Number of schedule records found in query (NULL if table missing, 0 if no data)
  source_nbac_schedule_completeness_pct NUMERIC(5, 2),  -- Percentage of expected schedule records found (0-100, NULL if table missing)
  source_nbac_schedule_hash STRING,                     -- data_hash of upstream nbac_schedule seen at processing time
  source_odds_lines_last_updated TIMESTAMP,             -- When odds_api_game_lines had latest snapshot (NULL if no betting data)
  source_odds_lines_rows_found INT64,                   -- Number of betting line records found (NULL if no betting data, 0 if table empty)
  source_odds_lines_completeness_pct NUMERIC(5, 2),     -- Percentage of expected betting lines found (0-100, NULL if no betting data)
  source_odds_lines_hash STRING,                        -- data_hash of upstream odds_api_game_lines seen at processing time
  source_injury_report_last_updated TIMESTAMP,          -- When injury report table was last processed (NULL if no injury data)
  source_injury_report_rows_found INT64,                -- Number of injury records found (NULL if no injury data, 0 if table empty)
  source_injury_report_completeness_pct NUMERIC(5, 2),  -- Percentage of expected injury records found (0-100, NULL if no injury data)
  source_injury_report_hash STRING,                     -- data_hash of upstream nbac_injury_report seen at processing time
  early_season_flag BOOL,                               -- TRUE if processed during early season with insufficient data
  insufficient_data_reason STRING,                      -- Explanation of why data was insufficient (only populated when early_season_flag=TRUE)
  expected_games_count INT64,                           -- Games expected from schedule
  actual_games_count INT64,                             -- Games actually found in upstream table
  completeness_percentage FLOAT64,                      -- Completeness percentage 0-100%
  missing_games_count INT64,                            -- Number of games missing from upstream
  is_production_ready BOOL,                             -- TRUE if all windows >= 90% complete
  data_quality_issues ARRAY<STRING>,                    -- Specific quality issues found
  last_reprocess_attempt_at TIMESTAMP,                  -- When reprocessing was last attempted
  reprocess_attempt_count INT64,                        -- Number of reprocess attempts
  circuit_breaker_active BOOL,                          -- TRUE if max reprocess attempts reached
  circuit_breaker_until TIMESTAMP,                      -- When circuit breaker expires (7 days from last attempt)
  manual_override_required BOOL,                        -- TRUE if manual intervention needed
  season_boundary_detected BOOL,                        -- TRUE if date near season start/end
  backfill_bootstrap_mode BOOL,                         -- TRUE if first 30 days of season/backfill
  processing_decision_reason STRING,                    -- Why record was processed or skipped
  l7d_completeness_pct FLOAT64,                         -- L7 days completeness percentage
  l7d_is_complete BOOL,                                 -- TRUE if L7d >= 90% complete
  l14d_completeness_pct FLOAT64,                        -- L14 days completeness percentage
  l14d_is_complete BOOL,                                -- TRUE if L14d >= 90% complete
  all_windows_complete BOOL,                            -- TRUE if ALL windows >= 90% complete
  data_hash STRING,                                     -- 16-char SHA256 prefix over output fields (smart idempotency)
  processed_at TIMESTAMP NOT NULL,                      -- When this record was processed by upcoming_team_game_context processor
  created_at TIMESTAMP NOT NULL,                        -- When this record was first created (processor sets to CURRENT_TIMESTAMP)
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
CLUSTER BY game_date, team_abbr, game_id;
