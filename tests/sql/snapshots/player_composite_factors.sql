-- player_composite_factors: Fatigue, shot-zone mismatch and pace scores for each player's next game.
-- The fenced, idempotent MERGE every processor runs, rendered by nba_pipeline.merge from this
-- template, the fence guard (templates/fence_guard.sql), the processor's source SELECT
-- (phase4/player_composite_factors.sql) and the table's DDL (schema/precompute/player_composite_factors.sql).
--   * The source SELECT yields the table's columns for the target date; the template adds the
--     lineage columns (_fence, _run_id), the write-context columns (processed_at, created_at,
--     processing_context, versions) and data_hash (over the values as written), and casts
--     NUMERIC columns to the DDL's precision and scale.
--   * Other dates are never touched: the source, the ON clause and the delete are all scoped
--     to the target date, which also lets BigQuery prune the target's partitions.
--   * A row already written under a newer fence is neither updated nor deleted, and a writer the
--     guard refuses deletes nothing either (its source is empty, so without the guard on the
--     delete it would remove the older rows a newer writer is about to replace).
MERGE `nba-props-platform.nba_precompute.player_composite_factors` AS T
USING (
  SELECT
    typed.*
  FROM (
    SELECT
      source.*,
      @fence AS _fence,
      @run_id AS _run_id,
      CURRENT_TIMESTAMP() AS processed_at
    FROM (
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
        FROM `nba-props-platform.nba_analytics.upcoming_player_game_context` u
        JOIN `nba-props-platform.nba_analytics.upcoming_team_game_context` t
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
          FROM `nba-props-platform.nba_analytics.player_game_summary`
          WHERE game_date < @target_date AND minutes_played > 0
        ) p
        JOIN scheduled s ON s.player_lookup = p.player_lookup AND s.season_year = p.season_year
        GROUP BY p.player_lookup
      ),
      team_recent AS (
        SELECT team_abbr, pace
        FROM `nba-props-platform.nba_analytics.team_offense_game_summary`
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
        LEFT JOIN `nba-props-platform.nba_analytics.upcoming_team_game_context` c
          ON c.game_date = @target_date AND c.team_abbr = s.team_abbr
        LEFT JOIN `nba-props-platform.nba_precompute.player_shot_zone_analysis` z
          ON z.analysis_date = @target_date AND z.player_lookup = s.player_lookup
        LEFT JOIN `nba-props-platform.nba_precompute.team_defense_zone_analysis` d
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
    ) AS source
    WHERE source.game_date = @target_date
      AND @fence >= (
        SELECT IFNULL(MAX(fence), 0)
        FROM `nba-props-platform.nba_pipeline_audit.fence_watermarks`
        WHERE target_date = @target_date AND table_name = @sink_table
      )
  ) AS typed
) AS S
ON T.game_date = @target_date AND T.game_date = S.game_date AND T.player_lookup = S.player_lookup
WHEN MATCHED AND T._fence <= S._fence THEN UPDATE SET
  season_year = S.season_year,
  team_abbr = S.team_abbr,
  opponent_team_abbr = S.opponent_team_abbr,
  is_home = S.is_home,
  days_rest = S.days_rest,
  is_back_to_back = S.is_back_to_back,
  games_last_7_days = S.games_last_7_days,
  minutes_last_7_days = S.minutes_last_7_days,
  fatigue_score = S.fatigue_score,
  shot_zone_mismatch_score = S.shot_zone_mismatch_score,
  opponent_pace_last_10 = S.opponent_pace_last_10,
  league_pace_last_10 = S.league_pace_last_10,
  pace_score = S.pace_score,
  usage_rate_last_10 = S.usage_rate_last_10,
  teammates_out = S.teammates_out,
  usage_spike_score = S.usage_spike_score,
  team_spread = S.team_spread,
  game_total = S.game_total,
  implied_team_total = S.implied_team_total,
  blowout_risk = S.blowout_risk,
  _fence = S._fence,
  _run_id = S._run_id,
  processed_at = S.processed_at
WHEN NOT MATCHED BY TARGET THEN INSERT (
  game_date, player_lookup, season_year, team_abbr, opponent_team_abbr, is_home, days_rest,
  is_back_to_back, games_last_7_days, minutes_last_7_days, fatigue_score, shot_zone_mismatch_score,
  opponent_pace_last_10, league_pace_last_10, pace_score, usage_rate_last_10, teammates_out,
  usage_spike_score, team_spread, game_total, implied_team_total, blowout_risk, _fence, _run_id,
  processed_at
) VALUES (
  S.game_date, S.player_lookup, S.season_year, S.team_abbr, S.opponent_team_abbr, S.is_home,
  S.days_rest, S.is_back_to_back, S.games_last_7_days, S.minutes_last_7_days, S.fatigue_score,
  S.shot_zone_mismatch_score, S.opponent_pace_last_10, S.league_pace_last_10, S.pace_score,
  S.usage_rate_last_10, S.teammates_out, S.usage_spike_score, S.team_spread, S.game_total,
  S.implied_team_total, S.blowout_risk, S._fence, S._run_id, S.processed_at
)
WHEN NOT MATCHED BY SOURCE AND T.game_date = @target_date AND T._fence <= @fence
  AND @fence >= (
        SELECT IFNULL(MAX(fence), 0)
        FROM `nba-props-platform.nba_pipeline_audit.fence_watermarks`
        WHERE target_date = @target_date AND table_name = @sink_table
      ) THEN DELETE
