-- Pre-game context per team scheduled on game_date (written by the run of game_date - 1).
CREATE TABLE IF NOT EXISTS `${project}.${analytics_dataset}.upcoming_team_game_context` (
  game_date DATE NOT NULL,
  team_abbr STRING NOT NULL,
  game_id STRING NOT NULL,            -- YYYYMMDD_AWAY_HOME
  nba_game_id STRING NOT NULL,
  season_year INT64 NOT NULL,
  opponent_team_abbr STRING NOT NULL,
  is_home BOOL NOT NULL,
  days_rest INT64,                    -- days since the team's previous game this season (1 = back-to-back)
  is_back_to_back BOOL NOT NULL,
  games_in_last_7_days INT64 NOT NULL, -- games in the 7 days before game_date
  season_wins INT64 NOT NULL,         -- final games of the season before game_date
  season_losses INT64 NOT NULL,
  team_spread FLOAT64,                -- this team's spread (negative = favourite); latest snapshot
  game_total FLOAT64,
  implied_team_total FLOAT64,         -- total / 2 - spread / 2
  players_out INT64 NOT NULL,         -- latest injury report: out
  players_questionable INT64 NOT NULL, -- latest injury report: questionable or doubtful
  _fence INT64 NOT NULL,
  _run_id STRING NOT NULL,
  processed_at TIMESTAMP NOT NULL
)
PARTITION BY game_date
CLUSTER BY team_abbr;
