-- One row per defending team per final game: what the opponent did against it, plus its own defensive actions.
-- Columns, types, partitioning and clustering are the platform's contract
-- (nba_analytics.team_defense_game_summary); _fence and _run_id are this package's lineage.
CREATE TABLE IF NOT EXISTS `${project}.${analytics_dataset}.team_defense_game_summary` (
  game_id STRING NOT NULL,                                 -- Standardized game ID: YYYYMMDD_AWAY_HOME
  game_date DATE NOT NULL,                                 -- Game date for partitioning
  defending_team_abbr STRING NOT NULL,                     -- Team playing defense
  opponent_team_abbr STRING NOT NULL,                      -- Opposing offensive team
  season_year INT64 NOT NULL,                              -- Season year
  points_allowed INT64,                                    -- Total points allowed to opponent
  opp_fg_attempts INT64,                                   -- Field goal attempts allowed
  opp_fg_makes INT64,                                      -- Field goal makes allowed
  opp_three_pt_attempts INT64,                             -- Three-point attempts allowed
  opp_three_pt_makes INT64,                                -- Three-point makes allowed
  opp_ft_attempts INT64,                                   -- Free throw attempts allowed
  opp_ft_makes INT64,                                      -- Free throw makes allowed
  opp_rebounds INT64,                                      -- Rebounds allowed to opponent
  opp_assists INT64,                                       -- Assists allowed to opponent
  turnovers_forced INT64,                                  -- Turnovers forced by defense
  fouls_committed INT64,                                   -- Fouls committed by defending team
  opp_paint_attempts INT64,                                -- Paint shot attempts allowed
  opp_paint_makes INT64,                                   -- Paint shot makes allowed
  opp_mid_range_attempts INT64,                            -- Mid-range attempts allowed
  opp_mid_range_makes INT64,                               -- Mid-range makes allowed
  points_in_paint_allowed INT64,                           -- Points from paint shots (2 × makes)
  mid_range_points_allowed INT64,                          -- Points from mid-range (2 × makes)
  three_pt_points_allowed INT64,                           -- Points from three-pointers (3 × makes)
  second_chance_points_allowed INT64,                      -- Points from offensive rebounds
  fast_break_points_allowed INT64,                         -- Points from fast breaks
  blocks_paint INT64,                                      -- Blocks on paint shots (need play-by-play)
  blocks_mid_range INT64,                                  -- Blocks on mid-range (need play-by-play)
  blocks_three_pt INT64,                                   -- Blocks on three-pointers (need play-by-play)
  steals INT64,                                            -- Total steals by defending team
  defensive_rebounds INT64,                                -- Defensive rebounds secured
  defensive_rating NUMERIC(6, 2),                          -- Points allowed per 100 possessions
  opponent_pace NUMERIC(5, 1),                             -- Pace allowed to opponent
  opponent_ts_pct NUMERIC(5, 3),                           -- True shooting percentage allowed
  home_game BOOL NOT NULL,                                 -- Whether defending team was at home
  win_flag BOOL,                                           -- Whether defending team won
  margin_of_victory INT64,                                 -- Point margin (positive = won)
  overtime_periods INT64,                                  -- Number of overtime periods
  players_inactive INT64,                                  -- Number of defensive players inactive
  starters_inactive INT64,                                 -- Number of starting defenders inactive
  referee_crew_id STRING,                                  -- Links to game_referees table
  data_quality_tier STRING,                                -- values/example: 'high', 'medium', 'low'
  primary_source_used STRING,                              -- e.g., "nbac_team_boxscore+nbac_gamebook"
  processed_with_issues BOOL,                              -- TRUE if defensive actions missing
  source_team_boxscore_last_updated TIMESTAMP,             -- When team boxscore was processed
  source_team_boxscore_rows_found INT64,                   -- How many team boxscore records found
  source_team_boxscore_completeness_pct NUMERIC(5, 2),     -- % of expected data found
  source_team_boxscore_hash STRING,                        -- data_hash of upstream nbac_team_boxscore seen at processing time
  source_gamebook_players_last_updated TIMESTAMP,          -- When gamebook was processed
  source_gamebook_players_rows_found INT64,                -- How many player records found
  source_gamebook_players_completeness_pct NUMERIC(5, 2),  -- % of expected players found
  source_gamebook_players_hash STRING,                     -- data_hash of upstream nbac_gamebook_player_stats seen at processing time
  source_bdl_players_last_updated TIMESTAMP,               -- When BDL data was processed
  source_bdl_players_rows_found INT64,                     -- How many BDL player records used
  source_bdl_players_completeness_pct NUMERIC(5, 2),       -- % of expected players found
  source_bdl_players_hash STRING,                          -- data_hash of upstream bdl_player_boxscores seen at processing time
  data_hash STRING,                                        -- 16-char SHA256 prefix over output fields (smart idempotency)
  processed_at TIMESTAMP NOT NULL,                         -- When this defensive record was created
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP(),        -- Row creation timestamp
  quality_tier STRING,                                     -- Quality tier (gold/silver/bronze/poor/unusable in Phase 3)
  quality_score FLOAT64,                                   -- Quality score (Phase 3 code writes 0-100; later migration text says 0-1)
  quality_issues ARRAY<STRING>,                            -- List of quality problems (e.g. thin_sample:3/10)
  data_sources ARRAY<STRING>,                              -- Sources used (e.g. primary, espn_backup, reconstructed)
  quality_sample_size INT64,                               -- Games in sample for rolling calculations
  quality_used_fallback BOOL,                              -- TRUE if any fallback source was used
  quality_reconstructed BOOL,                              -- TRUE if data was reconstructed/derived
  quality_calculated_at TIMESTAMP,                         -- When quality was assessed
  quality_metadata JSON,                                   -- JSON with extra quality context
  data_quality_flag STRING,                                -- complete | partial | incomplete | corrected (code also writes partial_no_team_stats)
  processing_context STRING,                               -- daily | backfill | manual | cascade
  _fence INT64 NOT NULL,                                   -- lineage: fencing token of the lease that wrote the row
  _run_id STRING NOT NULL                                  -- lineage: Airflow run that wrote the row
)
PARTITION BY game_date
CLUSTER BY defending_team_abbr, game_date, data_quality_tier;
