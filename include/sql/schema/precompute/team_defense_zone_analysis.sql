-- Shot zones each team allowed over its last 15 games of the season before analysis_date, for
-- every team scheduled on analysis_date. Rates and percentages are fractions (0.4 = 40%).
CREATE TABLE IF NOT EXISTS `${project}.${precompute_dataset}.team_defense_zone_analysis` (
  analysis_date DATE NOT NULL,        -- the game date these numbers prepare; only earlier games used
  team_abbr STRING NOT NULL,          -- the defending team
  season_year INT64 NOT NULL,
  games_in_sample INT64 NOT NULL,     -- games in the window (at most 15)
  sample_first_game_date DATE,
  sample_last_game_date DATE,
  opp_shot_attempts INT64 NOT NULL,   -- opponent field goal attempts in play-by-play over the window
  opp_paint_attempt_rate FLOAT64,     -- share of opponent attempts taken in the paint
  opp_mid_range_attempt_rate FLOAT64,
  opp_three_attempt_rate FLOAT64,
  paint_pct_allowed FLOAT64,          -- opponent FG% in the paint
  mid_range_pct_allowed FLOAT64,
  three_pct_allowed FLOAT64,
  league_paint_pct FLOAT64,           -- the same percentage over every team's window
  league_mid_range_pct FLOAT64,
  league_three_pct FLOAT64,
  paint_pct_vs_league FLOAT64,        -- allowed minus league: positive = weaker than average
  mid_range_pct_vs_league FLOAT64,
  three_pct_vs_league FLOAT64,
  strongest_zone STRING,              -- paint | mid_range | three, lowest pct_vs_league
  weakest_zone STRING,                -- paint | mid_range | three, highest pct_vs_league
  defensive_rating_last_15 FLOAT64,   -- 100 * points allowed / opponent possessions, pooled
  points_allowed_avg_last_15 FLOAT64,
  data_quality_flag STRING NOT NULL,  -- ok | low_sample (fewer than 5 games) | no_games
  _fence INT64 NOT NULL,              -- fencing token of the lease that wrote the row
  _run_id STRING NOT NULL,            -- Airflow run that wrote the row
  processed_at TIMESTAMP NOT NULL
)
PARTITION BY analysis_date
CLUSTER BY team_abbr;
