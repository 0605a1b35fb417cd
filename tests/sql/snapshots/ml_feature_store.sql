-- ml_feature_store: One versioned feature row per player for the prediction models.
-- The fenced, idempotent MERGE every processor runs, rendered by nba_pipeline.merge from this
-- template, the fence guard (templates/fence_guard.sql), the processor's source SELECT
-- (phase4/ml_feature_store.sql) and the table's DDL (schema/precompute/ml_feature_store.sql).
--   * The source SELECT yields the table's columns for the target date; the template adds the
--     lineage columns (_fence, _run_id), the write-context columns (processed_at, created_at,
--     processing_context, versions) and data_hash (over the values as written), and casts
--     NUMERIC columns to the DDL's precision and scale.
--   * Other dates are never touched: the source, the ON clause and the delete are all scoped
--     to the target date, which also lets BigQuery prune the target's partitions.
--   * A row already written under a newer fence is neither updated nor deleted, and a writer the
--     guard refuses deletes nothing either (its source is empty, so without the guard on the
--     delete it would remove the older rows a newer writer is about to replace).
MERGE `nba-props-platform.nba_precompute.ml_feature_store` AS T
USING (
  SELECT
    typed.*
  FROM (
    SELECT
      source.*,
      @fence AS _fence,
      @run_id AS _run_id,
      CURRENT_TIMESTAMP() AS processed_at
    FROM (
      -- ML feature store for the game date A (business date + 1): one row per player scheduled on A
      -- with the fixed, ordered feature list of version v1, assembled from the other four phase 4
      -- tables of A (so it runs last).
      -- Feature list v1 (index: name, source):
      --   0 points_avg_last_5, 1 points_avg_last_10, 2 points_avg_season, 3 points_std_last_10,
      --   4 minutes_avg_last_10, 5 usage_rate_last_10, 6 ts_pct_last_10, 7 games_in_sample,
      --   8 team_pace_last_10, 9 team_offensive_rating_last_10               (player_daily_cache)
      --   10 paint_rate_last_20, 11 mid_range_rate_last_20, 12 three_rate_last_20
      --      (player_shot_zone_analysis's 10-game percents as fractions)
      --   13 fatigue_score, 16 shot_zone_mismatch_score, 17 pace_score, 18 usage_spike_score
      --                                                                      (player_composite_factors)
      --   14 days_rest, 15 is_back_to_back, 19 team_spread, 20 game_total, 21 implied_team_total,
      --   22 is_home                                              (upcoming_player_game_context)
      --   23 opponent_defensive_rating_last_15, 24 opponent_points_allowed_avg_last_15
      --                                                                      (team_defense_zone_analysis)
      -- Flags are 1.0 / 0.0. Changing the list means a new feature_version, never a silent edit of v1.
      -- feature_quality_score = 80 * (features present / feature_count)
      --                       + 20 * LEAST(games_in_sample, 10) / 10, rounded to 0.1.
      WITH scheduled AS (
        SELECT u.player_lookup, u.team_abbr, u.opponent_team_abbr, t.season_year,
          CAST(u.current_points_line AS FLOAT64) AS points_line,
          u.days_rest, u.back_to_back, u.home_game, CAST(u.game_spread AS FLOAT64) AS game_spread,
          CAST(u.game_total AS FLOAT64) AS game_total
        FROM `nba-props-platform.nba_analytics.upcoming_player_game_context` u
        JOIN `nba-props-platform.nba_analytics.upcoming_team_game_context` t
          ON t.game_date = @target_date AND t.team_abbr = u.team_abbr
        WHERE u.game_date = @target_date
      ),
      named_features AS (
        SELECT s.player_lookup, s.team_abbr, s.opponent_team_abbr, s.season_year, s.points_line,
          IFNULL(c.games_played_season, 0) AS games_in_sample,
          [
            STRUCT('points_avg_last_5' AS name, CAST(c.points_avg_last_5 AS FLOAT64) AS value),
            STRUCT('points_avg_last_10' AS name, CAST(c.points_avg_last_10 AS FLOAT64) AS value),
            STRUCT('points_avg_season' AS name, CAST(c.points_avg_season AS FLOAT64) AS value),
            STRUCT('points_std_last_10' AS name, CAST(c.points_std_last_10 AS FLOAT64) AS value),
            STRUCT('minutes_avg_last_10' AS name, CAST(c.minutes_avg_last_10 AS FLOAT64) AS value),
            STRUCT('usage_rate_last_10' AS name, CAST(c.usage_rate_last_10 AS FLOAT64) AS value),
            STRUCT('ts_pct_last_10' AS name, CAST(c.ts_pct_last_10 AS FLOAT64) AS value),
            STRUCT('games_in_sample' AS name, CAST(c.games_played_season AS FLOAT64) AS value),
            STRUCT('team_pace_last_10' AS name, CAST(c.team_pace_last_10 AS FLOAT64) AS value),
            STRUCT('team_offensive_rating_last_10' AS name, CAST(c.team_off_rating_last_10 AS FLOAT64) AS value),
            STRUCT('paint_rate_last_20' AS name, CAST(z.paint_rate_last_10 / 100 AS FLOAT64) AS value),
            STRUCT('mid_range_rate_last_20' AS name, CAST(z.mid_range_rate_last_10 / 100 AS FLOAT64) AS value),
            STRUCT('three_rate_last_20' AS name, CAST(z.three_pt_rate_last_10 / 100 AS FLOAT64) AS value),
            STRUCT('fatigue_score' AS name, CAST(f.fatigue_score AS FLOAT64) AS value),
            STRUCT('days_rest' AS name, CAST(s.days_rest AS FLOAT64) AS value),
            STRUCT('is_back_to_back' AS name,
                   CASE WHEN s.back_to_back THEN 1.0 WHEN NOT s.back_to_back THEN 0.0 END AS value),
            STRUCT('shot_zone_mismatch_score' AS name, CAST(f.shot_zone_mismatch_score AS FLOAT64) AS value),
            STRUCT('pace_score' AS name, CAST(f.pace_score AS FLOAT64) AS value),
            STRUCT('usage_spike_score' AS name, CAST(f.usage_spike_score AS FLOAT64) AS value),
            STRUCT('team_spread' AS name, s.game_spread AS value),
            STRUCT('game_total' AS name, s.game_total AS value),
            STRUCT('implied_team_total' AS name, s.game_total / 2 - s.game_spread / 2 AS value),
            STRUCT('is_home' AS name,
                   CASE WHEN s.home_game THEN 1.0 WHEN NOT s.home_game THEN 0.0 END AS value),
            STRUCT('opponent_defensive_rating_last_15' AS name, CAST(d.defensive_rating_last_15 AS FLOAT64) AS value),
            STRUCT('opponent_points_allowed_avg_last_15' AS name, CAST(d.opponent_points_per_game AS FLOAT64) AS value)
          ] AS named
        FROM scheduled s
        LEFT JOIN `nba-props-platform.nba_precompute.player_daily_cache` c
          ON c.cache_date = @target_date AND c.player_lookup = s.player_lookup
        LEFT JOIN `nba-props-platform.nba_precompute.player_shot_zone_analysis` z
          ON z.analysis_date = @target_date AND z.player_lookup = s.player_lookup
        LEFT JOIN `nba-props-platform.nba_precompute.player_composite_factors` f
          ON f.game_date = @target_date AND f.player_lookup = s.player_lookup
        LEFT JOIN `nba-props-platform.nba_precompute.team_defense_zone_analysis` d
          ON d.analysis_date = @target_date AND d.team_abbr = s.opponent_team_abbr
      ),
      assembled AS (
        SELECT player_lookup, team_abbr, opponent_team_abbr, season_year, points_line, games_in_sample,
          ARRAY(SELECT f.name FROM UNNEST(named) f WITH OFFSET position ORDER BY position) AS feature_names,
          -- Arrays cannot hold NULL: a missing input is written as 0.0 and listed in missing_features.
          ARRAY(SELECT IFNULL(f.value, 0.0) FROM UNNEST(named) f WITH OFFSET position ORDER BY position)
            AS features,
          ARRAY(SELECT f.name FROM UNNEST(named) f WITH OFFSET position
                WHERE f.value IS NULL ORDER BY position) AS missing_features,
          ARRAY_LENGTH(named) AS feature_count,
          (SELECT COUNTIF(f.value IS NOT NULL) FROM UNNEST(named) f) AS present_count
        FROM named_features
      )
      SELECT
        @target_date AS game_date,
        player_lookup,
        season_year,
        team_abbr,
        opponent_team_abbr,
        'v1' AS feature_version,
        feature_names,
        features,
        feature_count,
        missing_features,
        ROUND(80 * present_count / feature_count + 20 * LEAST(games_in_sample, 10) / 10, 1)
          AS feature_quality_score,
        games_in_sample,
        points_line
      FROM assembled
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
  season_year = S.season_year,
  team_abbr = S.team_abbr,
  opponent_team_abbr = S.opponent_team_abbr,
  feature_version = S.feature_version,
  feature_names = S.feature_names,
  features = S.features,
  feature_count = S.feature_count,
  missing_features = S.missing_features,
  feature_quality_score = S.feature_quality_score,
  games_in_sample = S.games_in_sample,
  points_line = S.points_line,
  _fence = S._fence,
  _run_id = S._run_id,
  processed_at = S.processed_at
WHEN NOT MATCHED BY TARGET THEN INSERT (
  game_date, player_lookup, season_year, team_abbr, opponent_team_abbr, feature_version,
  feature_names, features, feature_count, missing_features, feature_quality_score, games_in_sample,
  points_line, _fence, _run_id, processed_at
) VALUES (
  S.game_date, S.player_lookup, S.season_year, S.team_abbr, S.opponent_team_abbr, S.feature_version,
  S.feature_names, S.features, S.feature_count, S.missing_features, S.feature_quality_score,
  S.games_in_sample, S.points_line, S._fence, S._run_id, S.processed_at
)
WHEN NOT MATCHED BY SOURCE AND T.game_date = @target_date AND T._fence <= @fence
  AND @fence >= (
        SELECT IFNULL(MAX(fence), 0)
        FROM `nba-props-platform.nba_pipeline_audit.fence_watermarks`
        WHERE target_date = @target_date AND table_name = @sink_table
      ) THEN DELETE
