-- Staging table function: the player lines of every final game of start_date..end_date, the
-- latest raw version of each player. The official gamebook is the source (it lists active, DNP
-- and inactive players); a final game without any gamebook row falls back to the same-night
-- live boxscores, which list only the players who played. Minutes come as "MM:SS" strings; the
-- gamebook also carries them converted (minutes_decimal). primary_source names the source the
-- way the platform does (nbac_gamebook, nbac_boxscores).
-- Reads stg_game_teams, whose file sorts (and so is created) before this one.
CREATE OR REPLACE TABLE FUNCTION `${project}.${analytics_dataset}.stg_player_game_lines`(start_date DATE, end_date DATE) AS (
  WITH candidates AS (
    SELECT
      'nbac_gamebook' AS primary_source, 1 AS source_rank, game_id, team_abbr, player_lookup,
      player_name, player_status, dnp_reason, minutes_decimal, points, field_goals_made,
      field_goals_attempted, three_pointers_made, three_pointers_attempted, free_throws_made,
      free_throws_attempted, offensive_rebounds, defensive_rebounds, total_rebounds, assists, steals,
      blocks, turnovers, personal_fouls, plus_minus, CAST(NULL AS BOOL) AS starter, processed_at,
      data_hash
    FROM `${project}.${raw_dataset}.nbac_gamebook_player_stats`
    WHERE game_date BETWEEN start_date AND end_date AND player_lookup IS NOT NULL
    UNION ALL
    SELECT
      'nbac_boxscores', 2, game_id, team_abbr, player_lookup, player_full_name, 'active',
      CAST(NULL AS STRING),
      SAFE_CAST(SPLIT(minutes, ':')[SAFE_OFFSET(0)] AS INT64)
        + SAFE_CAST(SPLIT(minutes, ':')[SAFE_OFFSET(1)] AS INT64) / 60,
      points, field_goals_made, field_goals_attempted, three_pointers_made, three_pointers_attempted,
      free_throws_made, free_throws_attempted, offensive_rebounds, defensive_rebounds, total_rebounds,
      assists, steals, blocks, turnovers, personal_fouls, plus_minus, starter, processed_at, data_hash
    FROM `${project}.${raw_dataset}.nbac_player_boxscores`
    WHERE game_date BETWEEN start_date AND end_date
  ),
  latest_versions AS (
    SELECT * FROM candidates
    WHERE TRUE
    QUALIFY ROW_NUMBER() OVER (
      PARTITION BY source_rank, game_id, player_lookup ORDER BY processed_at DESC, data_hash
    ) = 1
  ),
  chosen AS (
    SELECT * FROM latest_versions
    WHERE TRUE
    -- One source per game, never a mix: the gamebook as soon as the game has any row in it.
    QUALIFY source_rank = MIN(source_rank) OVER (PARTITION BY game_id)
  )
  SELECT
    g.game_date,
    g.game_id,
    g.nba_game_id,
    g.season_year,
    p.team_abbr,
    g.opponent_team_abbr,
    g.is_home,
    g.win_flag,
    p.player_lookup,
    p.player_name,
    p.player_status,
    p.dnp_reason,
    p.minutes_decimal,
    p.points,
    p.field_goals_made,
    p.field_goals_attempted,
    p.three_pointers_made,
    p.three_pointers_attempted,
    p.free_throws_made,
    p.free_throws_attempted,
    p.offensive_rebounds,
    p.defensive_rebounds,
    p.total_rebounds,
    p.assists,
    p.steals,
    p.blocks,
    p.turnovers,
    p.personal_fouls,
    p.plus_minus,
    p.starter,
    p.primary_source,
    p.processed_at AS source_processed_at,
    p.data_hash AS source_data_hash
  FROM chosen AS p
  JOIN `${project}.${analytics_dataset}.stg_game_teams`(start_date, end_date) AS g
    ON g.game_id = p.game_id AND g.team_abbr = p.team_abbr
  WHERE g.game_status = 3
);
