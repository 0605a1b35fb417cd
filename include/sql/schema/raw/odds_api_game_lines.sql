-- Game lines from The Odds API: one row per snapshot, bookmaker, market ('spreads' / 'totals') and
-- outcome (a team's full name, or Over / Under). game_id is the Odds API event id; outcome_point
-- is the spread or the total, outcome_price decimal odds.
CREATE TABLE IF NOT EXISTS `${project}.${raw_dataset}.odds_api_game_lines` (
  snapshot_timestamp TIMESTAMP NOT NULL,    -- Snapshot time (from file name)
  previous_snapshot_timestamp TIMESTAMP,    -- Previous snapshot time for same game
  next_snapshot_timestamp TIMESTAMP,        -- Next snapshot time for same game
  game_id STRING NOT NULL,                  -- Game identifier
  sport_key STRING NOT NULL,                -- Odds API sport key
  sport_title STRING NOT NULL,              -- Odds API sport title
  commence_time TIMESTAMP NOT NULL,         -- Scheduled start (UTC)
  game_date DATE NOT NULL,                  -- Game date
  home_team STRING NOT NULL,                -- Home team full name
  away_team STRING NOT NULL,                -- Away team full name
  home_team_abbr STRING,                    -- Home team abbreviation
  away_team_abbr STRING,                    -- Away team abbreviation
  bookmaker_key STRING NOT NULL,            -- Sportsbook key
  bookmaker_title STRING NOT NULL,          -- Sportsbook display name
  bookmaker_last_update TIMESTAMP NOT NULL, -- When the book last updated
  market_key STRING NOT NULL,               -- values/example: 'spreads' or 'totals'
  market_last_update TIMESTAMP NOT NULL,    -- When the market last updated
  outcome_name STRING NOT NULL,             -- Team name or 'Over'/'Under'
  outcome_price FLOAT64 NOT NULL,           -- Decimal odds
  outcome_point FLOAT64,                    -- Spread value or total value
  source_file_path STRING NOT NULL,         -- GCS path of the source file
  data_source STRING,                       -- values/example: 'current' | 'historical' | 'backfill' | 'manual' | NULL (legacy)
  created_at TIMESTAMP NOT NULL,            -- Row creation time
  data_hash STRING,                         -- 16-char SHA256 prefix over hash fields (smart idempotency)
  processed_at TIMESTAMP NOT NULL           -- Last processing time
)
PARTITION BY game_date
CLUSTER BY game_id, bookmaker_key, market_key, snapshot_timestamp
OPTIONS (require_partition_filter = TRUE);
