-- Pre-game context for every player whose team plays on the target date (D + 1): the game, the
-- points line, injury status and recent form from player_game_summary (games before
-- the target date only, so player_game_summary of D must be written first).
-- One fenced, idempotent MERGE.
MERGE `${project}.${analytics_dataset}.upcoming_player_game_context` AS T
USING (
  WITH upcoming AS (
    SELECT game_date, game_id, nba_game_id, season_year, team_abbr, opponent_team_abbr, is_home
    FROM `${project}.${analytics_dataset}.stg_game_teams`
    WHERE game_date = @target_date
  ),
  -- A player belongs to the team of his latest line this season up to D (trades move him).
  rosters AS (
    SELECT p.player_lookup, p.player_name, p.team_abbr, p.season_year
    FROM `${project}.${analytics_dataset}.stg_player_game_lines` AS p
    WHERE p.game_date <= @business_date
      AND p.season_year IN (SELECT season_year FROM upcoming)
    QUALIFY ROW_NUMBER() OVER (
      PARTITION BY p.player_lookup ORDER BY p.game_date DESC, p.team_abbr
    ) = 1
  ),
  played AS (
    SELECT
      player_lookup, game_date, season_year, points, minutes, usage_rate,
      ROW_NUMBER() OVER (PARTITION BY player_lookup ORDER BY game_date DESC) AS recency
    FROM `${project}.${analytics_dataset}.player_game_summary`
    WHERE game_date < @target_date AND minutes > 0
  ),
  form AS (
    SELECT
      p.player_lookup,
      DATE_DIFF(@target_date, MAX(IF(p.season_year = r.season_year, p.game_date, NULL)), DAY) AS days_rest,
      COUNTIF(p.season_year = r.season_year) AS games_played_season,
      AVG(IF(p.recency <= 5, p.points, NULL)) AS points_avg_last_5,
      AVG(IF(p.recency <= 10, p.points, NULL)) AS points_avg_last_10,
      AVG(IF(p.recency <= 10, p.minutes, NULL)) AS minutes_avg_last_10,
      AVG(IF(p.recency <= 10, p.usage_rate, NULL)) AS usage_rate_avg_last_10
    FROM played AS p
    JOIN rosters AS r ON r.player_lookup = p.player_lookup
    WHERE p.recency <= 10 OR p.season_year = r.season_year
    GROUP BY p.player_lookup
  ),
  context AS (
    SELECT
      u.game_date,
      r.player_lookup,
      r.player_name,
      u.game_id,
      u.nba_game_id,
      u.season_year,
      u.team_abbr,
      u.opponent_team_abbr,
      u.is_home,
      line.points_line,
      line.line_bookmaker,
      COALESCE(injury.injury_status, 'available') AS injury_status,
      f.days_rest,
      COALESCE(f.games_played_season, 0) AS games_played_season,
      ROUND(f.points_avg_last_5, 2) AS points_avg_last_5,
      ROUND(f.points_avg_last_10, 2) AS points_avg_last_10,
      ROUND(f.minutes_avg_last_10, 2) AS minutes_avg_last_10,
      ROUND(f.usage_rate_avg_last_10, 2) AS usage_rate_avg_last_10
    FROM upcoming AS u
    JOIN rosters AS r ON r.team_abbr = u.team_abbr AND r.season_year = u.season_year
    LEFT JOIN form AS f ON f.player_lookup = r.player_lookup
    LEFT JOIN `${project}.${analytics_dataset}.stg_player_points_lines` AS line
      ON line.game_date = @target_date AND line.player_lookup = r.player_lookup
    LEFT JOIN `${project}.${analytics_dataset}.stg_injury_status` AS injury
      ON injury.game_date = @target_date AND injury.player_lookup = r.player_lookup
  )
  SELECT
    *,
    @fence AS _fence,
    @run_id AS _run_id,
    CURRENT_TIMESTAMP() AS processed_at
  FROM context
  -- A writer holding an older lease than the sink has seen (its fence watermark) writes nothing.
  WHERE @fence >= (
    SELECT IFNULL(MAX(fence), 0)
    FROM `${project}.${audit_dataset}.fence_watermarks`
    WHERE target_date = @target_date AND table_name = @sink_table
  )
) AS S
ON T.game_date = S.game_date AND T.player_lookup = S.player_lookup
WHEN MATCHED AND T._fence <= S._fence THEN UPDATE SET
  player_name = S.player_name,
  game_id = S.game_id,
  nba_game_id = S.nba_game_id,
  season_year = S.season_year,
  team_abbr = S.team_abbr,
  opponent_team_abbr = S.opponent_team_abbr,
  is_home = S.is_home,
  points_line = S.points_line,
  line_bookmaker = S.line_bookmaker,
  injury_status = S.injury_status,
  days_rest = S.days_rest,
  games_played_season = S.games_played_season,
  points_avg_last_5 = S.points_avg_last_5,
  points_avg_last_10 = S.points_avg_last_10,
  minutes_avg_last_10 = S.minutes_avg_last_10,
  usage_rate_avg_last_10 = S.usage_rate_avg_last_10,
  _fence = S._fence,
  _run_id = S._run_id,
  processed_at = S.processed_at
WHEN NOT MATCHED BY TARGET THEN INSERT (
  game_date, player_lookup, player_name, game_id, nba_game_id, season_year, team_abbr,
  opponent_team_abbr, is_home, points_line, line_bookmaker, injury_status, days_rest,
  games_played_season, points_avg_last_5, points_avg_last_10, minutes_avg_last_10,
  usage_rate_avg_last_10, _fence, _run_id, processed_at
) VALUES (
  S.game_date, S.player_lookup, S.player_name, S.game_id, S.nba_game_id, S.season_year, S.team_abbr,
  S.opponent_team_abbr, S.is_home, S.points_line, S.line_bookmaker, S.injury_status, S.days_rest,
  S.games_played_season, S.points_avg_last_5, S.points_avg_last_10, S.minutes_avg_last_10,
  S.usage_rate_avg_last_10, S._fence, S._run_id, S.processed_at
)
WHEN NOT MATCHED BY SOURCE AND T.game_date = @target_date AND T._fence <= @fence THEN DELETE;
