-- One row per team per final game, seen from the defending side: what its opponent scored.
CREATE TABLE IF NOT EXISTS `${project}.${analytics_dataset}.team_defense_game_summary` (
  game_date DATE NOT NULL,
  defending_team_abbr STRING NOT NULL,
  game_id STRING NOT NULL,            -- YYYYMMDD_AWAY_HOME
  nba_game_id STRING NOT NULL,
  season_year INT64 NOT NULL,
  opponent_team_abbr STRING NOT NULL, -- the team whose offense is described
  is_home BOOL NOT NULL,              -- the defending team played at home
  win_flag BOOL,                      -- the defending team won
  points_allowed INT64,
  opponent_fg_made INT64,
  opponent_fg_attempted INT64,
  opponent_three_pt_made INT64,
  opponent_three_pt_attempted INT64,
  opponent_ft_made INT64,
  opponent_ft_attempted INT64,
  opponent_offensive_rebounds INT64,
  opponent_assists INT64,
  opponent_turnovers INT64,           -- turnovers forced
  opponent_minutes INT64,
  opponent_possessions FLOAT64,       -- opponent FGA + 0.44 FTA + TOV - OREB
  defensive_rating FLOAT64,           -- points allowed per 100 opponent possessions
  opponent_fg_pct FLOAT64,
  opponent_three_pt_pct FLOAT64,
  opponent_efg_pct FLOAT64,           -- (FGM + 0.5 3PM) / FGA
  steals INT64,                       -- defending team's own, summed from its gamebook players
  blocks INT64,
  defensive_rebounds INT64,
  source STRING NOT NULL,             -- source of the opponent line, as in team_offense_game_summary
  data_quality_flag STRING NOT NULL,  -- ok | all_zero_team_row (opponent stats, rates NULL) | missing_team_stats
  _fence INT64 NOT NULL,
  _run_id STRING NOT NULL,
  processed_at TIMESTAMP NOT NULL
)
PARTITION BY game_date
CLUSTER BY defending_team_abbr;
