-- ESPN team rosters by roster date and scrape hour: every player on a team's roster that day.
-- universal_player_id comes from nba_reference.nba_players_registry (NULL until resolved).
CREATE TABLE IF NOT EXISTS `${project}.${raw_dataset}.espn_team_rosters` (
  roster_date DATE NOT NULL,        -- Date roster represents
  scrape_hour INT64 NOT NULL,       -- Hour scraped (8, 14, 20 for future flexibility)
  season_year INT64 NOT NULL,       -- Starting year (2024 for 2024-25 season)
  team_abbr STRING NOT NULL,        -- Three-letter code (LAL, BOS, etc.)
  team_display_name STRING,         -- values/example: "Los Angeles Lakers" (may be NULL for HTML scraper)
  espn_player_id INT64 NOT NULL,    -- ESPN unique player ID
  player_full_name STRING NOT NULL, -- Player display name; values/example: "LeBron James"
  player_lookup STRING NOT NULL,    -- Normalized for matching: "lebronjames"
  universal_player_id STRING,       -- Cross-source player ID from registry (e.g., "lebronjames_001")
  jersey_number STRING,             -- Jersey number; values/example: "6" (string for "00", "0", multi-digit)
  position STRING,                  -- Position; values/example: "SF" or "Small Forward" (varies by source)
  position_abbr STRING,             -- values/example: "SF" (abbreviated form)
  height STRING,                    -- values/example: "6' 9\"" (ESPN formatted string)
  weight STRING,                    -- values/example: "250 lbs" (ESPN formatted string)
  age INT64,                        -- Current age (API only)
  experience_years INT64,           -- Years in NBA
  college STRING,                   -- College name or "None" for international
  birth_place STRING,               -- values/example: "Akron, OH"
  birth_date DATE,                  -- Birth date
  status STRING,                    -- values/example: "Active", "Inactive", "Injured" (API only)
  roster_status STRING,             -- values/example: "Active Roster", "Two-Way", etc.
  salary STRING,                    -- Contract info (rarely available)
  espn_roster_url STRING,           -- Source URL for verification
  source_file_path STRING NOT NULL, -- GCS path: espn/rosters/{date}/team_{TEAM}/{timestamp}.json
  source_file_date DATE,            -- Date extracted from file path (for gap detection)
  created_at TIMESTAMP NOT NULL,    -- When record first created (UTC)
  data_hash STRING,                 -- 16-char SHA256 prefix over hash fields (smart idempotency)
  processed_at TIMESTAMP NOT NULL   -- When record last processed/updated (UTC)
)
PARTITION BY roster_date
CLUSTER BY team_abbr, player_lookup
OPTIONS (require_partition_filter = TRUE);
