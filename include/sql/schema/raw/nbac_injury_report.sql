-- Injury report entries; the latest report_date before the game wins.
CREATE TABLE IF NOT EXISTS `${project}.${raw_dataset}.nbac_injury_report` (
  report_date DATE NOT NULL,
  game_date DATE NOT NULL,
  team_abbr STRING NOT NULL,
  player_lookup STRING NOT NULL,
  injury_status STRING NOT NULL       -- out | doubtful | questionable | probable | available
)
PARTITION BY game_date
CLUSTER BY team_abbr, player_lookup;
