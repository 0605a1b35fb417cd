-- player_composite_factors: Fatigue (100 = rested), shot-zone mismatch, pace and usage factors and their total.
-- The fenced, idempotent MERGE every processor runs, rendered by nba_pipeline.merge from this
-- template, the fence guard (templates/fence_guard.sql), the processor's source SELECT
-- (phase4/player_composite_factors.sql) and the table's DDL (schema/precompute/player_composite_factors.sql).
--   * The source SELECT yields the table's columns for the target date; the template adds the
--     lineage columns (_fence, _run_id), the write-context columns (processed_at, created_at,
--     processing_context, versions) and data_hash (over the values as written), and casts
--     NUMERIC columns to the DDL's precision and scale.
--   * Other dates are never touched: the source, the ON clause and the delete are all scoped
--     to the target date, which also lets BigQuery prune the target's partitions.
--   * A row already written under a newer fence is neither updated nor deleted, and a writer the
--     guard refuses deletes nothing either (its source is empty, so without the guard on the
--     delete it would remove the older rows a newer writer is about to replace).
MERGE `nba-props-platform.nba_precompute.player_composite_factors` AS T
USING (
  SELECT
    typed.*,
    SUBSTR(TO_HEX(SHA256(ARRAY_TO_STRING([
      CONCAT('analysis_date:', IFNULL(CAST(typed.analysis_date AS STRING), 'NULL')),
      CONCAT('calculation_version:', IFNULL(TRIM(typed.calculation_version), 'NULL')),
      CONCAT('data_completeness_pct:', IFNULL(REGEXP_REPLACE(FORMAT('%.2f', ROUND(typed.data_completeness_pct, 2)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('early_season_flag:', IFNULL(IF(typed.early_season_flag, 'True', 'False'), 'NULL')),
      CONCAT('fatigue_score:', IFNULL(CAST(typed.fatigue_score AS STRING), 'NULL')),
      CONCAT('game_date:', IFNULL(CAST(typed.game_date AS STRING), 'NULL')),
      CONCAT('game_id:', IFNULL(TRIM(typed.game_id), 'NULL')),
      CONCAT('has_warnings:', IFNULL(IF(typed.has_warnings, 'True', 'False'), 'NULL')),
      CONCAT('insufficient_data_reason:', IFNULL(TRIM(typed.insufficient_data_reason), 'NULL')),
      CONCAT('look_ahead_pressure_score:', IFNULL(REGEXP_REPLACE(FORMAT('%.1f', ROUND(typed.look_ahead_pressure_score, 1)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('missing_data_fields:', IFNULL(TRIM(typed.missing_data_fields), 'NULL')),
      CONCAT('opponent_strength_score:', IFNULL(REGEXP_REPLACE(FORMAT('%.1f', ROUND(typed.opponent_strength_score, 1)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('pace_score:', IFNULL(REGEXP_REPLACE(FORMAT('%.1f', ROUND(typed.pace_score, 1)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('player_lookup:', IFNULL(TRIM(typed.player_lookup), 'NULL')),
      CONCAT('referee_favorability_score:', IFNULL(REGEXP_REPLACE(FORMAT('%.1f', ROUND(typed.referee_favorability_score, 1)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('shot_zone_mismatch_score:', IFNULL(REGEXP_REPLACE(FORMAT('%.1f', ROUND(typed.shot_zone_mismatch_score, 1)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('total_composite_adjustment:', IFNULL(REGEXP_REPLACE(FORMAT('%.2f', ROUND(typed.total_composite_adjustment, 2)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('travel_impact_score:', IFNULL(REGEXP_REPLACE(FORMAT('%.1f', ROUND(typed.travel_impact_score, 1)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('universal_player_id:', IFNULL(TRIM(typed.universal_player_id), 'NULL')),
      CONCAT('usage_spike_score:', IFNULL(REGEXP_REPLACE(FORMAT('%.1f', ROUND(typed.usage_spike_score, 1)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('warning_details:', IFNULL(TRIM(typed.warning_details), 'NULL'))
    ], '|'))), 1, 16) AS data_hash
  FROM (
    SELECT
      source.* REPLACE (
        CAST(source.shot_zone_mismatch_score AS NUMERIC(4, 1)) AS shot_zone_mismatch_score,
        CAST(source.pace_score AS NUMERIC(3, 1)) AS pace_score,
        CAST(source.usage_spike_score AS NUMERIC(3, 1)) AS usage_spike_score,
        CAST(source.referee_favorability_score AS NUMERIC(3, 1)) AS referee_favorability_score,
        CAST(source.look_ahead_pressure_score AS NUMERIC(3, 1)) AS look_ahead_pressure_score,
        CAST(source.travel_impact_score AS NUMERIC(3, 1)) AS travel_impact_score,
        CAST(source.opponent_strength_score AS NUMERIC(3, 1)) AS opponent_strength_score,
        CAST(source.total_composite_adjustment AS NUMERIC(5, 2)) AS total_composite_adjustment,
        CAST(source.data_completeness_pct AS NUMERIC(5, 2)) AS data_completeness_pct,
        CAST(source.source_player_context_completeness_pct AS NUMERIC(5, 2)) AS source_player_context_completeness_pct,
        CAST(source.source_team_context_completeness_pct AS NUMERIC(5, 2)) AS source_team_context_completeness_pct,
        CAST(source.source_player_shot_completeness_pct AS NUMERIC(5, 2)) AS source_player_shot_completeness_pct,
        CAST(source.source_team_defense_completeness_pct AS NUMERIC(5, 2)) AS source_team_defense_completeness_pct
      ),
      CURRENT_TIMESTAMP() AS created_at,
      CURRENT_TIMESTAMP() AS processed_at,
      CASE WHEN STARTS_WITH(@run_id, 'scheduled__') THEN 'daily' WHEN STARTS_WITH(@run_id, 'backfill__') THEN 'backfill' ELSE 'manual' END AS processing_context,
      @fence AS _fence,
      @run_id AS _run_id
    FROM (
      -- Player composite factors for the game date A (business date + 1), as the platform's processor
      -- (calculation_version v1_4factors) defines them, for every player of A's context
      -- (upcoming_player_game_context). Reads player_shot_zone_analysis and team_defense_zone_analysis
      -- of A, so it runs after both. Nothing is written in the first 14 days after opening night.
      --   * fatigue_score, 0-100 integer, 100 = rested: 100, -15 on a back-to-back, else +5 with 3+
      --     days of rest; -10 with 4+ games in 7 days; -10 above 240 minutes in 7 days; -8 above 35
      --     minutes per game in 7 days; -12 with 2+ back-to-backs in 14 days, -5 with one; -10 at 35+,
      --     -5 at 30-34 years; clamped to 0..100. NULL inputs count as days_rest 1, 3 games, 200
      --     minutes, 30 per game, 0 back-to-backs, age 25. Its adjustment is (score - 100) / 20.
      --   * shot_zone_mismatch_score, -10..+10: the opponent's versus-league points of the player's
      --     primary zone (balanced or unknown: paint) times LEAST(zone rate / 50, 1), times 1.2 above
      --     5 in absolute value, clamped; 0 when either zone row is missing.
      --   * pace_score = pace_differential / 2 and usage_spike_score = 0.3 * (projected usage - usage
      --     of the last 7 days), NULL counting as 25 (times 1.15 / 1.30 with one / two or more star
      --     teammates out when positive), both clamped to -3..+3.
      --   * The four deferred factors are 0; total_composite_adjustment sums the fatigue adjustment and
      --     the unrounded scores, rounded to 2 decimals.
      WITH rules AS (
        SELECT * FROM `nba-props-platform.nba_precompute.stg_season_rules`(@target_date)
      ),
      context AS (
        SELECT u.*
        FROM `nba-props-platform.nba_analytics.upcoming_player_game_context` u
        WHERE u.game_date = @target_date
      ),
      team_context AS (
        SELECT team_abbr, is_production_ready, processed_at, data_hash
        FROM `nba-props-platform.nba_analytics.upcoming_team_game_context`
        WHERE game_date = @target_date
      ),
      inputs AS (
        SELECT
          c.player_lookup, c.universal_player_id, c.game_id, c.team_abbr, c.opponent_team_abbr,
          c.days_rest, c.back_to_back, c.games_in_last_7_days, c.minutes_in_last_7_days,
          c.avg_minutes_per_game_last_7, c.back_to_backs_last_14_days, c.player_age, c.pace_differential,
          c.projected_usage_rate, c.avg_usage_rate_last_7_games, c.star_teammates_out,
          c.is_production_ready AS context_ready, c.processed_at AS context_last_updated,
          c.data_hash AS context_hash,
          t.is_production_ready AS team_context_ready, t.processed_at AS team_context_last_updated,
          t.data_hash AS team_context_hash,
          z.player_lookup IS NOT NULL AS has_shot_zone, z.primary_scoring_zone, z.is_production_ready AS shot_zone_ready,
          z.processed_at AS shot_zone_last_updated, z.data_hash AS shot_zone_hash,
          CASE z.primary_scoring_zone
            WHEN 'mid_range' THEN z.mid_range_rate_last_10
            WHEN 'perimeter' THEN z.three_pt_rate_last_10
            ELSE z.paint_rate_last_10
          END AS zone_rate,
          d.team_abbr IS NOT NULL AS has_defense, d.weakest_zone AS opponent_weakest_zone,
          d.is_production_ready AS defense_ready, d.processed_at AS defense_last_updated, d.data_hash AS defense_hash,
          CASE z.primary_scoring_zone
            WHEN 'mid_range' THEN d.mid_range_defense_vs_league_avg
            WHEN 'perimeter' THEN d.three_pt_defense_vs_league_avg
            ELSE d.paint_defense_vs_league_avg
          END AS defense_vs_league,
          r.days_since_opening, r.season_boundary_detected
        FROM context c
        CROSS JOIN rules r
        LEFT JOIN team_context t ON t.team_abbr = c.team_abbr
        LEFT JOIN `nba-props-platform.nba_precompute.player_shot_zone_analysis` z
          ON z.analysis_date = @target_date AND z.player_lookup = c.player_lookup
        LEFT JOIN `nba-props-platform.nba_precompute.team_defense_zone_analysis` d
          ON d.analysis_date = @target_date AND d.team_abbr = c.opponent_team_abbr
        WHERE NOT r.bootstrap_skip
      ),
      fatigue AS (
        SELECT *,
          GREATEST(0, LEAST(100, 100
            + CASE WHEN IFNULL(back_to_back, FALSE) THEN -15 WHEN IFNULL(days_rest, 1) >= 3 THEN 5 ELSE 0 END
            + IF(IFNULL(games_in_last_7_days, 3) >= 4, -10, 0)
            + IF(IFNULL(minutes_in_last_7_days, 200) > 240, -10, 0)
            + IF(IFNULL(avg_minutes_per_game_last_7, 30) > 35, -8, 0)
            + CASE WHEN IFNULL(back_to_backs_last_14_days, 0) >= 2 THEN -12
                   WHEN IFNULL(back_to_backs_last_14_days, 0) = 1 THEN -5 ELSE 0 END
            + CASE WHEN IFNULL(player_age, 25) >= 35 THEN -10 WHEN IFNULL(player_age, 25) >= 30 THEN -5 ELSE 0 END
          )) AS fatigue,
          IFNULL(defense_vs_league, 0) * LEAST(IFNULL(zone_rate, 50) / 50, 1) AS weighted_mismatch,
          IFNULL(projected_usage_rate, 25.0) - IFNULL(avg_usage_rate_last_7_games, 25.0) AS usage_difference
        FROM inputs
      ),
      scores AS (
        SELECT *,
          (fatigue - 100) / 20 AS fatigue_adjustment,
          IF(has_shot_zone AND has_defense,
             GREATEST(-10, LEAST(10, weighted_mismatch * IF(ABS(weighted_mismatch) > 5, 1.2, 1))), 0) AS mismatch,
          GREATEST(-3, LEAST(3, IFNULL(pace_differential, 0) / 2)) AS pace,
          IF(IFNULL(avg_usage_rate_last_7_games, 25.0) = 0, 0,
             GREATEST(-3, LEAST(3, 0.3 * usage_difference
               * IF(0.3 * usage_difference > 0,
                    CASE WHEN IFNULL(star_teammates_out, 0) >= 2 THEN 1.30
                         WHEN IFNULL(star_teammates_out, 0) = 1 THEN 1.15 ELSE 1 END, 1)))) AS usage
        FROM fatigue
      ),
      assessed AS (
        SELECT *,
          fatigue_adjustment + mismatch + pace + usage AS total,
          ARRAY_CONCAT(
            IF(days_rest IS NULL, ['days_rest'], []),
            IF(projected_usage_rate IS NULL, ['projected_usage_rate'], []),
            IF(pace_differential IS NULL, ['pace_differential'], []),
            IF(has_shot_zone, [], ['player_shot_zone']),
            IF(has_defense, [], ['team_defense_zone'])) AS missing,
          ARRAY_CONCAT(
            IF(fatigue < 50, ['EXTREME_FATIGUE: Player showing severe fatigue'], []),
            IF(ABS(mismatch) > 8, ['EXTREME_MATCHUP: Unusual zone mismatch'], []),
            IF(ABS(fatigue_adjustment + mismatch + pace + usage) > 12,
               ['EXTREME_ADJUSTMENT: Very large composite adjustment'], [])) AS warnings,
          IFNULL(context_ready, FALSE) AND IFNULL(team_context_ready, FALSE) AND IFNULL(shot_zone_ready, FALSE)
            AND IFNULL(defense_ready, FALSE) AS all_ready
        FROM scores
      )
      SELECT
        player_lookup,
        universal_player_id,
        @target_date AS game_date,
        game_id,
        @target_date AS analysis_date,
        fatigue AS fatigue_score,
        ROUND(mismatch, 1) AS shot_zone_mismatch_score,
        ROUND(pace, 1) AS pace_score,
        ROUND(usage, 1) AS usage_spike_score,
        0.0 AS referee_favorability_score,
        0.0 AS look_ahead_pressure_score,
        0.0 AS travel_impact_score,
        0.0 AS opponent_strength_score,
        ROUND(total, 2) AS total_composite_adjustment,
        TO_JSON_STRING(STRUCT(
          IFNULL(days_rest, 0) AS days_rest, IFNULL(back_to_back, FALSE) AS back_to_back,
          IFNULL(games_in_last_7_days, 0) AS games_last_7, IFNULL(minutes_in_last_7_days, 0) AS minutes_last_7,
          IFNULL(avg_minutes_per_game_last_7, 0) AS avg_minutes_pg_last_7,
          IFNULL(back_to_backs_last_14_days, 0) AS back_to_backs_last_14, IFNULL(player_age, 25) AS player_age,
          fatigue AS final_score, fatigue_adjustment AS adjustment)) AS fatigue_context_json,
        IF(has_shot_zone AND has_defense,
           TO_JSON_STRING(STRUCT(
             IFNULL(primary_scoring_zone, 'unknown') AS player_primary_zone, IFNULL(zone_rate, 0) AS primary_zone_frequency,
             IFNULL(opponent_weakest_zone, 'unknown') AS opponent_weak_zone,
             IFNULL(defense_vs_league, 0) AS opponent_defense_vs_league,
             CASE WHEN mismatch > 2 THEN 'favorable' WHEN mismatch < -2 THEN 'unfavorable' ELSE 'neutral' END AS mismatch_type,
             ROUND(mismatch, 1) AS final_score)),
           '{"missing_data":true}') AS shot_zone_context_json,
        TO_JSON_STRING(STRUCT(
          IFNULL(pace_differential, 0) AS pace_differential,
          CASE WHEN pace_differential > 2 THEN 'fast' WHEN pace_differential < -2 THEN 'slow' ELSE 'normal' END AS pace_environment,
          100.0 AS league_avg_pace, ROUND(pace, 1) AS final_score)) AS pace_context_json,
        TO_JSON_STRING(STRUCT(
          IFNULL(projected_usage_rate, 25.0) AS projected_usage_rate,
          IFNULL(avg_usage_rate_last_7_games, 25.0) AS avg_usage_last_7, usage_difference,
          IFNULL(star_teammates_out, 0) AS star_teammates_out, ROUND(usage, 1) AS final_score)) AS usage_context_json,
        'v1_4factors' AS calculation_version,
        20.0 * (5 - ARRAY_LENGTH(missing)) AS data_completeness_pct,
        IF(ARRAY_LENGTH(missing) = 0, NULL, ARRAY_TO_STRING(missing, ', ')) AS missing_data_fields,
        ARRAY_LENGTH(warnings) > 0 AS has_warnings,
        IF(ARRAY_LENGTH(warnings) = 0, NULL, ARRAY_TO_STRING(warnings, '; ')) AS warning_details,
        context_last_updated AS source_player_context_last_updated,
        1 AS source_player_context_rows_found,
        100.0 AS source_player_context_completeness_pct,
        team_context_last_updated AS source_team_context_last_updated,
        IF(team_context_last_updated IS NULL, 0, 1) AS source_team_context_rows_found,
        IF(team_context_last_updated IS NULL, 0.0, 100.0) AS source_team_context_completeness_pct,
        shot_zone_last_updated AS source_player_shot_last_updated,
        IF(has_shot_zone, 1, 0) AS source_player_shot_rows_found,
        IF(has_shot_zone, 100.0, 0.0) AS source_player_shot_completeness_pct,
        defense_last_updated AS source_team_defense_last_updated,
        IF(has_defense, 1, 0) AS source_team_defense_rows_found,
        IF(has_defense, 100.0, 0.0) AS source_team_defense_completeness_pct,
        context_hash AS source_player_context_hash,
        team_context_hash AS source_team_context_hash,
        shot_zone_hash AS source_player_shot_hash,
        defense_hash AS source_team_defense_hash,
        FALSE AS early_season_flag,
        CAST(NULL AS STRING) AS insufficient_data_reason,
        10 AS expected_games_count,
        10 AS actual_games_count,
        100.0 AS completeness_percentage,
        0 AS missing_games_count,
        all_ready AS is_production_ready,
        ARRAY_CONCAT(
          IF(IFNULL(shot_zone_ready, FALSE), [], ['upstream_player_shot_zone_incomplete']),
          IF(IFNULL(defense_ready, FALSE), [], ['upstream_team_defense_zone_incomplete']),
          IF(IFNULL(context_ready, FALSE), [], ['upstream_player_context_incomplete']),
          IF(IFNULL(team_context_ready, FALSE), [], ['upstream_team_context_incomplete'])) AS data_quality_issues,
        IFNULL(shot_zone_ready, FALSE) AS upstream_player_shot_ready,
        IFNULL(defense_ready, FALSE) AS upstream_team_defense_ready,
        IFNULL(context_ready, FALSE) AS upstream_player_context_ready,
        IFNULL(team_context_ready, FALSE) AS upstream_team_context_ready,
        all_ready AS all_upstreams_ready,
        CAST(NULL AS TIMESTAMP) AS last_reprocess_attempt_at,
        0 AS reprocess_attempt_count,
        FALSE AS circuit_breaker_active,
        CAST(NULL AS TIMESTAMP) AS circuit_breaker_until,
        FALSE AS manual_override_required,
        season_boundary_detected,
        days_since_opening < 30 AS backfill_bootstrap_mode,
        'processed_successfully' AS processing_decision_reason,
        IF(all_ready, 1.0, 0.0) AS quality_score,
        1.0 AS window_completeness,
        CAST(NULL AS FLOAT64) AS upstream_quality_min
      FROM assessed
    ) AS source
    WHERE source.game_date = @target_date
      AND @fence >= (
        SELECT IFNULL(MAX(fence), 0)
        FROM `nba-props-platform.nba_pipeline_audit.fence_watermarks`
        WHERE target_date = @target_date AND table_name = @sink_table
      )
  ) AS typed
) AS S
ON T.game_date = @target_date AND T.game_date = S.game_date AND T.player_lookup = S.player_lookup
WHEN MATCHED AND T._fence <= S._fence THEN UPDATE SET
  universal_player_id = S.universal_player_id,
  game_id = S.game_id,
  analysis_date = S.analysis_date,
  fatigue_score = S.fatigue_score,
  shot_zone_mismatch_score = S.shot_zone_mismatch_score,
  pace_score = S.pace_score,
  usage_spike_score = S.usage_spike_score,
  referee_favorability_score = S.referee_favorability_score,
  look_ahead_pressure_score = S.look_ahead_pressure_score,
  travel_impact_score = S.travel_impact_score,
  opponent_strength_score = S.opponent_strength_score,
  total_composite_adjustment = S.total_composite_adjustment,
  fatigue_context_json = S.fatigue_context_json,
  shot_zone_context_json = S.shot_zone_context_json,
  pace_context_json = S.pace_context_json,
  usage_context_json = S.usage_context_json,
  calculation_version = S.calculation_version,
  data_completeness_pct = S.data_completeness_pct,
  missing_data_fields = S.missing_data_fields,
  has_warnings = S.has_warnings,
  warning_details = S.warning_details,
  source_player_context_last_updated = S.source_player_context_last_updated,
  source_player_context_rows_found = S.source_player_context_rows_found,
  source_player_context_completeness_pct = S.source_player_context_completeness_pct,
  source_team_context_last_updated = S.source_team_context_last_updated,
  source_team_context_rows_found = S.source_team_context_rows_found,
  source_team_context_completeness_pct = S.source_team_context_completeness_pct,
  source_player_shot_last_updated = S.source_player_shot_last_updated,
  source_player_shot_rows_found = S.source_player_shot_rows_found,
  source_player_shot_completeness_pct = S.source_player_shot_completeness_pct,
  source_team_defense_last_updated = S.source_team_defense_last_updated,
  source_team_defense_rows_found = S.source_team_defense_rows_found,
  source_team_defense_completeness_pct = S.source_team_defense_completeness_pct,
  source_player_context_hash = S.source_player_context_hash,
  source_team_context_hash = S.source_team_context_hash,
  source_player_shot_hash = S.source_player_shot_hash,
  source_team_defense_hash = S.source_team_defense_hash,
  data_hash = S.data_hash,
  early_season_flag = S.early_season_flag,
  insufficient_data_reason = S.insufficient_data_reason,
  expected_games_count = S.expected_games_count,
  actual_games_count = S.actual_games_count,
  completeness_percentage = S.completeness_percentage,
  missing_games_count = S.missing_games_count,
  is_production_ready = S.is_production_ready,
  data_quality_issues = S.data_quality_issues,
  upstream_player_shot_ready = S.upstream_player_shot_ready,
  upstream_team_defense_ready = S.upstream_team_defense_ready,
  upstream_player_context_ready = S.upstream_player_context_ready,
  upstream_team_context_ready = S.upstream_team_context_ready,
  all_upstreams_ready = S.all_upstreams_ready,
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
  upstream_quality_min = S.upstream_quality_min,
  processing_context = S.processing_context,
  _fence = S._fence,
  _run_id = S._run_id
WHEN NOT MATCHED BY TARGET THEN INSERT (
  player_lookup, universal_player_id, game_date, game_id, analysis_date, fatigue_score,
  shot_zone_mismatch_score, pace_score, usage_spike_score, referee_favorability_score,
  look_ahead_pressure_score, travel_impact_score, opponent_strength_score,
  total_composite_adjustment, fatigue_context_json, shot_zone_context_json, pace_context_json,
  usage_context_json, calculation_version, data_completeness_pct, missing_data_fields, has_warnings,
  warning_details, source_player_context_last_updated, source_player_context_rows_found,
  source_player_context_completeness_pct, source_team_context_last_updated,
  source_team_context_rows_found, source_team_context_completeness_pct,
  source_player_shot_last_updated, source_player_shot_rows_found,
  source_player_shot_completeness_pct, source_team_defense_last_updated,
  source_team_defense_rows_found, source_team_defense_completeness_pct, source_player_context_hash,
  source_team_context_hash, source_player_shot_hash, source_team_defense_hash, data_hash,
  early_season_flag, insufficient_data_reason, expected_games_count, actual_games_count,
  completeness_percentage, missing_games_count, is_production_ready, data_quality_issues,
  upstream_player_shot_ready, upstream_team_defense_ready, upstream_player_context_ready,
  upstream_team_context_ready, all_upstreams_ready, last_reprocess_attempt_at,
  reprocess_attempt_count, circuit_breaker_active, circuit_breaker_until, manual_override_required,
  season_boundary_detected, backfill_bootstrap_mode, processing_decision_reason, created_at,
  processed_at, quality_score, window_completeness, upstream_quality_min, processing_context,
  _fence, _run_id
) VALUES (
  S.player_lookup, S.universal_player_id, S.game_date, S.game_id, S.analysis_date, S.fatigue_score,
  S.shot_zone_mismatch_score, S.pace_score, S.usage_spike_score, S.referee_favorability_score,
  S.look_ahead_pressure_score, S.travel_impact_score, S.opponent_strength_score,
  S.total_composite_adjustment, S.fatigue_context_json, S.shot_zone_context_json,
  S.pace_context_json, S.usage_context_json, S.calculation_version, S.data_completeness_pct,
  S.missing_data_fields, S.has_warnings, S.warning_details, S.source_player_context_last_updated,
  S.source_player_context_rows_found, S.source_player_context_completeness_pct,
  S.source_team_context_last_updated, S.source_team_context_rows_found,
  S.source_team_context_completeness_pct, S.source_player_shot_last_updated,
  S.source_player_shot_rows_found, S.source_player_shot_completeness_pct,
  S.source_team_defense_last_updated, S.source_team_defense_rows_found,
  S.source_team_defense_completeness_pct, S.source_player_context_hash, S.source_team_context_hash,
  S.source_player_shot_hash, S.source_team_defense_hash, S.data_hash, S.early_season_flag,
  S.insufficient_data_reason, S.expected_games_count, S.actual_games_count,
  S.completeness_percentage, S.missing_games_count, S.is_production_ready, S.data_quality_issues,
  S.upstream_player_shot_ready, S.upstream_team_defense_ready, S.upstream_player_context_ready,
  S.upstream_team_context_ready, S.all_upstreams_ready, S.last_reprocess_attempt_at,
  S.reprocess_attempt_count, S.circuit_breaker_active, S.circuit_breaker_until,
  S.manual_override_required, S.season_boundary_detected, S.backfill_bootstrap_mode,
  S.processing_decision_reason, S.created_at, S.processed_at, S.quality_score,
  S.window_completeness, S.upstream_quality_min, S.processing_context, S._fence, S._run_id
)
WHEN NOT MATCHED BY SOURCE AND T.game_date = @target_date AND T._fence <= @fence
  AND @fence >= (
        SELECT IFNULL(MAX(fence), 0)
        FROM `nba-props-platform.nba_pipeline_audit.fence_watermarks`
        WHERE target_date = @target_date AND table_name = @sink_table
      ) THEN DELETE
