-- Pre-game context for every team scheduled on the target date (D + 1): rest, form, betting lines
-- and injuries. Reads only raw data (through staging views), so it runs beside team offense.
-- One fenced, idempotent MERGE.
MERGE `${project}.${analytics_dataset}.upcoming_team_game_context` AS T
USING (
  WITH upcoming AS (
    SELECT game_date, game_id, nba_game_id, season_year, team_abbr, opponent_team_abbr, is_home
    FROM `${project}.${analytics_dataset}.stg_game_teams`
    WHERE game_date = @target_date
  ),
  history AS (
    SELECT
      u.team_abbr,
      DATE_DIFF(@target_date, MAX(h.game_date), DAY) AS days_rest,
      COUNTIF(h.game_date >= DATE_SUB(@target_date, INTERVAL 7 DAY)) AS games_in_last_7_days,
      COUNTIF(h.game_status = 3 AND h.win_flag) AS season_wins,
      COUNTIF(h.game_status = 3 AND NOT h.win_flag) AS season_losses
    FROM upcoming AS u
    JOIN `${project}.${analytics_dataset}.stg_game_teams` AS h
      ON h.team_abbr = u.team_abbr AND h.season_year = u.season_year AND h.game_date < @target_date
    GROUP BY u.team_abbr
  ),
  game_lines AS (
    SELECT home_team_abbr, away_team_abbr, spread, total
    FROM `${project}.${raw_dataset}.odds_api_game_lines`
    WHERE game_date = @target_date
    QUALIFY ROW_NUMBER() OVER (
      PARTITION BY home_team_abbr, away_team_abbr ORDER BY snapshot_timestamp DESC, spread, total
    ) = 1
  ),
  injuries AS (
    SELECT
      team_abbr,
      COUNTIF(injury_status = 'out') AS players_out,
      COUNTIF(injury_status IN ('questionable', 'doubtful')) AS players_questionable
    FROM `${project}.${analytics_dataset}.stg_injury_status`
    WHERE game_date = @target_date
    GROUP BY team_abbr
  ),
  context AS (
    SELECT
      u.*,
      h.days_rest,
      COALESCE(h.games_in_last_7_days, 0) AS games_in_last_7_days,
      COALESCE(h.season_wins, 0) AS season_wins,
      COALESCE(h.season_losses, 0) AS season_losses,
      -- Lines quote the home team's spread; the away team's is its negation.
      IF(u.is_home, l.spread, -l.spread) AS team_spread,
      l.total AS game_total,
      COALESCE(i.players_out, 0) AS players_out,
      COALESCE(i.players_questionable, 0) AS players_questionable
    FROM upcoming AS u
    LEFT JOIN history AS h ON h.team_abbr = u.team_abbr
    LEFT JOIN game_lines AS l
      ON l.home_team_abbr = IF(u.is_home, u.team_abbr, u.opponent_team_abbr)
      AND l.away_team_abbr = IF(u.is_home, u.opponent_team_abbr, u.team_abbr)
    LEFT JOIN injuries AS i ON i.team_abbr = u.team_abbr
  )
  SELECT
    game_date,
    team_abbr,
    game_id,
    nba_game_id,
    season_year,
    opponent_team_abbr,
    is_home,
    days_rest,
    COALESCE(days_rest = 1, FALSE) AS is_back_to_back,
    games_in_last_7_days,
    season_wins,
    season_losses,
    team_spread,
    game_total,
    ROUND(game_total / 2 - team_spread / 2, 2) AS implied_team_total,
    players_out,
    players_questionable,
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
ON T.game_date = S.game_date AND T.team_abbr = S.team_abbr
WHEN MATCHED AND T._fence <= S._fence THEN UPDATE SET
  game_id = S.game_id,
  nba_game_id = S.nba_game_id,
  season_year = S.season_year,
  opponent_team_abbr = S.opponent_team_abbr,
  is_home = S.is_home,
  days_rest = S.days_rest,
  is_back_to_back = S.is_back_to_back,
  games_in_last_7_days = S.games_in_last_7_days,
  season_wins = S.season_wins,
  season_losses = S.season_losses,
  team_spread = S.team_spread,
  game_total = S.game_total,
  implied_team_total = S.implied_team_total,
  players_out = S.players_out,
  players_questionable = S.players_questionable,
  _fence = S._fence,
  _run_id = S._run_id,
  processed_at = S.processed_at
WHEN NOT MATCHED BY TARGET THEN INSERT (
  game_date, team_abbr, game_id, nba_game_id, season_year, opponent_team_abbr, is_home, days_rest,
  is_back_to_back, games_in_last_7_days, season_wins, season_losses, team_spread, game_total,
  implied_team_total, players_out, players_questionable, _fence, _run_id, processed_at
) VALUES (
  S.game_date, S.team_abbr, S.game_id, S.nba_game_id, S.season_year, S.opponent_team_abbr, S.is_home,
  S.days_rest, S.is_back_to_back, S.games_in_last_7_days, S.season_wins, S.season_losses,
  S.team_spread, S.game_total, S.implied_team_total, S.players_out, S.players_questionable,
  S._fence, S._run_id, S.processed_at
)
WHEN NOT MATCHED BY SOURCE AND T.game_date = @target_date AND T._fence <= @fence THEN DELETE;
