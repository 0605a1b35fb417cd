-- player_daily_cache: Rolling player averages, team pace, fatigue load and shot-zone tendencies for the day.
-- The fenced, idempotent MERGE every processor runs, rendered by nba_pipeline.merge from this
-- template, the fence guard (templates/fence_guard.sql), the processor's source SELECT
-- (phase4/player_daily_cache.sql) and the table's DDL (schema/precompute/player_daily_cache.sql).
--   * The source SELECT yields the table's columns for the target date; the template adds the
--     lineage columns (_fence, _run_id), the write-context columns (processed_at, created_at,
--     processing_context, versions) and data_hash (over the values as written), and casts
--     NUMERIC columns to the DDL's precision and scale.
--   * Other dates are never touched: the source, the ON clause and the delete are all scoped
--     to the target date, which also lets BigQuery prune the target's partitions.
--   * A row already written under a newer fence is neither updated nor deleted, and a writer the
--     guard refuses deletes nothing either (its source is empty, so without the guard on the
--     delete it would remove the older rows a newer writer is about to replace).
MERGE `nba-props-platform.nba_precompute.player_daily_cache` AS T
USING (
  SELECT
    typed.*,
    SUBSTR(TO_HEX(SHA256(ARRAY_TO_STRING([
      CONCAT('assisted_rate_last_10:', IFNULL(REGEXP_REPLACE(FORMAT('%.2f', ROUND(typed.assisted_rate_last_10, 2)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('avg_minutes_per_game_last_7:', IFNULL(REGEXP_REPLACE(FORMAT('%.1f', ROUND(typed.avg_minutes_per_game_last_7, 1)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('back_to_backs_last_14_days:', IFNULL(CAST(typed.back_to_backs_last_14_days AS STRING), 'NULL')),
      CONCAT('cache_date:', IFNULL(CAST(typed.cache_date AS STRING), 'NULL')),
      CONCAT('cache_version:', IFNULL(TRIM(typed.cache_version), 'NULL')),
      CONCAT('fourth_quarter_minutes_last_7:', IFNULL(CAST(typed.fourth_quarter_minutes_last_7 AS STRING), 'NULL')),
      CONCAT('games_in_last_14_days:', IFNULL(CAST(typed.games_in_last_14_days AS STRING), 'NULL')),
      CONCAT('games_in_last_7_days:', IFNULL(CAST(typed.games_in_last_7_days AS STRING), 'NULL')),
      CONCAT('games_played_season:', IFNULL(CAST(typed.games_played_season AS STRING), 'NULL')),
      CONCAT('minutes_avg_last_10:', IFNULL(REGEXP_REPLACE(FORMAT('%.1f', ROUND(typed.minutes_avg_last_10, 1)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('minutes_in_last_14_days:', IFNULL(CAST(typed.minutes_in_last_14_days AS STRING), 'NULL')),
      CONCAT('minutes_in_last_7_days:', IFNULL(CAST(typed.minutes_in_last_7_days AS STRING), 'NULL')),
      CONCAT('paint_rate_last_10:', IFNULL(REGEXP_REPLACE(FORMAT('%.2f', ROUND(typed.paint_rate_last_10, 2)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('player_age:', IFNULL(CAST(typed.player_age AS STRING), 'NULL')),
      CONCAT('player_lookup:', IFNULL(TRIM(typed.player_lookup), 'NULL')),
      CONCAT('player_usage_rate_season:', IFNULL(REGEXP_REPLACE(FORMAT('%.2f', ROUND(typed.player_usage_rate_season, 2)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('points_avg_last_10:', IFNULL(REGEXP_REPLACE(FORMAT('%.1f', ROUND(typed.points_avg_last_10, 1)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('points_avg_last_5:', IFNULL(REGEXP_REPLACE(FORMAT('%.1f', ROUND(typed.points_avg_last_5, 1)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('points_avg_season:', IFNULL(REGEXP_REPLACE(FORMAT('%.1f', ROUND(typed.points_avg_season, 1)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('points_std_last_10:', IFNULL(REGEXP_REPLACE(FORMAT('%.2f', ROUND(typed.points_std_last_10, 2)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('primary_scoring_zone:', IFNULL(TRIM(typed.primary_scoring_zone), 'NULL')),
      CONCAT('team_off_rating_last_10:', IFNULL(REGEXP_REPLACE(FORMAT('%.2f', ROUND(typed.team_off_rating_last_10, 2)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('team_pace_last_10:', IFNULL(REGEXP_REPLACE(FORMAT('%.1f', ROUND(typed.team_pace_last_10, 1)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('three_pt_rate_last_10:', IFNULL(REGEXP_REPLACE(FORMAT('%.2f', ROUND(typed.three_pt_rate_last_10, 2)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('ts_pct_last_10:', IFNULL(REGEXP_REPLACE(FORMAT('%.3f', ROUND(typed.ts_pct_last_10, 3)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('universal_player_id:', IFNULL(TRIM(typed.universal_player_id), 'NULL')),
      CONCAT('usage_rate_last_10:', IFNULL(REGEXP_REPLACE(FORMAT('%.2f', ROUND(typed.usage_rate_last_10, 2)), r'(\.\d+?)0+$', r'\1'), 'NULL'))
    ], '|'))), 1, 16) AS data_hash
  FROM (
    SELECT
      source.* REPLACE (
        CAST(source.points_avg_last_5 AS NUMERIC(5, 1)) AS points_avg_last_5,
        CAST(source.points_avg_last_10 AS NUMERIC(5, 1)) AS points_avg_last_10,
        CAST(source.points_avg_season AS NUMERIC(5, 1)) AS points_avg_season,
        CAST(source.points_std_last_10 AS NUMERIC(5, 2)) AS points_std_last_10,
        CAST(source.minutes_avg_last_10 AS NUMERIC(5, 1)) AS minutes_avg_last_10,
        CAST(source.usage_rate_last_10 AS NUMERIC(5, 2)) AS usage_rate_last_10,
        CAST(source.ts_pct_last_10 AS NUMERIC(5, 3)) AS ts_pct_last_10,
        CAST(source.team_pace_last_10 AS NUMERIC(5, 1)) AS team_pace_last_10,
        CAST(source.team_off_rating_last_10 AS NUMERIC(6, 2)) AS team_off_rating_last_10,
        CAST(source.player_usage_rate_season AS NUMERIC(5, 2)) AS player_usage_rate_season,
        CAST(source.avg_minutes_per_game_last_7 AS NUMERIC(5, 1)) AS avg_minutes_per_game_last_7,
        CAST(source.paint_rate_last_10 AS NUMERIC(5, 2)) AS paint_rate_last_10,
        CAST(source.three_pt_rate_last_10 AS NUMERIC(5, 2)) AS three_pt_rate_last_10,
        CAST(source.assisted_rate_last_10 AS NUMERIC(5, 2)) AS assisted_rate_last_10,
        CAST(source.source_player_game_completeness_pct AS NUMERIC(5, 2)) AS source_player_game_completeness_pct,
        CAST(source.source_team_offense_completeness_pct AS NUMERIC(5, 2)) AS source_team_offense_completeness_pct,
        CAST(source.source_upcoming_context_completeness_pct AS NUMERIC(5, 2)) AS source_upcoming_context_completeness_pct,
        CAST(source.source_shot_zone_completeness_pct AS NUMERIC(5, 2)) AS source_shot_zone_completeness_pct
      ),
      CURRENT_TIMESTAMP() AS created_at,
      CURRENT_TIMESTAMP() AS processed_at,
      CASE WHEN STARTS_WITH(@run_id, 'scheduled__') THEN 'daily' WHEN STARTS_WITH(@run_id, 'backfill__') THEN 'backfill' ELSE 'manual' END AS processing_context,
      @fence AS _fence,
      @run_id AS _run_id
    FROM (
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
        SELECT * FROM `nba-props-platform.nba_precompute.stg_season_rules`(@target_date)
      ),
      context AS (
        SELECT u.*
        FROM `nba-props-platform.nba_analytics.upcoming_player_game_context` u
        WHERE u.game_date = @target_date
      ),
      -- Players of the day's teams the context does not list (e.g. activated since), as the platform.
      roster AS (
        SELECT p.player_lookup, p.universal_player_id, p.team_abbr
        FROM `nba-props-platform.nba_analytics.player_game_summary` p
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
        FROM `nba-props-platform.nba_analytics.player_game_summary` p
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
        FROM `nba-props-platform.nba_analytics.team_offense_game_summary`
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
        LEFT JOIN `nba-props-platform.nba_precompute.player_shot_zone_analysis` z
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
    ) AS source
    WHERE source.cache_date = @target_date
      AND @fence >= (
        SELECT IFNULL(MAX(fence), 0)
        FROM `nba-props-platform.nba_pipeline_audit.fence_watermarks`
        WHERE target_date = @target_date AND table_name = @sink_table
      )
  ) AS typed
) AS S
ON T.cache_date = @target_date AND T.cache_date = S.cache_date AND T.player_lookup = S.player_lookup
WHEN MATCHED AND T._fence <= S._fence THEN UPDATE SET
  universal_player_id = S.universal_player_id,
  points_avg_last_5 = S.points_avg_last_5,
  points_avg_last_10 = S.points_avg_last_10,
  points_avg_season = S.points_avg_season,
  points_std_last_10 = S.points_std_last_10,
  minutes_avg_last_10 = S.minutes_avg_last_10,
  usage_rate_last_10 = S.usage_rate_last_10,
  ts_pct_last_10 = S.ts_pct_last_10,
  games_played_season = S.games_played_season,
  team_pace_last_10 = S.team_pace_last_10,
  team_off_rating_last_10 = S.team_off_rating_last_10,
  player_usage_rate_season = S.player_usage_rate_season,
  games_in_last_7_days = S.games_in_last_7_days,
  games_in_last_14_days = S.games_in_last_14_days,
  minutes_in_last_7_days = S.minutes_in_last_7_days,
  minutes_in_last_14_days = S.minutes_in_last_14_days,
  back_to_backs_last_14_days = S.back_to_backs_last_14_days,
  avg_minutes_per_game_last_7 = S.avg_minutes_per_game_last_7,
  fourth_quarter_minutes_last_7 = S.fourth_quarter_minutes_last_7,
  primary_scoring_zone = S.primary_scoring_zone,
  paint_rate_last_10 = S.paint_rate_last_10,
  three_pt_rate_last_10 = S.three_pt_rate_last_10,
  assisted_rate_last_10 = S.assisted_rate_last_10,
  player_age = S.player_age,
  source_player_game_last_updated = S.source_player_game_last_updated,
  source_player_game_rows_found = S.source_player_game_rows_found,
  source_player_game_completeness_pct = S.source_player_game_completeness_pct,
  source_player_game_hash = S.source_player_game_hash,
  source_team_offense_last_updated = S.source_team_offense_last_updated,
  source_team_offense_rows_found = S.source_team_offense_rows_found,
  source_team_offense_completeness_pct = S.source_team_offense_completeness_pct,
  source_team_offense_hash = S.source_team_offense_hash,
  source_upcoming_context_last_updated = S.source_upcoming_context_last_updated,
  source_upcoming_context_rows_found = S.source_upcoming_context_rows_found,
  source_upcoming_context_completeness_pct = S.source_upcoming_context_completeness_pct,
  source_upcoming_context_hash = S.source_upcoming_context_hash,
  source_shot_zone_last_updated = S.source_shot_zone_last_updated,
  source_shot_zone_rows_found = S.source_shot_zone_rows_found,
  source_shot_zone_completeness_pct = S.source_shot_zone_completeness_pct,
  source_shot_zone_hash = S.source_shot_zone_hash,
  data_hash = S.data_hash,
  early_season_flag = S.early_season_flag,
  insufficient_data_reason = S.insufficient_data_reason,
  shot_zone_data_available = S.shot_zone_data_available,
  expected_games_count = S.expected_games_count,
  actual_games_count = S.actual_games_count,
  completeness_percentage = S.completeness_percentage,
  missing_games_count = S.missing_games_count,
  is_production_ready = S.is_production_ready,
  data_quality_issues = S.data_quality_issues,
  last_reprocess_attempt_at = S.last_reprocess_attempt_at,
  reprocess_attempt_count = S.reprocess_attempt_count,
  circuit_breaker_active = S.circuit_breaker_active,
  circuit_breaker_until = S.circuit_breaker_until,
  manual_override_required = S.manual_override_required,
  season_boundary_detected = S.season_boundary_detected,
  backfill_bootstrap_mode = S.backfill_bootstrap_mode,
  processing_decision_reason = S.processing_decision_reason,
  l5_completeness_pct = S.l5_completeness_pct,
  l5_is_complete = S.l5_is_complete,
  l10_completeness_pct = S.l10_completeness_pct,
  l10_is_complete = S.l10_is_complete,
  l7d_completeness_pct = S.l7d_completeness_pct,
  l7d_is_complete = S.l7d_is_complete,
  l14d_completeness_pct = S.l14d_completeness_pct,
  l14d_is_complete = S.l14d_is_complete,
  all_windows_complete = S.all_windows_complete,
  cache_version = S.cache_version,
  processed_at = S.processed_at,
  quality_score = S.quality_score,
  window_completeness = S.window_completeness,
  points_l5_complete = S.points_l5_complete,
  points_l10_complete = S.points_l10_complete,
  points_l7d_complete = S.points_l7d_complete,
  points_l14d_complete = S.points_l14d_complete,
  rebounds_l5_complete = S.rebounds_l5_complete,
  rebounds_l10_complete = S.rebounds_l10_complete,
  rebounds_l7d_complete = S.rebounds_l7d_complete,
  rebounds_l14d_complete = S.rebounds_l14d_complete,
  assists_l5_complete = S.assists_l5_complete,
  assists_l10_complete = S.assists_l10_complete,
  assists_l7d_complete = S.assists_l7d_complete,
  assists_l14d_complete = S.assists_l14d_complete,
  upstream_quality_min = S.upstream_quality_min,
  processing_context = S.processing_context,
  _fence = S._fence,
  _run_id = S._run_id
WHEN NOT MATCHED BY TARGET THEN INSERT (
  player_lookup, universal_player_id, cache_date, points_avg_last_5, points_avg_last_10,
  points_avg_season, points_std_last_10, minutes_avg_last_10, usage_rate_last_10, ts_pct_last_10,
  games_played_season, team_pace_last_10, team_off_rating_last_10, player_usage_rate_season,
  games_in_last_7_days, games_in_last_14_days, minutes_in_last_7_days, minutes_in_last_14_days,
  back_to_backs_last_14_days, avg_minutes_per_game_last_7, fourth_quarter_minutes_last_7,
  primary_scoring_zone, paint_rate_last_10, three_pt_rate_last_10, assisted_rate_last_10,
  player_age, source_player_game_last_updated, source_player_game_rows_found,
  source_player_game_completeness_pct, source_player_game_hash, source_team_offense_last_updated,
  source_team_offense_rows_found, source_team_offense_completeness_pct, source_team_offense_hash,
  source_upcoming_context_last_updated, source_upcoming_context_rows_found,
  source_upcoming_context_completeness_pct, source_upcoming_context_hash,
  source_shot_zone_last_updated, source_shot_zone_rows_found, source_shot_zone_completeness_pct,
  source_shot_zone_hash, data_hash, early_season_flag, insufficient_data_reason,
  shot_zone_data_available, expected_games_count, actual_games_count, completeness_percentage,
  missing_games_count, is_production_ready, data_quality_issues, last_reprocess_attempt_at,
  reprocess_attempt_count, circuit_breaker_active, circuit_breaker_until, manual_override_required,
  season_boundary_detected, backfill_bootstrap_mode, processing_decision_reason,
  l5_completeness_pct, l5_is_complete, l10_completeness_pct, l10_is_complete, l7d_completeness_pct,
  l7d_is_complete, l14d_completeness_pct, l14d_is_complete, all_windows_complete, cache_version,
  created_at, processed_at, quality_score, window_completeness, points_l5_complete,
  points_l10_complete, points_l7d_complete, points_l14d_complete, rebounds_l5_complete,
  rebounds_l10_complete, rebounds_l7d_complete, rebounds_l14d_complete, assists_l5_complete,
  assists_l10_complete, assists_l7d_complete, assists_l14d_complete, upstream_quality_min,
  processing_context, _fence, _run_id
) VALUES (
  S.player_lookup, S.universal_player_id, S.cache_date, S.points_avg_last_5, S.points_avg_last_10,
  S.points_avg_season, S.points_std_last_10, S.minutes_avg_last_10, S.usage_rate_last_10,
  S.ts_pct_last_10, S.games_played_season, S.team_pace_last_10, S.team_off_rating_last_10,
  S.player_usage_rate_season, S.games_in_last_7_days, S.games_in_last_14_days,
  S.minutes_in_last_7_days, S.minutes_in_last_14_days, S.back_to_backs_last_14_days,
  S.avg_minutes_per_game_last_7, S.fourth_quarter_minutes_last_7, S.primary_scoring_zone,
  S.paint_rate_last_10, S.three_pt_rate_last_10, S.assisted_rate_last_10, S.player_age,
  S.source_player_game_last_updated, S.source_player_game_rows_found,
  S.source_player_game_completeness_pct, S.source_player_game_hash,
  S.source_team_offense_last_updated, S.source_team_offense_rows_found,
  S.source_team_offense_completeness_pct, S.source_team_offense_hash,
  S.source_upcoming_context_last_updated, S.source_upcoming_context_rows_found,
  S.source_upcoming_context_completeness_pct, S.source_upcoming_context_hash,
  S.source_shot_zone_last_updated, S.source_shot_zone_rows_found,
  S.source_shot_zone_completeness_pct, S.source_shot_zone_hash, S.data_hash, S.early_season_flag,
  S.insufficient_data_reason, S.shot_zone_data_available, S.expected_games_count,
  S.actual_games_count, S.completeness_percentage, S.missing_games_count, S.is_production_ready,
  S.data_quality_issues, S.last_reprocess_attempt_at, S.reprocess_attempt_count,
  S.circuit_breaker_active, S.circuit_breaker_until, S.manual_override_required,
  S.season_boundary_detected, S.backfill_bootstrap_mode, S.processing_decision_reason,
  S.l5_completeness_pct, S.l5_is_complete, S.l10_completeness_pct, S.l10_is_complete,
  S.l7d_completeness_pct, S.l7d_is_complete, S.l14d_completeness_pct, S.l14d_is_complete,
  S.all_windows_complete, S.cache_version, S.created_at, S.processed_at, S.quality_score,
  S.window_completeness, S.points_l5_complete, S.points_l10_complete, S.points_l7d_complete,
  S.points_l14d_complete, S.rebounds_l5_complete, S.rebounds_l10_complete, S.rebounds_l7d_complete,
  S.rebounds_l14d_complete, S.assists_l5_complete, S.assists_l10_complete, S.assists_l7d_complete,
  S.assists_l14d_complete, S.upstream_quality_min, S.processing_context, S._fence, S._run_id
)
WHEN NOT MATCHED BY SOURCE AND T.cache_date = @target_date AND T._fence <= @fence
  AND @fence >= (
        SELECT IFNULL(MAX(fence), 0)
        FROM `nba-props-platform.nba_pipeline_audit.fence_watermarks`
        WHERE target_date = @target_date AND table_name = @sink_table
      ) THEN DELETE
