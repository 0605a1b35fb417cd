-- NBA.com play-by-play actions of a game (field goals and free throws here): event_id is the
-- action number as a string, period 1-4 then 5+ for overtime, shot_type 2PT / 3PT / FT,
-- shot_distance in feet from the basket, player_2 the assisting player of a made field goal.
CREATE TABLE IF NOT EXISTS `${project}.${raw_dataset}.nbac_play_by_play` (
  game_id STRING NOT NULL,            -- Format: "20211019_BKN_MIL" (consistent with other processors)
  nba_game_id STRING NOT NULL,        -- NBA.com game ID: "0022100001"
  game_date DATE NOT NULL,            -- Game date
  season_year INT64 NOT NULL,         -- Starting year (2021 for 2021-22 season)
  home_team_abbr STRING,              -- Three-letter code (requires schedule cross-reference)
  away_team_abbr STRING,              -- Three-letter code (requires schedule cross-reference)
  event_id STRING NOT NULL,           -- NBA.com action number as string
  event_sequence INT64 NOT NULL,      -- Sequential order within game (actionNumber)
  period INT64 NOT NULL,              -- Quarter/period number (1-4 regular, 5+ overtime)
  game_clock STRING,                  -- Time remaining "11:47" (parsed from PT11M46.00S)
  game_clock_seconds INT64,           -- Converted to seconds for analysis
  time_elapsed_seconds INT64,         -- Total seconds elapsed in game
  event_type STRING,                  -- values/example: "jumpball", "foul", "fieldgoal", etc. (actionType)
  event_action_type STRING,           -- values/example: "personal", "made", "recovered", etc. (subType)
  event_description STRING,           -- Full text description
  score_home INT64,                   -- Home team score after event
  score_away INT64,                   -- Away team score after event
  player_1_id INT64,                  -- Primary player NBA ID
  player_1_lookup STRING,             -- Normalized: "lebronjames"
  player_1_team_abbr STRING,          -- Player's team (from teamTricode)
  player_2_id INT64,                  -- Secondary player NBA ID
  player_2_lookup STRING,             -- Normalized for cross-table joins
  player_2_team_abbr STRING,          -- Team context (NULL if unknown)
  player_3_id INT64,                  -- Tertiary player NBA ID
  player_3_lookup STRING,             -- Normalized for cross-table joins
  player_3_team_abbr STRING,          -- Team context (NULL if unknown)
  shot_made BOOL,                     -- TRUE if shot made, NULL if not a shot
  shot_type STRING,                   -- values/example: "2PT", "3PT", "FT", NULL if not a shot
  shot_x FLOAT64,                     -- Raw court X coordinate (may be NULL)
  shot_y FLOAT64,                     -- Raw court Y coordinate (may be NULL)
  shot_distance FLOAT64,              -- Calculated distance in feet (0.0 if no coordinates)
  video_available BOOL DEFAULT FALSE, -- Has video replay
  video_url STRING,                   -- Link to video clip
  source_file_path STRING NOT NULL,   -- GCS path
  data_hash STRING,                   -- 16-char SHA256 prefix over hash fields (smart idempotency)
  processed_at TIMESTAMP NOT NULL     -- Processing timestamp
)
PARTITION BY game_date
CLUSTER BY game_id, period, event_type
OPTIONS (require_partition_filter = TRUE);
