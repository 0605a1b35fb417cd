-- Player shot zone analysis for the analysis date A (business date + 1): for every player
-- scheduled on A, his shot-zone shares and percentages over his last 10 and last 20 games of the
-- season with minutes > 0 before A.
WITH scheduled AS (
  SELECT u.player_lookup, u.team_abbr, t.season_year
  FROM `${project}.${analytics_dataset}.upcoming_player_game_context` u
  JOIN `${project}.${analytics_dataset}.upcoming_team_game_context` t
    ON t.game_date = @target_date AND t.team_abbr = u.team_abbr
  WHERE u.game_date = @target_date
),
recent_games AS (
  SELECT p.player_lookup,
    ROW_NUMBER() OVER (PARTITION BY p.player_lookup ORDER BY p.game_date DESC) AS recency,
    IFNULL(p.paint_attempts, 0) AS paint_attempts,
    IFNULL(p.paint_makes, 0) AS paint_makes,
    IFNULL(p.mid_range_attempts, 0) AS mid_range_attempts,
    IFNULL(p.mid_range_makes, 0) AS mid_range_makes,
    IFNULL(p.three_attempts_pbp, 0) AS three_attempts,
    IFNULL(p.three_makes_pbp, 0) AS three_makes
  FROM `${project}.${analytics_dataset}.player_game_summary` p
  JOIN scheduled s ON s.player_lookup = p.player_lookup AND s.season_year = p.season_year
  WHERE p.game_date < @target_date AND p.minutes_played > 0
  QUALIFY recency <= 20
),
windows AS (
  SELECT player_lookup,
    COUNTIF(recency <= 10) AS games_10,
    SUM(IF(recency <= 10, paint_attempts, 0)) AS paint_attempts_10,
    SUM(IF(recency <= 10, paint_makes, 0)) AS paint_makes_10,
    SUM(IF(recency <= 10, mid_range_attempts, 0)) AS mid_range_attempts_10,
    SUM(IF(recency <= 10, mid_range_makes, 0)) AS mid_range_makes_10,
    SUM(IF(recency <= 10, three_attempts, 0)) AS three_attempts_10,
    SUM(IF(recency <= 10, three_makes, 0)) AS three_makes_10,
    COUNT(*) AS games_20,
    SUM(paint_attempts) AS paint_attempts_20,
    SUM(paint_makes) AS paint_makes_20,
    SUM(mid_range_attempts) AS mid_range_attempts_20,
    SUM(mid_range_makes) AS mid_range_makes_20,
    SUM(three_attempts) AS three_attempts_20,
    SUM(three_makes) AS three_makes_20
  FROM recent_games
  GROUP BY player_lookup
),
profiles AS (
  SELECT s.player_lookup, s.team_abbr, s.season_year,
    IFNULL(w.games_10, 0) AS games_10,
    IFNULL(w.games_20, 0) AS games_20,
    IFNULL(w.paint_attempts_10 + w.mid_range_attempts_10 + w.three_attempts_10, 0) AS attempts_10,
    IFNULL(w.paint_attempts_20 + w.mid_range_attempts_20 + w.three_attempts_20, 0) AS attempts_20,
    w.paint_attempts_10, w.paint_makes_10, w.mid_range_attempts_10, w.mid_range_makes_10,
    w.three_attempts_10, w.three_makes_10,
    w.paint_attempts_20, w.paint_makes_20, w.mid_range_attempts_20, w.mid_range_makes_20,
    w.three_attempts_20, w.three_makes_20
  FROM scheduled s
  LEFT JOIN windows w ON w.player_lookup = s.player_lookup
),
rates AS (
  SELECT player_lookup, team_abbr, season_year, games_10, games_20, attempts_10, attempts_20,
    SAFE_DIVIDE(paint_attempts_10, attempts_10) AS paint_rate_10,
    SAFE_DIVIDE(mid_range_attempts_10, attempts_10) AS mid_range_rate_10,
    SAFE_DIVIDE(three_attempts_10, attempts_10) AS three_rate_10,
    SAFE_DIVIDE(paint_makes_10, paint_attempts_10) AS paint_pct_10,
    SAFE_DIVIDE(mid_range_makes_10, mid_range_attempts_10) AS mid_range_pct_10,
    SAFE_DIVIDE(three_makes_10, three_attempts_10) AS three_pct_10,
    SAFE_DIVIDE(paint_attempts_20, attempts_20) AS paint_rate_20,
    SAFE_DIVIDE(mid_range_attempts_20, attempts_20) AS mid_range_rate_20,
    SAFE_DIVIDE(three_attempts_20, attempts_20) AS three_rate_20,
    SAFE_DIVIDE(paint_makes_20, paint_attempts_20) AS paint_pct_20,
    SAFE_DIVIDE(mid_range_makes_20, mid_range_attempts_20) AS mid_range_pct_20,
    SAFE_DIVIDE(three_makes_20, three_attempts_20) AS three_pct_20
  FROM profiles
)
SELECT
  @target_date AS analysis_date,
  player_lookup,
  season_year,
  team_abbr,
  games_10 AS games_in_sample_10,
  games_20 AS games_in_sample_20,
  attempts_10 AS shot_attempts_last_10,
  ROUND(paint_rate_10, 4) AS paint_rate_last_10,
  ROUND(mid_range_rate_10, 4) AS mid_range_rate_last_10,
  ROUND(three_rate_10, 4) AS three_rate_last_10,
  ROUND(paint_pct_10, 4) AS paint_pct_last_10,
  ROUND(mid_range_pct_10, 4) AS mid_range_pct_last_10,
  ROUND(three_pct_10, 4) AS three_pct_last_10,
  attempts_20 AS shot_attempts_last_20,
  ROUND(paint_rate_20, 4) AS paint_rate_last_20,
  ROUND(mid_range_rate_20, 4) AS mid_range_rate_last_20,
  ROUND(three_rate_20, 4) AS three_rate_last_20,
  ROUND(paint_pct_20, 4) AS paint_pct_last_20,
  ROUND(mid_range_pct_20, 4) AS mid_range_pct_last_20,
  ROUND(three_pct_20, 4) AS three_pct_last_20,
  -- Decided on the unrounded last-20 shares.
  CASE
    WHEN attempts_20 = 0 THEN NULL
    WHEN paint_rate_20 >= 0.40 THEN 'paint'
    WHEN three_rate_20 >= 0.40 THEN 'perimeter'
    WHEN mid_range_rate_20 >= 0.30 THEN 'mid_range'
    ELSE 'balanced'
  END AS primary_scoring_zone,
  CASE
    WHEN games_20 = 0 THEN 'no_games'
    WHEN games_20 < 5 THEN 'low_sample'
    ELSE 'ok'
  END AS data_quality_flag
FROM rates
