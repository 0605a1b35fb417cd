-- upcoming_team_game_context: Pre-game context per team for D + 1: rest, back-to-back, spread, total, injuries.
-- The fenced, idempotent MERGE every processor runs, rendered by nba_pipeline.merge from this
-- template, the fence guard (templates/fence_guard.sql), the processor's source SELECT
-- (phase3/upcoming_team_game_context.sql) and the table's DDL (schema/analytics/upcoming_team_game_context.sql).
--   * The source SELECT yields the table's columns for the target date; the template adds the
--     lineage columns (_fence, _run_id), the write-context columns (processed_at, created_at,
--     processing_context, versions) and data_hash (over the values as written), and casts
--     NUMERIC columns to the DDL's precision and scale.
--   * Other dates are never touched: the source, the ON clause and the delete are all scoped
--     to the target date, which also lets BigQuery prune the target's partitions.
--   * A row already written under a newer fence is neither updated nor deleted, and a writer the
--     guard refuses deletes nothing either (its source is empty, so without the guard on the
--     delete it would remove the older rows a newer writer is about to replace).
MERGE `nba-props-platform.nba_analytics.upcoming_team_game_context` AS T
USING (
  SELECT
    typed.*,
    SUBSTR(TO_HEX(SHA256(ARRAY_TO_STRING([
      CONCAT('betting_lines_updated_at:', IFNULL(FORMAT_TIMESTAMP('%Y-%m-%dT%H:%M:%S+00:00', typed.betting_lines_updated_at, 'UTC'), 'NULL')),
      CONCAT('days_since_last_game:', IFNULL(CAST(typed.days_since_last_game AS STRING), 'NULL')),
      CONCAT('game_date:', IFNULL(CAST(typed.game_date AS STRING), 'NULL')),
      CONCAT('game_id:', IFNULL(TRIM(typed.game_id), 'NULL')),
      CONCAT('game_number_in_season:', IFNULL(CAST(typed.game_number_in_season AS STRING), 'NULL')),
      CONCAT('game_spread:', IFNULL(REGEXP_REPLACE(FORMAT('%.2f', ROUND(typed.game_spread, 2)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('game_spread_source:', IFNULL(TRIM(typed.game_spread_source), 'NULL')),
      CONCAT('game_total:', IFNULL(REGEXP_REPLACE(FORMAT('%.1f', ROUND(typed.game_total, 1)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('game_total_source:', IFNULL(TRIM(typed.game_total_source), 'NULL')),
      CONCAT('games_in_last_14_days:', IFNULL(CAST(typed.games_in_last_14_days AS STRING), 'NULL')),
      CONCAT('games_in_last_7_days:', IFNULL(CAST(typed.games_in_last_7_days AS STRING), 'NULL')),
      CONCAT('home_game:', IFNULL(IF(typed.home_game, 'True', 'False'), 'NULL')),
      CONCAT('is_back_to_back:', IFNULL(IF(typed.is_back_to_back, 'True', 'False'), 'NULL')),
      CONCAT('last_game_margin:', IFNULL(CAST(typed.last_game_margin AS STRING), 'NULL')),
      CONCAT('last_game_result:', IFNULL(TRIM(typed.last_game_result), 'NULL')),
      CONCAT('opponent_team_abbr:', IFNULL(TRIM(typed.opponent_team_abbr), 'NULL')),
      CONCAT('questionable_players_count:', IFNULL(CAST(typed.questionable_players_count AS STRING), 'NULL')),
      CONCAT('season_year:', IFNULL(CAST(typed.season_year AS STRING), 'NULL')),
      CONCAT('spread_movement:', IFNULL(REGEXP_REPLACE(FORMAT('%.2f', ROUND(typed.spread_movement, 2)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('starters_out_count:', IFNULL(CAST(typed.starters_out_count AS STRING), 'NULL')),
      CONCAT('team_abbr:', IFNULL(TRIM(typed.team_abbr), 'NULL')),
      CONCAT('team_back_to_back:', IFNULL(IF(typed.team_back_to_back, 'True', 'False'), 'NULL')),
      CONCAT('team_days_rest:', IFNULL(CAST(typed.team_days_rest AS STRING), 'NULL')),
      CONCAT('team_loss_streak_entering:', IFNULL(CAST(typed.team_loss_streak_entering AS STRING), 'NULL')),
      CONCAT('team_win_streak_entering:', IFNULL(CAST(typed.team_win_streak_entering AS STRING), 'NULL')),
      CONCAT('total_movement:', IFNULL(REGEXP_REPLACE(FORMAT('%.1f', ROUND(typed.total_movement, 1)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('travel_miles:', IFNULL(CAST(typed.travel_miles AS STRING), 'NULL'))
    ], '|'))), 1, 16) AS data_hash
  FROM (
    SELECT
      source.* REPLACE (
        CAST(source.game_spread AS NUMERIC(5, 2)) AS game_spread,
        CAST(source.game_total AS NUMERIC(5, 1)) AS game_total,
        CAST(source.spread_movement AS NUMERIC(5, 2)) AS spread_movement,
        CAST(source.total_movement AS NUMERIC(5, 1)) AS total_movement,
        CAST(source.source_nbac_schedule_completeness_pct AS NUMERIC(5, 2)) AS source_nbac_schedule_completeness_pct,
        CAST(source.source_odds_lines_completeness_pct AS NUMERIC(5, 2)) AS source_odds_lines_completeness_pct,
        CAST(source.source_injury_report_completeness_pct AS NUMERIC(5, 2)) AS source_injury_report_completeness_pct
      ),
      CURRENT_TIMESTAMP() AS processed_at,
      CURRENT_TIMESTAMP() AS created_at,
      CURRENT_TIMESTAMP() AS quality_calculated_at,
      CASE WHEN STARTS_WITH(@run_id, 'scheduled__') THEN 'daily' WHEN STARTS_WITH(@run_id, 'backfill__') THEN 'backfill' ELSE 'manual' END AS processing_context,
      @fence AS _fence,
      @run_id AS _run_id
    FROM (
      -- Pre-game context for every team scheduled on the target date (D + 1), as the platform's
      -- upcoming team context defines it: rest (team_days_rest 0 = a back-to-back), games in the last
      -- 7 and 14 days (D-6..D-1 and D-13..D-1), the season so far (only final games count as played),
      -- the spread and total, injuries and completeness of the schedule windows. It reads only raw data
      -- (through the staging functions), so it runs beside team offense.
      -- game_id is the NBA.com id here, as in the platform's table.
      WITH upcoming AS (
        SELECT *
        FROM `nba-props-platform.nba_analytics.stg_game_teams`(@target_date, @target_date)
      ),
      -- The season so far: final games of the same season in the year before the date.
      played AS (
        SELECT h.team_abbr, h.game_id, h.game_date, h.win_flag, h.margin, h.is_home, h.opponent_team_abbr
        FROM `nba-props-platform.nba_analytics.stg_game_teams`(
          DATE_SUB(@target_date, INTERVAL 366 DAY), DATE_SUB(@target_date, INTERVAL 1 DAY)) AS h
        JOIN (SELECT DISTINCT season_year FROM upcoming) AS s ON s.season_year = h.season_year
        WHERE h.game_status = 3
      ),
      streaks AS (
        SELECT
          team_abbr,
          game_date,
          win_flag,
          margin,
          ROW_NUMBER() OVER (PARTITION BY team_abbr ORDER BY game_date DESC) AS recency,
          -- A streak is the run of games since the last one with the other result.
          SUM(IF(win_flag != first_result, 1, 0)) OVER (
            PARTITION BY team_abbr ORDER BY game_date DESC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
          ) AS breaks
        FROM (
          SELECT *, FIRST_VALUE(win_flag) OVER (PARTITION BY team_abbr ORDER BY game_date DESC) AS first_result
          FROM played
        )
      ),
      -- Games whose team boxscore arrived: the completeness windows count them against the schedule.
      boxscore_games AS (
        SELECT DISTINCT game_id, team_abbr
        FROM `nba-props-platform.nba_raw.nbac_team_boxscore`
        WHERE game_date BETWEEN DATE_SUB(@target_date, INTERVAL 14 DAY) AND DATE_SUB(@target_date, INTERVAL 1 DAY)
      ),
      history AS (
        SELECT
          p.team_abbr,
          COUNT(*) AS season_games,
          MAX(p.game_date) AS last_game_date,
          COUNTIF(p.game_date >= DATE_SUB(@target_date, INTERVAL 6 DAY)) AS games_in_last_7_days,
          COUNTIF(p.game_date >= DATE_SUB(@target_date, INTERVAL 13 DAY)) AS games_in_last_14_days,
          -- The completeness windows, as the platform's checker bounds them: [D - 7, D] and [D - 14, D].
          COUNTIF(p.game_date >= DATE_SUB(@target_date, INTERVAL 7 DAY)) AS expected_l7d,
          COUNTIF(p.game_date >= DATE_SUB(@target_date, INTERVAL 7 DAY) AND b.game_id IS NOT NULL) AS actual_l7d,
          COUNTIF(p.game_date >= DATE_SUB(@target_date, INTERVAL 14 DAY)) AS expected_l14d,
          COUNTIF(p.game_date >= DATE_SUB(@target_date, INTERVAL 14 DAY) AND b.game_id IS NOT NULL) AS actual_l14d
        FROM played AS p
        LEFT JOIN boxscore_games AS b ON b.game_id = p.game_id AND b.team_abbr = p.team_abbr
        GROUP BY p.team_abbr
      ),
      form AS (
        SELECT
          team_abbr,
          MAX(IF(recency = 1, margin, NULL)) AS last_game_margin,
          MAX(IF(recency = 1, IF(win_flag, 'W', 'L'), NULL)) AS last_game_result,
          COUNTIF(breaks = 0 AND win_flag) AS win_streak,
          COUNTIF(breaks = 0 AND NOT win_flag) AS loss_streak
        FROM streaks
        GROUP BY team_abbr
      ),
      game_lines AS (
        SELECT *
        FROM `nba-props-platform.nba_analytics.stg_game_lines`(@target_date, @target_date)
      ),
      line_rows AS (
        SELECT
          home_team_abbr,
          away_team_abbr,
          COUNT(*) AS rows_found,
          COUNT(DISTINCT market_key) AS markets,
          MAX(processed_at) AS last_updated,
          ARRAY_AGG(data_hash ORDER BY data_hash IS NULL, processed_at DESC, data_hash LIMIT 1)[SAFE_OFFSET(0)] AS latest_hash
        FROM `nba-props-platform.nba_raw.odds_api_game_lines`
        WHERE game_date = @target_date
        GROUP BY home_team_abbr, away_team_abbr
      ),
      injuries AS (
        SELECT
          team_abbr,
          COUNTIF(injury_status = 'out') AS players_out,
          COUNTIF(injury_status IN ('questionable', 'doubtful')) AS players_questionable
        FROM `nba-props-platform.nba_analytics.stg_injury_status`(@target_date, @target_date)
        GROUP BY team_abbr
      ),
      injury_rows AS (
        SELECT
          team AS team_abbr,
          COUNT(*) AS rows_found,
          MAX(processed_at) AS last_updated,
          ARRAY_AGG(data_hash ORDER BY data_hash IS NULL, processed_at DESC, data_hash LIMIT 1)[SAFE_OFFSET(0)] AS latest_hash
        FROM `nba-props-platform.nba_raw.nbac_injury_report`
        WHERE report_date BETWEEN DATE_SUB(@target_date, INTERVAL 1 DAY) AND @target_date
          AND game_date = @target_date
        GROUP BY team
      ),
      schedule_rows AS (
        SELECT COUNT(*) AS rows_found, MAX(processed_at) AS last_updated
        FROM `nba-props-platform.nba_raw.nbac_schedule`
        WHERE game_date = @target_date
      ),
      context AS (
        SELECT
          u.*,
          h.season_games,
          DATE_DIFF(@target_date, h.last_game_date, DAY) AS days_since_last_game,
          IFNULL(h.games_in_last_7_days, 0) AS games_in_last_7_days,
          IFNULL(h.games_in_last_14_days, 0) AS games_in_last_14_days,
          IFNULL(h.expected_l7d, 0) AS expected_l7d,
          IFNULL(h.actual_l7d, 0) AS actual_l7d,
          IFNULL(h.expected_l14d, 0) AS expected_l14d,
          IFNULL(h.actual_l14d, 0) AS actual_l14d,
          f.last_game_margin,
          f.last_game_result,
          IFNULL(f.win_streak, 0) AS win_streak,
          IFNULL(f.loss_streak, 0) AS loss_streak,
          -- Lines quote the home team's spread; the away team's is its negation.
          IF(u.is_home, l.home_spread, -l.home_spread) AS team_spread,
          IF(u.is_home, l.home_spread_opening, -l.home_spread_opening) AS team_spread_opening,
          l.spread_source,
          l.total,
          l.total_opening,
          l.total_source,
          COALESCE(l.spread_updated_at, l.total_updated_at) AS lines_updated_at,
          lr.rows_found AS line_rows_found,
          lr.markets AS line_markets,
          lr.last_updated AS lines_last_updated,
          lr.latest_hash AS lines_hash,
          IFNULL(i.players_out, 0) AS players_out,
          IFNULL(i.players_questionable, 0) AS players_questionable,
          ir.rows_found AS injury_rows_found,
          ir.last_updated AS injury_last_updated,
          ir.latest_hash AS injury_hash,
          DATE_DIFF(@target_date, DATE(u.season_year, 10, 1), DAY) < 30 AS bootstrap,
          EXTRACT(MONTH FROM @target_date) IN (10, 11, 4) AS season_boundary
        FROM upcoming AS u
        LEFT JOIN history AS h ON h.team_abbr = u.team_abbr
        LEFT JOIN form AS f ON f.team_abbr = u.team_abbr
        LEFT JOIN game_lines AS l ON l.home_team_abbr = u.home_team_abbr AND l.away_team_abbr = u.away_team_abbr
        LEFT JOIN line_rows AS lr ON lr.home_team_abbr = u.home_team_abbr AND lr.away_team_abbr = u.away_team_abbr
        LEFT JOIN injuries AS i ON i.team_abbr = u.team_abbr
        LEFT JOIN injury_rows AS ir ON ir.team_abbr = u.team_abbr
      ),
      -- A window without expected games is complete, as the platform's checker has it.
      completeness AS (
        SELECT
          *,
          IF(expected_l7d = 0, 100.0, ROUND(100 * actual_l7d / expected_l7d, 1)) AS l7d_pct,
          IF(expected_l14d = 0, 100.0, ROUND(100 * actual_l14d / expected_l14d, 1)) AS l14d_pct
        FROM context
      ),
      assessed AS (
        SELECT
          *,
          ARRAY_CONCAT(
            IF(actual_l7d < expected_l7d, [CONCAT('l7d_incomplete:', CAST(CAST(ROUND(l7d_pct) AS INT64) AS STRING), '%')], []),
            IF(actual_l14d < expected_l14d, [CONCAT('l14d_incomplete:', CAST(CAST(ROUND(l14d_pct) AS INT64) AS STRING), '%')], []),
            IF(bootstrap, ['bootstrap_mode'], []),
            IF(season_boundary, ['season_boundary'], []),
            IF(team_spread IS NULL OR total IS NULL, ['missing_betting_lines'], [])
          ) AS issues
        FROM completeness
      )
      SELECT
        c.team_abbr,
        c.nba_game_id AS game_id,
        c.game_date,
        c.season_year,
        c.opponent_team_abbr,
        c.is_home AS home_game,
        IFNULL(c.days_since_last_game = 1, FALSE) AS is_back_to_back,
        c.days_since_last_game,
        IFNULL(c.season_games, 0) + 1 AS game_number_in_season,
        c.days_since_last_game - 1 AS team_days_rest,
        IFNULL(c.days_since_last_game = 1, FALSE) AS team_back_to_back,
        c.games_in_last_7_days,
        c.games_in_last_14_days,
        c.team_spread AS game_spread,
        c.total AS game_total,
        c.spread_source AS game_spread_source,
        c.total_source AS game_total_source,
        -- Positive when the line moved toward the team (it became more favoured).
        c.team_spread_opening - c.team_spread AS spread_movement,
        c.total - c.total_opening AS total_movement,
        c.lines_updated_at AS betting_lines_updated_at,
        -- As the platform counts it: every player of the team listed out.
        c.players_out AS starters_out_count,
        c.players_questionable AS questionable_players_count,
        c.win_streak AS team_win_streak_entering,
        c.loss_streak AS team_loss_streak_entering,
        c.last_game_margin,
        c.last_game_result,
        -- The platform's default: 0 at home, and 0 when it has no distance (no arena coordinates here).
        0 AS travel_miles,
        s.last_updated AS source_nbac_schedule_last_updated,
        s.rows_found AS source_nbac_schedule_rows_found,
        IF(s.rows_found > 0, 100.0, 0.0) AS source_nbac_schedule_completeness_pct,
        c.schedule_data_hash AS source_nbac_schedule_hash,
        c.lines_last_updated AS source_odds_lines_last_updated,
        c.line_rows_found AS source_odds_lines_rows_found,
        IF(c.line_rows_found IS NULL, NULL, 100 * c.line_markets / 2) AS source_odds_lines_completeness_pct,
        c.lines_hash AS source_odds_lines_hash,
        c.injury_last_updated AS source_injury_report_last_updated,
        c.injury_rows_found AS source_injury_report_rows_found,
        IF(c.injury_rows_found IS NULL, NULL, 100.0) AS source_injury_report_completeness_pct,
        c.injury_hash AS source_injury_report_hash,
        c.bootstrap AS early_season_flag,
        IF(c.bootstrap, CONCAT('bootstrap: ', CAST(IFNULL(c.season_games, 0) AS STRING), ' games played'), NULL)
          AS insufficient_data_reason,
        c.expected_l14d AS expected_games_count,
        c.actual_l14d AS actual_games_count,
        c.l14d_pct AS completeness_percentage,
        c.expected_l14d - c.actual_l14d AS missing_games_count,
        c.l7d_pct >= 70 AND c.l14d_pct >= 70 AS is_production_ready,
        c.issues AS data_quality_issues,
        CAST(NULL AS TIMESTAMP) AS last_reprocess_attempt_at,
        0 AS reprocess_attempt_count,
        FALSE AS circuit_breaker_active,
        CAST(NULL AS TIMESTAMP) AS circuit_breaker_until,
        FALSE AS manual_override_required,
        c.season_boundary AS season_boundary_detected,
        c.bootstrap AS backfill_bootstrap_mode,
        'processed_successfully' AS processing_decision_reason,
        c.l7d_pct AS l7d_completeness_pct,
        c.actual_l7d >= c.expected_l7d AS l7d_is_complete,
        c.l14d_pct AS l14d_completeness_pct,
        c.actual_l14d >= c.expected_l14d AS l14d_is_complete,
        c.actual_l7d >= c.expected_l7d AND c.actual_l14d >= c.expected_l14d AS all_windows_complete,
        -- The platform's tiers by the 14-day window's completeness (95: gold, 75: silver, 50: bronze).
        CASE WHEN c.l14d_pct >= 95 THEN 'gold' WHEN c.l14d_pct >= 75 THEN 'silver'
             WHEN c.l14d_pct >= 50 THEN 'bronze' ELSE 'poor' END AS quality_tier,
        CASE WHEN c.l14d_pct >= 95 THEN 95.0 WHEN c.l14d_pct >= 75 THEN 75.0
             WHEN c.l14d_pct >= 50 THEN 50.0 ELSE 25.0 END AS quality_score,
        c.issues AS quality_issues,
        ['nbac_schedule'] AS data_sources,
        CAST(NULL AS INT64) AS quality_sample_size,
        FALSE AS quality_used_fallback,
        FALSE AS quality_reconstructed,
        TO_JSON(STRUCT(['nbac_schedule'] AS sources_used, c.bootstrap AS early_season)) AS quality_metadata,
        IF(c.team_spread IS NULL OR c.total IS NULL, 'partial', 'complete') AS data_quality_flag
      FROM assessed AS c
      CROSS JOIN schedule_rows AS s
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
  season_year = S.season_year,
  opponent_team_abbr = S.opponent_team_abbr,
  home_game = S.home_game,
  is_back_to_back = S.is_back_to_back,
  days_since_last_game = S.days_since_last_game,
  game_number_in_season = S.game_number_in_season,
  team_days_rest = S.team_days_rest,
  team_back_to_back = S.team_back_to_back,
  games_in_last_7_days = S.games_in_last_7_days,
  games_in_last_14_days = S.games_in_last_14_days,
  game_spread = S.game_spread,
  game_total = S.game_total,
  game_spread_source = S.game_spread_source,
  game_total_source = S.game_total_source,
  spread_movement = S.spread_movement,
  total_movement = S.total_movement,
  betting_lines_updated_at = S.betting_lines_updated_at,
  starters_out_count = S.starters_out_count,
  questionable_players_count = S.questionable_players_count,
  team_win_streak_entering = S.team_win_streak_entering,
  team_loss_streak_entering = S.team_loss_streak_entering,
  last_game_margin = S.last_game_margin,
  last_game_result = S.last_game_result,
  travel_miles = S.travel_miles,
  source_nbac_schedule_last_updated = S.source_nbac_schedule_last_updated,
  source_nbac_schedule_rows_found = S.source_nbac_schedule_rows_found,
  source_nbac_schedule_completeness_pct = S.source_nbac_schedule_completeness_pct,
  source_nbac_schedule_hash = S.source_nbac_schedule_hash,
  source_odds_lines_last_updated = S.source_odds_lines_last_updated,
  source_odds_lines_rows_found = S.source_odds_lines_rows_found,
  source_odds_lines_completeness_pct = S.source_odds_lines_completeness_pct,
  source_odds_lines_hash = S.source_odds_lines_hash,
  source_injury_report_last_updated = S.source_injury_report_last_updated,
  source_injury_report_rows_found = S.source_injury_report_rows_found,
  source_injury_report_completeness_pct = S.source_injury_report_completeness_pct,
  source_injury_report_hash = S.source_injury_report_hash,
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
  l7d_completeness_pct = S.l7d_completeness_pct,
  l7d_is_complete = S.l7d_is_complete,
  l14d_completeness_pct = S.l14d_completeness_pct,
  l14d_is_complete = S.l14d_is_complete,
  all_windows_complete = S.all_windows_complete,
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
  team_abbr, game_id, game_date, season_year, opponent_team_abbr, home_game, is_back_to_back,
  days_since_last_game, game_number_in_season, team_days_rest, team_back_to_back,
  games_in_last_7_days, games_in_last_14_days, game_spread, game_total, game_spread_source,
  game_total_source, spread_movement, total_movement, betting_lines_updated_at, starters_out_count,
  questionable_players_count, team_win_streak_entering, team_loss_streak_entering, last_game_margin,
  last_game_result, travel_miles, source_nbac_schedule_last_updated,
  source_nbac_schedule_rows_found, source_nbac_schedule_completeness_pct, source_nbac_schedule_hash,
  source_odds_lines_last_updated, source_odds_lines_rows_found, source_odds_lines_completeness_pct,
  source_odds_lines_hash, source_injury_report_last_updated, source_injury_report_rows_found,
  source_injury_report_completeness_pct, source_injury_report_hash, early_season_flag,
  insufficient_data_reason, expected_games_count, actual_games_count, completeness_percentage,
  missing_games_count, is_production_ready, data_quality_issues, last_reprocess_attempt_at,
  reprocess_attempt_count, circuit_breaker_active, circuit_breaker_until, manual_override_required,
  season_boundary_detected, backfill_bootstrap_mode, processing_decision_reason,
  l7d_completeness_pct, l7d_is_complete, l14d_completeness_pct, l14d_is_complete,
  all_windows_complete, data_hash, processed_at, created_at, quality_tier, quality_score,
  quality_issues, data_sources, quality_sample_size, quality_used_fallback, quality_reconstructed,
  quality_calculated_at, quality_metadata, data_quality_flag, processing_context, _fence, _run_id
) VALUES (
  S.team_abbr, S.game_id, S.game_date, S.season_year, S.opponent_team_abbr, S.home_game,
  S.is_back_to_back, S.days_since_last_game, S.game_number_in_season, S.team_days_rest,
  S.team_back_to_back, S.games_in_last_7_days, S.games_in_last_14_days, S.game_spread, S.game_total,
  S.game_spread_source, S.game_total_source, S.spread_movement, S.total_movement,
  S.betting_lines_updated_at, S.starters_out_count, S.questionable_players_count,
  S.team_win_streak_entering, S.team_loss_streak_entering, S.last_game_margin, S.last_game_result,
  S.travel_miles, S.source_nbac_schedule_last_updated, S.source_nbac_schedule_rows_found,
  S.source_nbac_schedule_completeness_pct, S.source_nbac_schedule_hash,
  S.source_odds_lines_last_updated, S.source_odds_lines_rows_found,
  S.source_odds_lines_completeness_pct, S.source_odds_lines_hash,
  S.source_injury_report_last_updated, S.source_injury_report_rows_found,
  S.source_injury_report_completeness_pct, S.source_injury_report_hash, S.early_season_flag,
  S.insufficient_data_reason, S.expected_games_count, S.actual_games_count,
  S.completeness_percentage, S.missing_games_count, S.is_production_ready, S.data_quality_issues,
  S.last_reprocess_attempt_at, S.reprocess_attempt_count, S.circuit_breaker_active,
  S.circuit_breaker_until, S.manual_override_required, S.season_boundary_detected,
  S.backfill_bootstrap_mode, S.processing_decision_reason, S.l7d_completeness_pct,
  S.l7d_is_complete, S.l14d_completeness_pct, S.l14d_is_complete, S.all_windows_complete,
  S.data_hash, S.processed_at, S.created_at, S.quality_tier, S.quality_score, S.quality_issues,
  S.data_sources, S.quality_sample_size, S.quality_used_fallback, S.quality_reconstructed,
  S.quality_calculated_at, S.quality_metadata, S.data_quality_flag, S.processing_context, S._fence,
  S._run_id
)
WHEN NOT MATCHED BY SOURCE AND T.game_date = @target_date AND T._fence <= @fence
  AND @fence >= (
        SELECT IFNULL(MAX(fence), 0)
        FROM `nba-props-platform.nba_pipeline_audit.fence_watermarks`
        WHERE target_date = @target_date AND table_name = @sink_table
      ) THEN DELETE
