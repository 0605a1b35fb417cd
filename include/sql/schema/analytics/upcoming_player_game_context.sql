-- Pre-game context per player whose team plays on game_date (written by the run of game_date - 1).
CREATE TABLE IF NOT EXISTS `${project}.${analytics_dataset}.upcoming_player_game_context` (
  game_date DATE NOT NULL,
  player_lookup STRING NOT NULL,
  player_name STRING NOT NULL,
  game_id STRING NOT NULL,            -- YYYYMMDD_AWAY_HOME
  nba_game_id STRING NOT NULL,
  season_year INT64 NOT NULL,
  team_abbr STRING NOT NULL,          -- team of the player's latest gamebook row this season
  opponent_team_abbr STRING NOT NULL,
  is_home BOOL NOT NULL,
  points_line FLOAT64,                -- highest-priority bookmaker's latest line, NULL when none
  line_bookmaker STRING,
  injury_status STRING NOT NULL,      -- latest injury report for the game, else available
  days_rest INT64,                    -- days since the player's last game played this season
  games_played_season INT64 NOT NULL, -- games with minutes > 0 this season before game_date
  points_avg_last_5 FLOAT64,          -- averages over the last games with minutes > 0
  points_avg_last_10 FLOAT64,
  minutes_avg_last_10 FLOAT64,
  usage_rate_avg_last_10 FLOAT64,     -- over those of the last 10 games with a usage rate
  _fence INT64 NOT NULL,
  _run_id STRING NOT NULL,
  processed_at TIMESTAMP NOT NULL
)
PARTITION BY game_date
CLUSTER BY player_lookup;
