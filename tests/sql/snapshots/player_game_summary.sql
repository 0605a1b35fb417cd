-- player_game_summary: Player line per game with usage, true shooting, points line and over/under result.
-- The fenced, idempotent MERGE every processor runs, rendered by nba_pipeline.merge from this
-- template, the fence guard (templates/fence_guard.sql), the processor's source SELECT
-- (phase3/player_game_summary.sql) and the table's DDL (schema/analytics/player_game_summary.sql).
--   * The source SELECT yields the table's columns for the target date; the template adds the
--     lineage columns (_fence, _run_id), the write-context columns (processed_at, created_at,
--     processing_context, versions) and data_hash (over the values as written), and casts
--     NUMERIC columns to the DDL's precision and scale.
--   * Other dates are never touched: the source, the ON clause and the delete are all scoped
--     to the target date, which also lets BigQuery prune the target's partitions.
--   * A row already written under a newer fence is neither updated nor deleted, and a writer the
--     guard refuses deletes nothing either (its source is empty, so without the guard on the
--     delete it would remove the older rows a newer writer is about to replace).
MERGE `nba-props-platform.nba_analytics.player_game_summary` AS T
USING (
  SELECT
    typed.*,
    SUBSTR(TO_HEX(SHA256(ARRAY_TO_STRING([
      CONCAT('and1_count:', IFNULL(CAST(typed.and1_count AS STRING), 'NULL')),
      CONCAT('assisted_fg_makes:', IFNULL(CAST(typed.assisted_fg_makes AS STRING), 'NULL')),
      CONCAT('assists:', IFNULL(CAST(typed.assists AS STRING), 'NULL')),
      CONCAT('blocks:', IFNULL(CAST(typed.blocks AS STRING), 'NULL')),
      CONCAT('defensive_rebounds:', IFNULL(CAST(typed.defensive_rebounds AS STRING), 'NULL')),
      CONCAT('efg_pct:', IFNULL(REGEXP_REPLACE(FORMAT('%.3f', ROUND(typed.efg_pct, 3)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('fg_attempts:', IFNULL(CAST(typed.fg_attempts AS STRING), 'NULL')),
      CONCAT('fg_makes:', IFNULL(CAST(typed.fg_makes AS STRING), 'NULL')),
      CONCAT('ft_attempts:', IFNULL(CAST(typed.ft_attempts AS STRING), 'NULL')),
      CONCAT('ft_makes:', IFNULL(CAST(typed.ft_makes AS STRING), 'NULL')),
      CONCAT('game_date:', IFNULL(CAST(typed.game_date AS STRING), 'NULL')),
      CONCAT('game_id:', IFNULL(TRIM(typed.game_id), 'NULL')),
      CONCAT('is_active:', IFNULL(IF(typed.is_active, 'True', 'False'), 'NULL')),
      CONCAT('line_movement:', IFNULL(REGEXP_REPLACE(FORMAT('%.1f', ROUND(typed.line_movement, 1)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('margin:', IFNULL(REGEXP_REPLACE(FORMAT('%.2f', ROUND(typed.margin, 2)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('mid_range_attempts:', IFNULL(CAST(typed.mid_range_attempts AS STRING), 'NULL')),
      CONCAT('mid_range_blocks:', IFNULL(CAST(typed.mid_range_blocks AS STRING), 'NULL')),
      CONCAT('mid_range_makes:', IFNULL(CAST(typed.mid_range_makes AS STRING), 'NULL')),
      CONCAT('minutes_played:', IFNULL(REGEXP_REPLACE(FORMAT('%.1f', ROUND(typed.minutes_played, 1)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('offensive_rebounds:', IFNULL(CAST(typed.offensive_rebounds AS STRING), 'NULL')),
      CONCAT('opening_line:', IFNULL(REGEXP_REPLACE(FORMAT('%.1f', ROUND(typed.opening_line, 1)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('opening_line_source:', IFNULL(TRIM(typed.opening_line_source), 'NULL')),
      CONCAT('opponent_team_abbr:', IFNULL(TRIM(typed.opponent_team_abbr), 'NULL')),
      CONCAT('over_under_result:', IFNULL(TRIM(typed.over_under_result), 'NULL')),
      CONCAT('paint_attempts:', IFNULL(CAST(typed.paint_attempts AS STRING), 'NULL')),
      CONCAT('paint_blocks:', IFNULL(CAST(typed.paint_blocks AS STRING), 'NULL')),
      CONCAT('paint_makes:', IFNULL(CAST(typed.paint_makes AS STRING), 'NULL')),
      CONCAT('personal_fouls:', IFNULL(CAST(typed.personal_fouls AS STRING), 'NULL')),
      CONCAT('player_full_name:', IFNULL(TRIM(typed.player_full_name), 'NULL')),
      CONCAT('player_lookup:', IFNULL(TRIM(typed.player_lookup), 'NULL')),
      CONCAT('player_status:', IFNULL(TRIM(typed.player_status), 'NULL')),
      CONCAT('plus_minus:', IFNULL(CAST(typed.plus_minus AS STRING), 'NULL')),
      CONCAT('points:', IFNULL(CAST(typed.points AS STRING), 'NULL')),
      CONCAT('points_line:', IFNULL(REGEXP_REPLACE(FORMAT('%.1f', ROUND(typed.points_line, 1)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('points_line_source:', IFNULL(TRIM(typed.points_line_source), 'NULL')),
      CONCAT('season_year:', IFNULL(CAST(typed.season_year AS STRING), 'NULL')),
      CONCAT('starter_flag:', IFNULL(IF(typed.starter_flag, 'True', 'False'), 'NULL')),
      CONCAT('steals:', IFNULL(CAST(typed.steals AS STRING), 'NULL')),
      CONCAT('team_abbr:', IFNULL(TRIM(typed.team_abbr), 'NULL')),
      CONCAT('three_pt_attempts:', IFNULL(CAST(typed.three_pt_attempts AS STRING), 'NULL')),
      CONCAT('three_pt_blocks:', IFNULL(CAST(typed.three_pt_blocks AS STRING), 'NULL')),
      CONCAT('three_pt_makes:', IFNULL(CAST(typed.three_pt_makes AS STRING), 'NULL')),
      CONCAT('ts_pct:', IFNULL(REGEXP_REPLACE(FORMAT('%.3f', ROUND(typed.ts_pct, 3)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('turnovers:', IFNULL(CAST(typed.turnovers AS STRING), 'NULL')),
      CONCAT('unassisted_fg_makes:', IFNULL(CAST(typed.unassisted_fg_makes AS STRING), 'NULL')),
      CONCAT('universal_player_id:', IFNULL(TRIM(typed.universal_player_id), 'NULL')),
      CONCAT('usage_rate:', IFNULL(REGEXP_REPLACE(FORMAT('%.2f', ROUND(typed.usage_rate, 2)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('win_flag:', IFNULL(IF(typed.win_flag, 'True', 'False'), 'NULL'))
    ], '|'))), 1, 16) AS data_hash
  FROM (
    SELECT
      source.* REPLACE (
        CAST(source.minutes_played AS NUMERIC(5, 1)) AS minutes_played,
        CAST(source.usage_rate AS NUMERIC(6, 2)) AS usage_rate,
        CAST(source.ts_pct AS NUMERIC(5, 3)) AS ts_pct,
        CAST(source.efg_pct AS NUMERIC(5, 3)) AS efg_pct,
        CAST(source.points_line AS NUMERIC(4, 1)) AS points_line,
        CAST(source.margin AS NUMERIC(6, 2)) AS margin,
        CAST(source.opening_line AS NUMERIC(4, 1)) AS opening_line,
        CAST(source.line_movement AS NUMERIC(4, 1)) AS line_movement,
        CAST(source.source_nbac_completeness_pct AS NUMERIC(5, 2)) AS source_nbac_completeness_pct,
        CAST(source.source_bdl_completeness_pct AS NUMERIC(5, 2)) AS source_bdl_completeness_pct,
        CAST(source.source_bbd_completeness_pct AS NUMERIC(5, 2)) AS source_bbd_completeness_pct,
        CAST(source.source_nbac_pbp_completeness_pct AS NUMERIC(5, 2)) AS source_nbac_pbp_completeness_pct,
        CAST(source.source_odds_completeness_pct AS NUMERIC(5, 2)) AS source_odds_completeness_pct,
        CAST(source.source_bp_completeness_pct AS NUMERIC(5, 2)) AS source_bp_completeness_pct,
        CAST(source.source_team_completeness_pct AS NUMERIC(5, 2)) AS source_team_completeness_pct,
        CAST(source.game_completeness_pct AS NUMERIC(5, 2)) AS game_completeness_pct,
        CAST(source.usage_rate_capped AS NUMERIC(5, 2)) AS usage_rate_capped,
        CAST(source.usage_rate_raw AS NUMERIC(6, 2)) AS usage_rate_raw
      ),
      1 AS record_version,
      CURRENT_TIMESTAMP() AS first_processed_at,
      CURRENT_TIMESTAMP() AS created_at,
      CURRENT_TIMESTAMP() AS processed_at,
      CURRENT_TIMESTAMP() AS quality_calculated_at,
      CASE WHEN STARTS_WITH(@run_id, 'scheduled__') THEN 'daily' WHEN STARTS_WITH(@run_id, 'backfill__') THEN 'backfill' ELSE 'manual' END AS processing_context,
      @fence AS _fence,
      @run_id AS _run_id
    FROM (
      -- Player line per final game of the target date, as the platform's player game summary defines
      -- it: every player of the gamebook (active, DNP and inactive; the live boxscores when a game has
      -- no gamebook), shot zones and assists from the play-by-play, usage from the player's own team
      -- line of team_offense_game_summary of the same date (which must be written first), the points
      -- line and its result, and the universal player id from the players registry.
      -- Deliberate differences from the platform (docs/compatibility.md): usage uses the game's real
      -- length (240 team minutes plus 25 per overtime); a points total equal to a whole-number line is a
      -- PUSH; win_flag is the game's result; the line is the latest pre-game snapshot.
      WITH lines AS (
        SELECT *
        FROM `nba-props-platform.nba_analytics.stg_player_game_lines`(@target_date, @target_date)
      ),
      shot_events AS (
        SELECT *
        FROM `nba-props-platform.nba_analytics.stg_shot_events`(@target_date, @target_date)
      ),
      shots AS (
        SELECT
          game_id,
          player_lookup,
          COUNT(*) AS attempts,
          COUNTIF(shot_zone = 'paint') AS paint_attempts,
          COUNTIF(shot_zone = 'paint' AND shot_made) AS paint_makes,
          COUNTIF(shot_zone = 'mid_range') AS mid_range_attempts,
          COUNTIF(shot_zone = 'mid_range' AND shot_made) AS mid_range_makes,
          COUNTIF(shot_zone = 'three') AS three_attempts,
          COUNTIF(shot_zone = 'three' AND shot_made) AS three_makes,
          COUNTIF(shot_made) AS makes,
          COUNTIF(assisted) AS assisted_makes,
          ARRAY_AGG(data_hash ORDER BY data_hash IS NULL, processed_at DESC, data_hash LIMIT 1)[SAFE_OFFSET(0)]
            AS latest_hash
        FROM shot_events
        GROUP BY game_id, player_lookup
      ),
      -- Games whose play-by-play arrived: their players without a shot get zeros, not NULLs.
      games_with_shots AS (
        SELECT DISTINCT game_id FROM shot_events
      ),
      play_by_play AS (
        SELECT MAX(processed_at) AS last_updated, COUNT(DISTINCT game_id) AS games FROM shot_events
      ),
      gamebook AS (
        SELECT
          game_id,
          COUNT(*) AS rows_found,
          COUNTIF(player_status = 'active') AS active_players
        FROM `nba-props-platform.nba_raw.nbac_gamebook_player_stats`
        WHERE game_date = @target_date
        GROUP BY game_id
      ),
      gamebook_updated AS (
        SELECT MAX(processed_at) AS last_updated
        FROM `nba-props-platform.nba_raw.nbac_gamebook_player_stats`
        WHERE game_date = @target_date
      ),
      live_players AS (
        SELECT game_id, COUNT(DISTINCT player_lookup) AS players
        FROM `nba-props-platform.nba_raw.nbac_player_boxscores`
        WHERE game_date = @target_date
        GROUP BY game_id
      ),
      props AS (
        SELECT *
        FROM `nba-props-platform.nba_analytics.stg_player_points_lines`(@target_date, @target_date)
      ),
      odds_books AS (
        SELECT COUNT(DISTINCT bookmaker) AS bookmakers, MAX(processed_at) AS last_updated
        FROM `nba-props-platform.nba_raw.odds_api_player_points_props`
        WHERE game_date = @target_date
      ),
      bettingpros_books AS (
        SELECT COUNT(DISTINCT bookmaker) AS bookmakers, MAX(processed_at) AS last_updated
        FROM `nba-props-platform.nba_raw.bettingpros_player_points_props`
        WHERE game_date = @target_date AND market_type = 'points'
      ),
      team AS (
        SELECT
          team_abbr, game_id, fg_attempts, ft_attempts, turnovers, overtime_periods, processed_at, data_hash,
          COUNT(*) OVER (PARTITION BY game_id) AS rows_for_game,
          MAX(processed_at) OVER () AS last_updated
        FROM `nba-props-platform.nba_analytics.team_offense_game_summary`
        WHERE game_date = @target_date
      ),
      registry AS (
        SELECT player_lookup, team_abbr, season, universal_player_id
        FROM `nba-props-platform.nba_reference.nba_players_registry`
        WHERE universal_player_id IS NOT NULL
        QUALIFY ROW_NUMBER() OVER (PARTITION BY player_lookup, team_abbr, season ORDER BY processed_at DESC) = 1
      ),
      joined AS (
        SELECT
          p.*,
          r.universal_player_id,
          t.team_abbr IS NOT NULL AND t.fg_attempts IS NOT NULL AND t.ft_attempts IS NOT NULL
            AND t.turnovers IS NOT NULL AND t.fg_attempts + 0.44 * t.ft_attempts + t.turnovers > 0 AS has_team_stats,
          t.fg_attempts AS team_fg_attempts,
          t.ft_attempts AS team_ft_attempts,
          t.turnovers AS team_turnovers,
          t.overtime_periods AS team_overtime_periods,
          t.rows_for_game AS team_rows_for_game,
          t.data_hash AS team_data_hash,
          t.last_updated AS team_last_updated,
          SUM(p.field_goals_attempted) OVER (PARTITION BY p.game_id, p.team_abbr) AS team_player_fg_attempts,
          z.paint_attempts AS zone_paint_attempts, z.paint_makes AS zone_paint_makes,
          z.mid_range_attempts AS zone_mid_range_attempts, z.mid_range_makes AS zone_mid_range_makes,
          z.three_attempts AS zone_three_attempts, z.three_makes AS zone_three_makes,
          z.makes AS zone_makes, z.assisted_makes AS zone_assisted_makes,
          z.attempts AS shot_events_found, z.latest_hash AS shot_events_hash,
          w.game_id IS NOT NULL AS has_play_by_play,
          g.rows_found AS gamebook_rows_found,
          g.active_players AS gamebook_active_players,
          lp.players AS live_players,
          line.line_table, line.current_line, line.current_source, line.opening_line, line.opening_source,
          line.bookmakers AS line_bookmakers, line.snapshots AS line_snapshots, line.data_hash AS line_data_hash
        FROM lines AS p
        LEFT JOIN registry AS r
          ON r.player_lookup = p.player_lookup AND r.team_abbr = p.team_abbr
          AND r.season = CONCAT(CAST(p.season_year AS STRING), '-', SUBSTR(CAST(p.season_year + 1 AS STRING), 3, 2))
        LEFT JOIN team AS t ON t.team_abbr = p.team_abbr AND t.game_id = p.game_id
        LEFT JOIN shots AS z ON z.game_id = p.game_id AND z.player_lookup = p.player_lookup
        LEFT JOIN games_with_shots AS w ON w.game_id = p.game_id
        LEFT JOIN gamebook AS g ON g.game_id = p.game_id
        LEFT JOIN live_players AS lp ON lp.game_id = p.game_id
        LEFT JOIN props AS line ON line.game_date = p.game_date AND line.player_lookup = p.player_lookup
      ),
      measured AS (
        SELECT
          *,
          player_status = 'active' AS is_active,
          ROUND(minutes_decimal, 1) AS minutes_played,
          -- Usage over the game's real length: 240 team minutes plus 25 per overtime.
          IF(has_team_stats AND minutes_decimal > 0 AND field_goals_attempted IS NOT NULL AND turnovers IS NOT NULL,
             100 * (field_goals_attempted + 0.44 * IFNULL(free_throws_attempted, 0) + turnovers)
               * ((240 + 25 * IFNULL(team_overtime_periods, 0)) / 5)
               / (minutes_decimal * (team_fg_attempts + 0.44 * team_ft_attempts + team_turnovers)),
             NULL) AS raw_usage_rate,
          IF(player_status = 'active', current_line, NULL) AS graded_line,
          -- The platform's tiers: the gamebook 100 (gold), the live boxscores 85 (silver); 5 off for
          -- a missing plus/minus and 5 for missing shot zones.
          IF(primary_source = 'nbac_gamebook', 'gold', 'silver') AS quality_tier,
          IF(primary_source = 'nbac_gamebook', 100.0, 85.0) - IF(plus_minus IS NULL, 5, 0)
            - IF(has_play_by_play, 0, 5) AS quality_score,
          ARRAY_CONCAT(
            IF(primary_source = 'nbac_gamebook', [], ['backup_source_used']),
            IF(plus_minus IS NULL, ['missing_plus_minus'], []),
            IF(has_play_by_play, [], ['missing_shot_zones']),
            IF(has_team_stats, [], ['team_stats_missing'])
          ) AS issues
        FROM joined
      )
      SELECT
        m.player_lookup,
        m.universal_player_id,
        m.player_name AS player_full_name,
        m.game_id,
        m.game_date,
        m.team_abbr,
        m.opponent_team_abbr,
        m.season_year,
        m.points,
        m.minutes_played,
        m.assists,
        m.offensive_rebounds,
        m.defensive_rebounds,
        m.steals,
        m.blocks,
        m.turnovers,
        m.field_goals_attempted AS fg_attempts,
        m.field_goals_made AS fg_makes,
        -- Threes from the play-by-play when it arrived (the same source as the other zones), as the
        -- platform prefers; the box score otherwise.
        IF(m.has_play_by_play AND m.is_active, IFNULL(m.zone_three_attempts, 0), m.three_pointers_attempted)
          AS three_pt_attempts,
        IF(m.has_play_by_play AND m.is_active, IFNULL(m.zone_three_makes, 0), m.three_pointers_made) AS three_pt_makes,
        m.free_throws_attempted AS ft_attempts,
        m.free_throws_made AS ft_makes,
        m.plus_minus,
        m.personal_fouls,
        IF(m.has_play_by_play, IFNULL(m.zone_paint_attempts, 0), NULL) AS paint_attempts,
        IF(m.has_play_by_play, IFNULL(m.zone_paint_makes, 0), NULL) AS paint_makes,
        IF(m.has_play_by_play, IFNULL(m.zone_mid_range_attempts, 0), NULL) AS mid_range_attempts,
        IF(m.has_play_by_play, IFNULL(m.zone_mid_range_makes, 0), NULL) AS mid_range_makes,
        IF(m.has_play_by_play, IFNULL(m.zone_three_attempts, 0), NULL) AS three_attempts_pbp,
        IF(m.has_play_by_play, IFNULL(m.zone_three_makes, 0), NULL) AS three_makes_pbp,
        m.has_play_by_play AS has_complete_shot_zones,
        CAST(NULL AS INT64) AS paint_blocks,
        CAST(NULL AS INT64) AS mid_range_blocks,
        CAST(NULL AS INT64) AS three_pt_blocks,
        CAST(NULL AS INT64) AS and1_count,
        IF(m.has_play_by_play, IFNULL(m.zone_assisted_makes, 0), NULL) AS assisted_fg_makes,
        IF(m.has_play_by_play, IFNULL(m.zone_makes, 0) - IFNULL(m.zone_assisted_makes, 0), NULL) AS unassisted_fg_makes,
        -- An out-of-range usage rate means inconsistent inputs: report none rather than a wrong one.
        IF(m.raw_usage_rate BETWEEN 0 AND 100, ROUND(m.raw_usage_rate, 2), NULL) AS usage_rate,
        ROUND(SAFE_DIVIDE(m.points, 2 * (m.field_goals_attempted + 0.44 * m.free_throws_attempted)), 3) AS ts_pct,
        ROUND(SAFE_DIVIDE(m.field_goals_made + 0.5 * m.three_pointers_made, m.field_goals_attempted), 3) AS efg_pct,
        COALESCE(m.starter, m.minutes_decimal > 20, FALSE) AS starter_flag,
        -- The game's result (the platform's writer leaves it FALSE for every row).
        IFNULL(m.win_flag, FALSE) AS win_flag,
        m.graded_line AS points_line,
        CASE
          WHEN m.graded_line IS NULL OR m.points IS NULL THEN NULL
          WHEN m.points > m.graded_line THEN 'OVER'
          WHEN m.points < m.graded_line THEN 'UNDER'
          ELSE 'PUSH'
        END AS over_under_result,
        m.points - m.graded_line AS margin,
        IF(m.is_active, m.opening_line, NULL) AS opening_line,
        IF(m.is_active, m.current_line - m.opening_line, NULL) AS line_movement,
        IF(m.is_active, m.current_source, NULL) AS points_line_source,
        IF(m.is_active, m.opening_source, NULL) AS opening_line_source,
        m.is_active,
        m.player_status,
        gu.last_updated AS source_nbac_last_updated,
        m.gamebook_rows_found AS source_nbac_rows_found,
        IF(m.gamebook_rows_found IS NULL, NULL,
           LEAST(100, 100 * SAFE_DIVIDE(m.gamebook_active_players, IFNULL(m.live_players, m.gamebook_active_players))))
          AS source_nbac_completeness_pct,
        IF(m.primary_source = 'nbac_gamebook', m.source_data_hash, NULL) AS source_nbac_hash,
        -- Ball Don't Lie and BigDataBall are not among our inputs.
        CAST(NULL AS TIMESTAMP) AS source_bdl_last_updated,
        CAST(NULL AS INT64) AS source_bdl_rows_found,
        CAST(NULL AS FLOAT64) AS source_bdl_completeness_pct,
        CAST(NULL AS STRING) AS source_bdl_hash,
        CAST(NULL AS TIMESTAMP) AS source_bbd_last_updated,
        CAST(NULL AS INT64) AS source_bbd_rows_found,
        CAST(NULL AS FLOAT64) AS source_bbd_completeness_pct,
        CAST(NULL AS STRING) AS source_bbd_hash,
        pbp.last_updated AS source_nbac_pbp_last_updated,
        IF(m.has_play_by_play, IFNULL(m.shot_events_found, 0), NULL) AS source_nbac_pbp_rows_found,
        IF(m.has_play_by_play, 100.0, 0.0) AS source_nbac_pbp_completeness_pct,
        m.shot_events_hash AS source_nbac_pbp_hash,
        ob.last_updated AS source_odds_last_updated,
        IF(m.line_table = 'odds_api', m.line_snapshots, 0) AS source_odds_rows_found,
        IF(m.line_table = 'odds_api', LEAST(100, 100 * SAFE_DIVIDE(m.line_bookmakers, ob.bookmakers)), 0)
          AS source_odds_completeness_pct,
        IF(m.line_table = 'odds_api', m.line_data_hash, NULL) AS source_odds_hash,
        bb.last_updated AS source_bp_last_updated,
        IF(m.line_table = 'bettingpros', m.line_snapshots, 0) AS source_bp_rows_found,
        IF(m.line_table = 'bettingpros', LEAST(100, 100 * SAFE_DIVIDE(m.line_bookmakers, bb.bookmakers)), 0)
          AS source_bp_completeness_pct,
        IF(m.line_table = 'bettingpros', m.line_data_hash, NULL) AS source_bp_hash,
        m.team_last_updated AS source_team_last_updated,
        IFNULL(m.team_rows_for_game, 0) AS source_team_rows_found,
        100 * IFNULL(m.team_rows_for_game, 0) / 2 AS source_team_completeness_pct,
        m.team_data_hash AS source_team_hash,
        m.quality_tier AS data_quality_tier,
        m.primary_source AS primary_source_used,
        ARRAY_LENGTH(m.issues) > IF(m.primary_source = 'nbac_gamebook', 0, 1) AS processed_with_issues,
        FALSE AS shot_zones_estimated,
        m.player_status IN ('dnp', 'inactive') OR (m.is_active AND IFNULL(m.minutes_decimal, 0) = 0) AS is_dnp,
        IF(m.is_active, NULL, m.dnp_reason) AS dnp_reason,
        IF(m.is_active OR m.dnp_reason IS NULL, NULL, CASE
          WHEN REGEXP_CONTAINS(LOWER(m.dnp_reason),
            r'injury|injured|illness|sprain|strain|sore|pain|surgery|concussion|knee|ankle|back|hamstring|shoulder|hip|foot|calf|quad|groin|wrist|elbow')
            THEN 'injury'
          WHEN REGEXP_CONTAINS(LOWER(m.dnp_reason), r'rest|load management|recovery|maintenance|precautionary') THEN 'rest'
          WHEN REGEXP_CONTAINS(LOWER(m.dnp_reason), r'personal|family|birth|funeral|bereavement') THEN 'personal'
          WHEN REGEXP_CONTAINS(LOWER(m.dnp_reason), r'coach|decision|not with team|suspension|disciplinary')
            THEN 'coach_decision'
          ELSE 'other'
        END) AS dnp_reason_category,
        NOT m.has_team_stats OR m.primary_source != 'nbac_gamebook' AS is_partial_game_data,
        -- The players' field goal attempts against the team's, as the platform measures completeness.
        IF(m.has_team_stats, LEAST(100, 100 * SAFE_DIVIDE(m.team_player_fg_attempts, m.team_fg_attempts)), NULL)
          AS game_completeness_pct,
        'final' AS game_status_at_processing,
        IF(m.raw_usage_rate IS NULL, NULL, m.raw_usage_rate <= 50) AS usage_rate_valid,
        IF(m.raw_usage_rate IS NULL, NULL, ROUND(LEAST(m.raw_usage_rate, 50), 2)) AS usage_rate_capped,
        IF(m.raw_usage_rate < 10000, ROUND(m.raw_usage_rate, 2), NULL) AS usage_rate_raw,
        CASE
          WHEN m.is_active AND IFNULL(m.minutes_decimal, 0) > 0 AND NOT m.has_team_stats THEN 'partial_team_data'
          WHEN m.raw_usage_rate > 50 THEN 'exceeds_max'
        END AS usage_rate_anomaly_reason,
        CONCAT(m.game_id, '|', m.player_lookup) AS dedup_key,
        m.quality_tier,
        m.quality_score,
        m.issues AS quality_issues,
        [m.primary_source] AS data_sources,
        CAST(NULL AS INT64) AS quality_sample_size,
        m.primary_source != 'nbac_gamebook' AS quality_used_fallback,
        FALSE AS quality_reconstructed,
        TO_JSON(STRUCT(
          [m.primary_source] AS sources_used,
          m.game_date < DATE_ADD(DATE(m.season_year, 10, 1), INTERVAL 30 DAY) AS early_season
        )) AS quality_metadata,
        CASE
          WHEN NOT m.has_team_stats THEN 'partial_no_team_stats'
          WHEN m.raw_usage_rate BETWEEN 0 AND 100 THEN 'complete'
          ELSE 'partial'
        END AS data_quality_flag
      FROM measured AS m
      CROSS JOIN play_by_play AS pbp
      CROSS JOIN gamebook_updated AS gu
      CROSS JOIN odds_books AS ob
      CROSS JOIN bettingpros_books AS bb
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
  player_full_name = S.player_full_name,
  game_id = S.game_id,
  team_abbr = S.team_abbr,
  opponent_team_abbr = S.opponent_team_abbr,
  season_year = S.season_year,
  points = S.points,
  minutes_played = S.minutes_played,
  assists = S.assists,
  offensive_rebounds = S.offensive_rebounds,
  defensive_rebounds = S.defensive_rebounds,
  steals = S.steals,
  blocks = S.blocks,
  turnovers = S.turnovers,
  fg_attempts = S.fg_attempts,
  fg_makes = S.fg_makes,
  three_pt_attempts = S.three_pt_attempts,
  three_pt_makes = S.three_pt_makes,
  ft_attempts = S.ft_attempts,
  ft_makes = S.ft_makes,
  plus_minus = S.plus_minus,
  personal_fouls = S.personal_fouls,
  paint_attempts = S.paint_attempts,
  paint_makes = S.paint_makes,
  mid_range_attempts = S.mid_range_attempts,
  mid_range_makes = S.mid_range_makes,
  three_attempts_pbp = S.three_attempts_pbp,
  three_makes_pbp = S.three_makes_pbp,
  has_complete_shot_zones = S.has_complete_shot_zones,
  paint_blocks = S.paint_blocks,
  mid_range_blocks = S.mid_range_blocks,
  three_pt_blocks = S.three_pt_blocks,
  and1_count = S.and1_count,
  assisted_fg_makes = S.assisted_fg_makes,
  unassisted_fg_makes = S.unassisted_fg_makes,
  usage_rate = S.usage_rate,
  ts_pct = S.ts_pct,
  efg_pct = S.efg_pct,
  starter_flag = S.starter_flag,
  win_flag = S.win_flag,
  points_line = S.points_line,
  over_under_result = S.over_under_result,
  margin = S.margin,
  opening_line = S.opening_line,
  line_movement = S.line_movement,
  points_line_source = S.points_line_source,
  opening_line_source = S.opening_line_source,
  is_active = S.is_active,
  player_status = S.player_status,
  source_nbac_last_updated = S.source_nbac_last_updated,
  source_nbac_rows_found = S.source_nbac_rows_found,
  source_nbac_completeness_pct = S.source_nbac_completeness_pct,
  source_nbac_hash = S.source_nbac_hash,
  source_bdl_last_updated = S.source_bdl_last_updated,
  source_bdl_rows_found = S.source_bdl_rows_found,
  source_bdl_completeness_pct = S.source_bdl_completeness_pct,
  source_bdl_hash = S.source_bdl_hash,
  source_bbd_last_updated = S.source_bbd_last_updated,
  source_bbd_rows_found = S.source_bbd_rows_found,
  source_bbd_completeness_pct = S.source_bbd_completeness_pct,
  source_bbd_hash = S.source_bbd_hash,
  source_nbac_pbp_last_updated = S.source_nbac_pbp_last_updated,
  source_nbac_pbp_rows_found = S.source_nbac_pbp_rows_found,
  source_nbac_pbp_completeness_pct = S.source_nbac_pbp_completeness_pct,
  source_nbac_pbp_hash = S.source_nbac_pbp_hash,
  source_odds_last_updated = S.source_odds_last_updated,
  source_odds_rows_found = S.source_odds_rows_found,
  source_odds_completeness_pct = S.source_odds_completeness_pct,
  source_odds_hash = S.source_odds_hash,
  source_bp_last_updated = S.source_bp_last_updated,
  source_bp_rows_found = S.source_bp_rows_found,
  source_bp_completeness_pct = S.source_bp_completeness_pct,
  source_bp_hash = S.source_bp_hash,
  source_team_last_updated = S.source_team_last_updated,
  source_team_rows_found = S.source_team_rows_found,
  source_team_completeness_pct = S.source_team_completeness_pct,
  source_team_hash = S.source_team_hash,
  data_quality_tier = S.data_quality_tier,
  primary_source_used = S.primary_source_used,
  processed_with_issues = S.processed_with_issues,
  shot_zones_estimated = S.shot_zones_estimated,
  is_dnp = S.is_dnp,
  dnp_reason = S.dnp_reason,
  dnp_reason_category = S.dnp_reason_category,
  is_partial_game_data = S.is_partial_game_data,
  game_completeness_pct = S.game_completeness_pct,
  game_status_at_processing = S.game_status_at_processing,
  usage_rate_valid = S.usage_rate_valid,
  usage_rate_capped = S.usage_rate_capped,
  usage_rate_raw = S.usage_rate_raw,
  usage_rate_anomaly_reason = S.usage_rate_anomaly_reason,
  dedup_key = S.dedup_key,
  record_version = IFNULL(T.record_version, 0) + 1,
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
  player_lookup, universal_player_id, player_full_name, game_id, game_date, team_abbr,
  opponent_team_abbr, season_year, points, minutes_played, assists, offensive_rebounds,
  defensive_rebounds, steals, blocks, turnovers, fg_attempts, fg_makes, three_pt_attempts,
  three_pt_makes, ft_attempts, ft_makes, plus_minus, personal_fouls, paint_attempts, paint_makes,
  mid_range_attempts, mid_range_makes, three_attempts_pbp, three_makes_pbp, has_complete_shot_zones,
  paint_blocks, mid_range_blocks, three_pt_blocks, and1_count, assisted_fg_makes,
  unassisted_fg_makes, usage_rate, ts_pct, efg_pct, starter_flag, win_flag, points_line,
  over_under_result, margin, opening_line, line_movement, points_line_source, opening_line_source,
  is_active, player_status, source_nbac_last_updated, source_nbac_rows_found,
  source_nbac_completeness_pct, source_nbac_hash, source_bdl_last_updated, source_bdl_rows_found,
  source_bdl_completeness_pct, source_bdl_hash, source_bbd_last_updated, source_bbd_rows_found,
  source_bbd_completeness_pct, source_bbd_hash, source_nbac_pbp_last_updated,
  source_nbac_pbp_rows_found, source_nbac_pbp_completeness_pct, source_nbac_pbp_hash,
  source_odds_last_updated, source_odds_rows_found, source_odds_completeness_pct, source_odds_hash,
  source_bp_last_updated, source_bp_rows_found, source_bp_completeness_pct, source_bp_hash,
  source_team_last_updated, source_team_rows_found, source_team_completeness_pct, source_team_hash,
  data_quality_tier, primary_source_used, processed_with_issues, shot_zones_estimated, is_dnp,
  dnp_reason, dnp_reason_category, is_partial_game_data, game_completeness_pct,
  game_status_at_processing, usage_rate_valid, usage_rate_capped, usage_rate_raw,
  usage_rate_anomaly_reason, dedup_key, record_version, first_processed_at, data_hash, created_at,
  processed_at, quality_tier, quality_score, quality_issues, data_sources, quality_sample_size,
  quality_used_fallback, quality_reconstructed, quality_calculated_at, quality_metadata,
  data_quality_flag, processing_context, _fence, _run_id
) VALUES (
  S.player_lookup, S.universal_player_id, S.player_full_name, S.game_id, S.game_date, S.team_abbr,
  S.opponent_team_abbr, S.season_year, S.points, S.minutes_played, S.assists, S.offensive_rebounds,
  S.defensive_rebounds, S.steals, S.blocks, S.turnovers, S.fg_attempts, S.fg_makes,
  S.three_pt_attempts, S.three_pt_makes, S.ft_attempts, S.ft_makes, S.plus_minus, S.personal_fouls,
  S.paint_attempts, S.paint_makes, S.mid_range_attempts, S.mid_range_makes, S.three_attempts_pbp,
  S.three_makes_pbp, S.has_complete_shot_zones, S.paint_blocks, S.mid_range_blocks,
  S.three_pt_blocks, S.and1_count, S.assisted_fg_makes, S.unassisted_fg_makes, S.usage_rate,
  S.ts_pct, S.efg_pct, S.starter_flag, S.win_flag, S.points_line, S.over_under_result, S.margin,
  S.opening_line, S.line_movement, S.points_line_source, S.opening_line_source, S.is_active,
  S.player_status, S.source_nbac_last_updated, S.source_nbac_rows_found,
  S.source_nbac_completeness_pct, S.source_nbac_hash, S.source_bdl_last_updated,
  S.source_bdl_rows_found, S.source_bdl_completeness_pct, S.source_bdl_hash,
  S.source_bbd_last_updated, S.source_bbd_rows_found, S.source_bbd_completeness_pct,
  S.source_bbd_hash, S.source_nbac_pbp_last_updated, S.source_nbac_pbp_rows_found,
  S.source_nbac_pbp_completeness_pct, S.source_nbac_pbp_hash, S.source_odds_last_updated,
  S.source_odds_rows_found, S.source_odds_completeness_pct, S.source_odds_hash,
  S.source_bp_last_updated, S.source_bp_rows_found, S.source_bp_completeness_pct, S.source_bp_hash,
  S.source_team_last_updated, S.source_team_rows_found, S.source_team_completeness_pct,
  S.source_team_hash, S.data_quality_tier, S.primary_source_used, S.processed_with_issues,
  S.shot_zones_estimated, S.is_dnp, S.dnp_reason, S.dnp_reason_category, S.is_partial_game_data,
  S.game_completeness_pct, S.game_status_at_processing, S.usage_rate_valid, S.usage_rate_capped,
  S.usage_rate_raw, S.usage_rate_anomaly_reason, S.dedup_key, S.record_version,
  S.first_processed_at, S.data_hash, S.created_at, S.processed_at, S.quality_tier, S.quality_score,
  S.quality_issues, S.data_sources, S.quality_sample_size, S.quality_used_fallback,
  S.quality_reconstructed, S.quality_calculated_at, S.quality_metadata, S.data_quality_flag,
  S.processing_context, S._fence, S._run_id
)
WHEN NOT MATCHED BY SOURCE AND T.game_date = @target_date AND T._fence <= @fence
  AND @fence >= (
        SELECT IFNULL(MAX(fence), 0)
        FROM `nba-props-platform.nba_pipeline_audit.fence_watermarks`
        WHERE target_date = @target_date AND table_name = @sink_table
      ) THEN DELETE
