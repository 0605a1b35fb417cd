-- NBA.com team box scores: two rows per game (is_home TRUE / FALSE). minutes is the team's total
-- as a string: "240:00" in regulation, "265:00" after one overtime. An unfinished game can show up
-- as a newer, all-zero version of a row. Percentages are fractions, NULL without attempts.
CREATE TABLE IF NOT EXISTS `${project}.${raw_dataset}.nbac_team_boxscore` (
  game_id STRING NOT NULL,         -- System format: "20250115_LAL_PHI" (date_away_home)
  nba_game_id STRING NOT NULL,     -- NBA.com game ID: "0022400561"
  game_date DATE NOT NULL,         -- Game date (partition key)
  season_year INT64 NOT NULL,      -- NBA season starting year (2024 for 2024-25 season)
  team_id INT64 NOT NULL,          -- NBA.com team ID (e.g., 1610612755 for 76ers)
  team_abbr STRING NOT NULL,       -- Normalized team abbreviation: LAL, BOS, GSW, PHI, etc.
  team_name STRING,                -- Team name: Lakers, Celtics, Warriors, 76ers, etc.
  team_city STRING,                -- Team city: Los Angeles, Boston, Golden State, Philadelphia, etc.
  is_home BOOL NOT NULL,           -- TRUE if home team, FALSE if away team
  minutes STRING,                  -- Total minutes played: "240:00" for regulation, "265:00" for OT
  fg_made INT64,                   -- Field goals made (includes 2PT and 3PT)
  fg_attempted INT64,              -- Field goals attempted (includes 2PT and 3PT)
  fg_percentage FLOAT64,           -- Field goal percentage (0.0-1.0, NULL if attempted=0)
  three_pt_made INT64,             -- Three-pointers made
  three_pt_attempted INT64,        -- Three-pointers attempted
  three_pt_percentage FLOAT64,     -- Three-point percentage (0.0-1.0, NULL if attempted=0)
  ft_made INT64,                   -- Free throws made
  ft_attempted INT64,              -- Free throws attempted
  ft_percentage FLOAT64,           -- Free throw percentage (0.0-1.0, NULL if attempted=0)
  offensive_rebounds INT64,        -- Offensive rebounds
  defensive_rebounds INT64,        -- Defensive rebounds
  total_rebounds INT64,            -- Total rebounds (offensive + defensive)
  assists INT64,                   -- Assists
  steals INT64,                    -- Steals
  blocks INT64,                    -- Blocks
  turnovers INT64,                 -- Turnovers
  personal_fouls INT64,            -- Personal fouls
  points INT64,                    -- Total points scored
  plus_minus INT64,                -- Plus/minus (+/-) - sum of both teams always equals 0
  source_file_path STRING,         -- GCS path of source JSON file
  created_at TIMESTAMP,            -- When record was first created (UTC)
  data_hash STRING,                -- 16-char SHA256 prefix over hash fields (smart idempotency)
  processed_at TIMESTAMP NOT NULL  -- When record was last processed (UTC)
)
PARTITION BY game_date
CLUSTER BY game_id, team_abbr, season_year, is_home
OPTIONS (require_partition_filter = TRUE);
