-- Same-night NBA.com player box scores (the league game log): one row per player who played,
-- the fallback when a final game has no gamebook rows. game_id is YYYYMMDD_AWAY_HOME, nba_game_id
-- the NBA.com id; minutes is a "MM:SS" string.
CREATE TABLE IF NOT EXISTS `${project}.${raw_dataset}.nbac_player_boxscores` (
  game_id STRING NOT NULL,          -- Game identifier
  game_date DATE NOT NULL,          -- Game date
  season_year INT64 NOT NULL,       -- Season starting year (2024 = 2024-25)
  season_type STRING,               -- Season type label
  nba_game_id STRING NOT NULL,      -- NBA.com game id (e.g. 0022400561)
  game_code STRING,                 -- NBA.com game code
  game_status STRING,               -- Game status from source
  period INT64,                     -- Period number
  is_playoff_game BOOL,             -- Playoff game flag
  home_team_id INT64,               -- NBA.com home team id
  home_team_abbr STRING NOT NULL,   -- Home team abbreviation
  home_team_score INT64,            -- Home final/current score
  away_team_id INT64,               -- NBA.com away team id
  away_team_abbr STRING NOT NULL,   -- Away team abbreviation
  away_team_score INT64,            -- Away final/current score
  nba_player_id INT64 NOT NULL,     -- NBA.com player id
  player_full_name STRING NOT NULL, -- Player display name
  player_lookup STRING NOT NULL,    -- Normalized player key (lowercase, no punctuation)
  team_id INT64,                    -- NBA.com team id
  team_abbr STRING NOT NULL,        -- Team abbreviation
  jersey_number STRING,             -- Jersey number
  position STRING,                  -- Position
  starter BOOL,                     -- Started the game
  minutes STRING,                   -- Minutes as source string (MM:SS)
  points INT64,                     -- Points
  field_goals_made INT64,           -- Field goals made
  field_goals_attempted INT64,      -- Field goals attempted
  field_goal_percentage FLOAT64,    -- FG percentage
  three_pointers_made INT64,        -- 3PT made
  three_pointers_attempted INT64,   -- 3PT attempted
  three_point_percentage FLOAT64,   -- 3PT percentage
  free_throws_made INT64,           -- FT made
  free_throws_attempted INT64,      -- FT attempted
  free_throw_percentage FLOAT64,    -- FT percentage
  offensive_rebounds INT64,         -- Offensive rebounds
  defensive_rebounds INT64,         -- Defensive rebounds
  total_rebounds INT64,             -- Total rebounds
  assists INT64,                    -- Assists
  steals INT64,                     -- Steals
  blocks INT64,                     -- Blocks
  turnovers INT64,                  -- Turnovers
  personal_fouls INT64,             -- Personal fouls
  flagrant_fouls INT64,             -- Flagrant fouls
  technical_fouls INT64,            -- Technical fouls
  plus_minus INT64,                 -- Plus/minus
  true_shooting_pct FLOAT64,        -- True shooting % (not yet populated per DDL)
  effective_fg_pct FLOAT64,         -- Effective FG % (not yet populated per DDL)
  usage_rate FLOAT64,               -- Usage rate
  offensive_rating FLOAT64,         -- Offensive rating
  defensive_rating FLOAT64,         -- Defensive rating
  pace FLOAT64,                     -- Pace
  pie FLOAT64,                      -- Player impact estimate
  points_q1 INT64,                  -- Q1 points
  points_q2 INT64,                  -- Q2 points
  points_q3 INT64,                  -- Q3 points
  points_q4 INT64,                  -- Q4 points
  points_ot INT64,                  -- OT points
  source_file_path STRING NOT NULL, -- GCS path of the source file
  scrape_timestamp TIMESTAMP,       -- When the scrape ran
  created_at TIMESTAMP NOT NULL,    -- Row creation time
  data_hash STRING,                 -- 16-char SHA256 prefix over hash fields (smart idempotency)
  processed_at TIMESTAMP NOT NULL   -- Last processing time
)
PARTITION BY game_date
CLUSTER BY player_lookup, team_abbr, game_date
OPTIONS (require_partition_filter = TRUE);
