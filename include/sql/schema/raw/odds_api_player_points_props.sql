-- Player points props from The Odds API, append-only: one row per player, bookmaker and snapshot.
-- game_id is normally the NBA.com id (from the schedule); prices are decimal odds with their
-- American equivalents. Rows with minutes_before_tipoff < 0 are in-game snapshots.
CREATE TABLE IF NOT EXISTS `${project}.${raw_dataset}.odds_api_player_points_props` (
  game_id STRING NOT NULL,                            -- Game id: normally the NBA.com id looked up from the schedule; YYYYMMDD_AWAY_HOME only as a fallback
  odds_api_event_id STRING NOT NULL,                  -- The Odds API event id
  game_date DATE NOT NULL,                            -- Game date
  game_start_time TIMESTAMP,                          -- Scheduled tip time
  home_team_abbr STRING NOT NULL,                     -- Home team abbreviation
  away_team_abbr STRING NOT NULL,                     -- Away team abbreviation
  snapshot_timestamp TIMESTAMP NOT NULL,              -- From filename
  snapshot_tag STRING,                                -- values/example: "snap-2130"
  capture_timestamp TIMESTAMP,                        -- When scraper ran
  minutes_before_tipoff INT64,                        -- Calculated: (game_start_time - snapshot_timestamp) in minutes
  bookmaker STRING NOT NULL,                          -- Sportsbook key
  player_name STRING NOT NULL,                        -- values/example: "LeBron James"
  player_lookup STRING,                               -- Normalized player key (lowercase, no punctuation); values/example: "lebronjames"
  points_line FLOAT64 NOT NULL,                       -- Points line
  over_price FLOAT64,                                 -- Over price as delivered by the API (decimal odds)
  over_price_american INT64,                          -- Over price in American odds
  under_price FLOAT64,                                -- Under price as delivered by the API (decimal odds)
  under_price_american INT64,                         -- Under price in American odds
  bookmaker_last_update TIMESTAMP,                    -- From API response
  source_file_path STRING,                            -- Full GCS path
  data_source STRING,                                 -- values/example: 'current' | 'historical' | 'backfill' | 'manual' | NULL (legacy)
  data_hash STRING,                                   -- 16-char SHA256 prefix over hash fields (smart idempotency)
  processed_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP()  -- Changed from processing_timestamp for consistency
)
PARTITION BY game_date
CLUSTER BY player_lookup, game_date, bookmaker;
