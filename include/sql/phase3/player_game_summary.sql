-- Player line per final game of the target date with usage, shooting efficiency, shot zones and the
-- points line. Team totals come from this date's team_offense_game_summary, which must be
-- written first.
WITH shots AS (
  SELECT game_id, player_lookup, shot_zone, shot_made, assisted
  FROM `${project}.${analytics_dataset}.stg_shot_events`
  WHERE game_date = @target_date
  QUALIFY ROW_NUMBER() OVER (PARTITION BY game_id, event_id ORDER BY player_lookup) = 1
),
shot_zones AS (
  SELECT
    game_id,
    player_lookup,
    COUNTIF(shot_zone = 'paint') AS paint_attempts,
    COUNTIF(shot_zone = 'paint' AND shot_made) AS paint_makes,
    COUNTIF(shot_zone = 'mid_range') AS mid_range_attempts,
    COUNTIF(shot_zone = 'mid_range' AND shot_made) AS mid_range_makes,
    COUNTIF(shot_zone = 'three') AS three_attempts,
    COUNTIF(shot_zone = 'three' AND shot_made) AS three_makes,
    COUNTIF(shot_made AND assisted) AS assisted_makes
  FROM shots
  GROUP BY game_id, player_lookup
),
-- Games whose play-by-play arrived: their players without a shot get zeros, not NULLs.
games_with_shots AS (
  SELECT DISTINCT game_id FROM shots
),
lines AS (
  SELECT
    p.*,
    team.data_quality_flag AS team_quality_flag,
    p.field_goals_attempted + 0.44 * p.free_throws_attempted AS shooting_possessions,
    -- Team totals from this player's own team line of the same date.
    100 * (p.field_goals_attempted + 0.44 * p.free_throws_attempted + p.turnovers) * (team.minutes / 5)
      / NULLIF(p.minutes_decimal * (team.fg_attempted + 0.44 * team.ft_attempted + team.turnovers), 0)
      AS raw_usage_rate,
    z.paint_attempts, z.paint_makes, z.mid_range_attempts, z.mid_range_makes,
    z.three_attempts, z.three_makes, z.assisted_makes,
    w.game_id IS NOT NULL AS has_play_by_play,
    line.points_line,
    line.line_bookmaker
  FROM `${project}.${analytics_dataset}.stg_player_game_lines` AS p
  LEFT JOIN `${project}.${analytics_dataset}.team_offense_game_summary` AS team
    ON team.game_date = @target_date AND team.team_abbr = p.team_abbr
  LEFT JOIN shot_zones AS z ON z.game_id = p.nba_game_id AND z.player_lookup = p.player_lookup
  LEFT JOIN games_with_shots AS w ON w.game_id = p.nba_game_id
  LEFT JOIN `${project}.${analytics_dataset}.stg_player_points_lines` AS line
    ON line.game_date = @target_date AND line.player_lookup = p.player_lookup
  WHERE p.game_date = @target_date
)
SELECT
  game_date,
  player_lookup,
  game_id,
  nba_game_id,
  season_year,
  team_abbr,
  opponent_team_abbr,
  is_home,
  player_name,
  player_status,
  dnp_reason,
  minutes_decimal AS minutes,
  points,
  field_goals_made,
  field_goals_attempted,
  three_pointers_made,
  three_pointers_attempted,
  free_throws_made,
  free_throws_attempted,
  offensive_rebounds,
  defensive_rebounds,
  total_rebounds,
  assists,
  steals,
  blocks,
  turnovers,
  personal_fouls,
  plus_minus,
  COALESCE(starter, minutes_decimal > 20, FALSE) AS starter_flag,
  win_flag,
  -- An out-of-range usage rate means inconsistent inputs: report none rather than a wrong one.
  IF(minutes_decimal > 0 AND team_quality_flag = 'ok' AND raw_usage_rate BETWEEN 0 AND 100,
     ROUND(raw_usage_rate, 2), NULL) AS usage_rate,
  IF(shooting_possessions > 0, ROUND(points / (2 * shooting_possessions), 3), NULL) AS ts_pct,
  IF(field_goals_attempted > 0,
     ROUND((field_goals_made + 0.5 * three_pointers_made) / field_goals_attempted, 3), NULL) AS efg_pct,
  IF(has_play_by_play, COALESCE(paint_attempts, 0), NULL) AS paint_attempts,
  IF(has_play_by_play, COALESCE(paint_makes, 0), NULL) AS paint_makes,
  IF(has_play_by_play, COALESCE(mid_range_attempts, 0), NULL) AS mid_range_attempts,
  IF(has_play_by_play, COALESCE(mid_range_makes, 0), NULL) AS mid_range_makes,
  IF(has_play_by_play, COALESCE(three_attempts, 0), NULL) AS three_attempts,
  IF(has_play_by_play, COALESCE(three_makes, 0), NULL) AS three_makes,
  IF(has_play_by_play, COALESCE(assisted_makes, 0), NULL) AS assisted_makes,
  points_line,
  line_bookmaker,
  CASE
    WHEN player_status != 'active' OR points IS NULL OR points_line IS NULL THEN NULL
    WHEN points > points_line THEN 'OVER'
    WHEN points < points_line THEN 'UNDER'
    ELSE 'PUSH'
  END AS over_under_result,
  primary_source,
  CASE
    WHEN primary_source = 'live_boxscore' THEN 'live_boxscore_fallback'
    WHEN team_quality_flag IS NULL THEN 'team_stats_missing'
    WHEN team_quality_flag = 'all_zero_team_row' THEN 'team_stats_zero'
    WHEN team_quality_flag != 'ok' THEN 'team_stats_missing'
    ELSE 'ok'
  END AS data_quality_flag
FROM lines
