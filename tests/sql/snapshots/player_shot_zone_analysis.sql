-- player_shot_zone_analysis: Player shot-zone shares and percentages over the last 10 and 20 games.
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
    typed.*
  FROM (
    SELECT
      source.*,
      @fence AS _fence,
      @run_id AS _run_id,
      CURRENT_TIMESTAMP() AS processed_at
    FROM (
      -- Player shot zone analysis for the analysis date A (business date + 1): for every player
      -- scheduled on A, his shot-zone shares and percentages over his last 10 and last 20 games of the
      -- season with minutes > 0 before A.
      WITH scheduled AS (
        SELECT u.player_lookup, u.team_abbr, t.season_year
        FROM `nba-props-platform.nba_analytics.upcoming_player_game_context` u
        JOIN `nba-props-platform.nba_analytics.upcoming_team_game_context` t
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
        FROM `nba-props-platform.nba_analytics.player_game_summary` p
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
  season_year = S.season_year,
  team_abbr = S.team_abbr,
  games_in_sample_10 = S.games_in_sample_10,
  games_in_sample_20 = S.games_in_sample_20,
  shot_attempts_last_10 = S.shot_attempts_last_10,
  paint_rate_last_10 = S.paint_rate_last_10,
  mid_range_rate_last_10 = S.mid_range_rate_last_10,
  three_rate_last_10 = S.three_rate_last_10,
  paint_pct_last_10 = S.paint_pct_last_10,
  mid_range_pct_last_10 = S.mid_range_pct_last_10,
  three_pct_last_10 = S.three_pct_last_10,
  shot_attempts_last_20 = S.shot_attempts_last_20,
  paint_rate_last_20 = S.paint_rate_last_20,
  mid_range_rate_last_20 = S.mid_range_rate_last_20,
  three_rate_last_20 = S.three_rate_last_20,
  paint_pct_last_20 = S.paint_pct_last_20,
  mid_range_pct_last_20 = S.mid_range_pct_last_20,
  three_pct_last_20 = S.three_pct_last_20,
  primary_scoring_zone = S.primary_scoring_zone,
  data_quality_flag = S.data_quality_flag,
  _fence = S._fence,
  _run_id = S._run_id,
  processed_at = S.processed_at
WHEN NOT MATCHED BY TARGET THEN INSERT (
  analysis_date, player_lookup, season_year, team_abbr, games_in_sample_10, games_in_sample_20,
  shot_attempts_last_10, paint_rate_last_10, mid_range_rate_last_10, three_rate_last_10,
  paint_pct_last_10, mid_range_pct_last_10, three_pct_last_10, shot_attempts_last_20,
  paint_rate_last_20, mid_range_rate_last_20, three_rate_last_20, paint_pct_last_20,
  mid_range_pct_last_20, three_pct_last_20, primary_scoring_zone, data_quality_flag, _fence,
  _run_id, processed_at
) VALUES (
  S.analysis_date, S.player_lookup, S.season_year, S.team_abbr, S.games_in_sample_10,
  S.games_in_sample_20, S.shot_attempts_last_10, S.paint_rate_last_10, S.mid_range_rate_last_10,
  S.three_rate_last_10, S.paint_pct_last_10, S.mid_range_pct_last_10, S.three_pct_last_10,
  S.shot_attempts_last_20, S.paint_rate_last_20, S.mid_range_rate_last_20, S.three_rate_last_20,
  S.paint_pct_last_20, S.mid_range_pct_last_20, S.three_pct_last_20, S.primary_scoring_zone,
  S.data_quality_flag, S._fence, S._run_id, S.processed_at
)
WHEN NOT MATCHED BY SOURCE AND T.analysis_date = @target_date AND T._fence <= @fence
  AND @fence >= (
        SELECT IFNULL(MAX(fence), 0)
        FROM `nba-props-platform.nba_pipeline_audit.fence_watermarks`
        WHERE target_date = @target_date AND table_name = @sink_table
      ) THEN DELETE
