-- team_defense_game_summary: What each team allowed per game: opponent points, possessions, defensive rating.
-- The fenced, idempotent MERGE every processor runs, rendered by nba_pipeline.merge from this
-- template, the fence guard (templates/fence_guard.sql), the processor's source SELECT
-- (phase3/team_defense_game_summary.sql) and the table's DDL (schema/analytics/team_defense_game_summary.sql).
--   * The source SELECT yields the table's columns for the target date; the template adds the
--     lineage columns (_fence, _run_id), the write-context columns (processed_at, created_at,
--     processing_context, versions) and data_hash (over the values as written), and casts
--     NUMERIC columns to the DDL's precision and scale.
--   * Other dates are never touched: the source, the ON clause and the delete are all scoped
--     to the target date, which also lets BigQuery prune the target's partitions.
--   * A row already written under a newer fence is neither updated nor deleted, and a writer the
--     guard refuses deletes nothing either (its source is empty, so without the guard on the
--     delete it would remove the older rows a newer writer is about to replace).
MERGE `nba-props-platform.nba_analytics.team_defense_game_summary` AS T
USING (
  SELECT
    typed.*,
    SUBSTR(TO_HEX(SHA256(ARRAY_TO_STRING([
      CONCAT('blocks_mid_range:', IFNULL(CAST(typed.blocks_mid_range AS STRING), 'NULL')),
      CONCAT('blocks_paint:', IFNULL(CAST(typed.blocks_paint AS STRING), 'NULL')),
      CONCAT('blocks_three_pt:', IFNULL(CAST(typed.blocks_three_pt AS STRING), 'NULL')),
      CONCAT('defending_team_abbr:', IFNULL(TRIM(typed.defending_team_abbr), 'NULL')),
      CONCAT('defensive_rating:', IFNULL(REGEXP_REPLACE(FORMAT('%.2f', ROUND(typed.defensive_rating, 2)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('defensive_rebounds:', IFNULL(CAST(typed.defensive_rebounds AS STRING), 'NULL')),
      CONCAT('fast_break_points_allowed:', IFNULL(CAST(typed.fast_break_points_allowed AS STRING), 'NULL')),
      CONCAT('fouls_committed:', IFNULL(CAST(typed.fouls_committed AS STRING), 'NULL')),
      CONCAT('game_date:', IFNULL(CAST(typed.game_date AS STRING), 'NULL')),
      CONCAT('game_id:', IFNULL(TRIM(typed.game_id), 'NULL')),
      CONCAT('home_game:', IFNULL(IF(typed.home_game, 'True', 'False'), 'NULL')),
      CONCAT('margin_of_victory:', IFNULL(CAST(typed.margin_of_victory AS STRING), 'NULL')),
      CONCAT('mid_range_points_allowed:', IFNULL(CAST(typed.mid_range_points_allowed AS STRING), 'NULL')),
      CONCAT('opp_assists:', IFNULL(CAST(typed.opp_assists AS STRING), 'NULL')),
      CONCAT('opp_fg_attempts:', IFNULL(CAST(typed.opp_fg_attempts AS STRING), 'NULL')),
      CONCAT('opp_fg_makes:', IFNULL(CAST(typed.opp_fg_makes AS STRING), 'NULL')),
      CONCAT('opp_ft_attempts:', IFNULL(CAST(typed.opp_ft_attempts AS STRING), 'NULL')),
      CONCAT('opp_ft_makes:', IFNULL(CAST(typed.opp_ft_makes AS STRING), 'NULL')),
      CONCAT('opp_mid_range_attempts:', IFNULL(CAST(typed.opp_mid_range_attempts AS STRING), 'NULL')),
      CONCAT('opp_mid_range_makes:', IFNULL(CAST(typed.opp_mid_range_makes AS STRING), 'NULL')),
      CONCAT('opp_paint_attempts:', IFNULL(CAST(typed.opp_paint_attempts AS STRING), 'NULL')),
      CONCAT('opp_paint_makes:', IFNULL(CAST(typed.opp_paint_makes AS STRING), 'NULL')),
      CONCAT('opp_rebounds:', IFNULL(CAST(typed.opp_rebounds AS STRING), 'NULL')),
      CONCAT('opp_three_pt_attempts:', IFNULL(CAST(typed.opp_three_pt_attempts AS STRING), 'NULL')),
      CONCAT('opp_three_pt_makes:', IFNULL(CAST(typed.opp_three_pt_makes AS STRING), 'NULL')),
      CONCAT('opponent_pace:', IFNULL(REGEXP_REPLACE(FORMAT('%.1f', ROUND(typed.opponent_pace, 1)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('opponent_team_abbr:', IFNULL(TRIM(typed.opponent_team_abbr), 'NULL')),
      CONCAT('opponent_ts_pct:', IFNULL(REGEXP_REPLACE(FORMAT('%.3f', ROUND(typed.opponent_ts_pct, 3)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('overtime_periods:', IFNULL(CAST(typed.overtime_periods AS STRING), 'NULL')),
      CONCAT('players_inactive:', IFNULL(CAST(typed.players_inactive AS STRING), 'NULL')),
      CONCAT('points_allowed:', IFNULL(CAST(typed.points_allowed AS STRING), 'NULL')),
      CONCAT('points_in_paint_allowed:', IFNULL(CAST(typed.points_in_paint_allowed AS STRING), 'NULL')),
      CONCAT('referee_crew_id:', IFNULL(TRIM(typed.referee_crew_id), 'NULL')),
      CONCAT('season_year:', IFNULL(CAST(typed.season_year AS STRING), 'NULL')),
      CONCAT('second_chance_points_allowed:', IFNULL(CAST(typed.second_chance_points_allowed AS STRING), 'NULL')),
      CONCAT('starters_inactive:', IFNULL(CAST(typed.starters_inactive AS STRING), 'NULL')),
      CONCAT('steals:', IFNULL(CAST(typed.steals AS STRING), 'NULL')),
      CONCAT('three_pt_points_allowed:', IFNULL(CAST(typed.three_pt_points_allowed AS STRING), 'NULL')),
      CONCAT('turnovers_forced:', IFNULL(CAST(typed.turnovers_forced AS STRING), 'NULL')),
      CONCAT('win_flag:', IFNULL(IF(typed.win_flag, 'True', 'False'), 'NULL'))
    ], '|'))), 1, 16) AS data_hash
  FROM (
    SELECT
      source.* REPLACE (
        CAST(source.defensive_rating AS NUMERIC(6, 2)) AS defensive_rating,
        CAST(source.opponent_pace AS NUMERIC(5, 1)) AS opponent_pace,
        CAST(source.opponent_ts_pct AS NUMERIC(5, 3)) AS opponent_ts_pct,
        CAST(source.source_team_boxscore_completeness_pct AS NUMERIC(5, 2)) AS source_team_boxscore_completeness_pct,
        CAST(source.source_gamebook_players_completeness_pct AS NUMERIC(5, 2)) AS source_gamebook_players_completeness_pct,
        CAST(source.source_bdl_players_completeness_pct AS NUMERIC(5, 2)) AS source_bdl_players_completeness_pct
      ),
      CURRENT_TIMESTAMP() AS processed_at,
      CURRENT_TIMESTAMP() AS created_at,
      CURRENT_TIMESTAMP() AS quality_calculated_at,
      CASE WHEN STARTS_WITH(@run_id, 'scheduled__') THEN 'daily' WHEN STARTS_WITH(@run_id, 'backfill__') THEN 'backfill' ELSE 'manual' END AS processing_context,
      @fence AS _fence,
      @run_id AS _run_id
    FROM (
      -- Team defense per final game of the target date, as the platform's team defense processor
      -- defines it: what the opponent did against the defending team (the opponent's box-score line,
      -- its possessions and shot zones from the play-by-play), the defending team's own steals, blocks
      -- and defensive rebounds as its players' lines record them, and the game's result for it.
      -- defensive_rating = 100 points allowed per opponent possession; opponent_pace = the opponent's
      -- possessions (rounded to 0.1, as for the offense's pace) per 48 minutes of the game.
      WITH lines AS (
        SELECT
          *,
          ROUND(possessions, 1) AS estimated_possessions,
          COALESCE(NULLIF(minutes, 0), MAX(NULLIF(minutes, 0)) OVER (PARTITION BY game_id)) AS game_minutes
        FROM `nba-props-platform.nba_analytics.stg_team_game_lines`(@target_date, @target_date)
      ),
      shots AS (
        SELECT
          game_id,
          team_abbr,
          COUNTIF(shot_zone = 'paint') AS paint_attempts,
          COUNTIF(shot_zone = 'paint' AND shot_made) AS paint_makes,
          COUNTIF(shot_zone = 'mid_range') AS mid_range_attempts,
          COUNTIF(shot_zone = 'mid_range' AND shot_made) AS mid_range_makes
        FROM `nba-props-platform.nba_analytics.stg_shot_events`(@target_date, @target_date)
        GROUP BY game_id, team_abbr
      ),
      games_with_shots AS (
        SELECT DISTINCT game_id FROM shots
      ),
      player_rows AS (
        SELECT game_id, primary_source
        FROM `nba-props-platform.nba_analytics.stg_player_game_lines`(@target_date, @target_date)
      ),
      team_boxscore_rows AS (
        SELECT COUNT(*) AS rows_found, MAX(processed_at) AS last_updated
        FROM `nba-props-platform.nba_raw.nbac_team_boxscore`
        WHERE game_date = @target_date
      ),
      gamebook_rows AS (
        SELECT
          COUNT(*) AS rows_found,
          MAX(processed_at) AS last_updated,
          ARRAY_AGG(data_hash ORDER BY data_hash IS NULL, processed_at DESC, data_hash LIMIT 1)[SAFE_OFFSET(0)] AS latest_hash
        FROM `nba-props-platform.nba_raw.nbac_gamebook_player_stats`
        WHERE game_date = @target_date
      ),
      coverage AS (
        SELECT
          100 * SAFE_DIVIDE(COUNTIF(source = 'nbac_team_boxscore' AND NOT is_all_zero), COUNT(*)) AS team_boxscore_pct,
          -- Final games whose gamebook arrived, as a share of the date's final games.
          100 * SAFE_DIVIDE(
            (SELECT COUNT(DISTINCT game_id) FROM player_rows WHERE primary_source = 'nbac_gamebook'),
            COUNT(DISTINCT game_id)) AS gamebook_pct
        FROM lines
      ),
      paired AS (
        SELECT
          d.*,
          o.points AS opponent_points,
          o.fg_attempted AS opponent_fg_attempted,
          o.fg_made AS opponent_fg_made,
          o.three_pt_attempted AS opponent_three_pt_attempted,
          o.three_pt_made AS opponent_three_pt_made,
          o.ft_attempted AS opponent_ft_attempted,
          o.ft_made AS opponent_ft_made,
          o.total_rebounds AS opponent_rebounds,
          o.assists AS opponent_assists,
          o.turnovers AS opponent_turnovers,
          o.possessions AS opponent_possessions,
          o.estimated_possessions AS opponent_estimated_possessions,
          o.source AS opponent_source,
          o.is_all_zero OR d.is_all_zero AS any_all_zero,
          o.points IS NULL OR d.points IS NULL AS without_stats,
          z.paint_attempts, z.paint_makes, z.mid_range_attempts, z.mid_range_makes,
          w.game_id IS NOT NULL AS has_shot_zones
        FROM lines AS d
        JOIN lines AS o ON o.game_id = d.game_id AND o.team_abbr = d.opponent_team_abbr
        -- The opponent's shots are the ones the defending team allowed.
        LEFT JOIN shots AS z ON z.game_id = d.game_id AND z.team_abbr = d.opponent_team_abbr
        LEFT JOIN games_with_shots AS w ON w.game_id = d.game_id
      ),
      assessed AS (
        SELECT
          p.*,
          p.player_source IS NOT NULL AS has_defensive_actions,
          CASE
            WHEN p.player_source IS NULL THEN 'nbac_team_boxscore'
            WHEN p.player_source = 'nbac_gamebook' THEN 'nbac_team_boxscore+nbac_gamebook'
            ELSE 'nbac_team_boxscore+nbac_boxscores'
          END AS primary_source,
          ARRAY_CONCAT(
            IF(p.source = 'reconstructed_team_from_players' OR p.opponent_source = 'reconstructed_team_from_players',
               ['reconstructed'], []),
            IF(p.any_all_zero, ['all_zero_team_row'], []),
            IF(p.source = 'none' OR p.opponent_source = 'none', ['missing_team_stats'], []),
            IF(p.player_source IS NULL, ['missing_defensive_actions'], []),
            IF(p.player_source = 'nbac_boxscores', ['backup_source_used'], []),
            IF(p.has_shot_zones, [], ['shot_zones_unavailable'])
          ) AS issues,
          CASE
            WHEN p.without_stats THEN 'unusable'
            WHEN p.source = 'nbac_team_boxscore' AND p.opponent_source = 'nbac_team_boxscore' THEN 'gold'
            ELSE 'silver'
          END AS quality_tier,
          CASE
            WHEN p.without_stats THEN 0.0
            WHEN p.source = 'nbac_team_boxscore' AND p.opponent_source = 'nbac_team_boxscore' THEN 100.0
            ELSE 85.0
          END AS quality_score
        FROM paired AS p
      )
      SELECT
        a.game_id,
        a.game_date,
        a.team_abbr AS defending_team_abbr,
        a.opponent_team_abbr,
        a.season_year,
        a.opponent_points AS points_allowed,
        a.opponent_fg_attempted AS opp_fg_attempts,
        a.opponent_fg_made AS opp_fg_makes,
        a.opponent_three_pt_attempted AS opp_three_pt_attempts,
        a.opponent_three_pt_made AS opp_three_pt_makes,
        a.opponent_ft_attempted AS opp_ft_attempts,
        a.opponent_ft_made AS opp_ft_makes,
        a.opponent_rebounds AS opp_rebounds,
        a.opponent_assists AS opp_assists,
        a.opponent_turnovers AS turnovers_forced,
        a.personal_fouls AS fouls_committed,
        a.paint_attempts AS opp_paint_attempts,
        a.paint_makes AS opp_paint_makes,
        a.mid_range_attempts AS opp_mid_range_attempts,
        a.mid_range_makes AS opp_mid_range_makes,
        2 * a.paint_makes AS points_in_paint_allowed,
        2 * a.mid_range_makes AS mid_range_points_allowed,
        3 * a.opponent_three_pt_made AS three_pt_points_allowed,
        CAST(NULL AS INT64) AS second_chance_points_allowed,
        CAST(NULL AS INT64) AS fast_break_points_allowed,
        CAST(NULL AS INT64) AS blocks_paint,
        CAST(NULL AS INT64) AS blocks_mid_range,
        CAST(NULL AS INT64) AS blocks_three_pt,
        COALESCE(a.player_steals, a.steals, 0) AS steals,
        COALESCE(a.player_defensive_rebounds, a.defensive_rebounds, 0) AS defensive_rebounds,
        IF(a.opponent_possessions > 0, ROUND(100 * a.opponent_points / a.opponent_possessions, 2), NULL)
          AS defensive_rating,
        IF(a.opponent_estimated_possessions > 0 AND a.game_minutes > 0,
           ROUND(48 * a.opponent_estimated_possessions / (a.game_minutes / 5), 1), NULL) AS opponent_pace,
        ROUND(SAFE_DIVIDE(a.opponent_points, 2 * (a.opponent_fg_attempted + 0.44 * a.opponent_ft_attempted)), 3)
          AS opponent_ts_pct,
        a.is_home AS home_game,
        COALESCE(a.points > a.opponent_points, a.win_flag) AS win_flag,
        COALESCE(a.points - a.opponent_points, a.margin) AS margin_of_victory,
        IF(a.game_minutes > 240, DIV((a.game_minutes - 240), 25), 0) AS overtime_periods,
        IF(a.player_source = 'nbac_gamebook', a.inactive_players, NULL) AS players_inactive,
        CAST(NULL AS INT64) AS starters_inactive,
        CAST(NULL AS STRING) AS referee_crew_id,
        a.quality_tier AS data_quality_tier,
        a.primary_source AS primary_source_used,
        NOT a.has_defensive_actions AS processed_with_issues,
        r.last_updated AS source_team_boxscore_last_updated,
        r.rows_found AS source_team_boxscore_rows_found,
        LEAST(c.team_boxscore_pct, 100) AS source_team_boxscore_completeness_pct,
        a.source_data_hash AS source_team_boxscore_hash,
        g.last_updated AS source_gamebook_players_last_updated,
        g.rows_found AS source_gamebook_players_rows_found,
        LEAST(c.gamebook_pct, 100) AS source_gamebook_players_completeness_pct,
        g.latest_hash AS source_gamebook_players_hash,
        -- Ball Don't Lie boxscores are not among our inputs (the platform has disabled them too).
        CAST(NULL AS TIMESTAMP) AS source_bdl_players_last_updated,
        CAST(NULL AS INT64) AS source_bdl_players_rows_found,
        CAST(NULL AS FLOAT64) AS source_bdl_players_completeness_pct,
        CAST(NULL AS STRING) AS source_bdl_players_hash,
        a.quality_tier,
        a.quality_score,
        a.issues AS quality_issues,
        ARRAY_CONCAT(IF(a.source = 'none', [], [a.source]), IF(a.player_source IS NULL, [], [a.player_source]))
          AS data_sources,
        CAST(NULL AS INT64) AS quality_sample_size,
        a.source != 'nbac_team_boxscore' OR a.opponent_source != 'nbac_team_boxscore'
          OR a.player_source = 'nbac_boxscores' AS quality_used_fallback,
        a.source = 'reconstructed_team_from_players' OR a.opponent_source = 'reconstructed_team_from_players'
          AS quality_reconstructed,
        TO_JSON(STRUCT(
          ARRAY_CONCAT(IF(a.source = 'none', [], [a.source]), IF(a.player_source IS NULL, [], [a.player_source]))
            AS sources_used,
          a.game_date < DATE_ADD(DATE(a.season_year, 10, 1), INTERVAL 30 DAY) AS early_season
        )) AS quality_metadata,
        CASE
          WHEN a.without_stats THEN 'incomplete'
          WHEN a.quality_tier != 'gold' OR NOT a.has_shot_zones OR NOT a.has_defensive_actions THEN 'partial'
          ELSE 'complete'
        END AS data_quality_flag
      FROM assessed AS a
      CROSS JOIN team_boxscore_rows AS r
      CROSS JOIN gamebook_rows AS g
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
ON T.game_date = @target_date AND T.game_date = S.game_date AND T.defending_team_abbr = S.defending_team_abbr
WHEN MATCHED AND T._fence <= S._fence THEN UPDATE SET
  game_id = S.game_id,
  opponent_team_abbr = S.opponent_team_abbr,
  season_year = S.season_year,
  points_allowed = S.points_allowed,
  opp_fg_attempts = S.opp_fg_attempts,
  opp_fg_makes = S.opp_fg_makes,
  opp_three_pt_attempts = S.opp_three_pt_attempts,
  opp_three_pt_makes = S.opp_three_pt_makes,
  opp_ft_attempts = S.opp_ft_attempts,
  opp_ft_makes = S.opp_ft_makes,
  opp_rebounds = S.opp_rebounds,
  opp_assists = S.opp_assists,
  turnovers_forced = S.turnovers_forced,
  fouls_committed = S.fouls_committed,
  opp_paint_attempts = S.opp_paint_attempts,
  opp_paint_makes = S.opp_paint_makes,
  opp_mid_range_attempts = S.opp_mid_range_attempts,
  opp_mid_range_makes = S.opp_mid_range_makes,
  points_in_paint_allowed = S.points_in_paint_allowed,
  mid_range_points_allowed = S.mid_range_points_allowed,
  three_pt_points_allowed = S.three_pt_points_allowed,
  second_chance_points_allowed = S.second_chance_points_allowed,
  fast_break_points_allowed = S.fast_break_points_allowed,
  blocks_paint = S.blocks_paint,
  blocks_mid_range = S.blocks_mid_range,
  blocks_three_pt = S.blocks_three_pt,
  steals = S.steals,
  defensive_rebounds = S.defensive_rebounds,
  defensive_rating = S.defensive_rating,
  opponent_pace = S.opponent_pace,
  opponent_ts_pct = S.opponent_ts_pct,
  home_game = S.home_game,
  win_flag = S.win_flag,
  margin_of_victory = S.margin_of_victory,
  overtime_periods = S.overtime_periods,
  players_inactive = S.players_inactive,
  starters_inactive = S.starters_inactive,
  referee_crew_id = S.referee_crew_id,
  data_quality_tier = S.data_quality_tier,
  primary_source_used = S.primary_source_used,
  processed_with_issues = S.processed_with_issues,
  source_team_boxscore_last_updated = S.source_team_boxscore_last_updated,
  source_team_boxscore_rows_found = S.source_team_boxscore_rows_found,
  source_team_boxscore_completeness_pct = S.source_team_boxscore_completeness_pct,
  source_team_boxscore_hash = S.source_team_boxscore_hash,
  source_gamebook_players_last_updated = S.source_gamebook_players_last_updated,
  source_gamebook_players_rows_found = S.source_gamebook_players_rows_found,
  source_gamebook_players_completeness_pct = S.source_gamebook_players_completeness_pct,
  source_gamebook_players_hash = S.source_gamebook_players_hash,
  source_bdl_players_last_updated = S.source_bdl_players_last_updated,
  source_bdl_players_rows_found = S.source_bdl_players_rows_found,
  source_bdl_players_completeness_pct = S.source_bdl_players_completeness_pct,
  source_bdl_players_hash = S.source_bdl_players_hash,
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
  game_id, game_date, defending_team_abbr, opponent_team_abbr, season_year, points_allowed,
  opp_fg_attempts, opp_fg_makes, opp_three_pt_attempts, opp_three_pt_makes, opp_ft_attempts,
  opp_ft_makes, opp_rebounds, opp_assists, turnovers_forced, fouls_committed, opp_paint_attempts,
  opp_paint_makes, opp_mid_range_attempts, opp_mid_range_makes, points_in_paint_allowed,
  mid_range_points_allowed, three_pt_points_allowed, second_chance_points_allowed,
  fast_break_points_allowed, blocks_paint, blocks_mid_range, blocks_three_pt, steals,
  defensive_rebounds, defensive_rating, opponent_pace, opponent_ts_pct, home_game, win_flag,
  margin_of_victory, overtime_periods, players_inactive, starters_inactive, referee_crew_id,
  data_quality_tier, primary_source_used, processed_with_issues, source_team_boxscore_last_updated,
  source_team_boxscore_rows_found, source_team_boxscore_completeness_pct, source_team_boxscore_hash,
  source_gamebook_players_last_updated, source_gamebook_players_rows_found,
  source_gamebook_players_completeness_pct, source_gamebook_players_hash,
  source_bdl_players_last_updated, source_bdl_players_rows_found,
  source_bdl_players_completeness_pct, source_bdl_players_hash, data_hash, processed_at, created_at,
  quality_tier, quality_score, quality_issues, data_sources, quality_sample_size,
  quality_used_fallback, quality_reconstructed, quality_calculated_at, quality_metadata,
  data_quality_flag, processing_context, _fence, _run_id
) VALUES (
  S.game_id, S.game_date, S.defending_team_abbr, S.opponent_team_abbr, S.season_year,
  S.points_allowed, S.opp_fg_attempts, S.opp_fg_makes, S.opp_three_pt_attempts,
  S.opp_three_pt_makes, S.opp_ft_attempts, S.opp_ft_makes, S.opp_rebounds, S.opp_assists,
  S.turnovers_forced, S.fouls_committed, S.opp_paint_attempts, S.opp_paint_makes,
  S.opp_mid_range_attempts, S.opp_mid_range_makes, S.points_in_paint_allowed,
  S.mid_range_points_allowed, S.three_pt_points_allowed, S.second_chance_points_allowed,
  S.fast_break_points_allowed, S.blocks_paint, S.blocks_mid_range, S.blocks_three_pt, S.steals,
  S.defensive_rebounds, S.defensive_rating, S.opponent_pace, S.opponent_ts_pct, S.home_game,
  S.win_flag, S.margin_of_victory, S.overtime_periods, S.players_inactive, S.starters_inactive,
  S.referee_crew_id, S.data_quality_tier, S.primary_source_used, S.processed_with_issues,
  S.source_team_boxscore_last_updated, S.source_team_boxscore_rows_found,
  S.source_team_boxscore_completeness_pct, S.source_team_boxscore_hash,
  S.source_gamebook_players_last_updated, S.source_gamebook_players_rows_found,
  S.source_gamebook_players_completeness_pct, S.source_gamebook_players_hash,
  S.source_bdl_players_last_updated, S.source_bdl_players_rows_found,
  S.source_bdl_players_completeness_pct, S.source_bdl_players_hash, S.data_hash, S.processed_at,
  S.created_at, S.quality_tier, S.quality_score, S.quality_issues, S.data_sources,
  S.quality_sample_size, S.quality_used_fallback, S.quality_reconstructed, S.quality_calculated_at,
  S.quality_metadata, S.data_quality_flag, S.processing_context, S._fence, S._run_id
)
WHEN NOT MATCHED BY SOURCE AND T.game_date = @target_date AND T._fence <= @fence
  AND @fence >= (
        SELECT IFNULL(MAX(fence), 0)
        FROM `nba-props-platform.nba_pipeline_audit.fence_watermarks`
        WHERE target_date = @target_date AND table_name = @sink_table
      ) THEN DELETE
