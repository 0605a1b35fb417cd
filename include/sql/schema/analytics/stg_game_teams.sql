-- Staging view shared by the phase 3 processors: the latest schedule version of every game
-- (v_nbac_schedule_latest), one row per team side, with the analytics game id
-- (YYYYMMDD_AWAY_HOME) beside the NBA.com id.
CREATE OR REPLACE VIEW `${project}.${analytics_dataset}.stg_game_teams` AS
WITH latest_schedule AS (
  SELECT
    game_id, game_date, season_year, game_status, home_team_tricode, away_team_tricode,
    home_team_score, away_team_score, is_regular_season, is_playoffs
  FROM `${project}.${raw_dataset}.v_nbac_schedule_latest`
),
sides AS (
  SELECT
    game_id, game_date, season_year, game_status, is_regular_season, is_playoffs,
    home_team_tricode, away_team_tricode,
    home_team_tricode AS team_abbr, away_team_tricode AS opponent_team_abbr, TRUE AS is_home,
    home_team_score AS team_score, away_team_score AS opponent_score
  FROM latest_schedule
  UNION ALL
  SELECT
    game_id, game_date, season_year, game_status, is_regular_season, is_playoffs,
    home_team_tricode, away_team_tricode,
    away_team_tricode, home_team_tricode, FALSE,
    away_team_score, home_team_score
  FROM latest_schedule
)
SELECT
  game_date,
  CONCAT(FORMAT_DATE('%Y%m%d', game_date), '_', away_team_tricode, '_', home_team_tricode) AS game_id,
  game_id AS nba_game_id,
  season_year,
  game_status,
  is_regular_season,
  is_playoffs,
  team_abbr,
  opponent_team_abbr,
  is_home,
  team_score,
  opponent_score,
  IF(game_status = 3, team_score > opponent_score, NULL) AS win_flag
FROM sides;
