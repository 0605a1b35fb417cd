-- Raw-data readiness for one game date: each game of the latest schedule with its status and
-- how many gamebook / live boxscore player rows it has, and when the gamebook first arrived.
WITH games AS (
  SELECT game_id, game_status
  FROM `${project}.${raw_dataset}.nbac_schedule`
  WHERE game_date = @business_date
  QUALIFY ROW_NUMBER() OVER (PARTITION BY game_id ORDER BY processed_at DESC) = 1
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
LEFT JOIN gamebook ON gamebook.game_id = games.game_id
LEFT JOIN live ON live.game_id = games.game_id
ORDER BY games.game_id
