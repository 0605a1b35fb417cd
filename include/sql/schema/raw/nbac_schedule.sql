-- The league schedule: one row per game per scrape (latest processed_at wins).
CREATE TABLE IF NOT EXISTS `${project}.${raw_dataset}.nbac_schedule` (
  game_id STRING NOT NULL,            -- NBA game id, e.g. 0022500745
  game_date DATE NOT NULL,            -- ET calendar date of tip-off
  season_year INT64 NOT NULL,         -- season start year (2025 for 2025-26)
  game_status INT64 NOT NULL,         -- 1 scheduled, 2 in progress, 3 final
  home_team_tricode STRING NOT NULL,
  away_team_tricode STRING NOT NULL,
  home_team_score INT64,
  away_team_score INT64,
  is_regular_season BOOL NOT NULL,
  is_playoffs BOOL NOT NULL,
  processed_at TIMESTAMP NOT NULL
)
PARTITION BY game_date
CLUSTER BY game_id;
