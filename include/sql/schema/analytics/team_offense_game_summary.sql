-- One row per team per final game: the team's box score with possessions, ratings and pace.
CREATE TABLE IF NOT EXISTS `${project}.${analytics_dataset}.team_offense_game_summary` (
  game_date DATE NOT NULL,
  team_abbr STRING NOT NULL,
  game_id STRING NOT NULL,            -- YYYYMMDD_AWAY_HOME
  nba_game_id STRING NOT NULL,        -- raw NBA id, e.g. 0022500745
  season_year INT64 NOT NULL,         -- season start year
  opponent_team_abbr STRING NOT NULL,
  is_home BOOL NOT NULL,
  win_flag BOOL,
  points INT64,
  opponent_points INT64,
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
  minutes INT64,                      -- team minutes: 240, +25 per overtime
  overtime_periods INT64,             -- (minutes - 240) / 25
  possessions FLOAT64,                -- FGA + 0.44 FTA + TOV - OREB
  offensive_rating FLOAT64,           -- points per 100 possessions
  pace FLOAT64,                       -- possessions per 48 minutes
  fg_pct FLOAT64,
  three_pt_pct FLOAT64,
  ft_pct FLOAT64,
  ts_pct FLOAT64,                     -- PTS / (2 (FGA + 0.44 FTA))
  source STRING NOT NULL,             -- team_boxscore | gamebook | live_boxscore (player sums) | none
  data_quality_flag STRING NOT NULL,  -- ok | all_zero_team_row (stats, rates NULL) | missing_team_stats
  _fence INT64 NOT NULL,              -- fencing token of the lease that wrote the row
  _run_id STRING NOT NULL,            -- Airflow run that wrote the row
  processed_at TIMESTAMP NOT NULL
)
PARTITION BY game_date
CLUSTER BY team_abbr;
