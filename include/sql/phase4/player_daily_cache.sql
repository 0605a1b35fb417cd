-- Player daily cache for the cache date A (business date + 1): for every player scheduled on A,
-- rolling numbers from his games of the season with minutes > 0 before A, his team's pace and
-- offensive rating over its last 10 games, and the day's line, injury status and scoring zone.
-- Reads player_shot_zone_analysis of A, so it runs after that processor.
WITH scheduled AS (
  SELECT u.player_lookup, u.team_abbr, u.opponent_team_abbr, t.season_year,
    CAST(u.current_points_line AS FLOAT64) AS points_line, u.player_status AS injury_status
  FROM `${project}.${analytics_dataset}.upcoming_player_game_context` u
  JOIN `${project}.${analytics_dataset}.upcoming_team_game_context` t
    ON t.game_date = @target_date AND t.team_abbr = u.team_abbr
  WHERE u.game_date = @target_date
),
played AS (
  SELECT p.player_lookup, p.game_date, p.points, p.minutes_played AS minutes, p.usage_rate,
    p.fg_attempts AS field_goals_attempted, p.ft_attempts AS free_throws_attempted,
    ROW_NUMBER() OVER (PARTITION BY p.player_lookup ORDER BY p.game_date DESC) AS recency
  FROM `${project}.${analytics_dataset}.player_game_summary` p
  JOIN scheduled s ON s.player_lookup = p.player_lookup AND s.season_year = p.season_year
  WHERE p.game_date < @target_date AND p.minutes_played > 0
),
player_form AS (
  SELECT player_lookup,
    COUNT(*) AS games_in_sample,
    MAX(game_date) AS last_game_date,
    AVG(IF(recency <= 5, points, NULL)) AS points_avg_last_5,
    AVG(IF(recency <= 10, points, NULL)) AS points_avg_last_10,
    AVG(points) AS points_avg_season,
    STDDEV_SAMP(IF(recency <= 10, points, NULL)) AS points_std_last_10,
    AVG(IF(recency <= 10, minutes, NULL)) AS minutes_avg_last_10,
    AVG(IF(recency <= 10, usage_rate, NULL)) AS usage_rate_last_10,
    SAFE_DIVIDE(
      SUM(IF(recency <= 10, points, NULL)),
      2 * (SUM(IF(recency <= 10, field_goals_attempted, NULL))
           + 0.44 * SUM(IF(recency <= 10, free_throws_attempted, NULL)))) AS ts_pct_last_10
  FROM played
  GROUP BY player_lookup
),
team_recent AS (
  SELECT team_abbr, pace, offensive_rating
  FROM `${project}.${analytics_dataset}.team_offense_game_summary`
  WHERE game_date < @target_date
    AND season_year IN (SELECT season_year FROM scheduled)
    AND team_abbr IN (SELECT team_abbr FROM scheduled)
  QUALIFY ROW_NUMBER() OVER (PARTITION BY team_abbr ORDER BY game_date DESC) <= 10
),
team_form AS (
  SELECT team_abbr, COUNT(*) AS games, AVG(pace) AS pace, AVG(offensive_rating) AS offensive_rating
  FROM team_recent
  GROUP BY team_abbr
)
SELECT
  @target_date AS cache_date,
  s.player_lookup,
  s.season_year,
  s.team_abbr,
  s.opponent_team_abbr,
  IFNULL(f.games_in_sample, 0) AS games_in_sample,
  f.last_game_date,
  ROUND(f.points_avg_last_5, 2) AS points_avg_last_5,
  ROUND(f.points_avg_last_10, 2) AS points_avg_last_10,
  ROUND(f.points_avg_season, 2) AS points_avg_season,
  ROUND(f.points_std_last_10, 2) AS points_std_last_10,
  ROUND(f.minutes_avg_last_10, 2) AS minutes_avg_last_10,
  ROUND(f.usage_rate_last_10, 2) AS usage_rate_last_10,
  ROUND(f.ts_pct_last_10, 4) AS ts_pct_last_10,
  IFNULL(t.games, 0) AS team_games_in_sample,
  ROUND(t.pace, 2) AS team_pace_last_10,
  ROUND(t.offensive_rating, 2) AS team_offensive_rating_last_10,
  s.points_line,
  s.injury_status,
  z.primary_scoring_zone
FROM scheduled s
LEFT JOIN player_form f ON f.player_lookup = s.player_lookup
LEFT JOIN team_form t ON t.team_abbr = s.team_abbr
LEFT JOIN `${project}.${precompute_dataset}.player_shot_zone_analysis` z
  ON z.analysis_date = @target_date AND z.player_lookup = s.player_lookup
