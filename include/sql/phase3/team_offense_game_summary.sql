-- Team offense per final game of the target date: one fenced, idempotent MERGE.
MERGE `${project}.${analytics_dataset}.team_offense_game_summary` AS T
USING (
  SELECT
    t.game_date,
    t.team_abbr,
    t.game_id,
    t.nba_game_id,
    t.season_year,
    t.opponent_team_abbr,
    t.is_home,
    t.win_flag,
    t.points,
    -- Each game has exactly two lines, ordered away then home: the other one is the opponent.
    IF(t.is_home, LAG(t.points) OVER game, LEAD(t.points) OVER game) AS opponent_points,
    t.fg_made,
    t.fg_attempted,
    t.three_pt_made,
    t.three_pt_attempted,
    t.ft_made,
    t.ft_attempted,
    t.offensive_rebounds,
    t.defensive_rebounds,
    t.total_rebounds,
    t.assists,
    t.steals,
    t.blocks,
    t.turnovers,
    t.personal_fouls,
    t.minutes,
    IF(t.minutes > 0, GREATEST(0, CAST(FLOOR((t.minutes - 240) / 25) AS INT64)), NULL) AS overtime_periods,
    ROUND(t.possessions, 2) AS possessions,
    IF(t.possessions > 0, ROUND(100 * t.points / t.possessions, 2), NULL) AS offensive_rating,
    IF(t.possessions > 0 AND t.minutes > 0, ROUND(48 * t.possessions / (t.minutes / 5), 2), NULL) AS pace,
    ROUND(SAFE_DIVIDE(t.fg_made, t.fg_attempted), 3) AS fg_pct,
    ROUND(SAFE_DIVIDE(t.three_pt_made, t.three_pt_attempted), 3) AS three_pt_pct,
    ROUND(SAFE_DIVIDE(t.ft_made, t.ft_attempted), 3) AS ft_pct,
    ROUND(SAFE_DIVIDE(t.points, 2 * (t.fg_attempted + 0.44 * t.ft_attempted)), 3) AS ts_pct,
    t.source,
    t.data_quality_flag,
    @fence AS _fence,
    @run_id AS _run_id,
    CURRENT_TIMESTAMP() AS processed_at
  FROM `${project}.${analytics_dataset}.stg_team_game_lines` AS t
  WHERE t.game_date = @target_date
    -- A writer holding an older lease than the sink has seen (its fence watermark) writes nothing.
    AND @fence >= (
      SELECT IFNULL(MAX(fence), 0)
      FROM `${project}.${audit_dataset}.fence_watermarks`
      WHERE target_date = @target_date AND table_name = @sink_table
    )
  WINDOW game AS (PARTITION BY t.nba_game_id ORDER BY t.is_home)
) AS S
ON T.game_date = S.game_date AND T.team_abbr = S.team_abbr
WHEN MATCHED AND T._fence <= S._fence THEN UPDATE SET
  game_id = S.game_id,
  nba_game_id = S.nba_game_id,
  season_year = S.season_year,
  opponent_team_abbr = S.opponent_team_abbr,
  is_home = S.is_home,
  win_flag = S.win_flag,
  points = S.points,
  opponent_points = S.opponent_points,
  fg_made = S.fg_made,
  fg_attempted = S.fg_attempted,
  three_pt_made = S.three_pt_made,
  three_pt_attempted = S.three_pt_attempted,
  ft_made = S.ft_made,
  ft_attempted = S.ft_attempted,
  offensive_rebounds = S.offensive_rebounds,
  defensive_rebounds = S.defensive_rebounds,
  total_rebounds = S.total_rebounds,
  assists = S.assists,
  steals = S.steals,
  blocks = S.blocks,
  turnovers = S.turnovers,
  personal_fouls = S.personal_fouls,
  minutes = S.minutes,
  overtime_periods = S.overtime_periods,
  possessions = S.possessions,
  offensive_rating = S.offensive_rating,
  pace = S.pace,
  fg_pct = S.fg_pct,
  three_pt_pct = S.three_pt_pct,
  ft_pct = S.ft_pct,
  ts_pct = S.ts_pct,
  source = S.source,
  data_quality_flag = S.data_quality_flag,
  _fence = S._fence,
  _run_id = S._run_id,
  processed_at = S.processed_at
WHEN NOT MATCHED BY TARGET THEN INSERT (
  game_date, team_abbr, game_id, nba_game_id, season_year, opponent_team_abbr, is_home, win_flag,
  points, opponent_points, fg_made, fg_attempted, three_pt_made, three_pt_attempted, ft_made,
  ft_attempted, offensive_rebounds, defensive_rebounds, total_rebounds, assists, steals, blocks,
  turnovers, personal_fouls, minutes, overtime_periods, possessions, offensive_rating, pace,
  fg_pct, three_pt_pct, ft_pct, ts_pct, source, data_quality_flag, _fence, _run_id, processed_at
) VALUES (
  S.game_date, S.team_abbr, S.game_id, S.nba_game_id, S.season_year, S.opponent_team_abbr, S.is_home,
  S.win_flag, S.points, S.opponent_points, S.fg_made, S.fg_attempted, S.three_pt_made,
  S.three_pt_attempted, S.ft_made, S.ft_attempted, S.offensive_rebounds, S.defensive_rebounds,
  S.total_rebounds, S.assists, S.steals, S.blocks, S.turnovers, S.personal_fouls, S.minutes,
  S.overtime_periods, S.possessions, S.offensive_rating, S.pace, S.fg_pct, S.three_pt_pct, S.ft_pct,
  S.ts_pct, S.source, S.data_quality_flag, S._fence, S._run_id, S.processed_at
)
WHEN NOT MATCHED BY SOURCE AND T.game_date = @target_date AND T._fence <= @fence THEN DELETE;
