-- Two rows per game (one per team). An unfinished game can show up as an all-zero row.
CREATE TABLE IF NOT EXISTS `${project}.${raw_dataset}.nbac_team_boxscore` (
  game_id STRING NOT NULL,
  game_date DATE NOT NULL,
  team_abbr STRING NOT NULL,
  is_home BOOL NOT NULL,
  minutes INT64,                      -- 240, +25 per overtime
  fg_made INT64,
  fg_attempted INT64,
  three_pt_made INT64,
  three_pt_attempted INT64,
  ft_made INT64,
  ft_attempted INT64,
  offensive_rebounds INT64,
  defensive_rebounds INT64,
  total_rebounds INT64,
  assists INT64,
  steals INT64,
  blocks INT64,
  turnovers INT64,
  personal_fouls INT64,
  points INT64,
  processed_at TIMESTAMP NOT NULL
)
PARTITION BY game_date
CLUSTER BY game_id, team_abbr;
