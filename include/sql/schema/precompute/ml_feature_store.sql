-- One feature row per player scheduled on game_date for the prediction models. `features` holds
-- the values in the order of `feature_names` for `feature_version`; a missing input is written
-- as 0.0 (arrays cannot hold NULL) and named in `missing_features`.
CREATE TABLE IF NOT EXISTS `${project}.${precompute_dataset}.ml_feature_store` (
  game_date DATE NOT NULL,            -- the game the features are for; only earlier games used
  player_lookup STRING NOT NULL,
  season_year INT64 NOT NULL,
  team_abbr STRING NOT NULL,
  opponent_team_abbr STRING NOT NULL,
  feature_version STRING NOT NULL,    -- v1
  feature_names ARRAY<STRING>,        -- fixed, ordered list of the version
  features ARRAY<FLOAT64>,            -- one value per name, same order
  feature_count INT64 NOT NULL,
  missing_features ARRAY<STRING>,     -- names whose input was missing (value written as 0.0)
  feature_quality_score FLOAT64 NOT NULL, -- 0..100: share of present features and sample size
  games_in_sample INT64 NOT NULL,
  points_line FLOAT64,                -- the target line, kept out of the features
  _fence INT64 NOT NULL,
  _run_id STRING NOT NULL,
  processed_at TIMESTAMP NOT NULL
)
PARTITION BY game_date
CLUSTER BY player_lookup;
