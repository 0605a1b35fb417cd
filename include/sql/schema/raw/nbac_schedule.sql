-- The NBA.com schedule, one row per game and scrape: a game is scraped several times (scheduled,
-- in progress, final), so read it through v_nbac_schedule_latest. game_id is the NBA.com id
-- (0022500561), not YYYYMMDD_AWAY_HOME. Scores are set only once a game is final.
-- BigQuery allows at most four clustering columns: the platform's fifth (season_year) is left out.
CREATE TABLE IF NOT EXISTS `${project}.${raw_dataset}.nbac_schedule` (
  game_id STRING NOT NULL,           -- NBA.com game id (e.g. '0022500529'); can repeat across dates
  game_code STRING NOT NULL,         -- NBA.com game code
  season STRING NOT NULL,            -- values/example: "2023"
  season_nba_format STRING NOT NULL, -- values/example: "2023-24"
  season_year INT64 NOT NULL,        -- 2023 for 2023-24 season
  game_date DATE NOT NULL,           -- Game date
  game_date_est TIMESTAMP,           -- Full timestamp with time
  game_status INT64,                 -- 1=scheduled, 2=in progress, 3=final
  game_status_text STRING,           -- values/example: "Scheduled", "Final", etc.
  home_team_id INT64 NOT NULL,       -- NBA.com home team id
  home_team_tricode STRING NOT NULL, -- values/example: "MIN", "DAL"
  home_team_name STRING NOT NULL,    -- values/example: "Timberwolves"
  away_team_id INT64 NOT NULL,       -- NBA.com away team id
  away_team_tricode STRING NOT NULL, -- values/example: "DAL", "MIN"
  away_team_name STRING NOT NULL,    -- values/example: "Mavericks"
  arena_name STRING,                 -- Arena name
  arena_city STRING,                 -- Arena city
  arena_state STRING,                -- Arena state
  is_primetime BOOL,                 -- ESPN/TNT/ABC variants
  has_national_tv BOOL,              -- Any national TV coverage
  primary_network STRING,            -- Main national broadcaster
  traditional_networks STRING,       -- JSON array of traditional TV networks
  streaming_platforms STRING,        -- JSON array of streaming platforms
  is_regular_season BOOL,            -- Regular season game
  is_playoffs BOOL,                  -- Any playoff game
  is_all_star BOOL,                  -- All-Star weekend events
  is_emirates_cup BOOL,              -- NBA Cup/In-Season Tournament
  playoff_round STRING,              -- Specific playoff round
  is_christmas BOOL,                 -- Christmas Day game
  is_mlk_day BOOL,                   -- Martin Luther King Jr. Day game
  day_of_week STRING,                -- Day of week (lowercase)
  is_weekend BOOL,                   -- Friday, Saturday, or Sunday
  time_slot STRING,                  -- Rough time classification
  neutral_site_flag BOOL,            -- Game at neutral venue (not home/away arena)
  international_game BOOL,           -- Game outside US/Canada
  arena_timezone STRING,             -- Arena timezone (e.g., "America/New_York")
  home_team_score INT64,             -- Home final/current score
  away_team_score INT64,             -- Away final/current score
  winning_team_tricode STRING,       -- Tricode of winning team (completed games)
  data_source STRING,                -- values/example: "api_stats" or "cdn_static"
  source_updated_at TIMESTAMP,       -- When this source last updated the record
  source_file_path STRING NOT NULL,  -- GCS path of the source file
  scrape_timestamp TIMESTAMP,        -- When the scrape ran
  created_at TIMESTAMP NOT NULL,     -- Row creation time
  data_hash STRING,                  -- 16-char SHA256 prefix over hash fields (smart idempotency)
  processed_at TIMESTAMP NOT NULL    -- Last processing time
)
PARTITION BY game_date
CLUSTER BY game_date, data_source, home_team_tricode, away_team_tricode
OPTIONS (require_partition_filter = TRUE);
