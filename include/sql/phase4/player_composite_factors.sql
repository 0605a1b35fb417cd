-- Player composite factors for the game date A (business date + 1): for every player scheduled
-- on A, adjustment factors for that game. Reads player_shot_zone_analysis and
-- team_defense_zone_analysis of A, so it runs after both.
-- fatigue_score (0 fully rested .. 100 most fatigued) = rest + load + density, where
--   rest    = 40 on a back-to-back (days_rest 1), 20 with days_rest 2, 10 with 3, else 0
--             (also 0 before the player's first game of the season);
--   load    = 45 * LEAST(minutes in the 7 days before A, 150) / 150;
--   density = 15 * LEAST(games in the 7 days before A, 4) / 4.
-- shot_zone_mismatch_score = 100 * sum over paint, mid_range, three of
--   (player's share of attempts in the zone, last 20 games)
--   * (opponent's FG% allowed in the zone - league FG% in the zone, last 15 games):
--   percentage points of field goal percentage the matchup adds (+) or takes away (-).
-- pace_score = opponent's mean pace over its last 10 games - the mean of every team's
--   10-game mean pace this season (possessions per 48 minutes above the league).
-- usage_spike_score = 25 per teammate listed out on the latest injury report, capped at 100.
WITH scheduled AS (
  SELECT u.player_lookup, u.team_abbr, u.opponent_team_abbr, u.home_game AS is_home, t.season_year,
    u.player_status AS injury_status
  FROM `${project}.${analytics_dataset}.upcoming_player_game_context` u
  JOIN `${project}.${analytics_dataset}.upcoming_team_game_context` t
    ON t.game_date = @target_date AND t.team_abbr = u.team_abbr
  WHERE u.game_date = @target_date
),
player_load AS (
  SELECT p.player_lookup,
    MAX(p.game_date) AS last_game_date,
    COUNTIF(p.game_date >= DATE_SUB(@target_date, INTERVAL 7 DAY)) AS games_last_7_days,
    SUM(IF(p.game_date >= DATE_SUB(@target_date, INTERVAL 7 DAY), p.minutes_played, 0))
      AS minutes_last_7_days,
    AVG(IF(p.recency <= 10, p.usage_rate, NULL)) AS usage_rate_avg_last_10
  FROM (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY player_lookup ORDER BY game_date DESC) AS recency
    FROM `${project}.${analytics_dataset}.player_game_summary`
    WHERE game_date < @target_date AND minutes_played > 0
  ) p
  JOIN scheduled s ON s.player_lookup = p.player_lookup AND s.season_year = p.season_year
  GROUP BY p.player_lookup
),
team_recent AS (
  SELECT team_abbr, pace
  FROM `${project}.${analytics_dataset}.team_offense_game_summary`
  WHERE game_date < @target_date
    AND season_year IN (SELECT season_year FROM scheduled)
  QUALIFY ROW_NUMBER() OVER (PARTITION BY team_abbr ORDER BY game_date DESC) <= 10
),
team_pace AS (
  SELECT team_abbr, AVG(pace) AS pace_last_10
  FROM team_recent
  GROUP BY team_abbr
),
league_pace AS (
  SELECT AVG(pace_last_10) AS pace_last_10 FROM team_pace
),
factors AS (
  SELECT s.player_lookup, s.season_year, s.team_abbr, s.opponent_team_abbr, s.is_home,
    DATE_DIFF(@target_date, l.last_game_date, DAY) AS days_rest,
    IFNULL(l.games_last_7_days, 0) AS games_last_7_days,
    IFNULL(l.minutes_last_7_days, 0) AS minutes_last_7_days,
    100 * (z.paint_rate_last_20 * d.paint_pct_vs_league
           + z.mid_range_rate_last_20 * d.mid_range_pct_vs_league
           + z.three_rate_last_20 * d.three_pct_vs_league) AS shot_zone_mismatch,
    op.pace_last_10 AS opponent_pace,
    lp.pace_last_10 AS league_pace,
    l.usage_rate_avg_last_10,
    GREATEST(0, IFNULL(c.starters_out_count, 0) - IF(s.injury_status = 'out', 1, 0)) AS teammates_out,
    CAST(c.game_spread AS FLOAT64) AS team_spread, CAST(c.game_total AS FLOAT64) AS game_total,
    -- The team's expected points: half the total, less half its spread.
    ROUND(CAST(c.game_total AS FLOAT64) / 2 - CAST(c.game_spread AS FLOAT64) / 2, 2) AS implied_team_total
  FROM scheduled s
  CROSS JOIN league_pace lp
  LEFT JOIN player_load l ON l.player_lookup = s.player_lookup
  LEFT JOIN team_pace op ON op.team_abbr = s.opponent_team_abbr
  LEFT JOIN `${project}.${analytics_dataset}.upcoming_team_game_context` c
    ON c.game_date = @target_date AND c.team_abbr = s.team_abbr
  LEFT JOIN `${project}.${precompute_dataset}.player_shot_zone_analysis` z
    ON z.analysis_date = @target_date AND z.player_lookup = s.player_lookup
  LEFT JOIN `${project}.${precompute_dataset}.team_defense_zone_analysis` d
    ON d.analysis_date = @target_date AND d.team_abbr = s.opponent_team_abbr
)
SELECT
  @target_date AS game_date,
  player_lookup,
  season_year,
  team_abbr,
  opponent_team_abbr,
  is_home,
  days_rest,
  IFNULL(days_rest = 1, FALSE) AS is_back_to_back,
  games_last_7_days,
  ROUND(minutes_last_7_days, 2) AS minutes_last_7_days,
  ROUND(
    CASE WHEN days_rest = 1 THEN 40 WHEN days_rest = 2 THEN 20 WHEN days_rest = 3 THEN 10 ELSE 0 END
    + 45 * LEAST(minutes_last_7_days, 150) / 150
    + 15 * LEAST(games_last_7_days, 4) / 4, 1) AS fatigue_score,
  ROUND(shot_zone_mismatch, 2) AS shot_zone_mismatch_score,
  ROUND(opponent_pace, 2) AS opponent_pace_last_10,
  ROUND(league_pace, 2) AS league_pace_last_10,
  ROUND(opponent_pace - league_pace, 2) AS pace_score,
  ROUND(usage_rate_avg_last_10, 2) AS usage_rate_last_10,
  teammates_out,
  CAST(LEAST(100, 25 * teammates_out) AS FLOAT64) AS usage_spike_score,
  team_spread,
  game_total,
  implied_team_total,
  ABS(team_spread) >= 10 AS blowout_risk
FROM factors
