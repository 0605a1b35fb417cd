-- Player line per final game of the target date with usage, shooting efficiency, shot zones and the
-- points line. Team totals come from this date's team_offense_game_summary, which must be
-- written first. One fenced, idempotent MERGE.
MERGE `${project}.${analytics_dataset}.player_game_summary` AS T
USING (
  WITH shots AS (
    SELECT game_id, player_lookup, shot_zone, shot_made, assisted
    FROM `${project}.${raw_dataset}.nbac_play_by_play`
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
    END AS data_quality_flag,
    @fence AS _fence,
    @run_id AS _run_id,
    CURRENT_TIMESTAMP() AS processed_at
  FROM lines
  -- A writer holding an older lease than the sink has seen (its fence watermark) writes nothing.
  WHERE @fence >= (
    SELECT IFNULL(MAX(fence), 0)
    FROM `${project}.${audit_dataset}.fence_watermarks`
    WHERE target_date = @target_date AND table_name = @sink_table
  )
) AS S
ON T.game_date = S.game_date AND T.player_lookup = S.player_lookup
WHEN MATCHED AND T._fence <= S._fence THEN UPDATE SET
  game_id = S.game_id,
  nba_game_id = S.nba_game_id,
  season_year = S.season_year,
  team_abbr = S.team_abbr,
  opponent_team_abbr = S.opponent_team_abbr,
  is_home = S.is_home,
  player_name = S.player_name,
  player_status = S.player_status,
  dnp_reason = S.dnp_reason,
  minutes = S.minutes,
  points = S.points,
  field_goals_made = S.field_goals_made,
  field_goals_attempted = S.field_goals_attempted,
  three_pointers_made = S.three_pointers_made,
  three_pointers_attempted = S.three_pointers_attempted,
  free_throws_made = S.free_throws_made,
  free_throws_attempted = S.free_throws_attempted,
  offensive_rebounds = S.offensive_rebounds,
  defensive_rebounds = S.defensive_rebounds,
  total_rebounds = S.total_rebounds,
  assists = S.assists,
  steals = S.steals,
  blocks = S.blocks,
  turnovers = S.turnovers,
  personal_fouls = S.personal_fouls,
  plus_minus = S.plus_minus,
  starter_flag = S.starter_flag,
  win_flag = S.win_flag,
  usage_rate = S.usage_rate,
  ts_pct = S.ts_pct,
  efg_pct = S.efg_pct,
  paint_attempts = S.paint_attempts,
  paint_makes = S.paint_makes,
  mid_range_attempts = S.mid_range_attempts,
  mid_range_makes = S.mid_range_makes,
  three_attempts = S.three_attempts,
  three_makes = S.three_makes,
  assisted_makes = S.assisted_makes,
  points_line = S.points_line,
  line_bookmaker = S.line_bookmaker,
  over_under_result = S.over_under_result,
  primary_source = S.primary_source,
  data_quality_flag = S.data_quality_flag,
  _fence = S._fence,
  _run_id = S._run_id,
  processed_at = S.processed_at
WHEN NOT MATCHED BY TARGET THEN INSERT (
  game_date, player_lookup, game_id, nba_game_id, season_year, team_abbr, opponent_team_abbr, is_home,
  player_name, player_status, dnp_reason, minutes, points, field_goals_made, field_goals_attempted,
  three_pointers_made, three_pointers_attempted, free_throws_made, free_throws_attempted,
  offensive_rebounds, defensive_rebounds, total_rebounds, assists, steals, blocks, turnovers,
  personal_fouls, plus_minus, starter_flag, win_flag, usage_rate, ts_pct, efg_pct, paint_attempts,
  paint_makes, mid_range_attempts, mid_range_makes, three_attempts, three_makes, assisted_makes,
  points_line, line_bookmaker, over_under_result, primary_source, data_quality_flag, _fence, _run_id,
  processed_at
) VALUES (
  S.game_date, S.player_lookup, S.game_id, S.nba_game_id, S.season_year, S.team_abbr,
  S.opponent_team_abbr, S.is_home, S.player_name, S.player_status, S.dnp_reason, S.minutes, S.points,
  S.field_goals_made, S.field_goals_attempted, S.three_pointers_made, S.three_pointers_attempted,
  S.free_throws_made, S.free_throws_attempted, S.offensive_rebounds, S.defensive_rebounds,
  S.total_rebounds, S.assists, S.steals, S.blocks, S.turnovers, S.personal_fouls, S.plus_minus,
  S.starter_flag, S.win_flag, S.usage_rate, S.ts_pct, S.efg_pct, S.paint_attempts, S.paint_makes,
  S.mid_range_attempts, S.mid_range_makes, S.three_attempts, S.three_makes, S.assisted_makes,
  S.points_line, S.line_bookmaker, S.over_under_result, S.primary_source, S.data_quality_flag,
  S._fence, S._run_id, S.processed_at
)
WHEN NOT MATCHED BY SOURCE AND T.game_date = @target_date AND T._fence <= @fence THEN DELETE;
