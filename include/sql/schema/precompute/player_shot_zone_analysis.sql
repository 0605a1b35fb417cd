-- Shot-zone profile of every player scheduled on analysis_date, over his last 10 and last 20
-- games of the season with minutes > 0 before that date. Rates and percentages are fractions.
CREATE TABLE IF NOT EXISTS `${project}.${precompute_dataset}.player_shot_zone_analysis` (
  analysis_date DATE NOT NULL,        -- the game date these numbers prepare; only earlier games used
  player_lookup STRING NOT NULL,
  season_year INT64 NOT NULL,
  team_abbr STRING NOT NULL,          -- team on analysis_date
  games_in_sample_10 INT64 NOT NULL,
  games_in_sample_20 INT64 NOT NULL,
  shot_attempts_last_10 INT64 NOT NULL, -- zoned field goal attempts (paint + mid-range + three)
  paint_rate_last_10 FLOAT64,         -- share of attempts in the zone
  mid_range_rate_last_10 FLOAT64,
  three_rate_last_10 FLOAT64,
  paint_pct_last_10 FLOAT64,          -- FG% in the zone
  mid_range_pct_last_10 FLOAT64,
  three_pct_last_10 FLOAT64,
  shot_attempts_last_20 INT64 NOT NULL,
  paint_rate_last_20 FLOAT64,
  mid_range_rate_last_20 FLOAT64,
  three_rate_last_20 FLOAT64,
  paint_pct_last_20 FLOAT64,
  mid_range_pct_last_20 FLOAT64,
  three_pct_last_20 FLOAT64,
  primary_scoring_zone STRING,        -- paint | perimeter | mid_range | balanced (last 20 games)
  data_quality_flag STRING NOT NULL,  -- ok | low_sample (fewer than 5 games) | no_games
  _fence INT64 NOT NULL,
  _run_id STRING NOT NULL,
  processed_at TIMESTAMP NOT NULL
)
PARTITION BY analysis_date
CLUSTER BY player_lookup;
