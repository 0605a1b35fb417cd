-- Official NBA.com gamebook lines (the primary player source, loaded the next morning): every
-- listed player of a game, including inactive and DNP players (their stats are NULL). game_id is
-- YYYYMMDD_AWAY_HOME; minutes is the gamebook's "MM:SS" string, minutes_decimal its conversion.
-- A re-scraped game is a newer version of every row (latest processed_at wins).
CREATE TABLE IF NOT EXISTS `${project}.${raw_dataset}.nbac_gamebook_player_stats` (
  game_id STRING NOT NULL,                            -- Standardized format: "20240101_BKN_MIL" (YYYYMMDD_AWAY_HOME)
  game_code STRING,                                   -- Original NBA.com game code from source data
  game_date DATE NOT NULL,                            -- Game date in YYYY-MM-DD format
  season_year INT64 NOT NULL,                         -- NBA season year (2024 = 2024-25 season, Oct-Sep)
  home_team_abbr STRING,                              -- Home team 3-letter code (e.g., "MIL")
  away_team_abbr STRING,                              -- Away team 3-letter code (e.g., "BKN")
  player_name STRING,                                 -- Final resolved name or original
  player_name_original STRING NOT NULL,               -- Exactly as it appears in source
  player_lookup STRING,                               -- Normalized for matching
  team_abbr STRING,                                   -- Player's team
  player_status STRING NOT NULL,                      -- values/example: 'active', 'inactive', 'dnp'
  dnp_reason STRING,                                  -- Reason for DNP/inactive
  name_resolution_status STRING,                      -- values/example: 'resolved', 'not_found', 'multiple_matches', 'original'
  name_resolution_confidence FLOAT64,                 -- 0.0-1.0 confidence score
  name_resolution_method STRING,                      -- How it was resolved
  br_team_abbr_used STRING,                           -- Which BR team code was used for lookup
  minutes STRING,                                     -- Minutes as source string (MM:SS); values/example: "MM:SS" format from source
  minutes_decimal FLOAT64,                            -- Converted to decimal
  points INT64,                                       -- Points
  field_goals_made INT64,                             -- Field goals made
  field_goals_attempted INT64,                        -- Field goals attempted
  field_goal_percentage FLOAT64,                      -- FG percentage
  three_pointers_made INT64,                          -- 3PT made
  three_pointers_attempted INT64,                     -- 3PT attempted
  three_point_percentage FLOAT64,                     -- 3PT percentage
  free_throws_made INT64,                             -- FT made
  free_throws_attempted INT64,                        -- FT attempted
  free_throw_percentage FLOAT64,                      -- FT percentage
  offensive_rebounds INT64,                           -- Offensive rebounds
  defensive_rebounds INT64,                           -- Defensive rebounds
  total_rebounds INT64,                               -- Total rebounds
  assists INT64,                                      -- Assists
  steals INT64,                                       -- Steals
  blocks INT64,                                       -- Blocks
  turnovers INT64,                                    -- Turnovers
  personal_fouls INT64,                               -- Personal fouls
  plus_minus INT64,                                   -- Plus/minus
  processed_by_run_id STRING,                         -- Links to processing run
  source_file_path STRING,                            -- GCS source file for debugging
  data_hash STRING,                                   -- 16-char SHA256 prefix over hash fields (smart idempotency)
  processed_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP(), -- Last processing time
  data_quality_flags ARRAY<STRING>,                   -- ['team_mapped', 'suffix_handled'] etc.
  requires_manual_review BOOL DEFAULT FALSE           -- Flag for manual name-resolution review
)
PARTITION BY game_date
CLUSTER BY season_year, team_abbr, player_status, name_resolution_status;
