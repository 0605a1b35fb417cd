-- Raw-data readiness for one game date: each game of the latest schedule with its status and
-- how many gamebook / live boxscore player rows it has, and when the gamebook first arrived.
-- The schedule keys games by the NBA.com id; the gamebook and live boxscores by
-- YYYYMMDD_AWAY_HOME, built here from the schedule's date and teams.
WITH games AS (
  SELECT
    game_id,
    CONCAT(FORMAT_DATE('%Y%m%d', game_date), '_', away_team_tricode, '_', home_team_tricode) AS analytics_game_id,
    game_status
  FROM `${project}.${raw_dataset}.v_nbac_schedule_latest`
  WHERE game_date = @business_date
),
gamebook AS (
  SELECT game_id, COUNT(*) AS gamebook_rows, MIN(processed_at) AS gamebook_first_loaded
  FROM `${project}.${raw_dataset}.nbac_gamebook_player_stats`
  WHERE game_date = @business_date
  GROUP BY game_id
),
live AS (
  SELECT game_id, COUNT(*) AS live_rows
  FROM `${project}.${raw_dataset}.nbac_player_boxscores`
  WHERE game_date = @business_date
  GROUP BY game_id
)
SELECT
  games.game_id,
  games.game_status,
  IFNULL(gamebook.gamebook_rows, 0) AS gamebook_rows,
  gamebook.gamebook_first_loaded,
  IFNULL(live.live_rows, 0) AS live_rows
FROM games
LEFT JOIN gamebook ON gamebook.game_id = games.analytics_game_id
LEFT JOIN live ON live.game_id = games.analytics_game_id
ORDER BY games.game_id
