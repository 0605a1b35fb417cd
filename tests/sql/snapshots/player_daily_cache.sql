-- player_daily_cache: Rolling player averages (points, minutes, usage, true shooting) for the day.
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
    typed.*
  FROM (
    SELECT
      source.*,
      @fence AS _fence,
      @run_id AS _run_id,
      CURRENT_TIMESTAMP() AS processed_at
    FROM (
      -- Player daily cache for the cache date A (business date + 1): for every player scheduled on A,
      -- rolling numbers from his games of the season with minutes > 0 before A, his team's pace and
      -- offensive rating over its last 10 games, and the day's line, injury status and scoring zone.
      -- Reads player_shot_zone_analysis of A, so it runs after that processor.
      WITH scheduled AS (
        SELECT u.player_lookup, u.team_abbr, u.opponent_team_abbr, t.season_year,
          CAST(u.current_points_line AS FLOAT64) AS points_line, u.player_status AS injury_status
        FROM `nba-props-platform.nba_analytics.upcoming_player_game_context` u
        JOIN `nba-props-platform.nba_analytics.upcoming_team_game_context` t
          ON t.game_date = @target_date AND t.team_abbr = u.team_abbr
        WHERE u.game_date = @target_date
      ),
      played AS (
        SELECT p.player_lookup, p.game_date, p.points, p.minutes_played AS minutes, p.usage_rate,
          p.fg_attempts AS field_goals_attempted, p.ft_attempts AS free_throws_attempted,
          ROW_NUMBER() OVER (PARTITION BY p.player_lookup ORDER BY p.game_date DESC) AS recency
        FROM `nba-props-platform.nba_analytics.player_game_summary` p
        JOIN scheduled s ON s.player_lookup = p.player_lookup AND s.season_year = p.season_year
        WHERE p.game_date < @target_date AND p.minutes_played > 0
      ),
      player_form AS (
        SELECT player_lookup,
          COUNT(*) AS games_in_sample,
          MAX(game_date) AS last_game_date,
          AVG(IF(recency <= 5, points, NULL)) AS points_avg_last_5,
          AVG(IF(recency <= 10, points, NULL)) AS points_avg_last_10,
          AVG(points) AS points_avg_season,
          STDDEV_SAMP(IF(recency <= 10, points, NULL)) AS points_std_last_10,
          AVG(IF(recency <= 10, minutes, NULL)) AS minutes_avg_last_10,
          AVG(IF(recency <= 10, usage_rate, NULL)) AS usage_rate_last_10,
          SAFE_DIVIDE(
            SUM(IF(recency <= 10, points, NULL)),
            2 * (SUM(IF(recency <= 10, field_goals_attempted, NULL))
                 + 0.44 * SUM(IF(recency <= 10, free_throws_attempted, NULL)))) AS ts_pct_last_10
        FROM played
        GROUP BY player_lookup
      ),
      team_recent AS (
        SELECT team_abbr, pace, offensive_rating
        FROM `nba-props-platform.nba_analytics.team_offense_game_summary`
        WHERE game_date < @target_date
          AND season_year IN (SELECT season_year FROM scheduled)
          AND team_abbr IN (SELECT team_abbr FROM scheduled)
        QUALIFY ROW_NUMBER() OVER (PARTITION BY team_abbr ORDER BY game_date DESC) <= 10
      ),
      team_form AS (
        SELECT team_abbr, COUNT(*) AS games, AVG(pace) AS pace, AVG(offensive_rating) AS offensive_rating
        FROM team_recent
        GROUP BY team_abbr
      )
      SELECT
        @target_date AS cache_date,
        s.player_lookup,
        s.season_year,
        s.team_abbr,
        s.opponent_team_abbr,
        IFNULL(f.games_in_sample, 0) AS games_in_sample,
        f.last_game_date,
        ROUND(f.points_avg_last_5, 2) AS points_avg_last_5,
        ROUND(f.points_avg_last_10, 2) AS points_avg_last_10,
        ROUND(f.points_avg_season, 2) AS points_avg_season,
        ROUND(f.points_std_last_10, 2) AS points_std_last_10,
        ROUND(f.minutes_avg_last_10, 2) AS minutes_avg_last_10,
        ROUND(f.usage_rate_last_10, 2) AS usage_rate_last_10,
        ROUND(f.ts_pct_last_10, 4) AS ts_pct_last_10,
        IFNULL(t.games, 0) AS team_games_in_sample,
        ROUND(t.pace, 2) AS team_pace_last_10,
        ROUND(t.offensive_rating, 2) AS team_offensive_rating_last_10,
        s.points_line,
        s.injury_status,
        z.primary_scoring_zone
      FROM scheduled s
      LEFT JOIN player_form f ON f.player_lookup = s.player_lookup
      LEFT JOIN team_form t ON t.team_abbr = s.team_abbr
      LEFT JOIN `nba-props-platform.nba_precompute.player_shot_zone_analysis` z
        ON z.analysis_date = @target_date AND z.player_lookup = s.player_lookup
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
  season_year = S.season_year,
  team_abbr = S.team_abbr,
  opponent_team_abbr = S.opponent_team_abbr,
  games_in_sample = S.games_in_sample,
  last_game_date = S.last_game_date,
  points_avg_last_5 = S.points_avg_last_5,
  points_avg_last_10 = S.points_avg_last_10,
  points_avg_season = S.points_avg_season,
  points_std_last_10 = S.points_std_last_10,
  minutes_avg_last_10 = S.minutes_avg_last_10,
  usage_rate_last_10 = S.usage_rate_last_10,
  ts_pct_last_10 = S.ts_pct_last_10,
  team_games_in_sample = S.team_games_in_sample,
  team_pace_last_10 = S.team_pace_last_10,
  team_offensive_rating_last_10 = S.team_offensive_rating_last_10,
  points_line = S.points_line,
  injury_status = S.injury_status,
  primary_scoring_zone = S.primary_scoring_zone,
  _fence = S._fence,
  _run_id = S._run_id,
  processed_at = S.processed_at
WHEN NOT MATCHED BY TARGET THEN INSERT (
  cache_date, player_lookup, season_year, team_abbr, opponent_team_abbr, games_in_sample,
  last_game_date, points_avg_last_5, points_avg_last_10, points_avg_season, points_std_last_10,
  minutes_avg_last_10, usage_rate_last_10, ts_pct_last_10, team_games_in_sample, team_pace_last_10,
  team_offensive_rating_last_10, points_line, injury_status, primary_scoring_zone, _fence, _run_id,
  processed_at
) VALUES (
  S.cache_date, S.player_lookup, S.season_year, S.team_abbr, S.opponent_team_abbr,
  S.games_in_sample, S.last_game_date, S.points_avg_last_5, S.points_avg_last_10,
  S.points_avg_season, S.points_std_last_10, S.minutes_avg_last_10, S.usage_rate_last_10,
  S.ts_pct_last_10, S.team_games_in_sample, S.team_pace_last_10, S.team_offensive_rating_last_10,
  S.points_line, S.injury_status, S.primary_scoring_zone, S._fence, S._run_id, S.processed_at
)
WHEN NOT MATCHED BY SOURCE AND T.cache_date = @target_date AND T._fence <= @fence
  AND @fence >= (
        SELECT IFNULL(MAX(fence), 0)
        FROM `nba-props-platform.nba_pipeline_audit.fence_watermarks`
        WHERE target_date = @target_date AND table_name = @sink_table
      ) THEN DELETE
