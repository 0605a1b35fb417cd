-- Same-night live boxscores: the fallback when a final game has no gamebook rows.
CREATE TABLE IF NOT EXISTS `${project}.${raw_dataset}.nbac_player_boxscores` (
  game_id STRING NOT NULL,
  game_date DATE NOT NULL,
  season_year INT64 NOT NULL,
  team_abbr STRING NOT NULL,
  player_lookup STRING NOT NULL,
  player_name STRING NOT NULL,
  player_status STRING NOT NULL,      -- active | inactive | dnp
  dnp_reason STRING,
  minutes_decimal FLOAT64,
  points INT64,
  field_goals_made INT64,
  field_goals_attempted INT64,
  three_pointers_made INT64,
  three_pointers_attempted INT64,
  free_throws_made INT64,
  free_throws_attempted INT64,
  offensive_rebounds INT64,
  defensive_rebounds INT64,
  total_rebounds INT64,
  assists INT64,
  steals INT64,
  blocks INT64,
  turnovers INT64,
  personal_fouls INT64,
  plus_minus INT64,
  starter BOOL,
  processed_at TIMESTAMP NOT NULL
)
PARTITION BY game_date
CLUSTER BY game_id, player_lookup;
