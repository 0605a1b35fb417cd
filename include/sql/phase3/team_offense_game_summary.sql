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
  FROM `${project}.${analytics_dataset}.stg_team_game_lines`(@target_date, @target_date)
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
  FROM `${project}.${analytics_dataset}.stg_shot_events`(@target_date, @target_date)
  GROUP BY game_id, team_abbr
),
games_with_shots AS (
  SELECT DISTINCT game_id FROM shots
),
inactive AS (
  SELECT game_id, team_abbr, COUNTIF(player_status = 'inactive') AS players_inactive
  FROM `${project}.${analytics_dataset}.stg_player_game_lines`(@target_date, @target_date)
  WHERE primary_source = 'nbac_gamebook'
  GROUP BY game_id, team_abbr
),
team_boxscore_rows AS (
  SELECT COUNT(*) AS rows_found, MAX(processed_at) AS last_updated
  FROM `${project}.${raw_dataset}.nbac_team_boxscore`
  WHERE game_date = @target_date
),
play_by_play_rows AS (
  SELECT
    COUNT(*) AS rows_found,
    MAX(processed_at) AS last_updated,
    ARRAY_AGG(data_hash ORDER BY data_hash IS NULL, processed_at DESC, data_hash LIMIT 1)[SAFE_OFFSET(0)] AS latest_hash
  FROM `${project}.${raw_dataset}.nbac_play_by_play`
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
