-- Rolling numbers for every player scheduled on cache_date, from his games of the season with
-- minutes > 0 before that date, plus his team's recent pace and the day's line and injury status.
CREATE TABLE IF NOT EXISTS `${project}.${precompute_dataset}.player_daily_cache` (
  cache_date DATE NOT NULL,           -- the game date these numbers prepare; only earlier games used
  player_lookup STRING NOT NULL,
  season_year INT64 NOT NULL,
  team_abbr STRING NOT NULL,          -- team on cache_date
  opponent_team_abbr STRING NOT NULL,
  games_in_sample INT64 NOT NULL,     -- games with minutes > 0 this season before cache_date
  last_game_date DATE,
  points_avg_last_5 FLOAT64,
  points_avg_last_10 FLOAT64,
  points_avg_season FLOAT64,
  points_std_last_10 FLOAT64,         -- sample standard deviation; NULL below 2 games
  minutes_avg_last_10 FLOAT64,
  usage_rate_last_10 FLOAT64,         -- mean of the per-game usage rates that exist (percent)
  ts_pct_last_10 FLOAT64,             -- pooled: sum PTS / (2 (sum FGA + 0.44 sum FTA))
  team_games_in_sample INT64 NOT NULL, -- team games in the pace window (at most 10)
  team_pace_last_10 FLOAT64,
  team_offensive_rating_last_10 FLOAT64,
  points_line FLOAT64,                -- from upcoming_player_game_context
  injury_status STRING NOT NULL,
  primary_scoring_zone STRING,        -- from player_shot_zone_analysis of the same date
  _fence INT64 NOT NULL,
  _run_id STRING NOT NULL,
  processed_at TIMESTAMP NOT NULL
)
PARTITION BY cache_date
CLUSTER BY player_lookup;
