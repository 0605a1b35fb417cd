-- team_offense_game_summary: Team box score per game: possessions, offensive rating, pace, overtime.
-- The fenced, idempotent MERGE every processor runs, rendered by nba_pipeline.merge from this
-- template, the fence guard (templates/fence_guard.sql), the processor's source SELECT
-- (phase3/team_offense_game_summary.sql) and the table's DDL (schema/analytics/team_offense_game_summary.sql).
--   * The source SELECT yields the table's columns for the target date; the template adds the
--     lineage columns (_fence, _run_id), the write-context columns (processed_at, created_at,
--     processing_context, versions) and data_hash (over the values as written), and casts
--     NUMERIC columns to the DDL's precision and scale.
--   * Other dates are never touched: the source, the ON clause and the delete are all scoped
--     to the target date, which also lets BigQuery prune the target's partitions.
--   * A row already written under a newer fence is neither updated nor deleted, and a writer the
--     guard refuses deletes nothing either (its source is empty, so without the guard on the
--     delete it would remove the older rows a newer writer is about to replace).
MERGE `nba-props-platform.nba_analytics.team_offense_game_summary` AS T
USING (
  SELECT
    typed.*,
    SUBSTR(TO_HEX(SHA256(ARRAY_TO_STRING([
      CONCAT('assists:', IFNULL(CAST(typed.assists AS STRING), 'NULL')),
      CONCAT('fg_attempts:', IFNULL(CAST(typed.fg_attempts AS STRING), 'NULL')),
      CONCAT('fg_makes:', IFNULL(CAST(typed.fg_makes AS STRING), 'NULL')),
      CONCAT('ft_attempts:', IFNULL(CAST(typed.ft_attempts AS STRING), 'NULL')),
      CONCAT('ft_makes:', IFNULL(CAST(typed.ft_makes AS STRING), 'NULL')),
      CONCAT('game_date:', IFNULL(CAST(typed.game_date AS STRING), 'NULL')),
      CONCAT('game_id:', IFNULL(TRIM(typed.game_id), 'NULL')),
      CONCAT('home_game:', IFNULL(IF(typed.home_game, 'True', 'False'), 'NULL')),
      CONCAT('margin_of_victory:', IFNULL(CAST(typed.margin_of_victory AS STRING), 'NULL')),
      CONCAT('nba_game_id:', IFNULL(TRIM(typed.nba_game_id), 'NULL')),
      CONCAT('offensive_rating:', IFNULL(REGEXP_REPLACE(FORMAT('%.2f', ROUND(typed.offensive_rating, 2)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('opponent_team_abbr:', IFNULL(TRIM(typed.opponent_team_abbr), 'NULL')),
      CONCAT('overtime_periods:', IFNULL(CAST(typed.overtime_periods AS STRING), 'NULL')),
      CONCAT('pace:', IFNULL(REGEXP_REPLACE(FORMAT('%.1f', ROUND(typed.pace, 1)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('personal_fouls:', IFNULL(CAST(typed.personal_fouls AS STRING), 'NULL')),
      CONCAT('players_inactive:', IFNULL(CAST(typed.players_inactive AS STRING), 'NULL')),
      CONCAT('points_in_paint_scored:', IFNULL(CAST(typed.points_in_paint_scored AS STRING), 'NULL')),
      CONCAT('points_scored:', IFNULL(CAST(typed.points_scored AS STRING), 'NULL')),
      CONCAT('possessions:', IFNULL(CAST(typed.possessions AS STRING), 'NULL')),
      CONCAT('rebounds:', IFNULL(CAST(typed.rebounds AS STRING), 'NULL')),
      CONCAT('referee_crew_id:', IFNULL(TRIM(typed.referee_crew_id), 'NULL')),
      CONCAT('season_year:', IFNULL(CAST(typed.season_year AS STRING), 'NULL')),
      CONCAT('second_chance_points_scored:', IFNULL(CAST(typed.second_chance_points_scored AS STRING), 'NULL')),
      CONCAT('starters_inactive:', IFNULL(CAST(typed.starters_inactive AS STRING), 'NULL')),
      CONCAT('team_abbr:', IFNULL(TRIM(typed.team_abbr), 'NULL')),
      CONCAT('team_mid_range_attempts:', IFNULL(CAST(typed.team_mid_range_attempts AS STRING), 'NULL')),
      CONCAT('team_mid_range_makes:', IFNULL(CAST(typed.team_mid_range_makes AS STRING), 'NULL')),
      CONCAT('team_paint_attempts:', IFNULL(CAST(typed.team_paint_attempts AS STRING), 'NULL')),
      CONCAT('team_paint_makes:', IFNULL(CAST(typed.team_paint_makes AS STRING), 'NULL')),
      CONCAT('three_pt_attempts:', IFNULL(CAST(typed.three_pt_attempts AS STRING), 'NULL')),
      CONCAT('three_pt_makes:', IFNULL(CAST(typed.three_pt_makes AS STRING), 'NULL')),
      CONCAT('ts_pct:', IFNULL(REGEXP_REPLACE(FORMAT('%.3f', ROUND(typed.ts_pct, 3)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('turnovers:', IFNULL(CAST(typed.turnovers AS STRING), 'NULL')),
      CONCAT('win_flag:', IFNULL(IF(typed.win_flag, 'True', 'False'), 'NULL'))
    ], '|'))), 1, 16) AS data_hash
  FROM (
    SELECT
      source.* REPLACE (
        CAST(source.offensive_rating AS NUMERIC(6, 2)) AS offensive_rating,
        CAST(source.pace AS NUMERIC(5, 1)) AS pace,
        CAST(source.ts_pct AS NUMERIC(5, 3)) AS ts_pct,
        CAST(source.source_nbac_boxscore_completeness_pct AS NUMERIC(5, 2)) AS source_nbac_boxscore_completeness_pct,
        CAST(source.source_play_by_play_completeness_pct AS NUMERIC(5, 2)) AS source_play_by_play_completeness_pct,
        CAST(source.game_completeness_pct AS NUMERIC(5, 2)) AS game_completeness_pct
      ),
      CURRENT_TIMESTAMP() AS created_at,
      CURRENT_TIMESTAMP() AS processed_at,
      CURRENT_TIMESTAMP() AS quality_calculated_at,
      CASE WHEN STARTS_WITH(@run_id, 'scheduled__') THEN 'daily' WHEN STARTS_WITH(@run_id, 'backfill__') THEN 'backfill' ELSE 'manual' END AS processing_context,
      @fence AS _fence,
      @run_id AS _run_id
    FROM (
      -- Team offense per final game of the target date, as the platform's team offense processor
      -- defines it: the team's box score (latest row of nbac_team_boxscore, else its players' lines
      -- summed), possessions FGA + 0.44 FTA + TOV - OREB (rounded to 0.1 for the ratings and stored
      -- truncated to a whole number, as the platform does), ratings and pace per 48 minutes of the
      -- game's length ("265:00" team minutes after one overtime), shot zones from the play-by-play.
      -- The source_* columns describe the raw tables of the date: rows found, last processing time,
      -- completeness against the final games of the schedule, and the upstream row's data_hash.
      WITH lines AS (
        SELECT
          *,
          ROUND(possessions, 1) AS estimated_possessions,
          -- A team whose own row is all zeros still has its game's length in the opponent's row.
          COALESCE(NULLIF(minutes, 0), MAX(NULLIF(minutes, 0)) OVER (PARTITION BY game_id)) AS game_minutes
        FROM `nba-props-platform.nba_analytics.stg_team_game_lines`(@target_date, @target_date)
      ),
      opponents AS (
        SELECT l.*, o.points AS opponent_points
        FROM lines AS l
        LEFT JOIN lines AS o ON o.game_id = l.game_id AND o.team_abbr = l.opponent_team_abbr
      ),
      shots AS (
        SELECT
          game_id,
          team_abbr,
          COUNTIF(shot_zone = 'paint') AS paint_attempts,
          COUNTIF(shot_zone = 'paint' AND shot_made) AS paint_makes,
          COUNTIF(shot_zone = 'mid_range') AS mid_range_attempts,
          COUNTIF(shot_zone = 'mid_range' AND shot_made) AS mid_range_makes,
          SUM(IF(shot_zone = 'paint', shot_points, 0)) AS paint_points
        FROM `nba-props-platform.nba_analytics.stg_shot_events`(@target_date, @target_date)
        GROUP BY game_id, team_abbr
      ),
      games_with_shots AS (
        SELECT DISTINCT game_id FROM shots
      ),
      inactive AS (
        SELECT game_id, team_abbr, COUNTIF(player_status = 'inactive') AS players_inactive
        FROM `nba-props-platform.nba_analytics.stg_player_game_lines`(@target_date, @target_date)
        WHERE primary_source = 'nbac_gamebook'
        GROUP BY game_id, team_abbr
      ),
      team_boxscore_rows AS (
        SELECT COUNT(*) AS rows_found, MAX(processed_at) AS last_updated
        FROM `nba-props-platform.nba_raw.nbac_team_boxscore`
        WHERE game_date = @target_date
      ),
      play_by_play_rows AS (
        SELECT
          COUNT(*) AS rows_found,
          MAX(processed_at) AS last_updated,
          ARRAY_AGG(data_hash ORDER BY data_hash IS NULL, processed_at DESC, data_hash LIMIT 1)[SAFE_OFFSET(0)] AS latest_hash
        FROM `nba-props-platform.nba_raw.nbac_play_by_play`
        WHERE game_date = @target_date
      ),
      coverage AS (
        SELECT
          100 * SAFE_DIVIDE(COUNTIF(l.source = 'nbac_team_boxscore' AND NOT l.is_all_zero), COUNT(*)) AS team_boxscore_pct,
          100 * SAFE_DIVIDE(COUNTIF(w.game_id IS NOT NULL), COUNT(*)) AS play_by_play_pct
        FROM lines AS l
        LEFT JOIN games_with_shots AS w ON w.game_id = l.game_id
      ),
      assessed AS (
        SELECT
          t.*,
          z.paint_attempts, z.paint_makes, z.mid_range_attempts, z.mid_range_makes, z.paint_points,
          w.game_id IS NOT NULL AS has_shot_zones,
          i.players_inactive,
          t.points IS NULL AS without_stats,
          -- The platform's fallback tiers: the primary source 100 (gold), a reconstruction 85 (silver).
          CASE WHEN t.points IS NULL THEN 'unusable' WHEN t.source = 'nbac_team_boxscore' THEN 'gold' ELSE 'silver' END
            AS quality_tier,
          CASE WHEN t.points IS NULL THEN 0.0 WHEN t.source = 'nbac_team_boxscore' THEN 100.0 ELSE 85.0 END
            AS quality_score,
          ARRAY_CONCAT(
            IF(t.source = 'reconstructed_team_from_players', ['reconstructed'], []),
            IF(t.is_all_zero, ['all_zero_team_row'], []),
            IF(t.source = 'none', ['missing_team_stats'], []),
            IF(w.game_id IS NULL, ['shot_zones_unavailable'], [])
          ) AS issues
        FROM opponents AS t
        LEFT JOIN shots AS z ON z.game_id = t.game_id AND z.team_abbr = t.team_abbr
        LEFT JOIN games_with_shots AS w ON w.game_id = t.game_id
        LEFT JOIN inactive AS i ON i.game_id = t.game_id AND i.team_abbr = t.team_abbr
      )
      SELECT
        a.game_id,
        a.nba_game_id,
        a.game_date,
        a.team_abbr,
        a.opponent_team_abbr,
        a.season_year,
        a.points AS points_scored,
        a.fg_attempted AS fg_attempts,
        a.fg_made AS fg_makes,
        a.three_pt_attempted AS three_pt_attempts,
        a.three_pt_made AS three_pt_makes,
        a.ft_attempted AS ft_attempts,
        a.ft_made AS ft_makes,
        a.total_rebounds AS rebounds,
        a.assists,
        a.turnovers,
        a.personal_fouls,
        a.paint_attempts AS team_paint_attempts,
        a.paint_makes AS team_paint_makes,
        a.mid_range_attempts AS team_mid_range_attempts,
        a.mid_range_makes AS team_mid_range_makes,
        a.paint_points AS points_in_paint_scored,
        CAST(NULL AS INT64) AS second_chance_points_scored,
        IF(a.estimated_possessions > 0, ROUND(100 * a.points / a.estimated_possessions, 2), NULL) AS offensive_rating,
        IF(a.estimated_possessions > 0 AND a.minutes > 0,
           ROUND(48 * a.estimated_possessions / (a.minutes / 5), 1), NULL) AS pace,
        CAST(TRUNC(a.estimated_possessions) AS INT64) AS possessions,
        ROUND(SAFE_DIVIDE(a.points, 2 * (a.fg_attempted + 0.44 * a.ft_attempted)), 3) AS ts_pct,
        a.is_home AS home_game,
        -- The box score's points decide; the schedule's final score stands in for a team without stats.
        COALESCE(a.points > a.opponent_points, a.win_flag) AS win_flag,
        COALESCE(a.points - a.opponent_points, a.margin) AS margin_of_victory,
        IF(a.game_minutes > 240, DIV((a.game_minutes - 240), 25), 0) AS overtime_periods,
        a.players_inactive,
        CAST(NULL AS INT64) AS starters_inactive,
        CAST(NULL AS STRING) AS referee_crew_id,
        r.last_updated AS source_nbac_boxscore_last_updated,
        r.rows_found AS source_nbac_boxscore_rows_found,
        LEAST(c.team_boxscore_pct, 100) AS source_nbac_boxscore_completeness_pct,
        a.source_data_hash AS source_nbac_boxscore_hash,
        p.last_updated AS source_play_by_play_last_updated,
        p.rows_found AS source_play_by_play_rows_found,
        LEAST(c.play_by_play_pct, 100) AS source_play_by_play_completeness_pct,
        p.latest_hash AS source_play_by_play_hash,
        a.quality_tier AS data_quality_tier,
        a.has_shot_zones AS shot_zones_available,
        IF(a.has_shot_zones, 'nbac_pbp', NULL) AS shot_zones_source,
        IF(a.source = 'none', NULL, a.source) AS primary_source_used,
        -- Issues beyond the choice of source, as the platform counts them.
        ARRAY_LENGTH(a.issues) > IF(a.source = 'reconstructed_team_from_players', 1, 0) AS processed_with_issues,
        a.without_stats AS is_partial_game_data,
        IF(a.without_stats, 0, 100) AS game_completeness_pct,
        'final' AS game_status_at_processing,
        a.quality_tier,
        a.quality_score,
        a.issues AS quality_issues,
        IF(a.source = 'none', [], [a.source]) AS data_sources,
        CAST(NULL AS INT64) AS quality_sample_size,
        a.source != 'nbac_team_boxscore' AS quality_used_fallback,
        a.source = 'reconstructed_team_from_players' AS quality_reconstructed,
        TO_JSON(STRUCT(
          IF(a.source = 'none', [], [a.source]) AS sources_used,
          a.game_date < DATE_ADD(DATE(a.season_year, 10, 1), INTERVAL 30 DAY) AS early_season
        )) AS quality_metadata,
        CASE
          WHEN a.without_stats THEN 'incomplete'
          WHEN a.source = 'reconstructed_team_from_players' OR NOT a.has_shot_zones THEN 'partial'
          ELSE 'complete'
        END AS data_quality_flag
      FROM assessed AS a
      CROSS JOIN team_boxscore_rows AS r
      CROSS JOIN play_by_play_rows AS p
      CROSS JOIN coverage AS c
    ) AS source
    WHERE source.game_date = @target_date
      AND @fence >= (
        SELECT IFNULL(MAX(fence), 0)
        FROM `nba-props-platform.nba_pipeline_audit.fence_watermarks`
        WHERE target_date = @target_date AND table_name = @sink_table
      )
  ) AS typed
) AS S
ON T.game_date = @target_date AND T.game_date = S.game_date AND T.team_abbr = S.team_abbr
WHEN MATCHED AND T._fence <= S._fence THEN UPDATE SET
  game_id = S.game_id,
  nba_game_id = S.nba_game_id,
  opponent_team_abbr = S.opponent_team_abbr,
  season_year = S.season_year,
  points_scored = S.points_scored,
  fg_attempts = S.fg_attempts,
  fg_makes = S.fg_makes,
  three_pt_attempts = S.three_pt_attempts,
  three_pt_makes = S.three_pt_makes,
  ft_attempts = S.ft_attempts,
  ft_makes = S.ft_makes,
  rebounds = S.rebounds,
  assists = S.assists,
  turnovers = S.turnovers,
  personal_fouls = S.personal_fouls,
  team_paint_attempts = S.team_paint_attempts,
  team_paint_makes = S.team_paint_makes,
  team_mid_range_attempts = S.team_mid_range_attempts,
  team_mid_range_makes = S.team_mid_range_makes,
  points_in_paint_scored = S.points_in_paint_scored,
  second_chance_points_scored = S.second_chance_points_scored,
  offensive_rating = S.offensive_rating,
  pace = S.pace,
  possessions = S.possessions,
  ts_pct = S.ts_pct,
  home_game = S.home_game,
  win_flag = S.win_flag,
  margin_of_victory = S.margin_of_victory,
  overtime_periods = S.overtime_periods,
  players_inactive = S.players_inactive,
  starters_inactive = S.starters_inactive,
  referee_crew_id = S.referee_crew_id,
  source_nbac_boxscore_last_updated = S.source_nbac_boxscore_last_updated,
  source_nbac_boxscore_rows_found = S.source_nbac_boxscore_rows_found,
  source_nbac_boxscore_completeness_pct = S.source_nbac_boxscore_completeness_pct,
  source_nbac_boxscore_hash = S.source_nbac_boxscore_hash,
  source_play_by_play_last_updated = S.source_play_by_play_last_updated,
  source_play_by_play_rows_found = S.source_play_by_play_rows_found,
  source_play_by_play_completeness_pct = S.source_play_by_play_completeness_pct,
  source_play_by_play_hash = S.source_play_by_play_hash,
  data_quality_tier = S.data_quality_tier,
  shot_zones_available = S.shot_zones_available,
  shot_zones_source = S.shot_zones_source,
  primary_source_used = S.primary_source_used,
  processed_with_issues = S.processed_with_issues,
  is_partial_game_data = S.is_partial_game_data,
  game_completeness_pct = S.game_completeness_pct,
  game_status_at_processing = S.game_status_at_processing,
  data_hash = S.data_hash,
  processed_at = S.processed_at,
  quality_tier = S.quality_tier,
  quality_score = S.quality_score,
  quality_issues = S.quality_issues,
  data_sources = S.data_sources,
  quality_sample_size = S.quality_sample_size,
  quality_used_fallback = S.quality_used_fallback,
  quality_reconstructed = S.quality_reconstructed,
  quality_calculated_at = S.quality_calculated_at,
  quality_metadata = S.quality_metadata,
  data_quality_flag = S.data_quality_flag,
  processing_context = S.processing_context,
  _fence = S._fence,
  _run_id = S._run_id
WHEN NOT MATCHED BY TARGET THEN INSERT (
  game_id, nba_game_id, game_date, team_abbr, opponent_team_abbr, season_year, points_scored,
  fg_attempts, fg_makes, three_pt_attempts, three_pt_makes, ft_attempts, ft_makes, rebounds,
  assists, turnovers, personal_fouls, team_paint_attempts, team_paint_makes,
  team_mid_range_attempts, team_mid_range_makes, points_in_paint_scored,
  second_chance_points_scored, offensive_rating, pace, possessions, ts_pct, home_game, win_flag,
  margin_of_victory, overtime_periods, players_inactive, starters_inactive, referee_crew_id,
  source_nbac_boxscore_last_updated, source_nbac_boxscore_rows_found,
  source_nbac_boxscore_completeness_pct, source_nbac_boxscore_hash,
  source_play_by_play_last_updated, source_play_by_play_rows_found,
  source_play_by_play_completeness_pct, source_play_by_play_hash, data_quality_tier,
  shot_zones_available, shot_zones_source, primary_source_used, processed_with_issues,
  is_partial_game_data, game_completeness_pct, game_status_at_processing, data_hash, created_at,
  processed_at, quality_tier, quality_score, quality_issues, data_sources, quality_sample_size,
  quality_used_fallback, quality_reconstructed, quality_calculated_at, quality_metadata,
  data_quality_flag, processing_context, _fence, _run_id
) VALUES (
  S.game_id, S.nba_game_id, S.game_date, S.team_abbr, S.opponent_team_abbr, S.season_year,
  S.points_scored, S.fg_attempts, S.fg_makes, S.three_pt_attempts, S.three_pt_makes, S.ft_attempts,
  S.ft_makes, S.rebounds, S.assists, S.turnovers, S.personal_fouls, S.team_paint_attempts,
  S.team_paint_makes, S.team_mid_range_attempts, S.team_mid_range_makes, S.points_in_paint_scored,
  S.second_chance_points_scored, S.offensive_rating, S.pace, S.possessions, S.ts_pct, S.home_game,
  S.win_flag, S.margin_of_victory, S.overtime_periods, S.players_inactive, S.starters_inactive,
  S.referee_crew_id, S.source_nbac_boxscore_last_updated, S.source_nbac_boxscore_rows_found,
  S.source_nbac_boxscore_completeness_pct, S.source_nbac_boxscore_hash,
  S.source_play_by_play_last_updated, S.source_play_by_play_rows_found,
  S.source_play_by_play_completeness_pct, S.source_play_by_play_hash, S.data_quality_tier,
  S.shot_zones_available, S.shot_zones_source, S.primary_source_used, S.processed_with_issues,
  S.is_partial_game_data, S.game_completeness_pct, S.game_status_at_processing, S.data_hash,
  S.created_at, S.processed_at, S.quality_tier, S.quality_score, S.quality_issues, S.data_sources,
  S.quality_sample_size, S.quality_used_fallback, S.quality_reconstructed, S.quality_calculated_at,
  S.quality_metadata, S.data_quality_flag, S.processing_context, S._fence, S._run_id
)
WHEN NOT MATCHED BY SOURCE AND T.game_date = @target_date AND T._fence <= @fence
  AND @fence >= (
        SELECT IFNULL(MAX(fence), 0)
        FROM `nba-props-platform.nba_pipeline_audit.fence_watermarks`
        WHERE target_date = @target_date AND table_name = @sink_table
      ) THEN DELETE
