-- Pre-game context for every team scheduled on the target date (D + 1), as the platform's
-- upcoming team context defines it: rest (team_days_rest 0 = a back-to-back), games in the last
-- 7 and 14 days (D-6..D-1 and D-13..D-1), the season so far (only final games count as played),
-- the spread and total, injuries and completeness of the schedule windows. It reads only raw data
-- (through the staging functions), so it runs beside team offense.
-- game_id is the NBA.com id here, as in the platform's table.
WITH upcoming AS (
  SELECT *
  FROM `${project}.${analytics_dataset}.stg_game_teams`(@target_date, @target_date)
),
-- The season so far: final games of the same season in the year before the date.
played AS (
  SELECT h.team_abbr, h.game_id, h.game_date, h.win_flag, h.margin, h.is_home, h.opponent_team_abbr
  FROM `${project}.${analytics_dataset}.stg_game_teams`(
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
  FROM `${project}.${raw_dataset}.nbac_team_boxscore`
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
  FROM `${project}.${analytics_dataset}.stg_game_lines`(@target_date, @target_date)
),
line_rows AS (
  SELECT
    home_team_abbr,
    away_team_abbr,
    COUNT(*) AS rows_found,
    COUNT(DISTINCT market_key) AS markets,
    MAX(processed_at) AS last_updated,
    ARRAY_AGG(data_hash ORDER BY data_hash IS NULL, processed_at DESC, data_hash LIMIT 1)[SAFE_OFFSET(0)] AS latest_hash
  FROM `${project}.${raw_dataset}.odds_api_game_lines`
  WHERE game_date = @target_date
  GROUP BY home_team_abbr, away_team_abbr
),
injuries AS (
  SELECT
    team_abbr,
    COUNTIF(injury_status = 'out') AS players_out,
    COUNTIF(injury_status IN ('questionable', 'doubtful')) AS players_questionable
  FROM `${project}.${analytics_dataset}.stg_injury_status`(@target_date, @target_date)
  GROUP BY team_abbr
),
injury_rows AS (
  SELECT
    team AS team_abbr,
    COUNT(*) AS rows_found,
    MAX(processed_at) AS last_updated,
    ARRAY_AGG(data_hash ORDER BY data_hash IS NULL, processed_at DESC, data_hash LIMIT 1)[SAFE_OFFSET(0)] AS latest_hash
  FROM `${project}.${raw_dataset}.nbac_injury_report`
  WHERE report_date BETWEEN DATE_SUB(@target_date, INTERVAL 1 DAY) AND @target_date
    AND game_date = @target_date
  GROUP BY team
),
schedule_rows AS (
  SELECT COUNT(*) AS rows_found, MAX(processed_at) AS last_updated
  FROM `${project}.${raw_dataset}.nbac_schedule`
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
