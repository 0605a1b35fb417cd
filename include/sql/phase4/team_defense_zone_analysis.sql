-- Team defense zone analysis for the analysis date A (business date + 1), as the platform's
-- processor defines it: for every team with enough games, what its opponents shot by zone over
-- the team's last 15 games of the season before A, against the league.
--   * Sample: the last 15 team_defense_game_summary games before A, on or after October 1 of the
--     season (the platform's season boundary).
--   * Gating: a team needs 15 games or gets no row; while A is at most 21 days after October 1
--     the requirement is LEAST(5 + days / 3, 14) (early_season_flag). Nothing is written in the
--     first 14 days after opening night (the first regular-season game of the schedule,
--     October 22 when the schedule has none).
--   * *_pct_allowed_last_15 are fractions from summed makes / attempts; *_defense_vs_league_avg
--     are percentage points: (team fraction - league fraction) * 100, positive = weaker defense.
--   * League fractions: every team with 10+ games in A - 30 .. A - 1 (the platform's window
--     also includes A itself; only earlier games are used here), the unweighted mean of the
--     teams' fractions; fewer than 10 teams: 0.580 paint, 0.410 mid-range, 0.355 three.
--   * Zones are paint, mid_range and perimeter (threes); strongest = lowest versus league,
--     weakest = highest, ties to the zone listed first.
WITH rules AS (
  SELECT *,
    IF(days_since_boundary <= 21, LEAST(5 + DIV(days_since_boundary, 3), 14), 15) AS min_games,
    days_since_boundary < 30 AS bootstrap_mode
  FROM `${project}.${precompute_dataset}.stg_season_rules`(@target_date)
),
-- Rows only for a date with games (the platform's processors run on game days).
slate AS (
  SELECT COUNT(*) > 0 AS has_games
  FROM `${project}.${analytics_dataset}.upcoming_team_game_context`
  WHERE game_date = @target_date
),
defense AS (
  SELECT d.*
  FROM `${project}.${analytics_dataset}.team_defense_game_summary` d
  CROSS JOIN rules r
  WHERE d.game_date < @target_date AND d.game_date >= r.season_boundary
    AND d.game_date >= DATE_SUB(@target_date, INTERVAL 366 DAY)
),
sample AS (
  SELECT *
  FROM defense
  QUALIFY ROW_NUMBER() OVER (PARTITION BY defending_team_abbr ORDER BY game_date DESC) <= 15
),
team_totals AS (
  SELECT
    defending_team_abbr AS team_abbr,
    COUNT(*) AS games,
    SUM(opp_paint_makes) AS paint_makes, SUM(opp_paint_attempts) AS paint_attempts,
    SUM(opp_mid_range_makes) AS mid_range_makes, SUM(opp_mid_range_attempts) AS mid_range_attempts,
    SUM(opp_three_pt_makes) AS three_makes, SUM(opp_three_pt_attempts) AS three_attempts,
    SUM(points_in_paint_allowed) AS paint_points,
    AVG(defensive_rating) AS defensive_rating,
    AVG(opponent_pace) AS opponent_pace,
    SUM(points_allowed) AS points_allowed,
    MAX(processed_at) AS last_updated,
    -- The newest game's row (then the latest write): the same hash whatever order the dates
    -- were processed in, so a backfill's rows equal a sequential run's.
    ARRAY_AGG(data_hash ORDER BY data_hash IS NULL, game_date DESC, processed_at DESC, data_hash LIMIT 1)[SAFE_OFFSET(0)]
      AS latest_hash
  FROM sample
  GROUP BY defending_team_abbr
),
league_teams AS (
  SELECT
    SAFE_DIVIDE(SUM(opp_paint_makes), SUM(opp_paint_attempts)) AS paint,
    SAFE_DIVIDE(SUM(opp_mid_range_makes), SUM(opp_mid_range_attempts)) AS mid_range,
    SAFE_DIVIDE(SUM(opp_three_pt_makes), SUM(opp_three_pt_attempts)) AS three
  FROM defense
  WHERE game_date >= DATE_SUB(@target_date, INTERVAL 30 DAY)
  GROUP BY defending_team_abbr
  HAVING COUNT(*) >= 10
),
league AS (
  SELECT
    IF(COUNT(*) >= 10, AVG(paint), 0.580) AS paint,
    IF(COUNT(*) >= 10, AVG(mid_range), 0.410) AS mid_range,
    IF(COUNT(*) >= 10, AVG(three), 0.355) AS three
  FROM league_teams
  WHERE paint IS NOT NULL AND mid_range IS NOT NULL AND three IS NOT NULL
),
-- The final games the schedule has for each team in the sample's span (at most 15).
expected AS (
  SELECT team_abbr, LEAST(COUNT(DISTINCT game_id), 15) AS games
  FROM `${project}.${analytics_dataset}.stg_game_teams`(
    DATE_SUB(@target_date, INTERVAL 366 DAY), DATE_SUB(@target_date, INTERVAL 1 DAY))
  WHERE game_status = 3 AND game_date >= (SELECT season_boundary FROM rules)
  GROUP BY team_abbr
),
zones AS (
  SELECT
    t.*,
    r.min_games, r.bootstrap_mode, r.season_boundary_detected,
    SAFE_DIVIDE(t.paint_makes, t.paint_attempts) AS paint_pct,
    SAFE_DIVIDE(t.mid_range_makes, t.mid_range_attempts) AS mid_range_pct,
    SAFE_DIVIDE(t.three_makes, t.three_attempts) AS three_pct,
    (SAFE_DIVIDE(t.paint_makes, t.paint_attempts) - l.paint) * 100 AS paint_vs_league,
    (SAFE_DIVIDE(t.mid_range_makes, t.mid_range_attempts) - l.mid_range) * 100 AS mid_range_vs_league,
    (SAFE_DIVIDE(t.three_makes, t.three_attempts) - l.three) * 100 AS three_vs_league,
    GREATEST(IFNULL(e.games, 0), t.games) AS expected_games
  FROM team_totals t
  CROSS JOIN rules r
  CROSS JOIN league l
  LEFT JOIN expected e ON e.team_abbr = t.team_abbr
  CROSS JOIN slate
  WHERE t.games >= r.min_games AND NOT r.bootstrap_skip AND slate.has_games
),
labelled AS (
  SELECT *,
    -- A zone without a value never wins (the sentinels are beyond any percentage).
    IFNULL(paint_vs_league, -1000) AS paint_high, IFNULL(mid_range_vs_league, -1000) AS mid_range_high,
    IFNULL(three_vs_league, -1000) AS three_high,
    IFNULL(paint_vs_league, 1000) AS paint_low, IFNULL(mid_range_vs_league, 1000) AS mid_range_low,
    IFNULL(three_vs_league, 1000) AS three_low,
    ARRAY_CONCAT(
      IF(paint_attempts = 0, ['paint_attempts_zero'], []),
      IF(mid_range_attempts = 0, ['mid_range_attempts_zero'], []),
      IF(three_attempts = 0, ['three_pt_attempts_zero'], [])) AS notes
  FROM zones
)
SELECT
  team_abbr,
  @target_date AS analysis_date,
  ROUND(paint_pct, 3) AS paint_pct_allowed_last_15,
  ROUND(paint_attempts / games, 1) AS paint_attempts_allowed_per_game,
  ROUND(paint_points / games, 1) AS paint_points_allowed_per_game,
  CAST(NULL AS NUMERIC) AS paint_blocks_per_game,  -- no blocks by zone upstream
  ROUND(paint_vs_league, 2) AS paint_defense_vs_league_avg,
  ROUND(mid_range_pct, 3) AS mid_range_pct_allowed_last_15,
  ROUND(mid_range_attempts / games, 1) AS mid_range_attempts_allowed_per_game,
  CAST(NULL AS NUMERIC) AS mid_range_blocks_per_game,  -- no blocks by zone upstream
  ROUND(mid_range_vs_league, 2) AS mid_range_defense_vs_league_avg,
  ROUND(three_pct, 3) AS three_pt_pct_allowed_last_15,
  ROUND(three_attempts / games, 1) AS three_pt_attempts_allowed_per_game,
  CAST(NULL AS NUMERIC) AS three_pt_blocks_per_game,  -- no blocks by zone upstream
  ROUND(three_vs_league, 2) AS three_pt_defense_vs_league_avg,
  ROUND(defensive_rating, 2) AS defensive_rating_last_15,
  ROUND(points_allowed / games, 1) AS opponent_points_per_game,
  ROUND(opponent_pace, 1) AS opponent_pace,
  games AS games_in_sample,
  -- Ties go to the zone listed first (paint, mid_range, perimeter).
  CASE
    WHEN COALESCE(paint_vs_league, mid_range_vs_league, three_vs_league) IS NULL THEN NULL
    WHEN paint_low <= mid_range_low AND paint_low <= three_low THEN 'paint'
    WHEN mid_range_low <= three_low THEN 'mid_range'
    ELSE 'perimeter'
  END AS strongest_zone,
  CASE
    WHEN COALESCE(paint_vs_league, mid_range_vs_league, three_vs_league) IS NULL THEN NULL
    WHEN paint_high >= mid_range_high AND paint_high >= three_high THEN 'paint'
    WHEN mid_range_high >= three_high THEN 'mid_range'
    ELSE 'perimeter'
  END AS weakest_zone,
  CASE WHEN games >= 15 THEN 'high' WHEN games >= 10 THEN 'medium' ELSE 'low' END AS data_quality_tier,
  IF(ARRAY_LENGTH(notes) = 0, NULL, ARRAY_TO_STRING(notes, '; ')) AS calculation_notes,
  last_updated AS source_team_defense_last_updated,
  games AS source_team_defense_rows_found,
  ROUND(100 * games / expected_games, 2) AS source_team_defense_completeness_pct,
  latest_hash AS source_team_defense_hash,
  min_games < 15 AS early_season_flag,
  IF(min_games < 15, CONCAT('early season: ', CAST(games AS STRING), ' games (need ',
                            CAST(min_games AS STRING), ')'), NULL) AS insufficient_data_reason,
  expected_games AS expected_games_count,
  games AS actual_games_count,
  100 * games / expected_games AS completeness_percentage,
  expected_games - games AS missing_games_count,
  bootstrap_mode OR 100 * games / expected_games >= 70 AS is_production_ready,
  ARRAY_CONCAT(notes, IF(100 * games / expected_games < 70, ['incomplete_window'], [])) AS data_quality_issues,
  CAST(NULL AS TIMESTAMP) AS last_reprocess_attempt_at,
  0 AS reprocess_attempt_count,
  FALSE AS circuit_breaker_active,
  CAST(NULL AS TIMESTAMP) AS circuit_breaker_until,
  FALSE AS manual_override_required,
  season_boundary_detected,
  bootstrap_mode AS backfill_bootstrap_mode,
  'processed_successfully' AS processing_decision_reason,
  ROUND(games / expected_games, 4) AS quality_score,
  ROUND(games / expected_games, 4) AS window_completeness
FROM labelled
