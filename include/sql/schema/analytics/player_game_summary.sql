-- One row per rostered player per final game (active, DNP and inactive players alike).
CREATE TABLE IF NOT EXISTS `${project}.${analytics_dataset}.player_game_summary` (
  game_date DATE NOT NULL,
  player_lookup STRING NOT NULL,      -- normalized name, e.g. lebronjames
  game_id STRING NOT NULL,            -- YYYYMMDD_AWAY_HOME
  nba_game_id STRING NOT NULL,
  season_year INT64 NOT NULL,
  team_abbr STRING NOT NULL,
  opponent_team_abbr STRING NOT NULL,
  is_home BOOL NOT NULL,
  player_name STRING NOT NULL,
  player_status STRING NOT NULL,      -- active | dnp | inactive
  dnp_reason STRING,
  minutes FLOAT64,                    -- decimal minutes; NULL or 0 when the player did not play
  points INT64,
  field_goals_made INT64,
  field_goals_attempted INT64,
  three_pointers_made INT64,
  three_pointers_attempted INT64,
  free_throws_made INT64,
  free_throws_attempted INT64,
  offensive_rebounds INT64,
  defensive_rebounds INT64,
  total_rebounds INT64,
  assists INT64,
  steals INT64,
  blocks INT64,
  turnovers INT64,
  personal_fouls INT64,
  plus_minus INT64,
  starter_flag BOOL NOT NULL,         -- from the source, else minutes > 20
  win_flag BOOL,
  usage_rate FLOAT64,                 -- percent of team plays used while on court; NULL when not computable
  ts_pct FLOAT64,                     -- PTS / (2 (FGA + 0.44 FTA))
  efg_pct FLOAT64,                    -- (FGM + 0.5 3PM) / FGA
  paint_attempts INT64,               -- shot zones from play-by-play
  paint_makes INT64,
  mid_range_attempts INT64,
  mid_range_makes INT64,
  three_attempts INT64,
  three_makes INT64,
  assisted_makes INT64,               -- made shots that were assisted
  points_line FLOAT64,                -- highest-priority bookmaker's latest line
  line_bookmaker STRING,
  over_under_result STRING,           -- OVER | UNDER | PUSH; NULL without a line or for DNP/inactive
  primary_source STRING NOT NULL,     -- gamebook | live_boxscore
  data_quality_flag STRING NOT NULL,  -- ok | live_boxscore_fallback | team_stats_zero | team_stats_missing
  _fence INT64 NOT NULL,
  _run_id STRING NOT NULL,
  processed_at TIMESTAMP NOT NULL
)
PARTITION BY game_date
CLUSTER BY player_lookup;
