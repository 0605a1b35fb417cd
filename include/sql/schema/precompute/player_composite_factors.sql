-- Adjustment factors for every player's game on game_date: fatigue, shot-zone matchup, pace and
-- team context. Formulas are documented in include/sql/phase4/player_composite_factors.sql.
CREATE TABLE IF NOT EXISTS `${project}.${precompute_dataset}.player_composite_factors` (
  game_date DATE NOT NULL,            -- the game these factors are for; only earlier games used
  player_lookup STRING NOT NULL,
  season_year INT64 NOT NULL,
  team_abbr STRING NOT NULL,
  opponent_team_abbr STRING NOT NULL,
  is_home BOOL NOT NULL,
  days_rest INT64,                    -- days since the player's last game (1 = back-to-back)
  is_back_to_back BOOL NOT NULL,
  games_last_7_days INT64 NOT NULL,   -- games with minutes > 0 in the 7 days before game_date
  minutes_last_7_days FLOAT64 NOT NULL,
  fatigue_score FLOAT64 NOT NULL,     -- 0 fully rested .. 100 most fatigued
  shot_zone_mismatch_score FLOAT64,   -- percentage points of FG% the matchup adds; NULL when unknown
  opponent_pace_last_10 FLOAT64,
  league_pace_last_10 FLOAT64,
  pace_score FLOAT64,                 -- opponent pace minus league pace (possessions per 48)
  usage_rate_last_10 FLOAT64,         -- from upcoming_player_game_context
  teammates_out INT64 NOT NULL,       -- team players out on the latest injury report, player excluded
  usage_spike_score FLOAT64 NOT NULL, -- 0..100, 25 per teammate out
  team_spread FLOAT64,                -- from upcoming_team_game_context (negative = favourite)
  game_total FLOAT64,
  implied_team_total FLOAT64,
  blowout_risk BOOL,                  -- absolute spread of 10 points or more
  _fence INT64 NOT NULL,
  _run_id STRING NOT NULL,
  processed_at TIMESTAMP NOT NULL
)
PARTITION BY game_date
CLUSTER BY player_lookup;
