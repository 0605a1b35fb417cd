-- nba_predictions.ml_feature_store_v2 for game date A (business date + 1): one row per player of
-- upcoming_player_game_context on A, the platform's 60 features (version v2_54features) from the
-- other four phase 4 tables of A, phase 3 history strictly before A and the day's raw lines.
--
-- Each feature N has a raw value vN (NULL when its input is missing) and a source tag tN as the
-- platform tags it (phase4, phase3, calculated, vegas, bettingpros, minutes_ppm,
-- opponent_history). A NULL value takes the feature's default: tag 'default' (or 'missing' for
-- a feature without a default constant), feature_N_value NULL, quality 40 (missing 0), source
-- 'default'. The ordered vector, the 180 per-feature columns and the index lists are rendered
-- from nba_pipeline.feature_store (the feature list); the rules of each feature are below.
-- Quality rules (the contract's quality_rules): feature_N_quality is the tag's weight;
-- feature_quality_score the mean quality, skipping defaulted optional features, capped at 69
-- with any required default and at 49 with five or more; tiers gold >= 95, silver >= 85,
-- bronze >= 70, poor >= 50, else critical.
-- Early season (the first 14 days from opening night, stg_season_rules): placeholder rows, every
-- feature NULL, feature_quality_score 0, data_source 'early_season'.
-- Inputs this package does not build: nba_predictions.prediction_accuracy (features 55, 56 take
-- their default, tag 'missing').
WITH season AS (
  -- The platform's season dates and early-season rule, shared with the other phase 4 tables.
  SELECT season_year, season_boundary AS season_start, bootstrap_skip AS early_season
  FROM `${project}.${precompute_dataset}.stg_season_rules`(@target_date)
),
players AS (
  SELECT
    u.player_lookup, u.universal_player_id, u.game_id, u.team_abbr, u.opponent_team_abbr,
    u.home_game, u.back_to_back, u.season_phase, u.days_rest, u.opponent_days_rest,
    LOWER(u.player_status) AS player_status, u.games_in_last_7_days, u.minutes_in_last_7_days,
    u.star_teammates_out, CAST(u.game_total AS FLOAT64) AS game_total,
    CAST(u.game_spread AS FLOAT64) AS game_spread, u.prop_over_streak, u.prop_under_streak
  FROM `${project}.${analytics_dataset}.upcoming_player_game_context` AS u
  WHERE u.game_date = @target_date
),
-- Every player_game_summary row of the year before A (DNP rows included), newest first.
games AS (
  SELECT
    g.player_lookup, g.game_date, g.team_abbr, g.opponent_team_abbr,
    CAST(g.points AS FLOAT64) AS points, CAST(g.minutes_played AS FLOAT64) AS minutes,
    CAST(g.ft_makes AS FLOAT64) AS ft_makes, CAST(g.usage_rate AS FLOAT64) AS usage_rate,
    IFNULL(g.is_dnp, FALSE) AS is_dnp,
    IFNULL(g.minutes_played, 0) > 0 AND g.points IS NOT NULL AS played,
    g.game_date >= DATE_SUB(@target_date, INTERVAL 60 DAY) AS in_60_days,
    ROW_NUMBER() OVER (PARTITION BY g.player_lookup ORDER BY g.game_date DESC) AS row_rank
  FROM `${project}.${analytics_dataset}.player_game_summary` AS g
  JOIN players AS p ON p.player_lookup = g.player_lookup
  WHERE g.game_date BETWEEN DATE_SUB(@target_date, INTERVAL 365 DAY) AND DATE_SUB(@target_date, INTERVAL 1 DAY)
),
-- Played games (minutes > 0), newest first: rn over the year, usage_rank over those with a usage rate.
played AS (
  SELECT
    *,
    ROW_NUMBER() OVER (PARTITION BY player_lookup ORDER BY game_date DESC) AS rn,
    ROW_NUMBER() OVER (PARTITION BY player_lookup, usage_rate IS NULL ORDER BY game_date DESC) AS usage_rank,
    LEAD(team_abbr) OVER (PARTITION BY player_lookup ORDER BY game_date DESC) AS older_team,
    DATE_DIFF(game_date, LEAD(game_date) OVER (PARTITION BY player_lookup ORDER BY game_date DESC), DAY)
      AS days_since_older
  FROM games
  WHERE played
),
history AS (
  SELECT
    p.player_lookup,
    -- The cache-miss recompute over the last 10 played games.
    AVG(IF(p.rn <= 5, p.points, NULL)) AS l5_avg,
    AVG(IF(p.rn <= 10, p.points, NULL)) AS l10_avg,
    IF(COUNTIF(p.rn <= 10) = 1, 0.0, STDDEV_SAMP(IF(p.rn <= 10, p.points, NULL))) AS l10_std,
    COUNTIF(p.rn <= 10) AS l10_games,
    AVG(IF(p.rn <= 10, p.minutes, NULL)) AS l10_minutes,
    SAFE_DIVIDE(SUM(IF(p.rn <= 10, p.points, NULL)), SUM(IF(p.rn <= 10, p.minutes, NULL))) AS l10_ppm,
    SAFE_DIVIDE(SUM(IF(p.rn <= 10, p.ft_makes, NULL)), SUM(IF(p.rn <= 10, p.points, NULL))) AS l10_ft_share,
    -- Least-squares slope of points, oldest to newest (x = -rn), over the last 10.
    SAFE_DIVIDE(
      COUNTIF(p.rn <= 10) * SUM(IF(p.rn <= 10, -p.rn * p.points, 0))
        - SUM(IF(p.rn <= 10, -p.rn, 0)) * SUM(IF(p.rn <= 10, p.points, 0)),
      COUNTIF(p.rn <= 10) * SUM(IF(p.rn <= 10, p.rn * p.rn, 0)) - POW(SUM(IF(p.rn <= 10, p.rn, 0)), 2)
    ) AS l10_slope,
    AVG(IF(p.game_date >= s.season_start, p.points, NULL)) AS season_points,
    AVG(IF(p.game_date >= DATE_SUB(@target_date, INTERVAL 30 DAY), p.minutes, NULL)) AS minutes_30_days,
    AVG(IF(p.game_date >= DATE_SUB(@target_date, INTERVAL 30 DAY), p.points / p.minutes, NULL)) AS ppm_30_days,
    -- The 60-day series of played games.
    COUNTIF(p.in_60_days) AS games_60,
    AVG(IF(p.in_60_days AND p.rn <= 3, p.points, NULL)) AS l3_avg,
    AVG(IF(p.in_60_days, p.points, NULL)) AS avg_60,
    STDDEV_SAMP(IF(p.in_60_days, p.points, NULL)) AS std_60,
    SAFE_DIVIDE(
      COUNTIF(p.in_60_days AND p.rn <= 7) * SUM(IF(p.in_60_days AND p.rn <= 7, -p.rn * p.points, 0))
        - SUM(IF(p.in_60_days AND p.rn <= 7, -p.rn, 0)) * SUM(IF(p.in_60_days AND p.rn <= 7, p.points, 0)),
      COUNTIF(p.in_60_days AND p.rn <= 7) * SUM(IF(p.in_60_days AND p.rn <= 7, p.rn * p.rn, 0))
        - POW(SUM(IF(p.in_60_days AND p.rn <= 7, p.rn, 0)), 2)
    ) AS slope_7,
    COUNTIF(p.in_60_days AND p.rn <= 7) AS games_slope_7,
    AVG(IF(p.in_60_days AND p.usage_rate IS NOT NULL AND p.usage_rank <= 5, p.usage_rate, NULL)) AS usage_l5,
    COUNTIF(p.in_60_days AND p.usage_rate IS NOT NULL AND p.usage_rank <= 5) AS usage_games,
    IF(COUNTIF(p.in_60_days AND p.rn <= 10) >= 3,
       STDDEV_SAMP(IF(p.in_60_days AND p.rn <= 10, p.minutes, NULL)), NULL) AS minutes_volatility,
    -- The newest game with a team change or a gap of more than 14 days before it.
    MIN(IF(p.in_60_days AND (p.team_abbr != p.older_team OR p.days_since_older > 14), p.rn, NULL))
      AS structural_change_rn
  FROM played AS p
  CROSS JOIN season AS s
  GROUP BY p.player_lookup
),
last_10 AS (
  SELECT player_lookup, ARRAY_AGG(game_date ORDER BY game_date DESC) AS last_10_dates
  FROM played
  WHERE rn <= 10
  GROUP BY player_lookup
),
below_average AS (
  -- Newest consecutive 60-day games below the 60-day average: the newest game at or above it.
  SELECT p.player_lookup, MIN(IF(p.points >= h.avg_60, p.rn, NULL)) AS first_not_below
  FROM played AS p
  JOIN history AS h USING (player_lookup)
  WHERE p.in_60_days
  GROUP BY p.player_lookup
),
recent_rows AS (
  -- The newest rows of the last 60 days, DNP rows included (as 0 points).
  SELECT
    player_lookup,
    COUNTIF(in_60_days AND row_rank <= 5) AS trend_rows,
    AVG(IF(in_60_days AND row_rank <= 2, IFNULL(points, 0), NULL))
      - AVG(IF(in_60_days AND row_rank BETWEEN 3 AND 5, IFNULL(points, 0), NULL)) AS trend_change,
    COUNTIF(in_60_days AND row_rank <= 10) AS dnp_rows,
    COUNTIF(in_60_days AND row_rank <= 10 AND is_dnp) AS dnp_games,
    AVG(minutes) AS season_minutes_all
  FROM games
  GROUP BY player_lookup
),
season_minutes AS (
  SELECT g.player_lookup, AVG(g.minutes) AS season_minutes
  FROM games AS g CROSS JOIN season AS s
  WHERE g.game_date >= s.season_start
  GROUP BY g.player_lookup
),
opponent_history AS (
  SELECT p.player_lookup, AVG(g.points) AS points_vs_opponent, COUNT(*) AS games_vs_opponent
  FROM players AS p
  JOIN played AS g ON g.player_lookup = p.player_lookup AND g.opponent_team_abbr = p.opponent_team_abbr
  GROUP BY p.player_lookup
),
team_games AS (
  SELECT
    t.team_abbr, CAST(t.pace AS FLOAT64) AS pace, CAST(t.offensive_rating AS FLOAT64) AS offensive_rating,
    t.win_flag, t.margin_of_victory, t.game_date, t.game_date >= s.season_start AS this_season,
    ROW_NUMBER() OVER (PARTITION BY t.team_abbr ORDER BY t.game_date DESC) AS rn
  FROM `${project}.${analytics_dataset}.team_offense_game_summary` AS t
  CROSS JOIN season AS s
  WHERE t.game_date BETWEEN DATE_SUB(@target_date, INTERVAL 365 DAY) AND DATE_SUB(@target_date, INTERVAL 1 DAY)
),
team_history AS (
  SELECT
    team_abbr,
    AVG(IF(rn <= 10, pace, NULL)) AS pace_l10,
    AVG(IF(rn <= 10, offensive_rating, NULL)) AS off_rating_l10,
    COUNTIF(this_season) AS season_games,
    AVG(IF(this_season, IF(win_flag, 1.0, 0.0), NULL)) AS win_pct,
    AVG(IF(rn <= 10 AND game_date >= DATE_SUB(@target_date, INTERVAL 60 DAY),
           IF(ABS(margin_of_victory) >= 15, 1.0, 0.0), NULL)) AS blowout_share
  FROM team_games
  GROUP BY team_abbr
),
-- The player's own last-10-game completeness: his team's final games of the season before A
-- (schedule) against his player_game_summary rows.
team_schedule AS (
  SELECT
    team_abbr, game_date,
    ROW_NUMBER() OVER (PARTITION BY team_abbr ORDER BY game_date DESC) AS rn
  FROM (
    SELECT s.game_date, team_abbr
    FROM `${project}.${raw_dataset}.nbac_schedule` AS s
    CROSS JOIN season AS y
    CROSS JOIN UNNEST([s.home_team_tricode, s.away_team_tricode]) AS team_abbr
    WHERE s.game_date BETWEEN DATE_SUB(@target_date, INTERVAL 366 DAY) AND DATE_SUB(@target_date, INTERVAL 1 DAY)
      AND s.game_date >= y.season_start AND s.game_status = 3
    GROUP BY s.game_date, team_abbr
  )
),
completeness AS (
  SELECT
    p.player_lookup,
    COUNT(t.game_date) AS expected_games,
    COUNTIF(g.game_date IS NOT NULL) AS actual_games
  FROM players AS p
  LEFT JOIN team_schedule AS t ON t.team_abbr = p.team_abbr AND t.rn <= 10
  LEFT JOIN games AS g ON g.player_lookup = p.player_lookup AND g.game_date = t.game_date
  GROUP BY p.player_lookup
),
lines AS (
  SELECT
    player_lookup, line_table, CAST(current_line AS FLOAT64) AS current_line,
    CAST(IFNULL(opening_line, current_line) AS FLOAT64) AS opening_line
  FROM `${project}.${analytics_dataset}.stg_player_points_lines`(@target_date, @target_date)
),
-- Each book's latest pre-tip points line of the last 14 days (Bovada left out, as the platform does).
book_lines AS (
  SELECT game_date, player_lookup, bookmaker, points_line
  FROM `${project}.${raw_dataset}.odds_api_player_points_props`
  WHERE game_date BETWEEN DATE_SUB(@target_date, INTERVAL 14 DAY) AND @target_date
    AND player_lookup IS NOT NULL AND IFNULL(minutes_before_tipoff, 0) >= 0 AND points_line > 0
    AND LOWER(bookmaker) != 'bovada'
  QUALIFY ROW_NUMBER() OVER (
    PARTITION BY game_date, player_lookup, bookmaker ORDER BY snapshot_timestamp DESC, points_line
  ) = 1
),
book_spread AS (
  SELECT player_lookup, IF(COUNT(*) >= 2, STDDEV_SAMP(points_line), NULL) AS line_std
  FROM book_lines
  WHERE game_date = @target_date
  GROUP BY player_lookup
),
-- Per date, the median across books (the middle one or the mean of the middle two).
consensus AS (
  SELECT game_date, player_lookup, AVG(points_line) AS median_line
  FROM (
    SELECT
      game_date, player_lookup, points_line,
      ROW_NUMBER() OVER (PARTITION BY game_date, player_lookup ORDER BY points_line) AS position,
      COUNT(*) OVER (PARTITION BY game_date, player_lookup) AS books
    FROM book_lines
  )
  WHERE 2 * position BETWEEN books AND books + 2
  GROUP BY game_date, player_lookup
),
line_delta AS (
  SELECT player_lookup, ROUND(median_line - previous_line, 1) AS delta
  FROM (
    SELECT *, LAG(median_line) OVER (PARTITION BY player_lookup ORDER BY game_date) AS previous_line
    FROM consensus
  )
  WHERE game_date = @target_date
),
-- Teammates ruled out or doubtful for A, with their 30-day usage rate (games over 10 minutes).
injured AS (
  SELECT i.team_abbr, i.player_lookup, u.usage_30
  FROM `${project}.${analytics_dataset}.stg_injury_status`(@target_date, @target_date) AS i
  JOIN (
    SELECT g.player_lookup, AVG(CAST(g.usage_rate AS FLOAT64)) AS usage_30
    FROM `${project}.${analytics_dataset}.player_game_summary` AS g
    WHERE g.game_date BETWEEN DATE_SUB(@target_date, INTERVAL 30 DAY) AND DATE_SUB(@target_date, INTERVAL 1 DAY)
      AND g.minutes_played > 10 AND g.usage_rate IS NOT NULL
    GROUP BY g.player_lookup
  ) AS u ON u.player_lookup = i.player_lookup
  WHERE LOWER(i.injury_status) IN ('out', 'doubtful')
),
teammates_out AS (
  SELECT p.player_lookup, SUM(i.usage_30) AS usage_out
  FROM players AS p
  JOIN injured AS i ON i.team_abbr = p.team_abbr AND i.player_lookup != p.player_lookup
  GROUP BY p.player_lookup
),
cache AS (
  SELECT *, COUNT(*) OVER () AS rows_found, MAX(processed_at) OVER () AS last_updated
  FROM `${project}.${precompute_dataset}.player_daily_cache` WHERE cache_date = @target_date
),
composite AS (
  SELECT *, COUNT(*) OVER () AS rows_found, MAX(processed_at) OVER () AS last_updated
  FROM `${project}.${precompute_dataset}.player_composite_factors` WHERE game_date = @target_date
),
shot_zones AS (
  SELECT *, COUNT(*) OVER () AS rows_found, MAX(processed_at) OVER () AS last_updated
  FROM `${project}.${precompute_dataset}.player_shot_zone_analysis` WHERE analysis_date = @target_date
),
team_defense AS (
  SELECT *, COUNT(*) OVER () AS rows_found, MAX(processed_at) OVER () AS last_updated
  FROM `${project}.${precompute_dataset}.team_defense_zone_analysis` WHERE analysis_date = @target_date
),
inputs AS (
  SELECT
    p.*,
    s.early_season,
    c.player_lookup IS NOT NULL AS has_cache, f.player_lookup IS NOT NULL AS has_composite,
    z.player_lookup IS NOT NULL AS has_shot_zones, d.team_abbr IS NOT NULL AS has_team_defense,
    STRUCT(c.last_updated, c.rows_found, c.data_hash AS hash, c.is_production_ready AS ready) AS cache_source,
    STRUCT(f.last_updated, f.rows_found, f.data_hash AS hash, f.is_production_ready AS ready) AS composite_source,
    STRUCT(z.last_updated, z.rows_found, z.data_hash AS hash, z.is_production_ready AS ready) AS shot_zone_source,
    STRUCT(d.last_updated, d.rows_found, d.data_hash AS hash, d.is_production_ready AS ready) AS defense_source,
    k.expected_games, k.actual_games, l10.last_10_dates, IFNULL(h.l10_games, 0) AS l10_games,
    l.line_table,
    -- 0-4: recent scoring from player_daily_cache, else recomputed from the last 10 played games.
    COALESCE(CAST(c.points_avg_last_5 AS FLOAT64), h.l5_avg) AS v0, 'phase4' AS t0,
    COALESCE(CAST(c.points_avg_last_10 AS FLOAT64), h.l10_avg) AS v1, 'phase4' AS t1,
    COALESCE(CAST(c.points_avg_season AS FLOAT64), h.season_points) AS v2,
    IF(c.points_avg_season IS NOT NULL, 'phase4', 'phase3') AS t2,
    COALESCE(CAST(c.points_std_last_10 AS FLOAT64), h.l10_std) AS v3, 'phase4' AS t3,
    COALESCE(CAST(c.games_in_last_7_days AS FLOAT64), CAST(p.games_in_last_7_days AS FLOAT64)) AS v4,
    IF(c.games_in_last_7_days IS NOT NULL, 'phase4', 'phase3') AS t4,
    -- 5-8: composite factors (phase 4 only).
    CAST(f.fatigue_score AS FLOAT64) AS v5, 'phase4' AS t5,
    CAST(f.shot_zone_mismatch_score AS FLOAT64) AS v6, 'phase4' AS t6,
    CAST(f.pace_score AS FLOAT64) AS v7, 'phase4' AS t7,
    CAST(f.usage_spike_score AS FLOAT64) AS v8, 'phase4' AS t8,
    -- 9-12: calculated from the context and the history.
    IF(p.days_rest IS NULL OR p.opponent_days_rest IS NULL, 0.0,
       CAST(GREATEST(-2, LEAST(2, p.days_rest - p.opponent_days_rest)) AS FLOAT64)) AS v9, 'calculated' AS t9,
    CASE p.player_status WHEN 'probable' THEN 1.0 WHEN 'questionable' THEN 2.0
      WHEN 'doubtful' THEN 3.0 WHEN 'out' THEN 3.0 ELSE 0.0 END AS v10, 'calculated' AS t10,
    CASE
      WHEN IFNULL(r.trend_rows, 0) < 5 THEN 0.0
      WHEN r.trend_change >= 5 THEN 2.0 WHEN r.trend_change >= 2 THEN 1.0
      WHEN r.trend_change <= -5 THEN -2.0 WHEN r.trend_change <= -2 THEN -1.0 ELSE 0.0
    END AS v11, 'calculated' AS t11,
    -- minutes_change: relative change of recent against season minutes (below).
    SAFE_DIVIDE(COALESCE(CAST(c.minutes_avg_last_10 AS FLOAT64), h.l10_minutes) - m.season_minutes,
                NULLIF(m.season_minutes, 0)) AS minutes_change,
    NULL AS v12, 'calculated' AS t12,
    -- 13-14: the opponent's defense (phase 4 only).
    CAST(d.defensive_rating_last_15 AS FLOAT64) AS v13, 'phase4' AS t13,
    CAST(d.opponent_pace AS FLOAT64) AS v14, 'phase4' AS t14,
    -- 15-17: the game's context.
    IF(p.home_game, 1.0, 0.0) AS v15, 'phase3' AS t15,
    IF(p.back_to_back, 1.0, 0.0) AS v16, 'phase3' AS t16,
    IF(p.season_phase = 'playoffs', 1.0, 0.0) AS v17, 'phase3' AS t17,
    -- 18-21: shot profile (shot-zone percent / 100, else the cache's).
    COALESCE(CAST(z.paint_rate_last_10 AS FLOAT64), CAST(c.paint_rate_last_10 AS FLOAT64)) / 100 AS v18, 'phase4' AS t18,
    CAST(z.mid_range_rate_last_10 AS FLOAT64) / 100 AS v19, 'phase4' AS t19,
    COALESCE(CAST(z.three_pt_rate_last_10 AS FLOAT64), CAST(c.three_pt_rate_last_10 AS FLOAT64)) / 100 AS v20, 'phase4' AS t20,
    IF(IFNULL(h.l10_games, 0) < 5 OR h.l10_ft_share IS NULL, 0.15,
       GREATEST(0.0, LEAST(0.5, h.l10_ft_share))) AS v21, 'calculated' AS t21,
    -- 22-24: the player's team.
    COALESCE(CAST(c.team_pace_last_10 AS FLOAT64), th.pace_l10) AS v22, 'phase4' AS t22,
    COALESCE(CAST(c.team_off_rating_last_10 AS FLOAT64), th.off_rating_l10) AS v23, 'phase4' AS t23,
    IF(IFNULL(th.season_games, 0) < 5, 0.5, th.win_pct) AS v24, 'calculated' AS t24,
    -- 25-28: the points line (Odds API, else BettingPros).
    l.current_line AS v25, IF(l.line_table = 'odds_api', 'vegas', 'bettingpros') AS t25,
    l.opening_line AS v26, IF(l.line_table = 'odds_api', 'vegas', 'bettingpros') AS t26,
    l.current_line - l.opening_line AS v27, IF(l.line_table = 'odds_api', 'vegas', 'bettingpros') AS t27,
    IF(l.current_line IS NOT NULL, 1.0, 0.0) AS v28, 'calculated' AS t28,
    -- 29-30: against this opponent in the past year, else the season average.
    COALESCE(o.points_vs_opponent, CAST(c.points_avg_season AS FLOAT64), h.season_points, 10.0) AS v29,
    IF(o.points_vs_opponent IS NOT NULL, 'opponent_history', 'calculated') AS t29,
    CAST(IFNULL(o.games_vs_opponent, 0) AS FLOAT64) AS v30,
    IF(o.games_vs_opponent IS NOT NULL, 'opponent_history', 'calculated') AS t30,
    -- 31-36: minutes, efficiency, availability and form.
    COALESCE(h.minutes_30_days, CAST(c.minutes_avg_last_10 AS FLOAT64)) AS v31,
    IF(h.minutes_30_days IS NOT NULL, 'minutes_ppm', 'phase4') AS t31,
    COALESCE(h.ppm_30_days, h.l10_ppm) AS v32, IF(h.ppm_30_days IS NOT NULL, 'minutes_ppm', 'phase4') AS t32,
    IF(IFNULL(r.dnp_rows, 0) < 3, 0.0, r.dnp_games / r.dnp_rows) AS v33, 'calculated' AS t33,
    IF(IFNULL(h.l10_games, 0) < 5, 0.0, h.l10_slope) AS v34, 'calculated' AS t34,
    NULL AS v35, 'calculated' AS t35,  -- from features 0, 2, 3 (below)
    NULL AS v36, 'calculated' AS t36,
    CAST(p.star_teammates_out AS FLOAT64) AS v37, 'phase3' AS t37,
    -- 38-42: lines and load from the context.
    p.game_total AS v38, 'phase3' AS t38,
    CAST(p.days_rest AS FLOAT64) AS v39, 'phase3' AS t39,
    CAST(p.minutes_in_last_7_days AS FLOAT64) AS v40, 'phase3' AS t40,
    ABS(p.game_spread) AS v41, 'phase3' AS t41,
    IF(p.home_game, (p.game_total - p.game_spread) / 2, (p.game_total + p.game_spread) / 2) AS v42, 'calculated' AS t42,
    -- 43-49: the 60-day series of played games.
    h.l3_avg AS v43, 'calculated' AS t43,
    IF(IFNULL(h.games_60, 0) = 0, NULL, IF(h.games_slope_7 < 4, 0.0, h.slope_7)) AS v44, 'calculated' AS t44,
    IF(IFNULL(h.games_60, 0) = 0, NULL,
       IFNULL(SAFE_DIVIDE(h.l3_avg - h.avg_60, IF(h.games_60 < 2, 5.0, h.std_60)), 0.0)) AS v45, 'calculated' AS t45,
    IF(IFNULL(h.games_60, 0) = 0, NULL, CAST(IFNULL(b.first_not_below - 1, h.games_60) AS FLOAT64)) AS v46,
    'calculated' AS t46,
    tm.usage_out AS v47, 'phase3' AS t47,
    IF(IFNULL(h.games_60, 0) = 0, NULL, IF(h.usage_games < 3, 20.0, h.usage_l5)) AS v48, 'calculated' AS t48,
    IF(IFNULL(h.games_60, 0) = 0, NULL,
       CAST(IFNULL(h.structural_change_rn, LEAST(h.games_60, 30)) AS FLOAT64)) AS v49, 'calculated' AS t49,
    -- 50-54: the lines market.
    bs.line_std AS v50, 'vegas' AS t50,
    CAST(p.prop_over_streak AS FLOAT64) AS v51, 'phase3' AS t51,
    CAST(p.prop_under_streak AS FLOAT64) AS v52, 'phase3' AS t52,
    NULL AS v53, 'calculated' AS t53,  -- feature 25 minus feature 2 (below)
    ld.delta AS v54, 'vegas' AS t54,
    -- 55-56: need nba_predictions.prediction_accuracy, which this package does not build.
    CAST(NULL AS FLOAT64) AS v55, 'calculated' AS t55,
    CAST(NULL AS FLOAT64) AS v56, 'calculated' AS t56,
    -- 57-59: blowouts, minutes volatility, pace mismatch.
    IF(IFNULL(h.games_60, 0) < 3, NULL, IFNULL(th.blowout_share, 0.2)) AS v57, 'calculated' AS t57,
    h.minutes_volatility AS v58, 'calculated' AS t58,
    NULL AS v59, 'calculated' AS t59  -- feature 22 minus feature 14 (below)
  FROM players AS p
  CROSS JOIN season AS s
  LEFT JOIN history AS h USING (player_lookup)
  LEFT JOIN recent_rows AS r USING (player_lookup)
  LEFT JOIN season_minutes AS m USING (player_lookup)
  LEFT JOIN below_average AS b USING (player_lookup)
  LEFT JOIN last_10 AS l10 USING (player_lookup)
  LEFT JOIN opponent_history AS o USING (player_lookup)
  LEFT JOIN completeness AS k USING (player_lookup)
  LEFT JOIN lines AS l USING (player_lookup)
  LEFT JOIN book_spread AS bs USING (player_lookup)
  LEFT JOIN line_delta AS ld USING (player_lookup)
  LEFT JOIN teammates_out AS tm USING (player_lookup)
  LEFT JOIN team_history AS th ON th.team_abbr = p.team_abbr
  LEFT JOIN cache AS c ON c.player_lookup = p.player_lookup
  LEFT JOIN composite AS f ON f.player_lookup = p.player_lookup
  LEFT JOIN shot_zones AS z ON z.player_lookup = p.player_lookup
  LEFT JOIN team_defense AS d ON d.team_abbr = p.opponent_team_abbr
),
-- Features computed from other features (as the platform does, from their values before defaults).
derived AS (
  SELECT
    * REPLACE (
      IF(v0 IS NULL OR v2 IS NULL OR IFNULL(v3, 0) = 0, 0.0,
         GREATEST(-3.0, LEAST(3.0, (v0 - v2) / v3))) AS v35,
      IF(v0 IS NOT NULL AND v2 IS NOT NULL AND v3 IS NOT NULL AND v0 > v2 + 1.5 * v3, 1.0, 0.0) AS v36,
      -- 0 when either minutes figure is 0 or missing (a zero change: the recent mean is 0).
      CASE
        WHEN minutes_change IS NULL OR minutes_change = -1 THEN 0.0
        WHEN minutes_change >= 0.2 THEN 2.0 WHEN minutes_change >= 0.1 THEN 1.0
        WHEN minutes_change <= -0.2 THEN -2.0 WHEN minutes_change <= -0.1 THEN -1.0 ELSE 0.0
      END AS v12,
      v25 - v2 AS v53,
      CAST(v22 - v14 AS FLOAT64) AS v59
    )
  FROM inputs
),
-- One row per player and feature: the tag's quality and source and the value written. Values
-- are rounded to 9 decimals: a floating-point aggregate's last bits depend on the order rows
-- reach it, and a re-run of the same inputs must write the same values (and data_hash).
feature_rows AS (
  SELECT
    d.player_lookup, f.idx, f.tag,
    IF(f.tag IN (${defaulted_tags}), NULL, ROUND(f.raw_value, 9)) AS value,
    IFNULL(IF(f.tag IN (${defaulted_tags}), f.default_value, ROUND(f.raw_value, 9)), 0.0) AS array_value,
    CAST(CASE f.tag ${tag_quality} ELSE 40 END AS FLOAT64) AS quality,
    CASE f.tag ${tag_source} ELSE 'default' END AS source,
    f.tag IN (${defaulted_tags}) AS defaulted,
    f.idx IN (${optional_indices}) AS optional
  FROM derived AS d
  CROSS JOIN UNNEST(${feature_vector}) AS f
  WHERE NOT d.early_season
),
-- Per player: the ordered features and the counts and category means the quality rules need.
summary AS (
  SELECT
    player_lookup,
    ARRAY_AGG(STRUCT(idx AS idx, value AS value, array_value AS array_value, quality AS quality,
                     source AS source, defaulted AS defaulted) ORDER BY idx) AS scored,
    COUNTIF(defaulted) AS default_count,
    COUNTIF(defaulted AND NOT optional) AS required_defaults,
    AVG(IF(defaulted AND optional, NULL, quality)) AS mean_quality,
    COUNTIF(source = 'phase4') AS phase4_count,
    COUNTIF(source = 'phase3') AS phase3_count,
    COUNTIF(source = 'calculated') AS calculated_count,
    COUNTIF(tag = 'phase4') AS phase4_tags,
    COUNTIF(tag = 'phase3') AS phase3_tags,
    COUNTIF(quality >= 85) AS training_quality_count,
    COUNTIF(quality >= 85 AND idx IN (${critical_indices})) AS critical_high,
    COUNTIF(NOT defaulted AND idx NOT IN (${critical_indices})) AS optional_present,
    ROUND(AVG(IF(idx IN (${matchup_indices}), quality, NULL)), 1) AS matchup_pct,
    ROUND(AVG(IF(idx IN (${player_history_indices}), quality, NULL)), 1) AS player_history_pct,
    ROUND(AVG(IF(idx IN (${team_context_indices}), quality, NULL)), 1) AS team_context_pct,
    ROUND(AVG(IF(idx IN (${vegas_indices}), quality, NULL)), 1) AS vegas_pct,
    ROUND(AVG(IF(idx IN (${game_context_indices}), quality, NULL)), 1) AS game_context_pct,
    COUNTIF(defaulted AND idx IN (${matchup_indices})) AS matchup_defaults,
    COUNTIF(defaulted AND idx IN (${player_history_indices})) AS player_history_defaults,
    COUNTIF(defaulted AND idx IN (${team_context_indices})) AS team_context_defaults,
    COUNTIF(defaulted AND idx IN (${vegas_indices})) AS vegas_defaults,
    COUNTIF(defaulted AND idx IN (${game_context_indices})) AS game_context_defaults,
    COUNTIF(defaulted AND idx IN (5, 6, 7, 8)) AS composite_defaults,
    COUNTIF(defaulted AND idx IN (13, 14)) AS defense_defaults,
    STRING_AGG(IF(defaulted, FORMAT('"%d":"%s"', idx, tag), NULL), ',' ORDER BY idx) AS fallback_reasons
  FROM feature_rows
  GROUP BY player_lookup
),
graded AS (
  SELECT
    d.* EXCEPT (${vector_columns}),
    m.* EXCEPT (player_lookup),
    CASE
      WHEN d.early_season THEN 0.0
      WHEN m.required_defaults >= 5 THEN LEAST(ROUND(m.mean_quality, 2), 49.0)
      WHEN m.required_defaults > 0 THEN LEAST(ROUND(m.mean_quality, 2), 69.0)
      ELSE ROUND(m.mean_quality, 2)
    END AS score,
    100.0 * SAFE_DIVIDE(d.actual_games, d.expected_games) AS completeness_pct
  FROM derived AS d
  LEFT JOIN summary AS m USING (player_lookup)
)
SELECT
  g.player_lookup,
  g.universal_player_id,
  @target_date AS game_date,
  g.game_id,
  IF(g.early_season, ARRAY(SELECT 0.0 FROM UNNEST(GENERATE_ARRAY(1, ${feature_count}))),
     ARRAY(SELECT f.array_value FROM UNNEST(g.scored) AS f ORDER BY f.idx)) AS features,
  ${feature_names} AS feature_names,
  ${feature_count} AS feature_count,
  ${feature_version} AS feature_version,
  CAST(NULL AS INT64) AS feature_generation_time_ms,
  g.score AS feature_quality_score,
  g.opponent_team_abbr,
  g.home_game AS is_home,
  g.days_rest,
  CASE
    WHEN g.early_season THEN 'early_season'
    WHEN g.phase4_tags >= 0.9 * ${feature_count} THEN 'phase4'
    WHEN g.phase4_tags >= 0.5 * ${feature_count} THEN 'phase4_partial'
    WHEN g.phase3_tags >= 0.5 * ${feature_count} THEN 'phase3'
    ELSE 'mixed'
  END AS data_source,
  g.cache_source.last_updated AS source_daily_cache_last_updated,
  IFNULL(g.cache_source.rows_found, 0) AS source_daily_cache_rows_found,
  IF(g.has_cache, 100.0, 0.0) AS source_daily_cache_completeness_pct,
  g.cache_source.hash AS source_daily_cache_hash,
  g.composite_source.last_updated AS source_composite_last_updated,
  IFNULL(g.composite_source.rows_found, 0) AS source_composite_rows_found,
  IF(g.has_composite, 100.0, 0.0) AS source_composite_completeness_pct,
  g.composite_source.hash AS source_composite_hash,
  g.shot_zone_source.last_updated AS source_shot_zones_last_updated,
  IFNULL(g.shot_zone_source.rows_found, 0) AS source_shot_zones_rows_found,
  IF(g.has_shot_zones, 100.0, 0.0) AS source_shot_zones_completeness_pct,
  g.shot_zone_source.hash AS source_shot_zones_hash,
  g.defense_source.last_updated AS source_team_defense_last_updated,
  IFNULL(g.defense_source.rows_found, 0) AS source_team_defense_rows_found,
  IF(g.has_team_defense, 100.0, 0.0) AS source_team_defense_completeness_pct,
  g.defense_source.hash AS source_team_defense_hash,
  g.early_season AS early_season_flag,
  IF(g.early_season, 'early_season_skip_first_14_days', NULL) AS insufficient_data_reason,
  IF(g.early_season, 0, IFNULL(g.expected_games, 0)) AS expected_games_count,
  IF(g.early_season, 0, IFNULL(g.actual_games, 0)) AS actual_games_count,
  IF(g.early_season, 0.0, IFNULL(ROUND(g.completeness_pct, 2), 0.0)) AS completeness_percentage,
  IF(g.early_season, 0, IFNULL(g.expected_games - g.actual_games, 0)) AS missing_games_count,
  -- Not quality-based: the player's last-10 completeness >= 70% and all four phase 4 rows ready.
  NOT g.early_season AND IFNULL(g.completeness_pct >= 70, FALSE)
    AND IFNULL(g.cache_source.ready AND g.composite_source.ready AND g.shot_zone_source.ready
               AND g.defense_source.ready, FALSE) AS is_production_ready,
  ARRAY_CONCAT(
    IF(NOT g.has_cache AND NOT g.early_season, ['player_daily_cache_missing'], []),
    IF(NOT g.has_composite AND NOT g.early_season, ['player_composite_factors_missing'], []),
    IF(NOT g.has_shot_zones AND NOT g.early_season, ['player_shot_zone_analysis_missing'], []),
    IF(NOT g.has_team_defense AND NOT g.early_season, ['team_defense_zone_analysis_missing'], [])
  ) AS data_quality_issues,
  CAST(NULL AS TIMESTAMP) AS last_reprocess_attempt_at,
  0 AS reprocess_attempt_count,
  FALSE AS circuit_breaker_active,
  CAST(NULL AS TIMESTAMP) AS circuit_breaker_until,
  FALSE AS manual_override_required,
  g.early_season AS season_boundary_detected,
  g.early_season AS backfill_bootstrap_mode,
  IF(g.early_season, 'early_season_placeholder', 'processed') AS processing_decision_reason,
  STRUCT(
    IF(g.early_season, 0, g.l10_games) AS games_found,
    IF(g.early_season, 0, LEAST(IFNULL(g.expected_games, 0), 10)) AS games_expected,
    g.early_season OR g.l10_games >= LEAST(IFNULL(g.expected_games, 0), 10) AS is_complete,
    g.early_season AS is_bootstrap,
    IF(g.early_season, [], IFNULL(g.last_10_dates, [])) AS contributing_game_dates
  ) AS historical_completeness,
  CAST(NULL AS TIMESTAMP) AS updated_at,
  CASE
    WHEN g.early_season THEN NULL
    WHEN g.score >= 95 THEN 'gold' WHEN g.score >= 85 THEN 'silver' WHEN g.score >= 70 THEN 'bronze'
    WHEN g.score >= 50 THEN 'poor' ELSE 'critical'
  END AS quality_tier,
  CASE
    WHEN g.early_season THEN NULL
    WHEN g.matchup_pct < 50 OR g.score < 50 THEN 'red'
    WHEN g.required_defaults > 0 OR g.score < 70 OR g.matchup_pct < 70 THEN 'yellow'
    ELSE 'green'
  END AS quality_alert_level,
  IF(g.early_season, [], ARRAY_CONCAT(
    IF(g.matchup_defaults = 6, ['all_matchup_features_defaulted'], []),
    IF(g.composite_defaults > 0, ['composite_factors_missing'], []),
    IF(g.defense_defaults > 0, ['opponent_defense_missing'], []),
    IF(g.default_count / ${feature_count} > 0.2,
       [FORMAT('high_default_rate_%dpct', CAST(ROUND(100 * g.default_count / ${feature_count}) AS INT64))], []),
    IF(g.matchup_pct < 50, ['matchup_quality_critical'], []),
    IF(g.game_context_pct < 50, ['game_context_quality_critical'], [])
  )) AS quality_alerts,
  IF(g.early_season, NULL, g.default_count) AS default_feature_count,
  IF(g.early_season, NULL, g.required_defaults) AS required_default_count,
  IF(g.early_season, [], ARRAY(SELECT f.idx FROM UNNEST(g.scored) AS f WHERE f.defaulted ORDER BY f.idx))
    AS default_feature_indices,
  IF(g.early_season, NULL, g.phase4_count) AS phase4_feature_count,
  IF(g.early_season, NULL, g.phase3_count) AS phase3_feature_count,
  IF(g.early_season, NULL, g.calculated_count) AS calculated_feature_count,
  IF(g.early_season, NULL, g.score >= 85 AND g.matchup_pct >= 70 AND g.player_history_pct >= 80) AS is_training_ready,
  IF(g.early_season, NULL, g.training_quality_count) AS training_quality_feature_count,
  IF(g.early_season, NULL, g.score >= 70 AND g.matchup_pct >= 50 AND g.required_defaults = 0) AS is_quality_ready,
  g.matchup_pct AS matchup_quality_pct,
  g.player_history_pct AS player_history_quality_pct,
  g.team_context_pct AS team_context_quality_pct,
  g.vegas_pct AS vegas_quality_pct,
  g.game_context_pct AS game_context_quality_pct,
  g.matchup_defaults AS matchup_default_count,
  g.player_history_defaults AS player_history_default_count,
  g.team_context_defaults AS team_context_default_count,
  g.vegas_defaults AS vegas_default_count,
  g.game_context_defaults AS game_context_default_count,
  IF(g.early_season, NULL, g.composite_defaults = 0) AS has_composite_factors,
  IF(g.early_season, NULL, g.defense_defaults = 0) AS has_opponent_defense,
  -- The platform derives this from feature 28's tag, which is always 'calculated' (so always
  -- TRUE); here it says what the column promises: the player has a real line.
  g.line_table IS NOT NULL AS has_vegas_line,
  CASE g.line_table WHEN 'odds_api' THEN 'odds_api' WHEN 'bettingpros' THEN 'bettingpros' ELSE 'none' END
    AS vegas_line_source,
  IF(g.early_season, NULL, g.critical_high = 6) AS critical_features_training_quality,
  IF(g.early_season, NULL, g.critical_high) AS critical_feature_count,
  IF(g.early_season, NULL, g.optional_present) AS optional_feature_count,
  CASE
    WHEN g.early_season THEN NULL
    WHEN g.matchup_pct >= 95 THEN 'gold' WHEN g.matchup_pct >= 85 THEN 'silver'
    WHEN g.matchup_pct >= 70 THEN 'bronze' WHEN g.matchup_pct >= 50 THEN 'poor' ELSE 'critical'
  END AS matchup_quality_tier,
  CASE
    WHEN g.early_season THEN NULL
    WHEN g.game_context_pct >= 95 THEN 'gold' WHEN g.game_context_pct >= 85 THEN 'silver'
    WHEN g.game_context_pct >= 70 THEN 'bronze' WHEN g.game_context_pct >= 50 THEN 'poor' ELSE 'critical'
  END AS game_context_quality_tier,
  IF(g.early_season, NULL, CONCAT('{', IFNULL(g.fallback_reasons, ''), '}')) AS feature_fallback_reasons_json,
  '{}' AS feature_sample_sizes_json,
  '{}' AS feature_expected_values_json,
  '{}' AS feature_value_ranges_valid_json,
  ${upstream_tables_json} AS feature_upstream_tables_json,
  '{}' AS feature_last_updated_json,
  ${feature_schema_version} AS feature_schema_version,
  ${feature_names} AS available_feature_names,
  ['v2_14features'] AS breakout_model_compatible,
  FALSE AS breakout_v3_features_available,
  NULLIF(ARRAY_TO_STRING(ARRAY_CONCAT(
    IF(g.has_cache, ['PlayerDailyCacheProcessor'], []),
    IF(g.has_composite, ['PlayerCompositeFactorsProcessor'], []),
    IF(g.has_shot_zones, ['PlayerShotZoneAnalysisProcessor'], []),
    IF(g.has_team_defense, ['TeamDefenseZoneAnalysisProcessor'], [])
  ), ','), '') AS upstream_processors_ran,
  NULLIF(ARRAY_TO_STRING(ARRAY_CONCAT(
    IF(g.has_cache, [], ['PlayerDailyCacheProcessor']),
    IF(g.has_composite, [], ['PlayerCompositeFactorsProcessor']),
    IF(g.has_shot_zones, [], ['PlayerShotZoneAnalysisProcessor']),
    IF(g.has_team_defense, [], ['TeamDefenseZoneAnalysisProcessor'])
  ), ','), '') AS missing_processors,
  0.0 AS feature_store_age_hours,
  CAST(NULL AS FLOAT64) AS upstream_data_freshness_hours,
  ${quality_schema_version} AS quality_schema_version,
  CAST(NULL AS STRING) AS feature_sources,
  IF(g.early_season, 'early_season', IF(g.phase4_tags >= g.phase3_tags, 'phase4', 'phase3')) AS primary_data_source,
  IF(g.early_season, NULL, IF(g.matchup_pct < 50, 'MATCHUP_UNAVAILABLE', 'COMPLETE')) AS matchup_data_status,
  NOT g.has_cache AND g.l10_games > 0 AS cache_miss_fallback_used,
  ROUND(g.score / 100, 4) AS quality_score,
  IF(g.early_season, 0.0, IFNULL(ROUND(g.completeness_pct / 100, 4), 0.0)) AS window_completeness,
  NOT g.early_season AND g.l10_games >= 10 AS rolling_features_complete,
  IF(g.early_season, FALSE, g.game_context_defaults = 0) AS contextual_features_complete,
  IF(g.early_season, FALSE, g.defense_defaults = 0) AS opponent_features_complete,
  CAST(NULL AS FLOAT64) AS upstream_quality_min,
${feature_columns}
FROM graded AS g
