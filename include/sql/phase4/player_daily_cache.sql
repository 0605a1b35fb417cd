-- Player daily cache for the cache date A (business date + 1), as the platform's processor
-- defines it: for every player of A's context (upcoming_player_game_context) and every other
-- player of those teams with a game in the 30 days before A, with at least 3 games this season,
-- rolling averages from his games before A, his team's last 10 games, his fatigue load from the
-- context and his shot-zone tendencies from player_shot_zone_analysis of A (so it runs after it).
--   * Games: player_game_summary of the season before A, active and not DNP, with minutes or
--     points; the last 5, last 10 and all of them (at most 82).
--   * early_season_flag: fewer than 10 games. Nothing is written in the first 14 days after
--     opening night.
--   * assisted_rate_last_10 is a percent of made field goals, like the column says.
WITH rules AS (
  SELECT * FROM `${project}.${precompute_dataset}.stg_season_rules`(@target_date)
),
context AS (
  SELECT u.*
  FROM `${project}.${analytics_dataset}.upcoming_player_game_context` u
  WHERE u.game_date = @target_date
),
-- Players of the day's teams the context does not list (e.g. activated since), as the platform.
roster AS (
  SELECT p.player_lookup, p.universal_player_id, p.team_abbr
  FROM `${project}.${analytics_dataset}.player_game_summary` p
  WHERE p.game_date BETWEEN DATE_SUB(@target_date, INTERVAL 30 DAY) AND DATE_SUB(@target_date, INTERVAL 1 DAY)
    AND p.team_abbr IN (SELECT team_abbr FROM context)
    AND p.player_lookup NOT IN (SELECT player_lookup FROM context)
  QUALIFY ROW_NUMBER() OVER (PARTITION BY p.player_lookup ORDER BY p.game_date DESC) = 1
),
players AS (
  SELECT player_lookup, universal_player_id, team_abbr, TRUE AS in_context FROM context
  UNION ALL
  SELECT player_lookup, universal_player_id, team_abbr, FALSE FROM roster
),
games AS (
  SELECT p.*,
    ROW_NUMBER() OVER (PARTITION BY p.player_lookup ORDER BY p.game_date DESC) AS game_rank
  FROM `${project}.${analytics_dataset}.player_game_summary` p
  CROSS JOIN rules r
  WHERE p.game_date < @target_date AND p.game_date >= DATE_SUB(@target_date, INTERVAL 366 DAY)
    AND p.season_year = r.season_year
    AND p.is_active AND (p.is_dnp IS NULL OR NOT p.is_dnp)
    AND (p.minutes_played > 0 OR p.points > 0)
    AND p.points IS NOT NULL AND (p.points > 0 OR p.minutes_played IS NOT NULL)
    AND p.player_lookup IN (SELECT player_lookup FROM players)
  QUALIFY game_rank <= 82
),
form AS (
  SELECT
    player_lookup,
    COUNT(*) AS games,
    AVG(IF(game_rank <= 5, points, NULL)) AS points_avg_last_5,
    AVG(IF(game_rank <= 10, points, NULL)) AS points_avg_last_10,
    AVG(points) AS points_avg_season,
    STDDEV_SAMP(IF(game_rank <= 10, points, NULL)) AS points_std_last_10,
    AVG(IF(game_rank <= 10, minutes_played, NULL)) AS minutes_avg_last_10,
    AVG(IF(game_rank <= 10, usage_rate, NULL)) AS usage_rate_last_10,
    AVG(IF(game_rank <= 10, ts_pct, NULL)) AS ts_pct_last_10,
    AVG(usage_rate) AS usage_rate_season,
    SAFE_DIVIDE(SUM(IF(game_rank <= 10, assisted_fg_makes, NULL)),
                NULLIF(SUM(IF(game_rank <= 10, fg_makes, NULL)), 0)) AS assisted_share_last_10,
    MAX(processed_at) AS last_updated,
    ARRAY_AGG(data_hash ORDER BY data_hash IS NULL, game_rank LIMIT 1)[SAFE_OFFSET(0)] AS latest_hash
  FROM games
  GROUP BY player_lookup
),
team_games AS (
  SELECT team_abbr, pace, offensive_rating, processed_at, data_hash, game_date
  FROM `${project}.${analytics_dataset}.team_offense_game_summary`
  WHERE game_date < @target_date AND game_date >= DATE_SUB(@target_date, INTERVAL 366 DAY)
    AND team_abbr IN (SELECT team_abbr FROM players)
  QUALIFY ROW_NUMBER() OVER (PARTITION BY team_abbr ORDER BY game_date DESC) <= 10
),
team_form AS (
  SELECT team_abbr, COUNT(*) AS games, AVG(pace) AS pace, AVG(offensive_rating) AS offensive_rating,
    MAX(processed_at) AS last_updated,
    ARRAY_AGG(data_hash ORDER BY data_hash IS NULL, game_date DESC LIMIT 1)[SAFE_OFFSET(0)] AS latest_hash
  FROM team_games
  GROUP BY team_abbr
),
cached AS (
  SELECT
    p.player_lookup, p.universal_player_id, p.team_abbr, f.*  EXCEPT (player_lookup),
    t.games AS team_games, t.pace AS team_pace, t.offensive_rating AS team_offensive_rating,
    t.last_updated AS team_last_updated, t.latest_hash AS team_hash,
    c.games_in_last_7_days, c.games_in_last_14_days, c.minutes_in_last_7_days, c.minutes_in_last_14_days,
    c.back_to_backs_last_14_days, c.avg_minutes_per_game_last_7,
    c.player_age, c.processed_at AS context_last_updated, c.data_hash AS context_hash,
    z.player_lookup IS NOT NULL AS has_shot_zone, z.primary_scoring_zone, z.paint_rate_last_10,
    z.three_pt_rate_last_10, z.processed_at AS shot_zone_last_updated, z.data_hash AS shot_zone_hash,
    r.days_since_opening, r.season_boundary_detected
  FROM players p
  CROSS JOIN rules r
  JOIN form f ON f.player_lookup = p.player_lookup
  LEFT JOIN team_form t ON t.team_abbr = p.team_abbr
  LEFT JOIN context c ON c.player_lookup = p.player_lookup AND p.in_context
  LEFT JOIN `${project}.${precompute_dataset}.player_shot_zone_analysis` z
    ON z.analysis_date = @target_date AND z.player_lookup = p.player_lookup
  WHERE f.games >= 3 AND NOT r.bootstrap_skip
)
SELECT
  player_lookup,
  universal_player_id,
  @target_date AS cache_date,
  ROUND(points_avg_last_5, 1) AS points_avg_last_5,
  ROUND(points_avg_last_10, 1) AS points_avg_last_10,
  ROUND(points_avg_season, 1) AS points_avg_season,
  ROUND(points_std_last_10, 2) AS points_std_last_10,
  ROUND(minutes_avg_last_10, 1) AS minutes_avg_last_10,
  ROUND(usage_rate_last_10, 2) AS usage_rate_last_10,
  ROUND(ts_pct_last_10, 3) AS ts_pct_last_10,
  games AS games_played_season,
  ROUND(team_pace, 1) AS team_pace_last_10,
  ROUND(team_offensive_rating, 2) AS team_off_rating_last_10,
  ROUND(usage_rate_season, 2) AS player_usage_rate_season,
  games_in_last_7_days,
  games_in_last_14_days,
  minutes_in_last_7_days,
  minutes_in_last_14_days,
  back_to_backs_last_14_days,
  avg_minutes_per_game_last_7,
  CAST(NULL AS INT64) AS fourth_quarter_minutes_last_7,  -- NULL in the context too
  primary_scoring_zone,
  paint_rate_last_10,
  three_pt_rate_last_10,
  ROUND(100 * assisted_share_last_10, 2) AS assisted_rate_last_10,
  player_age,
  last_updated AS source_player_game_last_updated,
  games AS source_player_game_rows_found,
  100.0 AS source_player_game_completeness_pct,
  latest_hash AS source_player_game_hash,
  team_last_updated AS source_team_offense_last_updated,
  IFNULL(team_games, 0) AS source_team_offense_rows_found,
  ROUND(100 * IFNULL(team_games, 0) / 10, 2) AS source_team_offense_completeness_pct,
  team_hash AS source_team_offense_hash,
  context_last_updated AS source_upcoming_context_last_updated,
  IF(context_last_updated IS NULL, 0, 1) AS source_upcoming_context_rows_found,
  IF(context_last_updated IS NULL, 0.0, 100.0) AS source_upcoming_context_completeness_pct,
  context_hash AS source_upcoming_context_hash,
  shot_zone_last_updated AS source_shot_zone_last_updated,
  IF(has_shot_zone, 1, 0) AS source_shot_zone_rows_found,
  IF(has_shot_zone, 100.0, 0.0) AS source_shot_zone_completeness_pct,
  shot_zone_hash AS source_shot_zone_hash,
  games < 10 AS early_season_flag,
  IF(games < 10, CONCAT('Only ', CAST(games AS STRING), ' games played, need 10 minimum'), NULL)
    AS insufficient_data_reason,
  has_shot_zone AS shot_zone_data_available,
  LEAST(games, 5) AS expected_games_count,
  LEAST(games, 5) AS actual_games_count,
  100.0 AS completeness_percentage,
  0 AS missing_games_count,
  TRUE AS is_production_ready,
  ARRAY_CONCAT(IF(has_shot_zone, [], ['shot_zone_missing']),
               IF(context_last_updated IS NULL, ['not_in_upcoming_context'], [])) AS data_quality_issues,
  CAST(NULL AS TIMESTAMP) AS last_reprocess_attempt_at,
  0 AS reprocess_attempt_count,
  FALSE AS circuit_breaker_active,
  CAST(NULL AS TIMESTAMP) AS circuit_breaker_until,
  FALSE AS manual_override_required,
  season_boundary_detected,
  days_since_opening < 30 AS backfill_bootstrap_mode,
  'processed_successfully' AS processing_decision_reason,
  100.0 AS l5_completeness_pct,
  TRUE AS l5_is_complete,
  100.0 AS l10_completeness_pct,
  TRUE AS l10_is_complete,
  100.0 AS l7d_completeness_pct,
  TRUE AS l7d_is_complete,
  100.0 AS l14d_completeness_pct,
  TRUE AS l14d_is_complete,
  TRUE AS all_windows_complete,
  'v1' AS cache_version,
  1.0 AS quality_score,
  1.0 AS window_completeness,
  TRUE AS points_l5_complete,
  TRUE AS points_l10_complete,
  TRUE AS points_l7d_complete,
  TRUE AS points_l14d_complete,
  TRUE AS rebounds_l5_complete,
  TRUE AS rebounds_l10_complete,
  TRUE AS rebounds_l7d_complete,
  TRUE AS rebounds_l14d_complete,
  TRUE AS assists_l5_complete,
  TRUE AS assists_l10_complete,
  TRUE AS assists_l7d_complete,
  TRUE AS assists_l14d_complete,
  CAST(NULL AS FLOAT64) AS upstream_quality_min
FROM cached
