-- Per game date of a window: games in the latest schedule (and how many are final), and when
-- the first gamebook row of the date was loaded. Dates without games are absent.
WITH games AS (
  SELECT game_date, game_id, game_status
  FROM `${project}.${raw_dataset}.nbac_schedule`
  WHERE game_date BETWEEN @start_date AND @end_date
  QUALIFY ROW_NUMBER() OVER (PARTITION BY game_id ORDER BY processed_at DESC) = 1
),
per_date AS (
  SELECT game_date, COUNT(*) AS games, COUNTIF(game_status = 3) AS final_games
  FROM games
  GROUP BY game_date
),
gamebook AS (
  SELECT
    game_date,
    MIN(processed_at) AS gamebook_first_loaded,
    COUNT(DISTINCT game_id) AS gamebook_games
  FROM `${project}.${raw_dataset}.nbac_gamebook_player_stats`
  WHERE game_date BETWEEN @start_date AND @end_date
  GROUP BY game_date
)
SELECT
  per_date.game_date,
  per_date.games,
  per_date.final_games,
  gamebook.gamebook_first_loaded,
  IFNULL(gamebook.gamebook_games, 0) AS gamebook_games
FROM per_date
LEFT JOIN gamebook ON gamebook.game_date = per_date.game_date
ORDER BY per_date.game_date
