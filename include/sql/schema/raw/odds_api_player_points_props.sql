-- Player points lines; the highest-priority bookmaker's latest snapshot is the line.
CREATE TABLE IF NOT EXISTS `${project}.${raw_dataset}.odds_api_player_points_props` (
  game_date DATE NOT NULL,
  game_id STRING NOT NULL,
  player_lookup STRING NOT NULL,
  bookmaker STRING NOT NULL,          -- draftkings, fanduel, betmgm, ...
  points_line FLOAT64 NOT NULL,
  snapshot_timestamp TIMESTAMP NOT NULL
)
PARTITION BY game_date
CLUSTER BY game_id, player_lookup;
