-- Player shot zone analysis for the analysis date A (business date + 1), as the platform's
-- processor defines it: for every player with enough games this season before A, his shot
-- distribution and efficiency by zone over his last 10 and last 20 games.
--   * Games: player_game_summary before A, on or after opening night, active, with minutes or
--     field goal attempts.
--   * Gating: a player needs 10 games in his 10-game window or gets no row; while A is at most
--     21 days after opening night the requirement is LEAST(3 + days / 3, 9) (early_season_flag).
--     Nothing is written in the first 14 days after opening night.
--   * *_rate_* are percents (0-100) of paint + mid-range + three-point attempts, NULL unless
--     each zone has data in the window; *_pct_* are FG fractions. The 20-game paint columns need
--     15 games in the 20-game window.
--   * primary_scoring_zone from the 10-game rates: paint (>= 40), else perimeter (three >= 40),
--     else mid_range (>= 35), else balanced; NULL when every rate is 0 or missing.
WITH rules AS (
  SELECT *,
    IF(days_since_opening <= 21, LEAST(3 + DIV(days_since_opening, 3), 9), 10) AS min_games
  FROM `${project}.${precompute_dataset}.stg_season_rules`(@target_date)
),
-- Rows only for a date with games (the platform's processors run on game days).
slate AS (
  SELECT COUNT(*) > 0 AS has_games
  FROM `${project}.${analytics_dataset}.upcoming_team_game_context`
  WHERE game_date = @target_date
),
games AS (
  SELECT p.*,
    ROW_NUMBER() OVER (PARTITION BY p.player_lookup ORDER BY p.game_date DESC) AS game_rank
  FROM `${project}.${analytics_dataset}.player_game_summary` p
  CROSS JOIN rules r
  WHERE p.game_date < @target_date AND p.game_date >= r.opening_night
    AND p.game_date >= DATE_SUB(@target_date, INTERVAL 366 DAY)
    AND p.is_active AND (p.minutes_played > 0 OR p.fg_attempts > 0)
  QUALIFY game_rank <= 20
),
windows AS (
  SELECT
    player_lookup,
    window_size,
    COUNT(*) AS games,
    -- A zone "has data" when one game of the window has a value for it.
    COUNT(paint_attempts) > 0 AND COUNT(mid_range_attempts) > 0 AND COUNT(three_pt_attempts) > 0 AS zones_complete,
    IFNULL(SUM(paint_attempts), 0) AS paint_attempts, IFNULL(SUM(paint_makes), 0) AS paint_makes,
    IFNULL(SUM(mid_range_attempts), 0) AS mid_range_attempts, IFNULL(SUM(mid_range_makes), 0) AS mid_range_makes,
    IFNULL(SUM(three_pt_attempts), 0) AS three_attempts, IFNULL(SUM(three_pt_makes), 0) AS three_makes,
    IFNULL(SUM(fg_makes), 0) AS fg_makes,
    IFNULL(SUM(assisted_fg_makes), 0) AS assisted_makes, IFNULL(SUM(unassisted_fg_makes), 0) AS unassisted_makes
  FROM games
  CROSS JOIN UNNEST([10, 20]) AS window_size
  WHERE game_rank <= window_size
  GROUP BY player_lookup, window_size
),
metrics AS (
  SELECT *,
    paint_attempts + mid_range_attempts + three_attempts AS total_attempts,
    zones_complete AND paint_attempts + mid_range_attempts + three_attempts > 0 AS has_rates
  FROM windows
),
rated AS (
  SELECT *,
    IF(has_rates, 100 * paint_attempts / total_attempts, NULL) AS paint_rate,
    IF(has_rates, 100 * mid_range_attempts / total_attempts, NULL) AS mid_range_rate,
    IF(has_rates, 100 * three_attempts / total_attempts, NULL) AS three_rate,
    SAFE_DIVIDE(paint_makes, paint_attempts) AS paint_pct,
    IF(has_rates AND fg_makes > 0, 100 * assisted_makes / fg_makes, NULL) AS assisted_rate,
    IF(has_rates AND fg_makes > 0, 100 * unassisted_makes / fg_makes, NULL) AS unassisted_rate
  FROM metrics
),
players AS (
  SELECT
    g.player_lookup,
    ANY_VALUE(IF(g.game_rank = 1, g.universal_player_id, NULL)) AS universal_player_id,
    COUNT(*) AS rows_found,
    MAX(g.processed_at) AS last_updated,
    ARRAY_AGG(g.data_hash ORDER BY g.data_hash IS NULL, g.game_rank LIMIT 1)[SAFE_OFFSET(0)] AS latest_hash
  FROM games g
  GROUP BY g.player_lookup
),
profiles AS (
  SELECT
    p.*, r.min_games, r.days_since_opening, r.season_boundary_detected,
    t.games AS games_10, t.total_attempts AS total_10, t.paint_rate AS paint_rate_10,
    t.mid_range_rate AS mid_range_rate_10, t.three_rate AS three_rate_10, t.paint_pct AS paint_pct_10,
    SAFE_DIVIDE(t.mid_range_makes, t.mid_range_attempts) AS mid_range_pct_10,
    SAFE_DIVIDE(t.three_makes, t.three_attempts) AS three_pct_10,
    t.paint_attempts / t.games AS paint_per_game, t.mid_range_attempts / t.games AS mid_range_per_game,
    t.three_attempts / t.games AS three_per_game,
    t.assisted_rate, t.unassisted_rate,
    w.games AS games_20, w.paint_rate AS paint_rate_20, w.paint_pct AS paint_pct_20
  FROM players p
  CROSS JOIN rules r
  JOIN rated t ON t.player_lookup = p.player_lookup AND t.window_size = 10
  JOIN rated w ON w.player_lookup = p.player_lookup AND w.window_size = 20
  CROSS JOIN slate
  WHERE t.games >= r.min_games AND NOT r.bootstrap_skip AND slate.has_games
)
SELECT
  player_lookup,
  universal_player_id,
  @target_date AS analysis_date,
  ROUND(paint_rate_10, 2) AS paint_rate_last_10,
  ROUND(mid_range_rate_10, 2) AS mid_range_rate_last_10,
  ROUND(three_rate_10, 2) AS three_pt_rate_last_10,
  IF(total_10 > 0, total_10, NULL) AS total_shots_last_10,
  games_10 AS games_in_sample_10,
  CASE WHEN games_10 >= 10 THEN 'excellent' WHEN games_10 >= 7 THEN 'good' WHEN games_10 >= 5 THEN 'limited'
       ELSE 'insufficient' END AS sample_quality_10,
  ROUND(paint_pct_10, 3) AS paint_pct_last_10,
  ROUND(mid_range_pct_10, 3) AS mid_range_pct_last_10,
  ROUND(three_pct_10, 3) AS three_pt_pct_last_10,
  ROUND(paint_per_game, 1) AS paint_attempts_per_game,
  ROUND(mid_range_per_game, 1) AS mid_range_attempts_per_game,
  ROUND(three_per_game, 1) AS three_pt_attempts_per_game,
  IF(games_20 >= 15, ROUND(paint_rate_20, 2), NULL) AS paint_rate_last_20,
  IF(games_20 >= 15, ROUND(paint_pct_20, 3), NULL) AS paint_pct_last_20,
  games_20 AS games_in_sample_20,
  CASE WHEN games_20 >= 20 THEN 'excellent' WHEN games_20 >= 14 THEN 'good' WHEN games_20 >= 10 THEN 'limited'
       ELSE 'insufficient' END AS sample_quality_20,
  ROUND(assisted_rate, 2) AS assisted_rate_last_10,
  ROUND(unassisted_rate, 2) AS unassisted_rate_last_10,
  CAST(NULL AS STRING) AS player_position,
  -- Decided on the rounded rates, as the platform.
  CASE
    WHEN IFNULL(ROUND(paint_rate_10, 2), 0) = 0 AND IFNULL(ROUND(mid_range_rate_10, 2), 0) = 0
         AND IFNULL(ROUND(three_rate_10, 2), 0) = 0 THEN NULL
    WHEN ROUND(paint_rate_10, 2) >= 40 THEN 'paint'
    WHEN ROUND(three_rate_10, 2) >= 40 THEN 'perimeter'
    WHEN ROUND(mid_range_rate_10, 2) >= 35 THEN 'mid_range'
    ELSE 'balanced'
  END AS primary_scoring_zone,
  CASE WHEN games_10 >= min_games THEN 'high' WHEN games_10 >= 7 THEN 'medium' ELSE 'low' END AS data_quality_tier,
  IF(total_10 > 0 AND paint_rate_10 IS NULL, 'zone data incomplete in the 10-game window', NULL) AS calculation_notes,
  last_updated AS source_player_game_last_updated,
  rows_found AS source_player_game_rows_found,
  100.0 AS source_player_game_completeness_pct,
  latest_hash AS source_player_game_hash,
  min_games < 10 AS early_season_flag,
  IF(min_games < 10, CONCAT('early season: ', CAST(games_10 AS STRING), ' games (need ',
                            CAST(min_games AS STRING), ' of 10)'), NULL) AS insufficient_data_reason,
  games_10 AS expected_games_count,
  games_10 AS actual_games_count,
  100.0 AS completeness_percentage,
  0 AS missing_games_count,
  TRUE AS is_production_ready,
  IF(total_10 > 0 AND paint_rate_10 IS NULL, ['zone_data_incomplete'], CAST([] AS ARRAY<STRING>)) AS data_quality_issues,
  CAST(NULL AS TIMESTAMP) AS last_reprocess_attempt_at,
  0 AS reprocess_attempt_count,
  FALSE AS circuit_breaker_active,
  CAST(NULL AS TIMESTAMP) AS circuit_breaker_until,
  FALSE AS manual_override_required,
  season_boundary_detected,
  days_since_opening < 30 AS backfill_bootstrap_mode,
  'processed_successfully' AS processing_decision_reason,
  1.0 AS quality_score,
  1.0 AS window_completeness
FROM profiles
