-- Team defense per final game of the target date: each team's opponent line (what it allowed)
-- plus its own defensive stats. One fenced, idempotent MERGE.
MERGE `${project}.${analytics_dataset}.team_defense_game_summary` AS T
USING (
  WITH lines AS (
    SELECT * FROM `${project}.${analytics_dataset}.stg_team_game_lines` WHERE game_date = @target_date
  )
  SELECT
    d.game_date,
    d.team_abbr AS defending_team_abbr,
    d.game_id,
    d.nba_game_id,
    d.season_year,
    d.opponent_team_abbr,
    d.is_home,
    d.win_flag,
    o.points AS points_allowed,
    o.fg_made AS opponent_fg_made,
    o.fg_attempted AS opponent_fg_attempted,
    o.three_pt_made AS opponent_three_pt_made,
    o.three_pt_attempted AS opponent_three_pt_attempted,
    o.ft_made AS opponent_ft_made,
    o.ft_attempted AS opponent_ft_attempted,
    o.offensive_rebounds AS opponent_offensive_rebounds,
    o.assists AS opponent_assists,
    o.turnovers AS opponent_turnovers,
    o.minutes AS opponent_minutes,
    ROUND(o.possessions, 2) AS opponent_possessions,
    IF(o.possessions > 0, ROUND(100 * o.points / o.possessions, 2), NULL) AS defensive_rating,
    ROUND(SAFE_DIVIDE(o.fg_made, o.fg_attempted), 3) AS opponent_fg_pct,
    ROUND(SAFE_DIVIDE(o.three_pt_made, o.three_pt_attempted), 3) AS opponent_three_pt_pct,
    ROUND(SAFE_DIVIDE(o.fg_made + 0.5 * o.three_pt_made, o.fg_attempted), 3) AS opponent_efg_pct,
    COALESCE(d.player_steals, d.steals) AS steals,
    COALESCE(d.player_blocks, d.blocks) AS blocks,
    COALESCE(d.player_defensive_rebounds, d.defensive_rebounds) AS defensive_rebounds,
    o.source,
    o.data_quality_flag,
    @fence AS _fence,
    @run_id AS _run_id,
    CURRENT_TIMESTAMP() AS processed_at
  FROM lines AS d
  JOIN lines AS o ON o.nba_game_id = d.nba_game_id AND o.team_abbr = d.opponent_team_abbr
  -- A writer holding an older lease than the sink has seen (its fence watermark) writes nothing.
  WHERE @fence >= (
    SELECT IFNULL(MAX(fence), 0)
    FROM `${project}.${audit_dataset}.fence_watermarks`
    WHERE target_date = @target_date AND table_name = @sink_table
  )
) AS S
ON T.game_date = S.game_date AND T.defending_team_abbr = S.defending_team_abbr
WHEN MATCHED AND T._fence <= S._fence THEN UPDATE SET
  game_id = S.game_id,
  nba_game_id = S.nba_game_id,
  season_year = S.season_year,
  opponent_team_abbr = S.opponent_team_abbr,
  is_home = S.is_home,
  win_flag = S.win_flag,
  points_allowed = S.points_allowed,
  opponent_fg_made = S.opponent_fg_made,
  opponent_fg_attempted = S.opponent_fg_attempted,
  opponent_three_pt_made = S.opponent_three_pt_made,
  opponent_three_pt_attempted = S.opponent_three_pt_attempted,
  opponent_ft_made = S.opponent_ft_made,
  opponent_ft_attempted = S.opponent_ft_attempted,
  opponent_offensive_rebounds = S.opponent_offensive_rebounds,
  opponent_assists = S.opponent_assists,
  opponent_turnovers = S.opponent_turnovers,
  opponent_minutes = S.opponent_minutes,
  opponent_possessions = S.opponent_possessions,
  defensive_rating = S.defensive_rating,
  opponent_fg_pct = S.opponent_fg_pct,
  opponent_three_pt_pct = S.opponent_three_pt_pct,
  opponent_efg_pct = S.opponent_efg_pct,
  steals = S.steals,
  blocks = S.blocks,
  defensive_rebounds = S.defensive_rebounds,
  source = S.source,
  data_quality_flag = S.data_quality_flag,
  _fence = S._fence,
  _run_id = S._run_id,
  processed_at = S.processed_at
WHEN NOT MATCHED BY TARGET THEN INSERT (
  game_date, defending_team_abbr, game_id, nba_game_id, season_year, opponent_team_abbr, is_home,
  win_flag, points_allowed, opponent_fg_made, opponent_fg_attempted, opponent_three_pt_made,
  opponent_three_pt_attempted, opponent_ft_made, opponent_ft_attempted, opponent_offensive_rebounds,
  opponent_assists, opponent_turnovers, opponent_minutes, opponent_possessions, defensive_rating,
  opponent_fg_pct, opponent_three_pt_pct, opponent_efg_pct, steals, blocks, defensive_rebounds,
  source, data_quality_flag, _fence, _run_id, processed_at
) VALUES (
  S.game_date, S.defending_team_abbr, S.game_id, S.nba_game_id, S.season_year, S.opponent_team_abbr,
  S.is_home, S.win_flag, S.points_allowed, S.opponent_fg_made, S.opponent_fg_attempted,
  S.opponent_three_pt_made, S.opponent_three_pt_attempted, S.opponent_ft_made, S.opponent_ft_attempted,
  S.opponent_offensive_rebounds, S.opponent_assists, S.opponent_turnovers, S.opponent_minutes,
  S.opponent_possessions, S.defensive_rating, S.opponent_fg_pct, S.opponent_three_pt_pct,
  S.opponent_efg_pct, S.steals, S.blocks, S.defensive_rebounds, S.source, S.data_quality_flag,
  S._fence, S._run_id, S.processed_at
)
WHEN NOT MATCHED BY SOURCE AND T.game_date = @target_date AND T._fence <= @fence THEN DELETE;
