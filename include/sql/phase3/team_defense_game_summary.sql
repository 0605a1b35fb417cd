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
  FROM `${project}.${analytics_dataset}.stg_team_game_lines`(@target_date, @target_date)
),
shots AS (
  SELECT
    game_id,
    team_abbr,
    COUNTIF(shot_zone = 'paint') AS paint_attempts,
    COUNTIF(shot_zone = 'paint' AND shot_made) AS paint_makes,
    COUNTIF(shot_zone = 'mid_range') AS mid_range_attempts,
    COUNTIF(shot_zone = 'mid_range' AND shot_made) AS mid_range_makes
  FROM `${project}.${analytics_dataset}.stg_shot_events`(@target_date, @target_date)
  GROUP BY game_id, team_abbr
),
games_with_shots AS (
  SELECT DISTINCT game_id FROM shots
),
player_rows AS (
  SELECT game_id, primary_source
  FROM `${project}.${analytics_dataset}.stg_player_game_lines`(@target_date, @target_date)
),
team_boxscore_rows AS (
  SELECT COUNT(*) AS rows_found, MAX(processed_at) AS last_updated
  FROM `${project}.${raw_dataset}.nbac_team_boxscore`
  WHERE game_date = @target_date
),
gamebook_rows AS (
  SELECT
    COUNT(*) AS rows_found,
    MAX(processed_at) AS last_updated,
    ARRAY_AGG(data_hash ORDER BY data_hash IS NULL, processed_at DESC, data_hash LIMIT 1)[SAFE_OFFSET(0)] AS latest_hash
  FROM `${project}.${raw_dataset}.nbac_gamebook_player_stats`
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
