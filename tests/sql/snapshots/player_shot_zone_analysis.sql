-- player_shot_zone_analysis: Player shot-zone rates (percent) and FG fractions over the last 10 and 20 games.
-- The fenced, idempotent MERGE every processor runs, rendered by nba_pipeline.merge from this
-- template, the fence guard (templates/fence_guard.sql), the processor's source SELECT
-- (phase4/player_shot_zone_analysis.sql) and the table's DDL (schema/precompute/player_shot_zone_analysis.sql).
--   * The source SELECT yields the table's columns for the target date; the template adds the
--     lineage columns (_fence, _run_id), the write-context columns (processed_at, created_at,
--     processing_context, versions) and data_hash (over the values as written), and casts
--     NUMERIC columns to the DDL's precision and scale.
--   * Other dates are never touched: the source, the ON clause and the delete are all scoped
--     to the target date, which also lets BigQuery prune the target's partitions.
--   * A row already written under a newer fence is neither updated nor deleted, and a writer the
--     guard refuses deletes nothing either (its source is empty, so without the guard on the
--     delete it would remove the older rows a newer writer is about to replace).
MERGE `nba-props-platform.nba_precompute.player_shot_zone_analysis` AS T
USING (
  SELECT
    typed.*,
    SUBSTR(TO_HEX(SHA256(ARRAY_TO_STRING([
      CONCAT('analysis_date:', IFNULL(CAST(typed.analysis_date AS STRING), 'NULL')),
      CONCAT('assisted_rate_last_10:', IFNULL(REGEXP_REPLACE(FORMAT('%.2f', ROUND(typed.assisted_rate_last_10, 2)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('calculation_notes:', IFNULL(TRIM(typed.calculation_notes), 'NULL')),
      CONCAT('data_quality_tier:', IFNULL(TRIM(typed.data_quality_tier), 'NULL')),
      CONCAT('games_in_sample_10:', IFNULL(CAST(typed.games_in_sample_10 AS STRING), 'NULL')),
      CONCAT('games_in_sample_20:', IFNULL(CAST(typed.games_in_sample_20 AS STRING), 'NULL')),
      CONCAT('mid_range_attempts_per_game:', IFNULL(REGEXP_REPLACE(FORMAT('%.1f', ROUND(typed.mid_range_attempts_per_game, 1)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('mid_range_pct_last_10:', IFNULL(REGEXP_REPLACE(FORMAT('%.3f', ROUND(typed.mid_range_pct_last_10, 3)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('mid_range_rate_last_10:', IFNULL(REGEXP_REPLACE(FORMAT('%.2f', ROUND(typed.mid_range_rate_last_10, 2)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('paint_attempts_per_game:', IFNULL(REGEXP_REPLACE(FORMAT('%.1f', ROUND(typed.paint_attempts_per_game, 1)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('paint_pct_last_10:', IFNULL(REGEXP_REPLACE(FORMAT('%.3f', ROUND(typed.paint_pct_last_10, 3)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('paint_pct_last_20:', IFNULL(REGEXP_REPLACE(FORMAT('%.3f', ROUND(typed.paint_pct_last_20, 3)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('paint_rate_last_10:', IFNULL(REGEXP_REPLACE(FORMAT('%.2f', ROUND(typed.paint_rate_last_10, 2)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('paint_rate_last_20:', IFNULL(REGEXP_REPLACE(FORMAT('%.2f', ROUND(typed.paint_rate_last_20, 2)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('player_lookup:', IFNULL(TRIM(typed.player_lookup), 'NULL')),
      CONCAT('player_position:', IFNULL(TRIM(typed.player_position), 'NULL')),
      CONCAT('primary_scoring_zone:', IFNULL(TRIM(typed.primary_scoring_zone), 'NULL')),
      CONCAT('sample_quality_10:', IFNULL(TRIM(typed.sample_quality_10), 'NULL')),
      CONCAT('sample_quality_20:', IFNULL(TRIM(typed.sample_quality_20), 'NULL')),
      CONCAT('three_pt_attempts_per_game:', IFNULL(REGEXP_REPLACE(FORMAT('%.1f', ROUND(typed.three_pt_attempts_per_game, 1)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('three_pt_pct_last_10:', IFNULL(REGEXP_REPLACE(FORMAT('%.3f', ROUND(typed.three_pt_pct_last_10, 3)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('three_pt_rate_last_10:', IFNULL(REGEXP_REPLACE(FORMAT('%.2f', ROUND(typed.three_pt_rate_last_10, 2)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('total_shots_last_10:', IFNULL(CAST(typed.total_shots_last_10 AS STRING), 'NULL')),
      CONCAT('unassisted_rate_last_10:', IFNULL(REGEXP_REPLACE(FORMAT('%.2f', ROUND(typed.unassisted_rate_last_10, 2)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('universal_player_id:', IFNULL(TRIM(typed.universal_player_id), 'NULL'))
    ], '|'))), 1, 16) AS data_hash
  FROM (
    SELECT
      source.* REPLACE (
        CAST(source.paint_rate_last_10 AS NUMERIC(5, 2)) AS paint_rate_last_10,
        CAST(source.mid_range_rate_last_10 AS NUMERIC(5, 2)) AS mid_range_rate_last_10,
        CAST(source.three_pt_rate_last_10 AS NUMERIC(5, 2)) AS three_pt_rate_last_10,
        CAST(source.paint_pct_last_10 AS NUMERIC(5, 3)) AS paint_pct_last_10,
        CAST(source.mid_range_pct_last_10 AS NUMERIC(5, 3)) AS mid_range_pct_last_10,
        CAST(source.three_pt_pct_last_10 AS NUMERIC(5, 3)) AS three_pt_pct_last_10,
        CAST(source.paint_attempts_per_game AS NUMERIC(4, 1)) AS paint_attempts_per_game,
        CAST(source.mid_range_attempts_per_game AS NUMERIC(4, 1)) AS mid_range_attempts_per_game,
        CAST(source.three_pt_attempts_per_game AS NUMERIC(4, 1)) AS three_pt_attempts_per_game,
        CAST(source.paint_rate_last_20 AS NUMERIC(5, 2)) AS paint_rate_last_20,
        CAST(source.paint_pct_last_20 AS NUMERIC(5, 3)) AS paint_pct_last_20,
        CAST(source.assisted_rate_last_10 AS NUMERIC(5, 2)) AS assisted_rate_last_10,
        CAST(source.unassisted_rate_last_10 AS NUMERIC(5, 2)) AS unassisted_rate_last_10,
        CAST(source.source_player_game_completeness_pct AS NUMERIC(5, 2)) AS source_player_game_completeness_pct
      ),
      CURRENT_TIMESTAMP() AS created_at,
      CURRENT_TIMESTAMP() AS processed_at,
      CASE WHEN STARTS_WITH(@run_id, 'scheduled__') THEN 'daily' WHEN STARTS_WITH(@run_id, 'backfill__') THEN 'backfill' ELSE 'manual' END AS processing_context,
      @fence AS _fence,
      @run_id AS _run_id
    FROM (
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
        FROM `nba-props-platform.nba_precompute.stg_season_rules`(@target_date)
      ),
      -- Rows only for a date with games (the platform's processors run on game days).
      slate AS (
        SELECT COUNT(*) > 0 AS has_games
        FROM `nba-props-platform.nba_analytics.upcoming_team_game_context`
        WHERE game_date = @target_date
      ),
      games AS (
        SELECT p.*,
          ROW_NUMBER() OVER (PARTITION BY p.player_lookup ORDER BY p.game_date DESC) AS game_rank
        FROM `nba-props-platform.nba_analytics.player_game_summary` p
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
    ) AS source
    WHERE source.analysis_date = @target_date
      AND @fence >= (
        SELECT IFNULL(MAX(fence), 0)
        FROM `nba-props-platform.nba_pipeline_audit.fence_watermarks`
        WHERE target_date = @target_date AND table_name = @sink_table
      )
  ) AS typed
) AS S
ON T.analysis_date = @target_date AND T.analysis_date = S.analysis_date AND T.player_lookup = S.player_lookup
WHEN MATCHED AND T._fence <= S._fence THEN UPDATE SET
  universal_player_id = S.universal_player_id,
  paint_rate_last_10 = S.paint_rate_last_10,
  mid_range_rate_last_10 = S.mid_range_rate_last_10,
  three_pt_rate_last_10 = S.three_pt_rate_last_10,
  total_shots_last_10 = S.total_shots_last_10,
  games_in_sample_10 = S.games_in_sample_10,
  sample_quality_10 = S.sample_quality_10,
  paint_pct_last_10 = S.paint_pct_last_10,
  mid_range_pct_last_10 = S.mid_range_pct_last_10,
  three_pt_pct_last_10 = S.three_pt_pct_last_10,
  paint_attempts_per_game = S.paint_attempts_per_game,
  mid_range_attempts_per_game = S.mid_range_attempts_per_game,
  three_pt_attempts_per_game = S.three_pt_attempts_per_game,
  paint_rate_last_20 = S.paint_rate_last_20,
  paint_pct_last_20 = S.paint_pct_last_20,
  games_in_sample_20 = S.games_in_sample_20,
  sample_quality_20 = S.sample_quality_20,
  assisted_rate_last_10 = S.assisted_rate_last_10,
  unassisted_rate_last_10 = S.unassisted_rate_last_10,
  player_position = S.player_position,
  primary_scoring_zone = S.primary_scoring_zone,
  data_quality_tier = S.data_quality_tier,
  calculation_notes = S.calculation_notes,
  source_player_game_last_updated = S.source_player_game_last_updated,
  source_player_game_rows_found = S.source_player_game_rows_found,
  source_player_game_completeness_pct = S.source_player_game_completeness_pct,
  source_player_game_hash = S.source_player_game_hash,
  data_hash = S.data_hash,
  early_season_flag = S.early_season_flag,
  insufficient_data_reason = S.insufficient_data_reason,
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
  processed_at = S.processed_at,
  quality_score = S.quality_score,
  window_completeness = S.window_completeness,
  processing_context = S.processing_context,
  _fence = S._fence,
  _run_id = S._run_id
WHEN NOT MATCHED BY TARGET THEN INSERT (
  player_lookup, universal_player_id, analysis_date, paint_rate_last_10, mid_range_rate_last_10,
  three_pt_rate_last_10, total_shots_last_10, games_in_sample_10, sample_quality_10,
  paint_pct_last_10, mid_range_pct_last_10, three_pt_pct_last_10, paint_attempts_per_game,
  mid_range_attempts_per_game, three_pt_attempts_per_game, paint_rate_last_20, paint_pct_last_20,
  games_in_sample_20, sample_quality_20, assisted_rate_last_10, unassisted_rate_last_10,
  player_position, primary_scoring_zone, data_quality_tier, calculation_notes,
  source_player_game_last_updated, source_player_game_rows_found,
  source_player_game_completeness_pct, source_player_game_hash, data_hash, early_season_flag,
  insufficient_data_reason, expected_games_count, actual_games_count, completeness_percentage,
  missing_games_count, is_production_ready, data_quality_issues, last_reprocess_attempt_at,
  reprocess_attempt_count, circuit_breaker_active, circuit_breaker_until, manual_override_required,
  season_boundary_detected, backfill_bootstrap_mode, processing_decision_reason, created_at,
  processed_at, quality_score, window_completeness, processing_context, _fence, _run_id
) VALUES (
  S.player_lookup, S.universal_player_id, S.analysis_date, S.paint_rate_last_10,
  S.mid_range_rate_last_10, S.three_pt_rate_last_10, S.total_shots_last_10, S.games_in_sample_10,
  S.sample_quality_10, S.paint_pct_last_10, S.mid_range_pct_last_10, S.three_pt_pct_last_10,
  S.paint_attempts_per_game, S.mid_range_attempts_per_game, S.three_pt_attempts_per_game,
  S.paint_rate_last_20, S.paint_pct_last_20, S.games_in_sample_20, S.sample_quality_20,
  S.assisted_rate_last_10, S.unassisted_rate_last_10, S.player_position, S.primary_scoring_zone,
  S.data_quality_tier, S.calculation_notes, S.source_player_game_last_updated,
  S.source_player_game_rows_found, S.source_player_game_completeness_pct, S.source_player_game_hash,
  S.data_hash, S.early_season_flag, S.insufficient_data_reason, S.expected_games_count,
  S.actual_games_count, S.completeness_percentage, S.missing_games_count, S.is_production_ready,
  S.data_quality_issues, S.last_reprocess_attempt_at, S.reprocess_attempt_count,
  S.circuit_breaker_active, S.circuit_breaker_until, S.manual_override_required,
  S.season_boundary_detected, S.backfill_bootstrap_mode, S.processing_decision_reason, S.created_at,
  S.processed_at, S.quality_score, S.window_completeness, S.processing_context, S._fence, S._run_id
)
WHEN NOT MATCHED BY SOURCE AND T.analysis_date = @target_date AND T._fence <= @fence
  AND @fence >= (
        SELECT IFNULL(MAX(fence), 0)
        FROM `nba-props-platform.nba_pipeline_audit.fence_watermarks`
        WHERE target_date = @target_date AND table_name = @sink_table
      ) THEN DELETE
