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
  FROM `${project}.${analytics_dataset}.stg_player_game_lines`(@target_date, @target_date)
),
shot_events AS (
  SELECT *
  FROM `${project}.${analytics_dataset}.stg_shot_events`(@target_date, @target_date)
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
  FROM `${project}.${raw_dataset}.nbac_gamebook_player_stats`
  WHERE game_date = @target_date
  GROUP BY game_id
),
gamebook_updated AS (
  SELECT MAX(processed_at) AS last_updated
  FROM `${project}.${raw_dataset}.nbac_gamebook_player_stats`
  WHERE game_date = @target_date
),
live_players AS (
  SELECT game_id, COUNT(DISTINCT player_lookup) AS players
  FROM `${project}.${raw_dataset}.nbac_player_boxscores`
  WHERE game_date = @target_date
  GROUP BY game_id
),
props AS (
  SELECT *
  FROM `${project}.${analytics_dataset}.stg_player_points_lines`(@target_date, @target_date)
),
odds_books AS (
  SELECT COUNT(DISTINCT bookmaker) AS bookmakers, MAX(processed_at) AS last_updated
  FROM `${project}.${raw_dataset}.odds_api_player_points_props`
  WHERE game_date = @target_date
),
bettingpros_books AS (
  SELECT COUNT(DISTINCT bookmaker) AS bookmakers, MAX(processed_at) AS last_updated
  FROM `${project}.${raw_dataset}.bettingpros_player_points_props`
  WHERE game_date = @target_date AND market_type = 'points'
),
team AS (
  SELECT
    team_abbr, game_id, fg_attempts, ft_attempts, turnovers, overtime_periods, processed_at, data_hash,
    COUNT(*) OVER (PARTITION BY game_id) AS rows_for_game,
    MAX(processed_at) OVER () AS last_updated
  FROM `${project}.${analytics_dataset}.team_offense_game_summary`
  WHERE game_date = @target_date
),
registry AS (
  SELECT player_lookup, team_abbr, season, universal_player_id
  FROM `${project}.${reference_dataset}.nba_players_registry`
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
