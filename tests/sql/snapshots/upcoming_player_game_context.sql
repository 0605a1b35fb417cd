-- upcoming_player_game_context: Pre-game context per player for D + 1: team, points line, injury status, recent form.
-- The fenced, idempotent MERGE every processor runs, rendered by nba_pipeline.merge from this
-- template, the fence guard (templates/fence_guard.sql), the processor's source SELECT
-- (phase3/upcoming_player_game_context.sql) and the table's DDL (schema/analytics/upcoming_player_game_context.sql).
--   * The source SELECT yields the table's columns for the target date; the template adds the
--     lineage columns (_fence, _run_id), the write-context columns (processed_at, created_at,
--     processing_context, versions) and data_hash (over the values as written), and casts
--     NUMERIC columns to the DDL's precision and scale.
--   * Other dates are never touched: the source, the ON clause and the delete are all scoped
--     to the target date, which also lets BigQuery prune the target's partitions.
--   * A row already written under a newer fence is neither updated nor deleted, and a writer the
--     guard refuses deletes nothing either (its source is empty, so without the guard on the
--     delete it would remove the older rows a newer writer is about to replace).
MERGE `nba-props-platform.nba_analytics.upcoming_player_game_context` AS T
USING (
  SELECT
    typed.*,
    SUBSTR(TO_HEX(SHA256(ARRAY_TO_STRING([
      CONCAT('actual_games_count:', IFNULL(CAST(typed.actual_games_count AS STRING), 'NULL')),
      CONCAT('avg_minutes_per_game_last_7:', IFNULL(REGEXP_REPLACE(FORMAT('%.1f', ROUND(typed.avg_minutes_per_game_last_7, 1)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('avg_usage_rate_last_7_games:', IFNULL(REGEXP_REPLACE(FORMAT('%.2f', ROUND(typed.avg_usage_rate_last_7_games, 2)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('back_to_back:', IFNULL(IF(typed.back_to_back, 'True', 'False'), 'NULL')),
      CONCAT('back_to_backs_last_14_days:', IFNULL(CAST(typed.back_to_backs_last_14_days AS STRING), 'NULL')),
      CONCAT('backfill_bootstrap_mode:', IFNULL(IF(typed.backfill_bootstrap_mode, 'True', 'False'), 'NULL')),
      CONCAT('clutch_minutes_last_7_games:', IFNULL(CAST(typed.clutch_minutes_last_7_games AS STRING), 'NULL')),
      CONCAT('completeness_percentage:', IFNULL(IF(typed.completeness_percentage = TRUNC(typed.completeness_percentage), FORMAT('%.1f', typed.completeness_percentage), CAST(typed.completeness_percentage AS STRING)), 'NULL')),
      CONCAT('consecutive_road_games:', IFNULL(CAST(typed.consecutive_road_games AS STRING), 'NULL')),
      CONCAT('current_points_line:', IFNULL(REGEXP_REPLACE(FORMAT('%.1f', ROUND(typed.current_points_line, 1)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('current_points_line_source:', IFNULL(TRIM(typed.current_points_line_source), 'NULL')),
      CONCAT('days_rest:', IFNULL(CAST(typed.days_rest AS STRING), 'NULL')),
      CONCAT('days_rest_before_last_game:', IFNULL(CAST(typed.days_rest_before_last_game AS STRING), 'NULL')),
      CONCAT('days_since_2_plus_days_rest:', IFNULL(CAST(typed.days_since_2_plus_days_rest AS STRING), 'NULL')),
      CONCAT('expected_games_count:', IFNULL(CAST(typed.expected_games_count AS STRING), 'NULL')),
      CONCAT('fourth_quarter_minutes_last_7:', IFNULL(CAST(typed.fourth_quarter_minutes_last_7 AS STRING), 'NULL')),
      CONCAT('fourth_quarter_production_last_7:', IFNULL(REGEXP_REPLACE(FORMAT('%.1f', ROUND(typed.fourth_quarter_production_last_7, 1)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('game_date:', IFNULL(CAST(typed.game_date AS STRING), 'NULL')),
      CONCAT('game_id:', IFNULL(TRIM(typed.game_id), 'NULL')),
      CONCAT('game_spread:', IFNULL(REGEXP_REPLACE(FORMAT('%.1f', ROUND(typed.game_spread, 1)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('game_spread_source:', IFNULL(TRIM(typed.game_spread_source), 'NULL')),
      CONCAT('game_start_time_local:', IFNULL(TRIM(typed.game_start_time_local), 'NULL')),
      CONCAT('game_total:', IFNULL(REGEXP_REPLACE(FORMAT('%.1f', ROUND(typed.game_total, 1)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('game_total_source:', IFNULL(TRIM(typed.game_total_source), 'NULL')),
      CONCAT('games_in_last_14_days:', IFNULL(CAST(typed.games_in_last_14_days AS STRING), 'NULL')),
      CONCAT('games_in_last_7_days:', IFNULL(CAST(typed.games_in_last_7_days AS STRING), 'NULL')),
      CONCAT('games_in_next_7_days:', IFNULL(CAST(typed.games_in_next_7_days AS STRING), 'NULL')),
      CONCAT('has_prop_line:', IFNULL(IF(typed.has_prop_line, 'True', 'False'), 'NULL')),
      CONCAT('home_game:', IFNULL(IF(typed.home_game, 'True', 'False'), 'NULL')),
      CONCAT('injury_report:', IFNULL(TRIM(typed.injury_report), 'NULL')),
      CONCAT('is_production_ready:', IFNULL(IF(typed.is_production_ready, 'True', 'False'), 'NULL')),
      CONCAT('l10_completeness_pct:', IFNULL(IF(typed.l10_completeness_pct = TRUNC(typed.l10_completeness_pct), FORMAT('%.1f', typed.l10_completeness_pct), CAST(typed.l10_completeness_pct AS STRING)), 'NULL')),
      CONCAT('l10_is_complete:', IFNULL(IF(typed.l10_is_complete, 'True', 'False'), 'NULL')),
      CONCAT('l14d_completeness_pct:', IFNULL(IF(typed.l14d_completeness_pct = TRUNC(typed.l14d_completeness_pct), FORMAT('%.1f', typed.l14d_completeness_pct), CAST(typed.l14d_completeness_pct AS STRING)), 'NULL')),
      CONCAT('l14d_is_complete:', IFNULL(IF(typed.l14d_is_complete, 'True', 'False'), 'NULL')),
      CONCAT('l30d_completeness_pct:', IFNULL(IF(typed.l30d_completeness_pct = TRUNC(typed.l30d_completeness_pct), FORMAT('%.1f', typed.l30d_completeness_pct), CAST(typed.l30d_completeness_pct AS STRING)), 'NULL')),
      CONCAT('l30d_is_complete:', IFNULL(IF(typed.l30d_is_complete, 'True', 'False'), 'NULL')),
      CONCAT('l5_completeness_pct:', IFNULL(IF(typed.l5_completeness_pct = TRUNC(typed.l5_completeness_pct), FORMAT('%.1f', typed.l5_completeness_pct), CAST(typed.l5_completeness_pct AS STRING)), 'NULL')),
      CONCAT('l5_is_complete:', IFNULL(IF(typed.l5_is_complete, 'True', 'False'), 'NULL')),
      CONCAT('l7d_completeness_pct:', IFNULL(IF(typed.l7d_completeness_pct = TRUNC(typed.l7d_completeness_pct), FORMAT('%.1f', typed.l7d_completeness_pct), CAST(typed.l7d_completeness_pct AS STRING)), 'NULL')),
      CONCAT('l7d_is_complete:', IFNULL(IF(typed.l7d_is_complete, 'True', 'False'), 'NULL')),
      CONCAT('line_movement:', IFNULL(REGEXP_REPLACE(FORMAT('%.1f', ROUND(typed.line_movement, 1)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('manual_override_required:', IFNULL(IF(typed.manual_override_required, 'True', 'False'), 'NULL')),
      CONCAT('miles_traveled_last_14_days:', IFNULL(CAST(typed.miles_traveled_last_14_days AS STRING), 'NULL')),
      CONCAT('minutes_in_last_14_days:', IFNULL(CAST(typed.minutes_in_last_14_days AS STRING), 'NULL')),
      CONCAT('minutes_in_last_7_days:', IFNULL(CAST(typed.minutes_in_last_7_days AS STRING), 'NULL')),
      CONCAT('missing_games_count:', IFNULL(CAST(typed.missing_games_count AS STRING), 'NULL')),
      CONCAT('next_game_days_rest:', IFNULL(CAST(typed.next_game_days_rest AS STRING), 'NULL')),
      CONCAT('next_game_is_primetime:', IFNULL(IF(typed.next_game_is_primetime, 'True', 'False'), 'NULL')),
      CONCAT('next_opponent_win_pct:', IFNULL(REGEXP_REPLACE(FORMAT('%.3f', ROUND(typed.next_opponent_win_pct, 3)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('opening_points_line:', IFNULL(REGEXP_REPLACE(FORMAT('%.1f', ROUND(typed.opening_points_line, 1)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('opening_points_line_source:', IFNULL(TRIM(typed.opening_points_line_source), 'NULL')),
      CONCAT('opening_spread:', IFNULL(REGEXP_REPLACE(FORMAT('%.1f', ROUND(typed.opening_spread, 1)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('opening_total:', IFNULL(REGEXP_REPLACE(FORMAT('%.1f', ROUND(typed.opening_total, 1)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('opponent_days_rest:', IFNULL(CAST(typed.opponent_days_rest AS STRING), 'NULL')),
      CONCAT('opponent_def_rating_last_10:', IFNULL(REGEXP_REPLACE(FORMAT('%.2f', ROUND(typed.opponent_def_rating_last_10, 2)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('opponent_ft_rate_allowed:', IFNULL(REGEXP_REPLACE(FORMAT('%.3f', ROUND(typed.opponent_ft_rate_allowed, 3)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('opponent_games_in_next_7_days:', IFNULL(CAST(typed.opponent_games_in_next_7_days AS STRING), 'NULL')),
      CONCAT('opponent_next_game_days_rest:', IFNULL(CAST(typed.opponent_next_game_days_rest AS STRING), 'NULL')),
      CONCAT('opponent_pace_last_10:', IFNULL(REGEXP_REPLACE(FORMAT('%.1f', ROUND(typed.opponent_pace_last_10, 1)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('opponent_team_abbr:', IFNULL(TRIM(typed.opponent_team_abbr), 'NULL')),
      CONCAT('pace_differential:', IFNULL(REGEXP_REPLACE(FORMAT('%.1f', ROUND(typed.pace_differential, 1)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('player_age:', IFNULL(CAST(typed.player_age AS STRING), 'NULL')),
      CONCAT('player_lookup:', IFNULL(TRIM(typed.player_lookup), 'NULL')),
      CONCAT('player_status:', IFNULL(TRIM(typed.player_status), 'NULL')),
      CONCAT('points_avg_last_10:', IFNULL(REGEXP_REPLACE(FORMAT('%.1f', ROUND(typed.points_avg_last_10, 1)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('points_avg_last_5:', IFNULL(REGEXP_REPLACE(FORMAT('%.1f', ROUND(typed.points_avg_last_5, 1)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('probable_teammates:', IFNULL(CAST(typed.probable_teammates AS STRING), 'NULL')),
      CONCAT('processing_decision_reason:', IFNULL(TRIM(typed.processing_decision_reason), 'NULL')),
      CONCAT('projected_usage_rate:', IFNULL(REGEXP_REPLACE(FORMAT('%.2f', ROUND(typed.projected_usage_rate, 2)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('prop_over_streak:', IFNULL(CAST(typed.prop_over_streak AS STRING), 'NULL')),
      CONCAT('prop_under_streak:', IFNULL(CAST(typed.prop_under_streak AS STRING), 'NULL')),
      CONCAT('questionable_teammates:', IFNULL(CAST(typed.questionable_teammates AS STRING), 'NULL')),
      CONCAT('season_boundary_detected:', IFNULL(IF(typed.season_boundary_detected, 'True', 'False'), 'NULL')),
      CONCAT('season_phase:', IFNULL(TRIM(typed.season_phase), 'NULL')),
      CONCAT('shooting_pct_decline_last_5:', IFNULL(REGEXP_REPLACE(FORMAT('%.3f', ROUND(typed.shooting_pct_decline_last_5, 3)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('spread_movement:', IFNULL(REGEXP_REPLACE(FORMAT('%.1f', ROUND(typed.spread_movement, 1)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('spread_public_betting_pct:', IFNULL(REGEXP_REPLACE(FORMAT('%.2f', ROUND(typed.spread_public_betting_pct, 2)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('star_teammates_out:', IFNULL(CAST(typed.star_teammates_out AS STRING), 'NULL')),
      CONCAT('team_abbr:', IFNULL(TRIM(typed.team_abbr), 'NULL')),
      CONCAT('time_zone_changes:', IFNULL(CAST(typed.time_zone_changes AS STRING), 'NULL')),
      CONCAT('time_zones_crossed_last_14_days:', IFNULL(CAST(typed.time_zones_crossed_last_14_days AS STRING), 'NULL')),
      CONCAT('total_movement:', IFNULL(REGEXP_REPLACE(FORMAT('%.1f', ROUND(typed.total_movement, 1)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('total_public_betting_pct:', IFNULL(REGEXP_REPLACE(FORMAT('%.2f', ROUND(typed.total_public_betting_pct, 2)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('travel_miles:', IFNULL(CAST(typed.travel_miles AS STRING), 'NULL')),
      CONCAT('universal_player_id:', IFNULL(TRIM(typed.universal_player_id), 'NULL'))
    ], '|'))), 1, 16) AS data_hash
  FROM (
    SELECT
      source.* REPLACE (
        CAST(source.current_points_line AS NUMERIC(4, 1)) AS current_points_line,
        CAST(source.opening_points_line AS NUMERIC(4, 1)) AS opening_points_line,
        CAST(source.line_movement AS NUMERIC(4, 1)) AS line_movement,
        CAST(source.game_spread AS NUMERIC(4, 1)) AS game_spread,
        CAST(source.opening_spread AS NUMERIC(4, 1)) AS opening_spread,
        CAST(source.spread_movement AS NUMERIC(4, 1)) AS spread_movement,
        CAST(source.spread_public_betting_pct AS NUMERIC(5, 2)) AS spread_public_betting_pct,
        CAST(source.game_total AS NUMERIC(5, 1)) AS game_total,
        CAST(source.opening_total AS NUMERIC(5, 1)) AS opening_total,
        CAST(source.total_movement AS NUMERIC(4, 1)) AS total_movement,
        CAST(source.total_public_betting_pct AS NUMERIC(5, 2)) AS total_public_betting_pct,
        CAST(source.pace_differential AS NUMERIC(5, 1)) AS pace_differential,
        CAST(source.opponent_pace_last_10 AS NUMERIC(5, 1)) AS opponent_pace_last_10,
        CAST(source.opponent_ft_rate_allowed AS NUMERIC(5, 3)) AS opponent_ft_rate_allowed,
        CAST(source.projected_usage_rate AS NUMERIC(5, 2)) AS projected_usage_rate,
        CAST(source.avg_minutes_per_game_last_7 AS NUMERIC(5, 1)) AS avg_minutes_per_game_last_7,
        CAST(source.avg_usage_rate_last_7_games AS NUMERIC(5, 2)) AS avg_usage_rate_last_7_games,
        CAST(source.points_avg_last_5 AS NUMERIC(5, 1)) AS points_avg_last_5,
        CAST(source.points_avg_last_10 AS NUMERIC(5, 1)) AS points_avg_last_10,
        CAST(source.opponent_def_rating_last_10 AS NUMERIC(6, 2)) AS opponent_def_rating_last_10,
        CAST(source.shooting_pct_decline_last_5 AS NUMERIC(5, 3)) AS shooting_pct_decline_last_5,
        CAST(source.fourth_quarter_production_last_7 AS NUMERIC(5, 1)) AS fourth_quarter_production_last_7,
        CAST(source.next_opponent_win_pct AS NUMERIC(5, 3)) AS next_opponent_win_pct,
        CAST(source.source_boxscore_completeness_pct AS NUMERIC(5, 2)) AS source_boxscore_completeness_pct,
        CAST(source.source_schedule_completeness_pct AS NUMERIC(5, 2)) AS source_schedule_completeness_pct,
        CAST(source.source_props_completeness_pct AS NUMERIC(5, 2)) AS source_props_completeness_pct,
        CAST(source.source_game_lines_completeness_pct AS NUMERIC(5, 2)) AS source_game_lines_completeness_pct
      ),
      1 AS context_version,
      CURRENT_TIMESTAMP() AS created_at,
      CURRENT_TIMESTAMP() AS processed_at,
      CURRENT_TIMESTAMP() AS quality_calculated_at,
      CASE WHEN STARTS_WITH(@run_id, 'scheduled__') THEN 'daily' WHEN STARTS_WITH(@run_id, 'backfill__') THEN 'backfill' ELSE 'manual' END AS processing_context,
      @fence AS _fence,
      @run_id AS _run_id
    FROM (
      -- Pre-game context for every player on the roster of a team scheduled on the target date (D + 1),
      -- as the platform's upcoming player context defines it in daily mode: the latest ESPN roster of
      -- each team (on or before D), the points line and the game lines, rest and load from the player's
      -- games in player_game_summary (games before the target date only, so player_game_summary of D
      -- must be written first; windows D-6..D-1 and D-13..D-1), recent form, the opponent's recent
      -- pace and defence, the team's schedule around the game, injuries, and completeness of the
      -- player's game windows.
      WITH upcoming AS (
        SELECT *
        FROM `nba-props-platform.nba_analytics.stg_game_teams`(@target_date, @target_date)
      ),
      latest_rosters AS (
        SELECT team_abbr, MAX(roster_date) AS roster_date
        FROM `nba-props-platform.nba_raw.espn_team_rosters`
        WHERE roster_date BETWEEN DATE_SUB(@target_date, INTERVAL 90 DAY) AND @business_date
        GROUP BY team_abbr
      ),
      rosters AS (
        SELECT r.team_abbr, r.player_lookup, r.universal_player_id, r.age, r.birth_date
        FROM `nba-props-platform.nba_raw.espn_team_rosters` AS r
        JOIN latest_rosters AS l ON l.team_abbr = r.team_abbr AND l.roster_date = r.roster_date
        WHERE r.roster_date BETWEEN DATE_SUB(@target_date, INTERVAL 90 DAY) AND @business_date
          AND r.player_lookup IS NOT NULL
        QUALIFY ROW_NUMBER() OVER (PARTITION BY r.team_abbr, r.player_lookup ORDER BY r.scrape_hour DESC, r.processed_at DESC) = 1
      ),
      registry AS (
        SELECT player_lookup, team_abbr, season, universal_player_id
        FROM `nba-props-platform.nba_reference.nba_players_registry`
        WHERE universal_player_id IS NOT NULL
        QUALIFY ROW_NUMBER() OVER (PARTITION BY player_lookup, team_abbr, season ORDER BY processed_at DESC) = 1
      ),
      players AS (
        SELECT
          u.*,
          r.player_lookup,
          COALESCE(r.universal_player_id, reg.universal_player_id) AS universal_player_id,
          COALESCE(r.age, DATE_DIFF(u.game_date, r.birth_date, YEAR)
            - IF(FORMAT_DATE('%m%d', u.game_date) < FORMAT_DATE('%m%d', r.birth_date), 1, 0)) AS player_age
        FROM upcoming AS u
        JOIN rosters AS r ON r.team_abbr = u.team_abbr
        LEFT JOIN registry AS reg
          ON reg.player_lookup = r.player_lookup AND reg.team_abbr = r.team_abbr
          AND reg.season = CONCAT(CAST(u.season_year AS STRING), '-', SUBSTR(CAST(u.season_year + 1 AS STRING), 3, 2))
      ),
      -- The player's lines of the season before the target date (only final games are in the table).
      history AS (
        SELECT
          g.player_lookup, g.game_date, g.team_abbr, g.points, g.minutes_played, g.usage_rate, g.is_active,
          g.is_dnp, g.processed_at, g.data_hash,
          g.is_active AND IFNULL(g.minutes_played, 0) > 0 AS played
        FROM `nba-props-platform.nba_analytics.player_game_summary` AS g
        JOIN (SELECT DISTINCT player_lookup, season_year FROM players) AS p
          ON p.player_lookup = g.player_lookup AND p.season_year = g.season_year
        WHERE g.game_date BETWEEN DATE_SUB(@target_date, INTERVAL 366 DAY) AND @business_date
      ),
      games_played AS (
        SELECT
          *,
          ROW_NUMBER() OVER (PARTITION BY player_lookup ORDER BY game_date DESC) AS recency,
          LEAD(game_date) OVER (PARTITION BY player_lookup ORDER BY game_date DESC) AS previous_game_date
        FROM history
        WHERE played
      ),
      form AS (
        SELECT
          player_lookup,
          COUNT(*) AS games,
          MAX(game_date) AS last_game_date,
          MAX(IF(recency = 2, game_date, NULL)) AS second_last_game_date,
          -- The most recent game that followed two or more days off.
          MAX(IF(DATE_DIFF(game_date, previous_game_date, DAY) >= 2, game_date, NULL)) AS last_rested_game_date,
          COUNTIF(game_date >= DATE_SUB(@target_date, INTERVAL 6 DAY)) AS games_last_7,
          COUNTIF(game_date >= DATE_SUB(@target_date, INTERVAL 13 DAY)) AS games_last_14,
          SUM(IF(game_date >= DATE_SUB(@target_date, INTERVAL 6 DAY), minutes_played, 0)) AS minutes_last_7,
          SUM(IF(game_date >= DATE_SUB(@target_date, INTERVAL 13 DAY), minutes_played, 0)) AS minutes_last_14,
          AVG(IF(game_date >= DATE_SUB(@target_date, INTERVAL 6 DAY), usage_rate, NULL)) AS usage_last_7,
          COUNTIF(game_date >= DATE_SUB(@target_date, INTERVAL 13 DAY)
                  AND previous_game_date >= DATE_SUB(@target_date, INTERVAL 13 DAY)
                  AND DATE_DIFF(game_date, previous_game_date, DAY) = 1) AS back_to_backs_last_14,
          AVG(IF(recency <= 5, points, NULL)) AS points_avg_last_5,
          AVG(IF(recency <= 10, points, NULL)) AS points_avg_last_10,
          AVG(points) AS points_avg_season,
          AVG(minutes_played) AS minutes_avg_season,
          AVG(IF(game_date >= DATE_SUB(@target_date, INTERVAL 10 DAY), points, NULL)) AS points_avg_last_10_days,
          AVG(IF(game_date >= DATE_SUB(@target_date, INTERVAL 10 DAY), minutes_played, NULL)) AS minutes_avg_last_10_days,
          MAX(processed_at) AS last_processed_at,
          ARRAY_AGG(data_hash ORDER BY game_date DESC LIMIT 1)[SAFE_OFFSET(0)] AS latest_hash,
          COUNTIF(game_date >= DATE_SUB(@target_date, INTERVAL 30 DAY)) AS games_last_30_days
        FROM games_played
        GROUP BY player_lookup
      ),
      lines AS (
        SELECT *
        FROM `nba-props-platform.nba_analytics.stg_player_points_lines`(@target_date, @target_date)
      ),
      -- Consecutive games over (or under) the current line, most recent first; a game on the line
      -- neither extends nor breaks a streak, as the platform counts them.
      streak_games AS (
        SELECT
          g.player_lookup,
          g.recency,
          SIGN(g.points - l.current_line) AS side,
          FIRST_VALUE(SIGN(g.points - l.current_line)) OVER (
            PARTITION BY g.player_lookup ORDER BY IF(g.points = l.current_line, 1, 0), g.recency
          ) AS first_side
        FROM games_played AS g
        JOIN lines AS l ON l.player_lookup = g.player_lookup
      ),
      streaks AS (
        SELECT
          player_lookup,
          ANY_VALUE(first_side) AS side,
          -- Games before the first one on the other side of the line.
          COUNTIF(side = first_side AND recency < IFNULL(first_break, 1000000)) AS games
        FROM (
          SELECT *, MIN(IF(side = -first_side, recency, NULL)) OVER (PARTITION BY player_lookup) AS first_break
          FROM streak_games
        )
        GROUP BY player_lookup
      ),
      game_lines AS (
        SELECT *
        FROM `nba-props-platform.nba_analytics.stg_game_lines`(@target_date, @target_date)
      ),
      line_rows AS (
        SELECT
          home_team_abbr, away_team_abbr,
          COUNT(*) AS rows_found,
          COUNT(DISTINCT market_key) AS markets,
          MAX(processed_at) AS last_updated,
          ARRAY_AGG(data_hash ORDER BY data_hash IS NULL, processed_at DESC, data_hash LIMIT 1)[SAFE_OFFSET(0)] AS latest_hash
        FROM `nba-props-platform.nba_raw.odds_api_game_lines`
        WHERE game_date = @target_date
        GROUP BY home_team_abbr, away_team_abbr
      ),
      prop_books AS (
        SELECT COUNT(DISTINCT bookmaker) AS bookmakers, MAX(processed_at) AS last_updated
        FROM `nba-props-platform.nba_raw.odds_api_player_points_props`
        WHERE game_date = @target_date
      ),
      schedule_rows AS (
        SELECT COUNT(*) AS rows_found, MAX(processed_at) AS last_updated
        FROM `nba-props-platform.nba_raw.nbac_schedule`
        WHERE game_date = @target_date
      ),
      injuries AS (
        SELECT *
        FROM `nba-props-platform.nba_analytics.stg_injury_status`(@target_date, @target_date)
      ),
      -- The teams' final games of the season before the date, and their scheduled games of the week after.
      team_games AS (
        SELECT h.*
        FROM `nba-props-platform.nba_analytics.stg_game_teams`(
          DATE_SUB(@target_date, INTERVAL 366 DAY), DATE_SUB(@target_date, INTERVAL 1 DAY)) AS h
        JOIN (SELECT DISTINCT season_year FROM upcoming) AS s ON s.season_year = h.season_year
        WHERE h.game_status = 3
      ),
      next_games AS (
        SELECT team_abbr, opponent_team_abbr, game_date, is_primetime,
          ROW_NUMBER() OVER (PARTITION BY team_abbr ORDER BY game_date) AS upcoming_rank
        FROM `nba-props-platform.nba_analytics.stg_game_teams`(
          DATE_ADD(@target_date, INTERVAL 1 DAY), DATE_ADD(@target_date, INTERVAL 7 DAY))
      ),
      team_schedule AS (
        SELECT
          u.team_abbr,
          MAX(t.game_date) AS last_game_date,
          COUNTIF(t.win_flag) AS wins,
          COUNT(t.game_date) AS games
        FROM upcoming AS u
        LEFT JOIN team_games AS t ON t.team_abbr = u.team_abbr
        GROUP BY u.team_abbr
      ),
      -- Win percentage of every team so far this season (for the next opponent).
      team_records AS (
        SELECT team_abbr, SAFE_DIVIDE(COUNTIF(win_flag), COUNT(*)) AS win_pct
        FROM team_games
        GROUP BY team_abbr
      ),
      week_ahead AS (
        SELECT
          team_abbr,
          COUNT(*) AS games_next_7,
          MAX(IF(upcoming_rank = 1, game_date, NULL)) AS next_game_date,
          MAX(IF(upcoming_rank = 1, opponent_team_abbr, NULL)) AS next_opponent,
          LOGICAL_OR(upcoming_rank = 1 AND IFNULL(is_primetime, FALSE)) AS next_is_primetime
        FROM next_games
        GROUP BY team_abbr
      ),
      -- Road trips and time zones: the team's games of the 14 days up to and including this one.
      trip_games AS (
        SELECT
          team_abbr, game_date, is_home,
          -- UTC offset of the arena, in hours, at tip-off.
          CAST(SUBSTR(FORMAT_TIMESTAMP('%z', game_date_est, arena_timezone), 1, 3) AS INT64) AS utc_offset
        FROM `nba-props-platform.nba_analytics.stg_game_teams`(DATE_SUB(@target_date, INTERVAL 14 DAY), @target_date)
        WHERE game_status = 3 OR game_date = @target_date
      ),
      trip_steps AS (
        SELECT
          *,
          ABS(utc_offset - LAG(utc_offset) OVER (PARTITION BY team_abbr ORDER BY game_date)) AS zones_crossed,
          -- Home games up to this one: a road trip is the run of away games since the last home game.
          SUM(IF(is_home, 1, 0)) OVER (PARTITION BY team_abbr ORDER BY game_date DESC
                                       ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS homes_since
        FROM trip_games
      ),
      travel AS (
        SELECT
          team_abbr,
          MAX(IF(game_date = @target_date, zones_crossed, NULL)) AS time_zone_changes,
          SUM(IF(game_date > DATE_SUB(@target_date, INTERVAL 14 DAY), zones_crossed, 0)) AS zones_last_14,
          COUNTIF(NOT is_home AND homes_since = 0) AS consecutive_road_games
        FROM trip_steps
        GROUP BY team_abbr
      ),
      -- Recent pace and defence of the teams (their last 10 games before the date).
      team_recent AS (
        SELECT team_abbr, pace
        FROM `nba-props-platform.nba_analytics.team_offense_game_summary`
        WHERE game_date BETWEEN DATE_SUB(@target_date, INTERVAL 366 DAY) AND @business_date
          AND team_abbr IN (SELECT team_abbr FROM upcoming)
        QUALIFY ROW_NUMBER() OVER (PARTITION BY team_abbr ORDER BY game_date DESC) <= 10
      ),
      team_pace AS (
        SELECT team_abbr, AVG(pace) AS pace_last_10 FROM team_recent GROUP BY team_abbr
      ),
      defense_recent AS (
        SELECT
          defending_team_abbr AS team_abbr,
          defensive_rating,
          IF(opponent_pace > 0, 100 * opp_ft_attempts / opponent_pace, NULL) AS ft_rate_per_100
        FROM `nba-props-platform.nba_analytics.team_defense_game_summary`
        WHERE game_date BETWEEN DATE_SUB(@target_date, INTERVAL 366 DAY) AND @business_date
          AND defending_team_abbr IN (SELECT team_abbr FROM upcoming)
        QUALIFY ROW_NUMBER() OVER (PARTITION BY defending_team_abbr ORDER BY game_date DESC) <= 10
      ),
      team_defense AS (
        SELECT team_abbr, AVG(defensive_rating) AS def_rating_last_10, AVG(ft_rate_per_100) AS ft_rate_allowed
        FROM defense_recent
        GROUP BY team_abbr
      ),
      -- Stars as the platform's injury context picks them: 10+ games this season and 18+ points, or
      -- 28+ minutes with 12+ points (the last 10 days' averages when he played in them).
      stars AS (
        SELECT p.team_abbr, p.player_lookup
        FROM players AS p
        JOIN form AS f ON f.player_lookup = p.player_lookup
        WHERE f.games >= 10
          AND (COALESCE(f.points_avg_last_10_days, f.points_avg_season) >= 18
               OR (COALESCE(f.minutes_avg_last_10_days, f.minutes_avg_season) >= 28
                   AND COALESCE(f.points_avg_last_10_days, f.points_avg_season) >= 12))
      ),
      team_injuries AS (
        SELECT
          p.team_abbr, p.player_lookup,
          COUNTIF(i.injury_status IN ('out', 'doubtful') AND s.player_lookup IS NOT NULL) AS stars_out,
          COUNTIF(i.injury_status = 'questionable') AS questionable,
          COUNTIF(i.injury_status = 'probable') AS probable
        FROM players AS p
        LEFT JOIN injuries AS i ON i.team_abbr = p.team_abbr AND i.player_lookup != p.player_lookup
        LEFT JOIN stars AS s ON s.team_abbr = i.team_abbr AND s.player_lookup = i.player_lookup
        GROUP BY p.team_abbr, p.player_lookup
      ),
      -- Completeness of the player's game windows, as the platform's checker counts them: the team's
      -- final games of the window, less those he was DNP or inactive for, against his active lines.
      windows AS (
        SELECT
          p.player_lookup,
          window_name,
          COUNTIF(t.game_date IS NOT NULL AND NOT IFNULL(h.is_dnp AND NOT h.is_active, FALSE)) AS expected,
          COUNTIF(t.game_date IS NOT NULL AND h.played) AS actual
        FROM players AS p
        CROSS JOIN UNNEST(['l5', 'l10', 'l7d', 'l14d', 'l30d']) AS window_name
        LEFT JOIN (
          SELECT *, ROW_NUMBER() OVER (PARTITION BY team_abbr ORDER BY game_date DESC) AS team_recency
          FROM team_games
        ) AS t
          ON t.team_abbr = p.team_abbr
          AND CASE window_name
            WHEN 'l5' THEN t.team_recency <= 5
            WHEN 'l10' THEN t.team_recency <= 10
            WHEN 'l7d' THEN t.game_date >= DATE_SUB(@target_date, INTERVAL 7 DAY)
            WHEN 'l14d' THEN t.game_date >= DATE_SUB(@target_date, INTERVAL 14 DAY)
            ELSE t.game_date >= DATE_SUB(@target_date, INTERVAL 30 DAY)
          END
        LEFT JOIN history AS h ON h.player_lookup = p.player_lookup AND h.game_date = t.game_date
        GROUP BY p.player_lookup, window_name
      ),
      completeness AS (
        SELECT
          player_lookup,
          MAX(IF(window_name = 'l5', pct, NULL)) AS l5_pct,
          MAX(IF(window_name = 'l10', pct, NULL)) AS l10_pct,
          MAX(IF(window_name = 'l7d', pct, NULL)) AS l7d_pct,
          MAX(IF(window_name = 'l14d', pct, NULL)) AS l14d_pct,
          MAX(IF(window_name = 'l30d', pct, NULL)) AS l30d_pct,
          LOGICAL_AND(actual >= expected) AS all_complete,
          LOGICAL_AND(pct >= 70) AS all_ready,
          MAX(IF(window_name = 'l5', actual >= expected, NULL)) AS l5_complete,
          MAX(IF(window_name = 'l10', actual >= expected, NULL)) AS l10_complete,
          MAX(IF(window_name = 'l7d', actual >= expected, NULL)) AS l7d_complete,
          MAX(IF(window_name = 'l14d', actual >= expected, NULL)) AS l14d_complete,
          MAX(IF(window_name = 'l30d', actual >= expected, NULL)) AS l30d_complete,
          MAX(IF(window_name = 'l30d', expected, NULL)) AS l30d_expected,
          MAX(IF(window_name = 'l30d', actual, NULL)) AS l30d_actual
        FROM (
          SELECT *, IF(expected = 0, 100.0, ROUND(100 * actual / expected, 1)) AS pct FROM windows
        )
        GROUP BY player_lookup
      ),
      context AS (
        SELECT
          p.*,
          f.games AS games_in_sample,
          f.last_game_date, f.second_last_game_date, f.last_rested_game_date,
          IFNULL(f.games_last_7, 0) AS games_last_7,
          IFNULL(f.games_last_14, 0) AS games_last_14,
          IFNULL(f.minutes_last_7, 0) AS minutes_last_7,
          IFNULL(f.minutes_last_14, 0) AS minutes_last_14,
          f.usage_last_7, IFNULL(f.back_to_backs_last_14, 0) AS back_to_backs_last_14,
          f.points_avg_last_5, f.points_avg_last_10, f.last_processed_at AS history_last_processed_at,
          f.latest_hash AS history_hash, IFNULL(f.games_last_30_days, 0) AS games_last_30_days,
          l.current_line, l.current_source, l.opening_line, l.opening_source, l.line_table,
          l.bookmakers AS line_bookmakers, l.snapshots AS line_snapshots, l.last_processed_at AS line_processed_at,
          l.data_hash AS line_hash,
          s.side AS streak_side, s.games AS streak_games,
          IF(p.is_home, gl.home_spread_consensus, -gl.home_spread_consensus) AS spread,
          IF(p.is_home, gl.home_spread_consensus_opening, -gl.home_spread_consensus_opening) AS spread_opening,
          gl.spread_bookmaker_list, gl.total_consensus, gl.total_consensus_opening, gl.total_bookmaker_list,
          lr.rows_found AS line_rows_found, lr.markets AS line_markets, lr.last_updated AS lines_last_updated,
          lr.latest_hash AS lines_hash,
          i.injury_status, i.reason AS injury_reason,
          ti.stars_out, ti.questionable, ti.probable,
          ts.last_game_date AS team_last_game_date,
          wa.games_next_7, wa.next_game_date, wa.next_opponent, wa.next_is_primetime,
          nr.win_pct AS next_opponent_win_pct,
          ots.last_game_date AS opponent_last_game_date,
          owa.games_next_7 AS opponent_games_next_7, owa.next_game_date AS opponent_next_game_date,
          tr.time_zone_changes, tr.zones_last_14, tr.consecutive_road_games,
          tp.pace_last_10 AS team_pace_last_10, op.pace_last_10 AS opponent_pace_last_10,
          od.def_rating_last_10 AS opponent_def_rating_last_10, od.ft_rate_allowed AS opponent_ft_rate_allowed,
          c.l5_pct, c.l10_pct, c.l7d_pct, c.l14d_pct, c.l30d_pct, c.all_complete, c.all_ready,
          c.l5_complete, c.l10_complete, c.l7d_complete, c.l14d_complete, c.l30d_complete,
          c.l30d_expected, c.l30d_actual,
          DATE_DIFF(@target_date, DATE(p.season_year, 10, 1), DAY) < 30 AS bootstrap,
          EXTRACT(MONTH FROM @target_date) IN (10, 11, 4) AS season_boundary
        FROM players AS p
        LEFT JOIN form AS f ON f.player_lookup = p.player_lookup
        LEFT JOIN lines AS l ON l.player_lookup = p.player_lookup
        LEFT JOIN streaks AS s ON s.player_lookup = p.player_lookup
        LEFT JOIN game_lines AS gl ON gl.home_team_abbr = p.home_team_abbr AND gl.away_team_abbr = p.away_team_abbr
        LEFT JOIN line_rows AS lr ON lr.home_team_abbr = p.home_team_abbr AND lr.away_team_abbr = p.away_team_abbr
        LEFT JOIN injuries AS i ON i.player_lookup = p.player_lookup
        LEFT JOIN team_injuries AS ti ON ti.player_lookup = p.player_lookup AND ti.team_abbr = p.team_abbr
        LEFT JOIN team_schedule AS ts ON ts.team_abbr = p.team_abbr
        LEFT JOIN week_ahead AS wa ON wa.team_abbr = p.team_abbr
        LEFT JOIN team_records AS nr ON nr.team_abbr = wa.next_opponent
        LEFT JOIN team_schedule AS ots ON ots.team_abbr = p.opponent_team_abbr
        LEFT JOIN week_ahead AS owa ON owa.team_abbr = p.opponent_team_abbr
        LEFT JOIN travel AS tr ON tr.team_abbr = p.team_abbr
        LEFT JOIN team_pace AS tp ON tp.team_abbr = p.team_abbr
        LEFT JOIN team_pace AS op ON op.team_abbr = p.opponent_team_abbr
        LEFT JOIN team_defense AS od ON od.team_abbr = p.opponent_team_abbr
        LEFT JOIN completeness AS c ON c.player_lookup = p.player_lookup
      ),
      assessed AS (
        SELECT
          *,
          -- The platform's tiers by sample size: 10+ games gold, 5+ silver, fewer bronze.
          CASE WHEN IFNULL(games_in_sample, 0) >= 10 THEN 'gold' WHEN IFNULL(games_in_sample, 0) >= 5 THEN 'silver'
               ELSE 'bronze' END AS quality_tier,
          CASE WHEN IFNULL(games_in_sample, 0) >= 10 THEN 95.0 WHEN IFNULL(games_in_sample, 0) >= 5 THEN 75.0
               ELSE 50.0 END AS quality_score,
          ARRAY_CONCAT(
            IF(spread IS NULL, ['missing_game_spread'], []),
            IF(total_consensus IS NULL, ['missing_game_total'], []),
            IF(IFNULL(games_in_sample, 0) < 3, [CONCAT('thin_sample:', CAST(IFNULL(games_in_sample, 0) AS STRING), '/3')], [])
          ) AS issues
        FROM context
      )
      SELECT
        a.player_lookup,
        a.universal_player_id,
        a.game_id,
        a.game_date,
        a.team_abbr,
        a.opponent_team_abbr,
        a.current_line IS NOT NULL AS has_prop_line,
        a.current_line AS current_points_line,
        a.opening_line AS opening_points_line,
        a.current_line - a.opening_line AS line_movement,
        a.current_source AS current_points_line_source,
        a.opening_source AS opening_points_line_source,
        a.spread AS game_spread,
        a.spread_opening AS opening_spread,
        a.spread - a.spread_opening AS spread_movement,
        a.spread_bookmaker_list AS game_spread_source,
        CAST(NULL AS FLOAT64) AS spread_public_betting_pct,
        a.total_consensus AS game_total,
        a.total_consensus_opening AS opening_total,
        a.total_consensus - a.total_consensus_opening AS total_movement,
        a.total_bookmaker_list AS game_total_source,
        CAST(NULL AS FLOAT64) AS total_public_betting_pct,
        a.team_pace_last_10 - a.opponent_pace_last_10 AS pace_differential,
        a.opponent_pace_last_10,
        -- "7:30 PM ET": tip-off in the arena's time zone, as the platform formats it.
        CONCAT(
          LTRIM(FORMAT_TIMESTAMP('%I:%M %p', a.game_date_est, a.arena_timezone), '0'), ' ',
          CASE a.arena_timezone
            WHEN 'America/New_York' THEN 'ET' WHEN 'America/Chicago' THEN 'CT' WHEN 'America/Denver' THEN 'MT'
            WHEN 'America/Los_Angeles' THEN 'PT' WHEN 'America/Phoenix' THEN 'MST'
            ELSE FORMAT_TIMESTAMP('%Z', a.game_date_est, a.arena_timezone)
          END
        ) AS game_start_time_local,
        a.opponent_ft_rate_allowed,
        a.is_home AS home_game,
        IFNULL(DATE_DIFF(@target_date, a.last_game_date, DAY) = 1, FALSE) AS back_to_back,
        CASE
          WHEN EXTRACT(MONTH FROM @target_date) IN (10, 11) THEN 'early'
          WHEN EXTRACT(MONTH FROM @target_date) IN (12, 1, 2) THEN 'mid'
          WHEN EXTRACT(MONTH FROM @target_date) IN (3, 4) THEN 'late'
          ELSE 'playoffs'
        END AS season_phase,
        CAST(NULL AS FLOAT64) AS projected_usage_rate,
        -- Days since his last game (1 = a back-to-back), as the platform counts a player's rest.
        DATE_DIFF(@target_date, a.last_game_date, DAY) AS days_rest,
        DATE_DIFF(a.last_game_date, a.second_last_game_date, DAY) AS days_rest_before_last_game,
        DATE_DIFF(@target_date, a.last_rested_game_date, DAY) AS days_since_2_plus_days_rest,
        a.games_last_7 AS games_in_last_7_days,
        a.games_last_14 AS games_in_last_14_days,
        CAST(TRUNC(a.minutes_last_7) AS INT64) AS minutes_in_last_7_days,
        CAST(TRUNC(a.minutes_last_14) AS INT64) AS minutes_in_last_14_days,
        IF(a.games_last_7 > 0, ROUND(a.minutes_last_7 / a.games_last_7, 1), NULL) AS avg_minutes_per_game_last_7,
        a.back_to_backs_last_14 AS back_to_backs_last_14_days,
        ROUND(a.usage_last_7, 1) AS avg_usage_rate_last_7_games,
        CAST(NULL AS INT64) AS fourth_quarter_minutes_last_7,
        CAST(NULL AS INT64) AS clutch_minutes_last_7_games,
        CAST(NULL AS INT64) AS travel_miles,
        a.time_zone_changes,
        a.consecutive_road_games,
        CAST(NULL AS INT64) AS miles_traveled_last_14_days,
        a.zones_last_14 AS time_zones_crossed_last_14_days,
        a.player_age,
        ROUND(a.points_avg_last_5, 1) AS points_avg_last_5,
        ROUND(a.points_avg_last_10, 1) AS points_avg_last_10,
        IF(a.streak_side = 1, a.streak_games, 0) AS prop_over_streak,
        IF(a.streak_side = -1, a.streak_games, 0) AS prop_under_streak,
        IFNULL(a.stars_out, 0) AS star_teammates_out,
        a.opponent_def_rating_last_10,
        CAST(NULL AS FLOAT64) AS shooting_pct_decline_last_5,
        CAST(NULL AS FLOAT64) AS fourth_quarter_production_last_7,
        DATE_DIFF(a.next_game_date, @target_date, DAY) AS next_game_days_rest,
        IFNULL(a.games_next_7, 0) AS games_in_next_7_days,
        a.next_opponent_win_pct,
        IFNULL(a.next_is_primetime, FALSE) AS next_game_is_primetime,
        DATE_DIFF(@target_date, a.opponent_last_game_date, DAY) AS opponent_days_rest,
        IFNULL(a.opponent_games_next_7, 0) AS opponent_games_in_next_7_days,
        DATE_DIFF(a.opponent_next_game_date, @target_date, DAY) AS opponent_next_game_days_rest,
        -- A player the injury report does not list is available.
        IFNULL(a.injury_status, 'available') AS player_status,
        a.injury_reason AS injury_report,
        IFNULL(a.questionable, 0) AS questionable_teammates,
        IFNULL(a.probable, 0) AS probable_teammates,
        a.history_last_processed_at AS source_boxscore_last_updated,
        a.games_last_30_days AS source_boxscore_rows_found,
        a.l30d_pct AS source_boxscore_completeness_pct,
        a.history_hash AS source_boxscore_hash,
        sr.last_updated AS source_schedule_last_updated,
        sr.rows_found AS source_schedule_rows_found,
        IF(sr.rows_found > 0, 100.0, 0.0) AS source_schedule_completeness_pct,
        a.schedule_data_hash AS source_schedule_hash,
        a.line_processed_at AS source_props_last_updated,
        IFNULL(a.line_snapshots, 0) AS source_props_rows_found,
        IF(a.line_table = 'odds_api', LEAST(100, 100 * SAFE_DIVIDE(a.line_bookmakers, pb.bookmakers)),
           IF(a.line_table IS NULL, 0, 100)) AS source_props_completeness_pct,
        a.line_hash AS source_props_hash,
        a.lines_last_updated AS source_game_lines_last_updated,
        a.line_rows_found AS source_game_lines_rows_found,
        IF(a.line_rows_found IS NULL, NULL, 100 * a.line_markets / 2) AS source_game_lines_completeness_pct,
        a.lines_hash AS source_game_lines_hash,
        a.quality_tier AS data_quality_tier,
        'player_game_summary' AS primary_source_used,
        ARRAY_LENGTH(a.issues) > 0 AS processed_with_issues,
        a.l30d_expected AS expected_games_count,
        a.l30d_actual AS actual_games_count,
        a.l30d_pct AS completeness_percentage,
        GREATEST(a.l30d_expected - a.l30d_actual, 0) AS missing_games_count,
        a.season_boundary OR a.bootstrap OR a.all_ready AS is_production_ready,
        a.issues AS data_quality_issues,
        CAST(NULL AS TIMESTAMP) AS last_reprocess_attempt_at,
        0 AS reprocess_attempt_count,
        FALSE AS circuit_breaker_active,
        CAST(NULL AS TIMESTAMP) AS circuit_breaker_until,
        FALSE AS manual_override_required,
        a.season_boundary AS season_boundary_detected,
        a.bootstrap AS backfill_bootstrap_mode,
        'processed_successfully' AS processing_decision_reason,
        a.l5_pct AS l5_completeness_pct,
        a.l5_complete AS l5_is_complete,
        a.l10_pct AS l10_completeness_pct,
        a.l10_complete AS l10_is_complete,
        a.l7d_pct AS l7d_completeness_pct,
        a.l7d_complete AS l7d_is_complete,
        a.l14d_pct AS l14d_completeness_pct,
        a.l14d_complete AS l14d_is_complete,
        a.l30d_pct AS l30d_completeness_pct,
        a.l30d_complete AS l30d_is_complete,
        a.all_complete AS all_windows_complete,
        a.quality_tier,
        a.quality_score,
        a.issues AS quality_issues,
        ['player_game_summary'] AS data_sources,
        IFNULL(a.games_in_sample, 0) AS quality_sample_size,
        FALSE AS quality_used_fallback,
        FALSE AS quality_reconstructed,
        TO_JSON(STRUCT(['player_game_summary'] AS sources_used, a.bootstrap AS early_season)) AS quality_metadata,
        CASE
          WHEN IFNULL(a.games_in_sample, 0) = 0 THEN 'incomplete'
          WHEN ARRAY_LENGTH(a.issues) > 0 THEN 'partial'
          ELSE 'complete'
        END AS data_quality_flag
      FROM assessed AS a
      CROSS JOIN schedule_rows AS sr
      CROSS JOIN prop_books AS pb
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
  team_abbr = S.team_abbr,
  opponent_team_abbr = S.opponent_team_abbr,
  has_prop_line = S.has_prop_line,
  current_points_line = S.current_points_line,
  opening_points_line = S.opening_points_line,
  line_movement = S.line_movement,
  current_points_line_source = S.current_points_line_source,
  opening_points_line_source = S.opening_points_line_source,
  game_spread = S.game_spread,
  opening_spread = S.opening_spread,
  spread_movement = S.spread_movement,
  game_spread_source = S.game_spread_source,
  spread_public_betting_pct = S.spread_public_betting_pct,
  game_total = S.game_total,
  opening_total = S.opening_total,
  total_movement = S.total_movement,
  game_total_source = S.game_total_source,
  total_public_betting_pct = S.total_public_betting_pct,
  pace_differential = S.pace_differential,
  opponent_pace_last_10 = S.opponent_pace_last_10,
  game_start_time_local = S.game_start_time_local,
  opponent_ft_rate_allowed = S.opponent_ft_rate_allowed,
  home_game = S.home_game,
  back_to_back = S.back_to_back,
  season_phase = S.season_phase,
  projected_usage_rate = S.projected_usage_rate,
  days_rest = S.days_rest,
  days_rest_before_last_game = S.days_rest_before_last_game,
  days_since_2_plus_days_rest = S.days_since_2_plus_days_rest,
  games_in_last_7_days = S.games_in_last_7_days,
  games_in_last_14_days = S.games_in_last_14_days,
  minutes_in_last_7_days = S.minutes_in_last_7_days,
  minutes_in_last_14_days = S.minutes_in_last_14_days,
  avg_minutes_per_game_last_7 = S.avg_minutes_per_game_last_7,
  back_to_backs_last_14_days = S.back_to_backs_last_14_days,
  avg_usage_rate_last_7_games = S.avg_usage_rate_last_7_games,
  fourth_quarter_minutes_last_7 = S.fourth_quarter_minutes_last_7,
  clutch_minutes_last_7_games = S.clutch_minutes_last_7_games,
  travel_miles = S.travel_miles,
  time_zone_changes = S.time_zone_changes,
  consecutive_road_games = S.consecutive_road_games,
  miles_traveled_last_14_days = S.miles_traveled_last_14_days,
  time_zones_crossed_last_14_days = S.time_zones_crossed_last_14_days,
  player_age = S.player_age,
  points_avg_last_5 = S.points_avg_last_5,
  points_avg_last_10 = S.points_avg_last_10,
  prop_over_streak = S.prop_over_streak,
  prop_under_streak = S.prop_under_streak,
  star_teammates_out = S.star_teammates_out,
  opponent_def_rating_last_10 = S.opponent_def_rating_last_10,
  shooting_pct_decline_last_5 = S.shooting_pct_decline_last_5,
  fourth_quarter_production_last_7 = S.fourth_quarter_production_last_7,
  next_game_days_rest = S.next_game_days_rest,
  games_in_next_7_days = S.games_in_next_7_days,
  next_opponent_win_pct = S.next_opponent_win_pct,
  next_game_is_primetime = S.next_game_is_primetime,
  opponent_days_rest = S.opponent_days_rest,
  opponent_games_in_next_7_days = S.opponent_games_in_next_7_days,
  opponent_next_game_days_rest = S.opponent_next_game_days_rest,
  player_status = S.player_status,
  injury_report = S.injury_report,
  questionable_teammates = S.questionable_teammates,
  probable_teammates = S.probable_teammates,
  source_boxscore_last_updated = S.source_boxscore_last_updated,
  source_boxscore_rows_found = S.source_boxscore_rows_found,
  source_boxscore_completeness_pct = S.source_boxscore_completeness_pct,
  source_boxscore_hash = S.source_boxscore_hash,
  source_schedule_last_updated = S.source_schedule_last_updated,
  source_schedule_rows_found = S.source_schedule_rows_found,
  source_schedule_completeness_pct = S.source_schedule_completeness_pct,
  source_schedule_hash = S.source_schedule_hash,
  source_props_last_updated = S.source_props_last_updated,
  source_props_rows_found = S.source_props_rows_found,
  source_props_completeness_pct = S.source_props_completeness_pct,
  source_props_hash = S.source_props_hash,
  source_game_lines_last_updated = S.source_game_lines_last_updated,
  source_game_lines_rows_found = S.source_game_lines_rows_found,
  source_game_lines_completeness_pct = S.source_game_lines_completeness_pct,
  source_game_lines_hash = S.source_game_lines_hash,
  data_quality_tier = S.data_quality_tier,
  primary_source_used = S.primary_source_used,
  processed_with_issues = S.processed_with_issues,
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
  l30d_completeness_pct = S.l30d_completeness_pct,
  l30d_is_complete = S.l30d_is_complete,
  all_windows_complete = S.all_windows_complete,
  data_hash = S.data_hash,
  context_version = IFNULL(T.context_version, 0) + 1,
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
  player_lookup, universal_player_id, game_id, game_date, team_abbr, opponent_team_abbr,
  has_prop_line, current_points_line, opening_points_line, line_movement,
  current_points_line_source, opening_points_line_source, game_spread, opening_spread,
  spread_movement, game_spread_source, spread_public_betting_pct, game_total, opening_total,
  total_movement, game_total_source, total_public_betting_pct, pace_differential,
  opponent_pace_last_10, game_start_time_local, opponent_ft_rate_allowed, home_game, back_to_back,
  season_phase, projected_usage_rate, days_rest, days_rest_before_last_game,
  days_since_2_plus_days_rest, games_in_last_7_days, games_in_last_14_days, minutes_in_last_7_days,
  minutes_in_last_14_days, avg_minutes_per_game_last_7, back_to_backs_last_14_days,
  avg_usage_rate_last_7_games, fourth_quarter_minutes_last_7, clutch_minutes_last_7_games,
  travel_miles, time_zone_changes, consecutive_road_games, miles_traveled_last_14_days,
  time_zones_crossed_last_14_days, player_age, points_avg_last_5, points_avg_last_10,
  prop_over_streak, prop_under_streak, star_teammates_out, opponent_def_rating_last_10,
  shooting_pct_decline_last_5, fourth_quarter_production_last_7, next_game_days_rest,
  games_in_next_7_days, next_opponent_win_pct, next_game_is_primetime, opponent_days_rest,
  opponent_games_in_next_7_days, opponent_next_game_days_rest, player_status, injury_report,
  questionable_teammates, probable_teammates, source_boxscore_last_updated,
  source_boxscore_rows_found, source_boxscore_completeness_pct, source_boxscore_hash,
  source_schedule_last_updated, source_schedule_rows_found, source_schedule_completeness_pct,
  source_schedule_hash, source_props_last_updated, source_props_rows_found,
  source_props_completeness_pct, source_props_hash, source_game_lines_last_updated,
  source_game_lines_rows_found, source_game_lines_completeness_pct, source_game_lines_hash,
  data_quality_tier, primary_source_used, processed_with_issues, expected_games_count,
  actual_games_count, completeness_percentage, missing_games_count, is_production_ready,
  data_quality_issues, last_reprocess_attempt_at, reprocess_attempt_count, circuit_breaker_active,
  circuit_breaker_until, manual_override_required, season_boundary_detected,
  backfill_bootstrap_mode, processing_decision_reason, l5_completeness_pct, l5_is_complete,
  l10_completeness_pct, l10_is_complete, l7d_completeness_pct, l7d_is_complete,
  l14d_completeness_pct, l14d_is_complete, l30d_completeness_pct, l30d_is_complete,
  all_windows_complete, data_hash, context_version, created_at, processed_at, quality_tier,
  quality_score, quality_issues, data_sources, quality_sample_size, quality_used_fallback,
  quality_reconstructed, quality_calculated_at, quality_metadata, data_quality_flag,
  processing_context, _fence, _run_id
) VALUES (
  S.player_lookup, S.universal_player_id, S.game_id, S.game_date, S.team_abbr, S.opponent_team_abbr,
  S.has_prop_line, S.current_points_line, S.opening_points_line, S.line_movement,
  S.current_points_line_source, S.opening_points_line_source, S.game_spread, S.opening_spread,
  S.spread_movement, S.game_spread_source, S.spread_public_betting_pct, S.game_total,
  S.opening_total, S.total_movement, S.game_total_source, S.total_public_betting_pct,
  S.pace_differential, S.opponent_pace_last_10, S.game_start_time_local, S.opponent_ft_rate_allowed,
  S.home_game, S.back_to_back, S.season_phase, S.projected_usage_rate, S.days_rest,
  S.days_rest_before_last_game, S.days_since_2_plus_days_rest, S.games_in_last_7_days,
  S.games_in_last_14_days, S.minutes_in_last_7_days, S.minutes_in_last_14_days,
  S.avg_minutes_per_game_last_7, S.back_to_backs_last_14_days, S.avg_usage_rate_last_7_games,
  S.fourth_quarter_minutes_last_7, S.clutch_minutes_last_7_games, S.travel_miles,
  S.time_zone_changes, S.consecutive_road_games, S.miles_traveled_last_14_days,
  S.time_zones_crossed_last_14_days, S.player_age, S.points_avg_last_5, S.points_avg_last_10,
  S.prop_over_streak, S.prop_under_streak, S.star_teammates_out, S.opponent_def_rating_last_10,
  S.shooting_pct_decline_last_5, S.fourth_quarter_production_last_7, S.next_game_days_rest,
  S.games_in_next_7_days, S.next_opponent_win_pct, S.next_game_is_primetime, S.opponent_days_rest,
  S.opponent_games_in_next_7_days, S.opponent_next_game_days_rest, S.player_status, S.injury_report,
  S.questionable_teammates, S.probable_teammates, S.source_boxscore_last_updated,
  S.source_boxscore_rows_found, S.source_boxscore_completeness_pct, S.source_boxscore_hash,
  S.source_schedule_last_updated, S.source_schedule_rows_found, S.source_schedule_completeness_pct,
  S.source_schedule_hash, S.source_props_last_updated, S.source_props_rows_found,
  S.source_props_completeness_pct, S.source_props_hash, S.source_game_lines_last_updated,
  S.source_game_lines_rows_found, S.source_game_lines_completeness_pct, S.source_game_lines_hash,
  S.data_quality_tier, S.primary_source_used, S.processed_with_issues, S.expected_games_count,
  S.actual_games_count, S.completeness_percentage, S.missing_games_count, S.is_production_ready,
  S.data_quality_issues, S.last_reprocess_attempt_at, S.reprocess_attempt_count,
  S.circuit_breaker_active, S.circuit_breaker_until, S.manual_override_required,
  S.season_boundary_detected, S.backfill_bootstrap_mode, S.processing_decision_reason,
  S.l5_completeness_pct, S.l5_is_complete, S.l10_completeness_pct, S.l10_is_complete,
  S.l7d_completeness_pct, S.l7d_is_complete, S.l14d_completeness_pct, S.l14d_is_complete,
  S.l30d_completeness_pct, S.l30d_is_complete, S.all_windows_complete, S.data_hash,
  S.context_version, S.created_at, S.processed_at, S.quality_tier, S.quality_score,
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
