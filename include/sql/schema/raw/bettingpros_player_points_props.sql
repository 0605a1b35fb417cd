-- BettingPros player props (the fallback props source), append-only per scraped file: one row per
-- offer, sportsbook and bet side (over / under). Despite the name it can hold every BettingPros
-- market: points readers filter market_type = 'points'. bookmaker is a display name.
CREATE TABLE IF NOT EXISTS `${project}.${raw_dataset}.bettingpros_player_points_props` (
  game_date DATE NOT NULL,                  -- Game date
  market_type STRING NOT NULL,              -- CRITICAL: "points", "assists", "rebounds", "blocks", "steals", "threes" - ALWAYS filter by this field!
  market_id INT64 NOT NULL,                 -- BettingPros market ID (156 for points)
  bp_event_id INT64 NOT NULL,               -- BettingPros event ID
  offer_id STRING NOT NULL,                 -- Unique offer ID per player prop
  bet_side STRING NOT NULL,                 -- values/example: "over" or "under" (clearer than selection_type)
  bp_player_id INT64 NOT NULL,              -- BettingPros player ID
  player_name STRING NOT NULL,              -- values/example: "Mitchell Robinson"
  player_lookup STRING NOT NULL,            -- Normalized: "mitchellrobinson"
  player_team STRING NOT NULL,              -- Team from BettingPros (including "FA")
  player_position STRING,                   -- Position code
  team_source STRING NOT NULL,              -- Always "bettingpros"
  has_team_issues BOOL NOT NULL,            -- TRUE for ALL records initially
  validated_team STRING,                    -- Team from box score validation (when available)
  validation_confidence FLOAT64 NOT NULL,   -- Time-based + validation scoring (never 1.0 initially)
  validation_method STRING NOT NULL,        -- How confidence was determined
  validation_notes STRING,                  -- Validation details
  player_complications STRING,              -- values/example: "traded_gameday", "g_league_callup", "injury_after_lines", etc.
  book_id INT64 NOT NULL,                   -- Sportsbook ID
  bookmaker STRING NOT NULL,                -- Sportsbook key; values/example: "BetMGM", "BettingPros Consensus"
  line_id STRING,                           -- Sportsbook line ID (helps with line tracking)
  points_line FLOAT64 NOT NULL,             -- Points line (5.5, 10.5, etc.)
  odds_american INT64 NOT NULL,             -- American odds (-143, +105)
  is_active BOOL NOT NULL,                  -- Line currently active
  is_best_line BOOL NOT NULL,               -- Flagged as best available
  bookmaker_last_update TIMESTAMP NOT NULL, -- When sportsbook updated line
  opening_line FLOAT64,                     -- Original opening line
  opening_odds INT64,                       -- Original opening odds
  opening_book_id INT64,                    -- Book that set opening
  opening_timestamp TIMESTAMP,              -- Opening line timestamp
  source_file_path STRING NOT NULL,         -- GCS path
  created_at TIMESTAMP NOT NULL,            -- When record first created
  data_hash STRING,                         -- 16-char SHA256 prefix over hash fields (smart idempotency)
  processed_at TIMESTAMP NOT NULL           -- When record last processed
)
PARTITION BY game_date
CLUSTER BY player_lookup, bookmaker, has_team_issues, bet_side
OPTIONS (require_partition_filter = TRUE);
