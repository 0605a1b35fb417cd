-- Staging table function: one box-score line per team of every final game of
-- start_date..end_date, with its possessions. The latest team boxscore row is the source; a team
-- without one gets the sums of its players' lines (the platform's "reconstructed_team_from_players").
-- An all-zero team row (an unfinished game scraped too early) is flagged and its stats are NULL,
-- so no rate is ever divided by zero.
-- Reads stg_game_teams and stg_player_game_lines, whose files sort (and so are created) first.
CREATE OR REPLACE TABLE FUNCTION `${project}.${analytics_dataset}.stg_team_game_lines`(start_date DATE, end_date DATE) AS (
  WITH team_rows AS (
    SELECT
      game_id, team_abbr,
      -- "240:00" in regulation, "265:00" after one overtime: the players' minutes together.
      SAFE_CAST(SPLIT(minutes, ':')[SAFE_OFFSET(0)] AS INT64) AS minutes,
      fg_made, fg_attempted, three_pt_made, three_pt_attempted, ft_made, ft_attempted,
      offensive_rebounds, defensive_rebounds, total_rebounds, assists, steals, blocks, turnovers,
      personal_fouls, points, plus_minus, processed_at, data_hash
    FROM `${project}.${raw_dataset}.nbac_team_boxscore`
    WHERE game_date BETWEEN start_date AND end_date
    QUALIFY ROW_NUMBER() OVER (PARTITION BY game_id, team_abbr ORDER BY processed_at DESC, data_hash) = 1
  ),
  flagged_team_rows AS (
    SELECT
      *,
      COALESCE(minutes, 0) = 0 AND COALESCE(points, 0) = 0
        AND COALESCE(fg_attempted, 0) = 0 AND COALESCE(ft_attempted, 0) = 0
        AND COALESCE(total_rebounds, 0) = 0 AND COALESCE(turnovers, 0) = 0 AS is_all_zero
    FROM team_rows
  ),
  player_lines AS (
    SELECT * FROM `${project}.${analytics_dataset}.stg_player_game_lines`(start_date, end_date)
  ),
  player_sums AS (
    SELECT
      game_id,
      team_abbr,
      MIN(primary_source) AS primary_source,
      COUNTIF(player_status = 'active') AS active_players,
      COUNTIF(player_status = 'inactive') AS inactive_players,
      -- Player minutes add up to 240 plus 25 per overtime, give or take rounding.
      240 + 25 * GREATEST(0, CAST(ROUND((SUM(minutes_decimal) - 240) / 25) AS INT64)) AS minutes,
      SUM(field_goals_made) AS fg_made,
      SUM(field_goals_attempted) AS fg_attempted,
      SUM(three_pointers_made) AS three_pt_made,
      SUM(three_pointers_attempted) AS three_pt_attempted,
      SUM(free_throws_made) AS ft_made,
      SUM(free_throws_attempted) AS ft_attempted,
      SUM(offensive_rebounds) AS offensive_rebounds,
      SUM(defensive_rebounds) AS defensive_rebounds,
      SUM(total_rebounds) AS total_rebounds,
      SUM(assists) AS assists,
      SUM(steals) AS steals,
      SUM(blocks) AS blocks,
      SUM(turnovers) AS turnovers,
      SUM(personal_fouls) AS personal_fouls,
      SUM(points) AS points,
      MAX(source_processed_at) AS processed_at
    FROM player_lines
    GROUP BY game_id, team_abbr
  ),
  lines AS (
    SELECT
      g.game_date,
      g.game_id,
      g.nba_game_id,
      g.season_year,
      g.team_abbr,
      g.opponent_team_abbr,
      g.is_home,
      g.win_flag,
      g.margin,
      CASE
        WHEN r.team_abbr IS NOT NULL OR zero.team_abbr IS NOT NULL THEN 'nbac_team_boxscore'
        WHEN players.team_abbr IS NOT NULL THEN 'reconstructed_team_from_players'
        ELSE 'none'
      END AS source,
      players.primary_source AS player_source,
      zero.team_abbr IS NOT NULL AS is_all_zero,
      COALESCE(r.minutes, fallback.minutes) AS minutes,
      COALESCE(r.fg_made, fallback.fg_made) AS fg_made,
      COALESCE(r.fg_attempted, fallback.fg_attempted) AS fg_attempted,
      COALESCE(r.three_pt_made, fallback.three_pt_made) AS three_pt_made,
      COALESCE(r.three_pt_attempted, fallback.three_pt_attempted) AS three_pt_attempted,
      COALESCE(r.ft_made, fallback.ft_made) AS ft_made,
      COALESCE(r.ft_attempted, fallback.ft_attempted) AS ft_attempted,
      COALESCE(r.offensive_rebounds, fallback.offensive_rebounds) AS offensive_rebounds,
      COALESCE(r.defensive_rebounds, fallback.defensive_rebounds) AS defensive_rebounds,
      COALESCE(r.total_rebounds, fallback.total_rebounds) AS total_rebounds,
      COALESCE(r.assists, fallback.assists) AS assists,
      COALESCE(r.steals, fallback.steals) AS steals,
      COALESCE(r.blocks, fallback.blocks) AS blocks,
      COALESCE(r.turnovers, fallback.turnovers) AS turnovers,
      COALESCE(r.personal_fouls, fallback.personal_fouls) AS personal_fouls,
      COALESCE(r.points, fallback.points) AS points,
      COALESCE(r.processed_at, zero.processed_at, fallback.processed_at) AS source_processed_at,
      COALESCE(r.data_hash, zero.data_hash) AS source_data_hash,
      -- Defensive actions and availability as the players' lines record them.
      players.steals AS player_steals,
      players.blocks AS player_blocks,
      players.defensive_rebounds AS player_defensive_rebounds,
      players.active_players,
      players.inactive_players
    FROM `${project}.${analytics_dataset}.stg_game_teams`(start_date, end_date) AS g
    LEFT JOIN flagged_team_rows AS r
      ON r.game_id = g.game_id AND r.team_abbr = g.team_abbr AND NOT r.is_all_zero
    -- An all-zero row says nothing about the game: its stats stay NULL (neither zeros nor
    -- player sums) and the flag makes the gap visible downstream.
    LEFT JOIN flagged_team_rows AS zero
      ON zero.game_id = g.game_id AND zero.team_abbr = g.team_abbr AND zero.is_all_zero
    LEFT JOIN player_sums AS players
      ON players.game_id = g.game_id AND players.team_abbr = g.team_abbr
    LEFT JOIN player_sums AS fallback
      ON fallback.game_id = g.game_id AND fallback.team_abbr = g.team_abbr
      AND r.team_abbr IS NULL AND zero.team_abbr IS NULL
    WHERE g.game_status = 3
  )
  SELECT
    *,
    -- Possessions as the platform estimates them: FGA + 0.44 FTA + TOV - OREB.
    fg_attempted + 0.44 * ft_attempted + turnovers - offensive_rebounds AS possessions
  FROM lines
);
