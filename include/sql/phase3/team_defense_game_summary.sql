-- Team defense per final game of the target date: each team's opponent line (what it allowed)
-- plus its own defensive stats.
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
  o.data_quality_flag
FROM lines AS d
JOIN lines AS o ON o.nba_game_id = d.nba_game_id AND o.team_abbr = d.opponent_team_abbr
