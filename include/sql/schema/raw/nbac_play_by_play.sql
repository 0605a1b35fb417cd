-- Shot events only (one row per field goal attempt).
CREATE TABLE IF NOT EXISTS `${project}.${raw_dataset}.nbac_play_by_play` (
  game_id STRING NOT NULL,
  game_date DATE NOT NULL,
  event_id INT64 NOT NULL,
  team_abbr STRING NOT NULL,
  player_lookup STRING NOT NULL,
  shot_zone STRING NOT NULL,          -- paint | mid_range | three
  shot_made BOOL NOT NULL,
  assisted BOOL NOT NULL
)
PARTITION BY game_date
CLUSTER BY game_id, player_lookup;
