-- team_defense_zone_analysis: Shot-zone percentages each team allowed over its last 15 games.
-- The fenced, idempotent MERGE every processor runs, rendered by nba_pipeline.merge from this
-- template, the fence guard (templates/fence_guard.sql), the processor's source SELECT
-- (phase4/team_defense_zone_analysis.sql) and the table's DDL (schema/precompute/team_defense_zone_analysis.sql).
--   * The source SELECT yields the table's columns for the target date; the template adds the
--     lineage columns (_fence, _run_id), the write-context columns (processed_at, created_at,
--     processing_context, versions) and data_hash (over the values as written), and casts
--     NUMERIC columns to the DDL's precision and scale.
--   * Other dates are never touched: the source, the ON clause and the delete are all scoped
--     to the target date, which also lets BigQuery prune the target's partitions.
--   * A row already written under a newer fence is neither updated nor deleted, and a writer the
--     guard refuses deletes nothing either (its source is empty, so without the guard on the
--     delete it would remove the older rows a newer writer is about to replace).
MERGE `nba-props-platform.nba_precompute.team_defense_zone_analysis` AS T
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
      -- Team defense zone analysis for the analysis date A (business date + 1): for every team scheduled
      -- on A, what its opponents shot by zone over the team's last 15 games of the season before A.
      -- League percentages pool the windows of every team of the season (not only those playing on A),
      -- so each team is compared with samples of the same kind.
      WITH scheduled AS (
        SELECT team_abbr, season_year
        FROM `nba-props-platform.nba_analytics.upcoming_team_game_context`
        WHERE game_date = @target_date
      ),
      recent_games AS (
        SELECT d.defending_team_abbr AS team_abbr, d.game_date, d.game_id, d.opponent_team_abbr,
          d.points_allowed, o.possessions AS opponent_possessions
        FROM `nba-props-platform.nba_analytics.team_defense_game_summary` d
        -- The opponent's possessions are its offense line's.
        LEFT JOIN (
          SELECT game_date, team_abbr, possessions
          FROM `nba-props-platform.nba_analytics.team_offense_game_summary`
          WHERE game_date BETWEEN DATE_SUB(@target_date, INTERVAL 366 DAY) AND DATE_SUB(@target_date, INTERVAL 1 DAY)
        ) o ON o.game_date = d.game_date AND o.team_abbr = d.opponent_team_abbr
        WHERE d.game_date < @target_date
          AND d.season_year IN (SELECT season_year FROM scheduled)
        QUALIFY ROW_NUMBER() OVER (PARTITION BY d.defending_team_abbr ORDER BY d.game_date DESC) <= 15
      ),
      shots AS (
        SELECT game_id, team_abbr, shot_zone, shot_made
        FROM `nba-props-platform.nba_analytics.stg_shot_events`(
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
    ) AS source
    WHERE source.analysis_date = @target_date
      AND @fence >= (
        SELECT IFNULL(MAX(fence), 0)
        FROM `nba-props-platform.nba_pipeline_audit.fence_watermarks`
        WHERE target_date = @target_date AND table_name = @sink_table
      )
  ) AS typed
) AS S
ON T.analysis_date = @target_date AND T.analysis_date = S.analysis_date AND T.team_abbr = S.team_abbr
WHEN MATCHED AND T._fence <= S._fence THEN UPDATE SET
  season_year = S.season_year,
  games_in_sample = S.games_in_sample,
  sample_first_game_date = S.sample_first_game_date,
  sample_last_game_date = S.sample_last_game_date,
  opp_shot_attempts = S.opp_shot_attempts,
  opp_paint_attempt_rate = S.opp_paint_attempt_rate,
  opp_mid_range_attempt_rate = S.opp_mid_range_attempt_rate,
  opp_three_attempt_rate = S.opp_three_attempt_rate,
  paint_pct_allowed = S.paint_pct_allowed,
  mid_range_pct_allowed = S.mid_range_pct_allowed,
  three_pct_allowed = S.three_pct_allowed,
  league_paint_pct = S.league_paint_pct,
  league_mid_range_pct = S.league_mid_range_pct,
  league_three_pct = S.league_three_pct,
  paint_pct_vs_league = S.paint_pct_vs_league,
  mid_range_pct_vs_league = S.mid_range_pct_vs_league,
  three_pct_vs_league = S.three_pct_vs_league,
  strongest_zone = S.strongest_zone,
  weakest_zone = S.weakest_zone,
  defensive_rating_last_15 = S.defensive_rating_last_15,
  points_allowed_avg_last_15 = S.points_allowed_avg_last_15,
  data_quality_flag = S.data_quality_flag,
  _fence = S._fence,
  _run_id = S._run_id,
  processed_at = S.processed_at
WHEN NOT MATCHED BY TARGET THEN INSERT (
  analysis_date, team_abbr, season_year, games_in_sample, sample_first_game_date,
  sample_last_game_date, opp_shot_attempts, opp_paint_attempt_rate, opp_mid_range_attempt_rate,
  opp_three_attempt_rate, paint_pct_allowed, mid_range_pct_allowed, three_pct_allowed,
  league_paint_pct, league_mid_range_pct, league_three_pct, paint_pct_vs_league,
  mid_range_pct_vs_league, three_pct_vs_league, strongest_zone, weakest_zone,
  defensive_rating_last_15, points_allowed_avg_last_15, data_quality_flag, _fence, _run_id,
  processed_at
) VALUES (
  S.analysis_date, S.team_abbr, S.season_year, S.games_in_sample, S.sample_first_game_date,
  S.sample_last_game_date, S.opp_shot_attempts, S.opp_paint_attempt_rate,
  S.opp_mid_range_attempt_rate, S.opp_three_attempt_rate, S.paint_pct_allowed,
  S.mid_range_pct_allowed, S.three_pct_allowed, S.league_paint_pct, S.league_mid_range_pct,
  S.league_three_pct, S.paint_pct_vs_league, S.mid_range_pct_vs_league, S.three_pct_vs_league,
  S.strongest_zone, S.weakest_zone, S.defensive_rating_last_15, S.points_allowed_avg_last_15,
  S.data_quality_flag, S._fence, S._run_id, S.processed_at
)
WHEN NOT MATCHED BY SOURCE AND T.analysis_date = @target_date AND T._fence <= @fence
  AND @fence >= (
        SELECT IFNULL(MAX(fence), 0)
        FROM `nba-props-platform.nba_pipeline_audit.fence_watermarks`
        WHERE target_date = @target_date AND table_name = @sink_table
      ) THEN DELETE
