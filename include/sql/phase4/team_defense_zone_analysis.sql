-- Team defense zone analysis for the analysis date A (business date + 1): for every team scheduled
-- on A, what its opponents shot by zone over the team's last 15 games of the season before A.
-- League percentages pool the windows of every team of the season (not only those playing on A),
-- so each team is compared with samples of the same kind.
WITH scheduled AS (
  SELECT team_abbr, season_year
  FROM `${project}.${analytics_dataset}.upcoming_team_game_context`
  WHERE game_date = @target_date
),
recent_games AS (
  SELECT d.defending_team_abbr AS team_abbr, d.game_date, d.game_id, d.opponent_team_abbr,
    d.points_allowed, o.possessions AS opponent_possessions
  FROM `${project}.${analytics_dataset}.team_defense_game_summary` d
  -- The opponent's possessions are its offense line's.
  LEFT JOIN (
    SELECT game_date, team_abbr, possessions
    FROM `${project}.${analytics_dataset}.team_offense_game_summary`
    WHERE game_date BETWEEN DATE_SUB(@target_date, INTERVAL 366 DAY) AND DATE_SUB(@target_date, INTERVAL 1 DAY)
  ) o ON o.game_date = d.game_date AND o.team_abbr = d.opponent_team_abbr
  WHERE d.game_date < @target_date
    AND d.season_year IN (SELECT season_year FROM scheduled)
  QUALIFY ROW_NUMBER() OVER (PARTITION BY d.defending_team_abbr ORDER BY d.game_date DESC) <= 15
),
shots AS (
  SELECT game_id, team_abbr, shot_zone, shot_made
  FROM `${project}.${analytics_dataset}.stg_shot_events`(
    DATE_SUB(@target_date, INTERVAL 366 DAY), DATE_SUB(@target_date, INTERVAL 1 DAY))
  WHERE game_date >= (SELECT MIN(game_date) FROM recent_games)
),
zone_totals AS (
  SELECT g.team_abbr,
    COUNT(*) AS attempts,
    COUNTIF(s.shot_zone = 'paint') AS paint_attempts,
    COUNTIF(s.shot_zone = 'paint' AND s.shot_made) AS paint_makes,
    COUNTIF(s.shot_zone = 'mid_range') AS mid_range_attempts,
    COUNTIF(s.shot_zone = 'mid_range' AND s.shot_made) AS mid_range_makes,
    COUNTIF(s.shot_zone = 'three') AS three_attempts,
    COUNTIF(s.shot_zone = 'three' AND s.shot_made) AS three_makes
  FROM recent_games g
  JOIN shots s ON s.game_id = g.game_id AND s.team_abbr = g.opponent_team_abbr
  GROUP BY g.team_abbr
),
league AS (
  SELECT
    SAFE_DIVIDE(SUM(paint_makes), SUM(paint_attempts)) AS paint_pct,
    SAFE_DIVIDE(SUM(mid_range_makes), SUM(mid_range_attempts)) AS mid_range_pct,
    SAFE_DIVIDE(SUM(three_makes), SUM(three_attempts)) AS three_pct
  FROM zone_totals
),
game_totals AS (
  SELECT team_abbr,
    COUNT(*) AS games_in_sample,
    MIN(game_date) AS first_game_date,
    MAX(game_date) AS last_game_date,
    -- Pooled over the games whose opponent possessions are known (an all-zero row has none).
    100 * SAFE_DIVIDE(SUM(IF(opponent_possessions > 0, points_allowed, NULL)),
                      SUM(IF(opponent_possessions > 0, opponent_possessions, NULL))) AS defensive_rating,
    AVG(points_allowed) AS points_allowed_avg
  FROM recent_games
  GROUP BY team_abbr
),
team_zones AS (
  SELECT s.team_abbr, s.season_year,
    IFNULL(g.games_in_sample, 0) AS games_in_sample,
    g.first_game_date, g.last_game_date, g.defensive_rating, g.points_allowed_avg,
    IFNULL(z.attempts, 0) AS attempts,
    SAFE_DIVIDE(z.paint_attempts, z.attempts) AS paint_rate,
    SAFE_DIVIDE(z.mid_range_attempts, z.attempts) AS mid_range_rate,
    SAFE_DIVIDE(z.three_attempts, z.attempts) AS three_rate,
    SAFE_DIVIDE(z.paint_makes, z.paint_attempts) AS paint_pct,
    SAFE_DIVIDE(z.mid_range_makes, z.mid_range_attempts) AS mid_range_pct,
    SAFE_DIVIDE(z.three_makes, z.three_attempts) AS three_pct,
    SAFE_DIVIDE(z.paint_makes, z.paint_attempts) - l.paint_pct AS paint_vs_league,
    SAFE_DIVIDE(z.mid_range_makes, z.mid_range_attempts) - l.mid_range_pct AS mid_range_vs_league,
    SAFE_DIVIDE(z.three_makes, z.three_attempts) - l.three_pct AS three_vs_league,
    l.paint_pct AS league_paint_pct, l.mid_range_pct AS league_mid_range_pct,
    l.three_pct AS league_three_pct
  FROM scheduled s
  CROSS JOIN league l
  LEFT JOIN game_totals g ON g.team_abbr = s.team_abbr
  LEFT JOIN zone_totals z ON z.team_abbr = s.team_abbr
)
SELECT
  @target_date AS analysis_date,
  team_abbr,
  season_year,
  games_in_sample,
  first_game_date AS sample_first_game_date,
  last_game_date AS sample_last_game_date,
  attempts AS opp_shot_attempts,
  ROUND(paint_rate, 4) AS opp_paint_attempt_rate,
  ROUND(mid_range_rate, 4) AS opp_mid_range_attempt_rate,
  ROUND(three_rate, 4) AS opp_three_attempt_rate,
  ROUND(paint_pct, 4) AS paint_pct_allowed,
  ROUND(mid_range_pct, 4) AS mid_range_pct_allowed,
  ROUND(three_pct, 4) AS three_pct_allowed,
  ROUND(league_paint_pct, 4) AS league_paint_pct,
  ROUND(league_mid_range_pct, 4) AS league_mid_range_pct,
  ROUND(league_three_pct, 4) AS league_three_pct,
  ROUND(paint_vs_league, 4) AS paint_pct_vs_league,
  ROUND(mid_range_vs_league, 4) AS mid_range_pct_vs_league,
  ROUND(three_vs_league, 4) AS three_pct_vs_league,
  -- Ties go to the zone listed first (paint, mid_range, three); NULL unless all three are known.
  CASE
    WHEN paint_vs_league IS NULL OR mid_range_vs_league IS NULL OR three_vs_league IS NULL THEN NULL
    WHEN paint_vs_league <= mid_range_vs_league AND paint_vs_league <= three_vs_league THEN 'paint'
    WHEN mid_range_vs_league <= three_vs_league THEN 'mid_range'
    ELSE 'three'
  END AS strongest_zone,
  CASE
    WHEN paint_vs_league IS NULL OR mid_range_vs_league IS NULL OR three_vs_league IS NULL THEN NULL
    WHEN paint_vs_league >= mid_range_vs_league AND paint_vs_league >= three_vs_league THEN 'paint'
    WHEN mid_range_vs_league >= three_vs_league THEN 'mid_range'
    ELSE 'three'
  END AS weakest_zone,
  ROUND(defensive_rating, 2) AS defensive_rating_last_15,
  ROUND(points_allowed_avg, 2) AS points_allowed_avg_last_15,
  CASE
    WHEN games_in_sample = 0 THEN 'no_games'
    WHEN games_in_sample < 5 THEN 'low_sample'
    ELSE 'ok'
  END AS data_quality_flag
FROM team_zones
