-- The players registry: one row per player, team and season ('2025-26'), with the universal
-- player id other tables join on (e.g. lebronjames_001) and what the gamebook and roster
-- processors last saw of the player.
CREATE TABLE IF NOT EXISTS `${project}.${reference_dataset}.nba_players_registry` (
  universal_player_id STRING,            -- Universal player ID (e.g., "kjmartin_001")
  player_name STRING NOT NULL,           -- Official NBA.com name
  player_lookup STRING NOT NULL,         -- Normalized lookup key
  team_abbr STRING NOT NULL,             -- Team affiliation
  season STRING NOT NULL,                -- values/example: "2023-24" format
  first_game_date DATE,                  -- First game played this season/team
  last_game_date DATE,                   -- Most recent game
  games_played INT64,                    -- Total games this season/team
  total_appearances INT64,               -- All appearances including inactive/dnp
  inactive_appearances INT64,            -- Count of inactive appearances
  dnp_appearances INT64,                 -- Count of DNP appearances
  jersey_number INT64,                   -- Current jersey number
  position STRING,                       -- Listed position
  source_priority STRING,                -- values/example: 'nba_gamebook', 'roster_nba_com', 'roster_espn', 'roster_br'
  confidence_score FLOAT64,              -- Data quality confidence (0.0-1.0)
  last_processor STRING,                 -- Which processor last updated ('gamebook' or 'roster')
  last_gamebook_update TIMESTAMP,        -- When gamebook processor last updated this record
  last_roster_update TIMESTAMP,          -- When roster processor last updated this record
  gamebook_update_count INT64 DEFAULT 0, -- Number of times gamebook processor updated
  roster_update_count INT64 DEFAULT 0,   -- Number of times roster processor updated
  update_sequence_number INT64,          -- Monotonic sequence for update ordering
  last_gamebook_activity_date DATE,      -- Date of most recent game processed for this record
  last_roster_activity_date DATE,        -- Date of roster snapshot that created/updated this record
  created_by STRING NOT NULL,            -- Run ID that created this record
  created_at TIMESTAMP NOT NULL,         -- When record first created
  processed_at TIMESTAMP NOT NULL        -- When record last updated (by any processor)
)
CLUSTER BY universal_player_id, player_lookup, season, team_abbr;
