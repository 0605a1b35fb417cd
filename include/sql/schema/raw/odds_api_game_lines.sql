-- Game spreads (the home team's) and totals; latest snapshot wins.
CREATE TABLE IF NOT EXISTS `${project}.${raw_dataset}.odds_api_game_lines` (
  game_date DATE NOT NULL,
  game_id STRING NOT NULL,
  home_team_abbr STRING NOT NULL,
  away_team_abbr STRING NOT NULL,
  spread FLOAT64 NOT NULL,
  total FLOAT64 NOT NULL,
  snapshot_timestamp TIMESTAMP NOT NULL
)
PARTITION BY game_date
CLUSTER BY game_id;
