-- Staging table function shared by the phase 3 processors: the scheduled games of
-- start_date..end_date (latest version of each, from v_nbac_schedule_latest), one row per team
-- side, with the analytics game id (YYYYMMDD_AWAY_HOME) beside the NBA.com id. The dates reach
-- the schedule's partition filter, so a reader scans only the partitions it asks for.
CREATE OR REPLACE TABLE FUNCTION `${project}.${analytics_dataset}.stg_game_teams`(start_date DATE, end_date DATE) AS (
  WITH games AS (
    SELECT
      game_id, game_date, season_year, game_status, game_date_est, arena_timezone, is_primetime,
      is_regular_season, is_playoffs, home_team_tricode, away_team_tricode, home_team_score,
      away_team_score, processed_at, data_hash
    FROM `${project}.${raw_dataset}.v_nbac_schedule_latest`
    WHERE game_date BETWEEN start_date AND end_date
  ),
  sides AS (
    SELECT
      *, home_team_tricode AS team_abbr, away_team_tricode AS opponent_team_abbr, TRUE AS is_home,
      home_team_score AS team_score, away_team_score AS opponent_score
    FROM games
    UNION ALL
    SELECT
      *, away_team_tricode, home_team_tricode, FALSE, away_team_score, home_team_score
    FROM games
  )
  SELECT
    game_date,
    CONCAT(FORMAT_DATE('%Y%m%d', game_date), '_', away_team_tricode, '_', home_team_tricode) AS game_id,
    game_id AS nba_game_id,
    season_year,
    game_status,
    game_date_est,
    arena_timezone,
    is_primetime,
    is_regular_season,
    is_playoffs,
    home_team_tricode AS home_team_abbr,
    away_team_tricode AS away_team_abbr,
    team_abbr,
    opponent_team_abbr,
    is_home,
    team_score,
    opponent_score,
    -- Only a final game has a result.
    IF(game_status = 3, team_score > opponent_score, NULL) AS win_flag,
    IF(game_status = 3, team_score - opponent_score, NULL) AS margin,
    processed_at AS schedule_processed_at,
    data_hash AS schedule_data_hash
  FROM sides
);
