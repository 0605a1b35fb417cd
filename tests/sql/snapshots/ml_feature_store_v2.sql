-- ml_feature_store_v2: The 60 features (value, quality, source) per player for the prediction models.
-- The fenced, idempotent MERGE every processor runs, rendered by nba_pipeline.merge from this
-- template, the fence guard (templates/fence_guard.sql), the processor's source SELECT
-- (phase4/ml_feature_store_v2.sql) and the table's DDL (schema/predictions/ml_feature_store_v2.sql).
--   * The source SELECT yields the table's columns for the target date; the template adds the
--     lineage columns (_fence, _run_id), the write-context columns (processed_at, created_at,
--     processing_context, versions) and data_hash (over the values as written), and casts
--     NUMERIC columns to the DDL's precision and scale.
--   * Other dates are never touched: the source, the ON clause and the delete are all scoped
--     to the target date, which also lets BigQuery prune the target's partitions.
--   * A row already written under a newer fence is neither updated nor deleted, and a writer the
--     guard refuses deletes nothing either (its source is empty, so without the guard on the
--     delete it would remove the older rows a newer writer is about to replace).
MERGE `nba-props-platform.nba_predictions.ml_feature_store_v2` AS T
USING (
  SELECT
    typed.*,
    SUBSTR(TO_HEX(SHA256(ARRAY_TO_STRING([
      CONCAT('data_source:', IFNULL(TRIM(typed.data_source), 'NULL')),
      CONCAT('days_rest:', IFNULL(CAST(typed.days_rest AS STRING), 'NULL')),
      CONCAT('early_season_flag:', IFNULL(IF(typed.early_season_flag, 'True', 'False'), 'NULL')),
      CONCAT('feature_count:', IFNULL(CAST(typed.feature_count AS STRING), 'NULL')),
      CONCAT('feature_names:', IFNULL(CONCAT('[', ARRAY_TO_STRING(ARRAY(SELECT CONCAT("'", item, "'") FROM UNNEST(typed.feature_names) AS item WITH OFFSET AS position ORDER BY position), ', '), ']'), 'NULL')),
      CONCAT('feature_quality_score:', IFNULL(REGEXP_REPLACE(FORMAT('%.2f', ROUND(typed.feature_quality_score, 2)), r'(\.\d+?)0+$', r'\1'), 'NULL')),
      CONCAT('feature_version:', IFNULL(TRIM(typed.feature_version), 'NULL')),
      CONCAT('features:', IFNULL(CONCAT('[', ARRAY_TO_STRING(ARRAY(SELECT IF(item = TRUNC(item), FORMAT('%.1f', item), CAST(item AS STRING)) FROM UNNEST(typed.features) AS item WITH OFFSET AS position ORDER BY position), ', '), ']'), 'NULL')),
      CONCAT('game_date:', IFNULL(CAST(typed.game_date AS STRING), 'NULL')),
      CONCAT('game_id:', IFNULL(TRIM(typed.game_id), 'NULL')),
      CONCAT('insufficient_data_reason:', IFNULL(TRIM(typed.insufficient_data_reason), 'NULL')),
      CONCAT('is_home:', IFNULL(IF(typed.is_home, 'True', 'False'), 'NULL')),
      CONCAT('opponent_team_abbr:', IFNULL(TRIM(typed.opponent_team_abbr), 'NULL')),
      CONCAT('player_lookup:', IFNULL(TRIM(typed.player_lookup), 'NULL')),
      CONCAT('universal_player_id:', IFNULL(TRIM(typed.universal_player_id), 'NULL'))
    ], '|'))), 1, 16) AS data_hash
  FROM (
    SELECT
      source.* REPLACE (
        CAST(source.feature_quality_score AS NUMERIC(5, 2)) AS feature_quality_score,
        CAST(source.source_daily_cache_completeness_pct AS NUMERIC(5, 2)) AS source_daily_cache_completeness_pct,
        CAST(source.source_composite_completeness_pct AS NUMERIC(5, 2)) AS source_composite_completeness_pct,
        CAST(source.source_shot_zones_completeness_pct AS NUMERIC(5, 2)) AS source_shot_zones_completeness_pct,
        CAST(source.source_team_defense_completeness_pct AS NUMERIC(5, 2)) AS source_team_defense_completeness_pct
      ),
      CURRENT_TIMESTAMP() AS created_at,
      CURRENT_TIMESTAMP() AS quality_computed_at,
      CASE WHEN STARTS_WITH(@run_id, 'scheduled__') THEN 'daily' WHEN STARTS_WITH(@run_id, 'backfill__') THEN 'backfill' ELSE 'manual' END AS processing_context,
      @fence AS _fence,
      @run_id AS _run_id
    FROM (
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
        FROM `nba-props-platform.nba_precompute.stg_season_rules`(@target_date)
      ),
      players AS (
        SELECT
          u.player_lookup, u.universal_player_id, u.game_id, u.team_abbr, u.opponent_team_abbr,
          u.home_game, u.back_to_back, u.season_phase, u.days_rest, u.opponent_days_rest,
          LOWER(u.player_status) AS player_status, u.games_in_last_7_days, u.minutes_in_last_7_days,
          u.star_teammates_out, CAST(u.game_total AS FLOAT64) AS game_total,
          CAST(u.game_spread AS FLOAT64) AS game_spread, u.prop_over_streak, u.prop_under_streak
        FROM `nba-props-platform.nba_analytics.upcoming_player_game_context` AS u
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
        FROM `nba-props-platform.nba_analytics.player_game_summary` AS g
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
        FROM `nba-props-platform.nba_analytics.team_offense_game_summary` AS t
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
          FROM `nba-props-platform.nba_raw.nbac_schedule` AS s
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
        FROM `nba-props-platform.nba_analytics.stg_player_points_lines`(@target_date, @target_date)
      ),
      -- Each book's latest pre-tip points line of the last 14 days (Bovada left out, as the platform does).
      book_lines AS (
        SELECT game_date, player_lookup, bookmaker, points_line
        FROM `nba-props-platform.nba_raw.odds_api_player_points_props`
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
        FROM `nba-props-platform.nba_analytics.stg_injury_status`(@target_date, @target_date) AS i
        JOIN (
          SELECT g.player_lookup, AVG(CAST(g.usage_rate AS FLOAT64)) AS usage_30
          FROM `nba-props-platform.nba_analytics.player_game_summary` AS g
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
        FROM `nba-props-platform.nba_precompute.player_daily_cache` WHERE cache_date = @target_date
      ),
      composite AS (
        SELECT *, COUNT(*) OVER () AS rows_found, MAX(processed_at) OVER () AS last_updated
        FROM `nba-props-platform.nba_precompute.player_composite_factors` WHERE game_date = @target_date
      ),
      shot_zones AS (
        SELECT *, COUNT(*) OVER () AS rows_found, MAX(processed_at) OVER () AS last_updated
        FROM `nba-props-platform.nba_precompute.player_shot_zone_analysis` WHERE analysis_date = @target_date
      ),
      team_defense AS (
        SELECT *, COUNT(*) OVER () AS rows_found, MAX(processed_at) OVER () AS last_updated
        FROM `nba-props-platform.nba_precompute.team_defense_zone_analysis` WHERE analysis_date = @target_date
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
          IF(f.tag IN ('default', 'missing'), NULL, ROUND(f.raw_value, 9)) AS value,
          IFNULL(IF(f.tag IN ('default', 'missing'), f.default_value, ROUND(f.raw_value, 9)), 0.0) AS array_value,
          CAST(CASE f.tag WHEN 'phase4' THEN 100 WHEN 'calculated' THEN 100 WHEN 'vegas' THEN 100 WHEN 'bettingpros' THEN 100 WHEN 'minutes_ppm' THEN 95 WHEN 'opponent_history' THEN 90 WHEN 'phase3' THEN 87 WHEN 'default' THEN 40 WHEN 'missing' THEN 0 ELSE 40 END AS FLOAT64) AS quality,
          CASE f.tag WHEN 'phase4' THEN 'phase4' WHEN 'calculated' THEN 'calculated' WHEN 'vegas' THEN 'phase4' WHEN 'bettingpros' THEN 'bettingpros' WHEN 'minutes_ppm' THEN 'phase4' WHEN 'opponent_history' THEN 'phase4' WHEN 'phase3' THEN 'phase3' WHEN 'default' THEN 'default' WHEN 'missing' THEN 'default' ELSE 'default' END AS source,
          f.tag IN ('default', 'missing') AS defaulted,
          f.idx IN (25, 26, 27, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59) AS optional
        FROM derived AS d
        CROSS JOIN UNNEST([
        STRUCT(0 AS idx, v0 AS raw_value, IF(v0 IS NULL, 'default', t0) AS tag, 10.0 AS default_value),
        STRUCT(1 AS idx, v1 AS raw_value, IF(v1 IS NULL, 'default', t1) AS tag, 10.0 AS default_value),
        STRUCT(2 AS idx, v2 AS raw_value, IF(v2 IS NULL, 'default', t2) AS tag, 10.0 AS default_value),
        STRUCT(3 AS idx, v3 AS raw_value, IF(v3 IS NULL, 'default', t3) AS tag, 5.0 AS default_value),
        STRUCT(4 AS idx, v4 AS raw_value, IF(v4 IS NULL, 'default', t4) AS tag, 3.0 AS default_value),
        STRUCT(5 AS idx, v5 AS raw_value, IF(v5 IS NULL, 'default', t5) AS tag, 50.0 AS default_value),
        STRUCT(6 AS idx, v6 AS raw_value, IF(v6 IS NULL, 'default', t6) AS tag, 0.0 AS default_value),
        STRUCT(7 AS idx, v7 AS raw_value, IF(v7 IS NULL, 'default', t7) AS tag, 0.0 AS default_value),
        STRUCT(8 AS idx, v8 AS raw_value, IF(v8 IS NULL, 'default', t8) AS tag, 0.0 AS default_value),
        STRUCT(9 AS idx, v9 AS raw_value, IF(v9 IS NULL, 'default', t9) AS tag, 0.0 AS default_value),
        STRUCT(10 AS idx, v10 AS raw_value, IF(v10 IS NULL, 'default', t10) AS tag, 0.0 AS default_value),
        STRUCT(11 AS idx, v11 AS raw_value, IF(v11 IS NULL, 'default', t11) AS tag, 0.0 AS default_value),
        STRUCT(12 AS idx, v12 AS raw_value, IF(v12 IS NULL, 'default', t12) AS tag, 0.0 AS default_value),
        STRUCT(13 AS idx, v13 AS raw_value, IF(v13 IS NULL, 'default', t13) AS tag, 112.0 AS default_value),
        STRUCT(14 AS idx, v14 AS raw_value, IF(v14 IS NULL, 'default', t14) AS tag, 100.0 AS default_value),
        STRUCT(15 AS idx, v15 AS raw_value, IF(v15 IS NULL, 'default', t15) AS tag, 0.0 AS default_value),
        STRUCT(16 AS idx, v16 AS raw_value, IF(v16 IS NULL, 'default', t16) AS tag, 0.0 AS default_value),
        STRUCT(17 AS idx, v17 AS raw_value, IF(v17 IS NULL, 'default', t17) AS tag, 0.0 AS default_value),
        STRUCT(18 AS idx, v18 AS raw_value, IF(v18 IS NULL, 'missing', t18) AS tag, CAST(NULL AS FLOAT64) AS default_value),
        STRUCT(19 AS idx, v19 AS raw_value, IF(v19 IS NULL, 'missing', t19) AS tag, CAST(NULL AS FLOAT64) AS default_value),
        STRUCT(20 AS idx, v20 AS raw_value, IF(v20 IS NULL, 'missing', t20) AS tag, CAST(NULL AS FLOAT64) AS default_value),
        STRUCT(21 AS idx, v21 AS raw_value, IF(v21 IS NULL, 'default', t21) AS tag, 0.15 AS default_value),
        STRUCT(22 AS idx, v22 AS raw_value, IF(v22 IS NULL, 'default', t22) AS tag, 100.0 AS default_value),
        STRUCT(23 AS idx, v23 AS raw_value, IF(v23 IS NULL, 'default', t23) AS tag, 112.0 AS default_value),
        STRUCT(24 AS idx, v24 AS raw_value, IF(v24 IS NULL, 'default', t24) AS tag, 0.5 AS default_value),
        STRUCT(25 AS idx, v25 AS raw_value, IF(v25 IS NULL, 'missing', t25) AS tag, CAST(NULL AS FLOAT64) AS default_value),
        STRUCT(26 AS idx, v26 AS raw_value, IF(v26 IS NULL, 'missing', t26) AS tag, CAST(NULL AS FLOAT64) AS default_value),
        STRUCT(27 AS idx, v27 AS raw_value, IF(v27 IS NULL, 'missing', t27) AS tag, CAST(NULL AS FLOAT64) AS default_value),
        STRUCT(28 AS idx, v28 AS raw_value, IF(v28 IS NULL, 'default', t28) AS tag, 0.0 AS default_value),
        STRUCT(29 AS idx, v29 AS raw_value, IF(v29 IS NULL, 'default', t29) AS tag, 10.0 AS default_value),
        STRUCT(30 AS idx, v30 AS raw_value, IF(v30 IS NULL, 'default', t30) AS tag, 0.0 AS default_value),
        STRUCT(31 AS idx, v31 AS raw_value, IF(v31 IS NULL, 'default', t31) AS tag, 28.0 AS default_value),
        STRUCT(32 AS idx, v32 AS raw_value, IF(v32 IS NULL, 'default', t32) AS tag, 0.4 AS default_value),
        STRUCT(33 AS idx, v33 AS raw_value, IF(v33 IS NULL, 'default', t33) AS tag, 0.0 AS default_value),
        STRUCT(34 AS idx, v34 AS raw_value, IF(v34 IS NULL, 'default', t34) AS tag, 0.0 AS default_value),
        STRUCT(35 AS idx, v35 AS raw_value, IF(v35 IS NULL, 'default', t35) AS tag, 0.0 AS default_value),
        STRUCT(36 AS idx, v36 AS raw_value, IF(v36 IS NULL, 'default', t36) AS tag, 0.0 AS default_value),
        STRUCT(37 AS idx, v37 AS raw_value, IF(v37 IS NULL, 'default', t37) AS tag, 0.0 AS default_value),
        STRUCT(38 AS idx, v38 AS raw_value, IF(v38 IS NULL, 'missing', t38) AS tag, CAST(NULL AS FLOAT64) AS default_value),
        STRUCT(39 AS idx, v39 AS raw_value, IF(v39 IS NULL, 'missing', t39) AS tag, CAST(NULL AS FLOAT64) AS default_value),
        STRUCT(40 AS idx, v40 AS raw_value, IF(v40 IS NULL, 'missing', t40) AS tag, CAST(NULL AS FLOAT64) AS default_value),
        STRUCT(41 AS idx, v41 AS raw_value, IF(v41 IS NULL, 'missing', t41) AS tag, CAST(NULL AS FLOAT64) AS default_value),
        STRUCT(42 AS idx, v42 AS raw_value, IF(v42 IS NULL, 'missing', t42) AS tag, CAST(NULL AS FLOAT64) AS default_value),
        STRUCT(43 AS idx, v43 AS raw_value, IF(v43 IS NULL, 'missing', t43) AS tag, CAST(NULL AS FLOAT64) AS default_value),
        STRUCT(44 AS idx, v44 AS raw_value, IF(v44 IS NULL, 'missing', t44) AS tag, CAST(NULL AS FLOAT64) AS default_value),
        STRUCT(45 AS idx, v45 AS raw_value, IF(v45 IS NULL, 'missing', t45) AS tag, CAST(NULL AS FLOAT64) AS default_value),
        STRUCT(46 AS idx, v46 AS raw_value, IF(v46 IS NULL, 'missing', t46) AS tag, CAST(NULL AS FLOAT64) AS default_value),
        STRUCT(47 AS idx, v47 AS raw_value, IF(v47 IS NULL, 'missing', t47) AS tag, CAST(NULL AS FLOAT64) AS default_value),
        STRUCT(48 AS idx, v48 AS raw_value, IF(v48 IS NULL, 'missing', t48) AS tag, CAST(NULL AS FLOAT64) AS default_value),
        STRUCT(49 AS idx, v49 AS raw_value, IF(v49 IS NULL, 'missing', t49) AS tag, CAST(NULL AS FLOAT64) AS default_value),
        STRUCT(50 AS idx, v50 AS raw_value, IF(v50 IS NULL, 'missing', t50) AS tag, CAST(NULL AS FLOAT64) AS default_value),
        STRUCT(51 AS idx, v51 AS raw_value, IF(v51 IS NULL, 'missing', t51) AS tag, CAST(NULL AS FLOAT64) AS default_value),
        STRUCT(52 AS idx, v52 AS raw_value, IF(v52 IS NULL, 'missing', t52) AS tag, CAST(NULL AS FLOAT64) AS default_value),
        STRUCT(53 AS idx, v53 AS raw_value, IF(v53 IS NULL, 'missing', t53) AS tag, CAST(NULL AS FLOAT64) AS default_value),
        STRUCT(54 AS idx, v54 AS raw_value, IF(v54 IS NULL, 'missing', t54) AS tag, CAST(NULL AS FLOAT64) AS default_value),
        STRUCT(55 AS idx, v55 AS raw_value, IF(v55 IS NULL, 'missing', t55) AS tag, CAST(NULL AS FLOAT64) AS default_value),
        STRUCT(56 AS idx, v56 AS raw_value, IF(v56 IS NULL, 'missing', t56) AS tag, CAST(NULL AS FLOAT64) AS default_value),
        STRUCT(57 AS idx, v57 AS raw_value, IF(v57 IS NULL, 'missing', t57) AS tag, CAST(NULL AS FLOAT64) AS default_value),
        STRUCT(58 AS idx, v58 AS raw_value, IF(v58 IS NULL, 'missing', t58) AS tag, CAST(NULL AS FLOAT64) AS default_value),
        STRUCT(59 AS idx, v59 AS raw_value, IF(v59 IS NULL, 'missing', t59) AS tag, CAST(NULL AS FLOAT64) AS default_value)
      ]) AS f
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
          COUNTIF(quality >= 85 AND idx IN (5, 6, 7, 8, 13, 14)) AS critical_high,
          COUNTIF(NOT defaulted AND idx NOT IN (5, 6, 7, 8, 13, 14)) AS optional_present,
          ROUND(AVG(IF(idx IN (5, 6, 7, 8, 13, 14), quality, NULL)), 1) AS matchup_pct,
          ROUND(AVG(IF(idx IN (0, 1, 2, 3, 4, 29, 30, 31, 32, 33, 34, 35, 36, 37, 43, 44, 45, 46, 48, 49, 54, 55, 56, 58), quality, NULL)), 1) AS player_history_pct,
          ROUND(AVG(IF(idx IN (22, 23, 24, 57), quality, NULL)), 1) AS team_context_pct,
          ROUND(AVG(IF(idx IN (25, 26, 27, 28), quality, NULL)), 1) AS vegas_pct,
          ROUND(AVG(IF(idx IN (9, 10, 11, 12, 15, 16, 17, 18, 19, 20, 21, 38, 39, 40, 41, 42, 47, 50, 51, 52, 53, 59), quality, NULL)), 1) AS game_context_pct,
          COUNTIF(defaulted AND idx IN (5, 6, 7, 8, 13, 14)) AS matchup_defaults,
          COUNTIF(defaulted AND idx IN (0, 1, 2, 3, 4, 29, 30, 31, 32, 33, 34, 35, 36, 37, 43, 44, 45, 46, 48, 49, 54, 55, 56, 58)) AS player_history_defaults,
          COUNTIF(defaulted AND idx IN (22, 23, 24, 57)) AS team_context_defaults,
          COUNTIF(defaulted AND idx IN (25, 26, 27, 28)) AS vegas_defaults,
          COUNTIF(defaulted AND idx IN (9, 10, 11, 12, 15, 16, 17, 18, 19, 20, 21, 38, 39, 40, 41, 42, 47, 50, 51, 52, 53, 59)) AS game_context_defaults,
          COUNTIF(defaulted AND idx IN (5, 6, 7, 8)) AS composite_defaults,
          COUNTIF(defaulted AND idx IN (13, 14)) AS defense_defaults,
          STRING_AGG(IF(defaulted, FORMAT('"%d":"%s"', idx, tag), NULL), ',' ORDER BY idx) AS fallback_reasons
        FROM feature_rows
        GROUP BY player_lookup
      ),
      graded AS (
        SELECT
          d.* EXCEPT (v0, t0, v1, t1, v2, t2, v3, t3, v4, t4, v5, t5, v6, t6, v7, t7, v8, t8, v9, t9, v10, t10, v11, t11, v12, t12, v13, t13, v14, t14, v15, t15, v16, t16, v17, t17, v18, t18, v19, t19, v20, t20, v21, t21, v22, t22, v23, t23, v24, t24, v25, t25, v26, t26, v27, t27, v28, t28, v29, t29, v30, t30, v31, t31, v32, t32, v33, t33, v34, t34, v35, t35, v36, t36, v37, t37, v38, t38, v39, t39, v40, t40, v41, t41, v42, t42, v43, t43, v44, t44, v45, t45, v46, t46, v47, t47, v48, t48, v49, t49, v50, t50, v51, t51, v52, t52, v53, t53, v54, t54, v55, t55, v56, t56, v57, t57, v58, t58, v59, t59),
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
        IF(g.early_season, ARRAY(SELECT 0.0 FROM UNNEST(GENERATE_ARRAY(1, 60))),
           ARRAY(SELECT f.array_value FROM UNNEST(g.scored) AS f ORDER BY f.idx)) AS features,
        ['points_avg_last_5', 'points_avg_last_10', 'points_avg_season', 'points_std_last_10', 'games_in_last_7_days', 'fatigue_score', 'shot_zone_mismatch_score', 'pace_score', 'usage_spike_score', 'rest_advantage', 'injury_risk', 'recent_trend', 'minutes_change', 'opponent_def_rating', 'opponent_pace', 'home_away', 'back_to_back', 'playoff_game', 'pct_paint', 'pct_mid_range', 'pct_three', 'pct_free_throw', 'team_pace', 'team_off_rating', 'team_win_pct', 'vegas_points_line', 'vegas_opening_line', 'vegas_line_move', 'has_vegas_line', 'avg_points_vs_opponent', 'games_vs_opponent', 'minutes_avg_last_10', 'ppm_avg_last_10', 'dnp_rate', 'pts_slope_10g', 'pts_vs_season_zscore', 'breakout_flag', 'star_teammates_out', 'game_total_line', 'days_rest', 'minutes_load_last_7d', 'spread_magnitude', 'implied_team_total', 'points_avg_last_3', 'scoring_trend_slope', 'deviation_from_avg_last3', 'consecutive_games_below_avg', 'teammate_usage_available', 'usage_rate_last_5', 'games_since_structural_change', 'multi_book_line_std', 'prop_over_streak', 'prop_under_streak', 'line_vs_season_avg', 'prop_line_delta', 'over_rate_last_10', 'margin_vs_line_avg_last_5', 'blowout_minutes_risk', 'minutes_volatility_last_10', 'opponent_pace_mismatch'] AS feature_names,
        60 AS feature_count,
        'v2_54features' AS feature_version,
        CAST(NULL AS INT64) AS feature_generation_time_ms,
        g.score AS feature_quality_score,
        g.opponent_team_abbr,
        g.home_game AS is_home,
        g.days_rest,
        CASE
          WHEN g.early_season THEN 'early_season'
          WHEN g.phase4_tags >= 0.9 * 60 THEN 'phase4'
          WHEN g.phase4_tags >= 0.5 * 60 THEN 'phase4_partial'
          WHEN g.phase3_tags >= 0.5 * 60 THEN 'phase3'
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
          IF(g.default_count / 60 > 0.2,
             [FORMAT('high_default_rate_%dpct', CAST(ROUND(100 * g.default_count / 60) AS INT64))], []),
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
        '{"0":"player_daily_cache","1":"player_daily_cache","2":"player_daily_cache","3":"player_daily_cache","4":"player_daily_cache","5":"player_composite_factors","6":"player_composite_factors","7":"player_composite_factors","8":"player_composite_factors","9":"calculated","10":"calculated","11":"calculated","12":"calculated","13":"team_defense_zone_analysis","14":"team_defense_zone_analysis","15":"upcoming_player_game_context","16":"upcoming_player_game_context","17":"upcoming_player_game_context","18":"player_shot_zone_analysis","19":"player_shot_zone_analysis","20":"player_shot_zone_analysis","21":"calculated","22":"team_offense_game_summary","23":"team_offense_game_summary","24":"calculated","25":"odds_api","26":"odds_api","27":"calculated","28":"calculated","29":"player_game_summary","30":"player_game_summary","31":"player_daily_cache","32":"player_daily_cache","33":"calculated","34":"calculated","35":"calculated","36":"calculated","37":"upcoming_player_game_context","38":"upcoming_player_game_context","39":"upcoming_player_game_context","40":"upcoming_player_game_context","41":"upcoming_player_game_context","42":"calculated","43":"calculated","44":"calculated","45":"calculated","46":"calculated","47":"default","48":"calculated","49":"calculated","50":"default","51":"upcoming_player_game_context","52":"upcoming_player_game_context","53":"calculated","54":"calculated","55":"calculated","56":"calculated","57":"calculated","58":"calculated","59":"calculated"}' AS feature_upstream_tables_json,
        '{}' AS feature_last_updated_json,
        'v2_60features' AS feature_schema_version,
        ['points_avg_last_5', 'points_avg_last_10', 'points_avg_season', 'points_std_last_10', 'games_in_last_7_days', 'fatigue_score', 'shot_zone_mismatch_score', 'pace_score', 'usage_spike_score', 'rest_advantage', 'injury_risk', 'recent_trend', 'minutes_change', 'opponent_def_rating', 'opponent_pace', 'home_away', 'back_to_back', 'playoff_game', 'pct_paint', 'pct_mid_range', 'pct_three', 'pct_free_throw', 'team_pace', 'team_off_rating', 'team_win_pct', 'vegas_points_line', 'vegas_opening_line', 'vegas_line_move', 'has_vegas_line', 'avg_points_vs_opponent', 'games_vs_opponent', 'minutes_avg_last_10', 'ppm_avg_last_10', 'dnp_rate', 'pts_slope_10g', 'pts_vs_season_zscore', 'breakout_flag', 'star_teammates_out', 'game_total_line', 'days_rest', 'minutes_load_last_7d', 'spread_magnitude', 'implied_team_total', 'points_avg_last_3', 'scoring_trend_slope', 'deviation_from_avg_last3', 'consecutive_games_below_avg', 'teammate_usage_available', 'usage_rate_last_5', 'games_since_structural_change', 'multi_book_line_std', 'prop_over_streak', 'prop_under_streak', 'line_vs_season_avg', 'prop_line_delta', 'over_rate_last_10', 'margin_vs_line_avg_last_5', 'blowout_minutes_risk', 'minutes_volatility_last_10', 'opponent_pace_mismatch'] AS available_feature_names,
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
        'v1_hybrid_20260205' AS quality_schema_version,
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
      scored[OFFSET(0)].value AS feature_0_value, scored[OFFSET(0)].quality AS feature_0_quality, scored[OFFSET(0)].source AS feature_0_source,
      scored[OFFSET(1)].value AS feature_1_value, scored[OFFSET(1)].quality AS feature_1_quality, scored[OFFSET(1)].source AS feature_1_source,
      scored[OFFSET(2)].value AS feature_2_value, scored[OFFSET(2)].quality AS feature_2_quality, scored[OFFSET(2)].source AS feature_2_source,
      scored[OFFSET(3)].value AS feature_3_value, scored[OFFSET(3)].quality AS feature_3_quality, scored[OFFSET(3)].source AS feature_3_source,
      scored[OFFSET(4)].value AS feature_4_value, scored[OFFSET(4)].quality AS feature_4_quality, scored[OFFSET(4)].source AS feature_4_source,
      scored[OFFSET(5)].value AS feature_5_value, scored[OFFSET(5)].quality AS feature_5_quality, scored[OFFSET(5)].source AS feature_5_source,
      scored[OFFSET(6)].value AS feature_6_value, scored[OFFSET(6)].quality AS feature_6_quality, scored[OFFSET(6)].source AS feature_6_source,
      scored[OFFSET(7)].value AS feature_7_value, scored[OFFSET(7)].quality AS feature_7_quality, scored[OFFSET(7)].source AS feature_7_source,
      scored[OFFSET(8)].value AS feature_8_value, scored[OFFSET(8)].quality AS feature_8_quality, scored[OFFSET(8)].source AS feature_8_source,
      scored[OFFSET(9)].value AS feature_9_value, scored[OFFSET(9)].quality AS feature_9_quality, scored[OFFSET(9)].source AS feature_9_source,
      scored[OFFSET(10)].value AS feature_10_value, scored[OFFSET(10)].quality AS feature_10_quality, scored[OFFSET(10)].source AS feature_10_source,
      scored[OFFSET(11)].value AS feature_11_value, scored[OFFSET(11)].quality AS feature_11_quality, scored[OFFSET(11)].source AS feature_11_source,
      scored[OFFSET(12)].value AS feature_12_value, scored[OFFSET(12)].quality AS feature_12_quality, scored[OFFSET(12)].source AS feature_12_source,
      scored[OFFSET(13)].value AS feature_13_value, scored[OFFSET(13)].quality AS feature_13_quality, scored[OFFSET(13)].source AS feature_13_source,
      scored[OFFSET(14)].value AS feature_14_value, scored[OFFSET(14)].quality AS feature_14_quality, scored[OFFSET(14)].source AS feature_14_source,
      scored[OFFSET(15)].value AS feature_15_value, scored[OFFSET(15)].quality AS feature_15_quality, scored[OFFSET(15)].source AS feature_15_source,
      scored[OFFSET(16)].value AS feature_16_value, scored[OFFSET(16)].quality AS feature_16_quality, scored[OFFSET(16)].source AS feature_16_source,
      scored[OFFSET(17)].value AS feature_17_value, scored[OFFSET(17)].quality AS feature_17_quality, scored[OFFSET(17)].source AS feature_17_source,
      scored[OFFSET(18)].value AS feature_18_value, scored[OFFSET(18)].quality AS feature_18_quality, scored[OFFSET(18)].source AS feature_18_source,
      scored[OFFSET(19)].value AS feature_19_value, scored[OFFSET(19)].quality AS feature_19_quality, scored[OFFSET(19)].source AS feature_19_source,
      scored[OFFSET(20)].value AS feature_20_value, scored[OFFSET(20)].quality AS feature_20_quality, scored[OFFSET(20)].source AS feature_20_source,
      scored[OFFSET(21)].value AS feature_21_value, scored[OFFSET(21)].quality AS feature_21_quality, scored[OFFSET(21)].source AS feature_21_source,
      scored[OFFSET(22)].value AS feature_22_value, scored[OFFSET(22)].quality AS feature_22_quality, scored[OFFSET(22)].source AS feature_22_source,
      scored[OFFSET(23)].value AS feature_23_value, scored[OFFSET(23)].quality AS feature_23_quality, scored[OFFSET(23)].source AS feature_23_source,
      scored[OFFSET(24)].value AS feature_24_value, scored[OFFSET(24)].quality AS feature_24_quality, scored[OFFSET(24)].source AS feature_24_source,
      scored[OFFSET(25)].value AS feature_25_value, scored[OFFSET(25)].quality AS feature_25_quality, scored[OFFSET(25)].source AS feature_25_source,
      scored[OFFSET(26)].value AS feature_26_value, scored[OFFSET(26)].quality AS feature_26_quality, scored[OFFSET(26)].source AS feature_26_source,
      scored[OFFSET(27)].value AS feature_27_value, scored[OFFSET(27)].quality AS feature_27_quality, scored[OFFSET(27)].source AS feature_27_source,
      scored[OFFSET(28)].value AS feature_28_value, scored[OFFSET(28)].quality AS feature_28_quality, scored[OFFSET(28)].source AS feature_28_source,
      scored[OFFSET(29)].value AS feature_29_value, scored[OFFSET(29)].quality AS feature_29_quality, scored[OFFSET(29)].source AS feature_29_source,
      scored[OFFSET(30)].value AS feature_30_value, scored[OFFSET(30)].quality AS feature_30_quality, scored[OFFSET(30)].source AS feature_30_source,
      scored[OFFSET(31)].value AS feature_31_value, scored[OFFSET(31)].quality AS feature_31_quality, scored[OFFSET(31)].source AS feature_31_source,
      scored[OFFSET(32)].value AS feature_32_value, scored[OFFSET(32)].quality AS feature_32_quality, scored[OFFSET(32)].source AS feature_32_source,
      scored[OFFSET(33)].value AS feature_33_value, scored[OFFSET(33)].quality AS feature_33_quality, scored[OFFSET(33)].source AS feature_33_source,
      scored[OFFSET(34)].value AS feature_34_value, scored[OFFSET(34)].quality AS feature_34_quality, scored[OFFSET(34)].source AS feature_34_source,
      scored[OFFSET(35)].value AS feature_35_value, scored[OFFSET(35)].quality AS feature_35_quality, scored[OFFSET(35)].source AS feature_35_source,
      scored[OFFSET(36)].value AS feature_36_value, scored[OFFSET(36)].quality AS feature_36_quality, scored[OFFSET(36)].source AS feature_36_source,
      scored[OFFSET(37)].value AS feature_37_value, scored[OFFSET(37)].quality AS feature_37_quality, scored[OFFSET(37)].source AS feature_37_source,
      scored[OFFSET(38)].value AS feature_38_value, scored[OFFSET(38)].quality AS feature_38_quality, scored[OFFSET(38)].source AS feature_38_source,
      scored[OFFSET(39)].value AS feature_39_value, scored[OFFSET(39)].quality AS feature_39_quality, scored[OFFSET(39)].source AS feature_39_source,
      scored[OFFSET(40)].value AS feature_40_value, scored[OFFSET(40)].quality AS feature_40_quality, scored[OFFSET(40)].source AS feature_40_source,
      scored[OFFSET(41)].value AS feature_41_value, scored[OFFSET(41)].quality AS feature_41_quality, scored[OFFSET(41)].source AS feature_41_source,
      scored[OFFSET(42)].value AS feature_42_value, scored[OFFSET(42)].quality AS feature_42_quality, scored[OFFSET(42)].source AS feature_42_source,
      scored[OFFSET(43)].value AS feature_43_value, scored[OFFSET(43)].quality AS feature_43_quality, scored[OFFSET(43)].source AS feature_43_source,
      scored[OFFSET(44)].value AS feature_44_value, scored[OFFSET(44)].quality AS feature_44_quality, scored[OFFSET(44)].source AS feature_44_source,
      scored[OFFSET(45)].value AS feature_45_value, scored[OFFSET(45)].quality AS feature_45_quality, scored[OFFSET(45)].source AS feature_45_source,
      scored[OFFSET(46)].value AS feature_46_value, scored[OFFSET(46)].quality AS feature_46_quality, scored[OFFSET(46)].source AS feature_46_source,
      scored[OFFSET(47)].value AS feature_47_value, scored[OFFSET(47)].quality AS feature_47_quality, scored[OFFSET(47)].source AS feature_47_source,
      scored[OFFSET(48)].value AS feature_48_value, scored[OFFSET(48)].quality AS feature_48_quality, scored[OFFSET(48)].source AS feature_48_source,
      scored[OFFSET(49)].value AS feature_49_value, scored[OFFSET(49)].quality AS feature_49_quality, scored[OFFSET(49)].source AS feature_49_source,
      scored[OFFSET(50)].value AS feature_50_value, scored[OFFSET(50)].quality AS feature_50_quality, scored[OFFSET(50)].source AS feature_50_source,
      scored[OFFSET(51)].value AS feature_51_value, scored[OFFSET(51)].quality AS feature_51_quality, scored[OFFSET(51)].source AS feature_51_source,
      scored[OFFSET(52)].value AS feature_52_value, scored[OFFSET(52)].quality AS feature_52_quality, scored[OFFSET(52)].source AS feature_52_source,
      scored[OFFSET(53)].value AS feature_53_value, scored[OFFSET(53)].quality AS feature_53_quality, scored[OFFSET(53)].source AS feature_53_source,
      scored[OFFSET(54)].value AS feature_54_value, scored[OFFSET(54)].quality AS feature_54_quality, scored[OFFSET(54)].source AS feature_54_source,
      scored[OFFSET(55)].value AS feature_55_value, scored[OFFSET(55)].quality AS feature_55_quality, scored[OFFSET(55)].source AS feature_55_source,
      scored[OFFSET(56)].value AS feature_56_value, scored[OFFSET(56)].quality AS feature_56_quality, scored[OFFSET(56)].source AS feature_56_source,
      scored[OFFSET(57)].value AS feature_57_value, scored[OFFSET(57)].quality AS feature_57_quality, scored[OFFSET(57)].source AS feature_57_source,
      scored[OFFSET(58)].value AS feature_58_value, scored[OFFSET(58)].quality AS feature_58_quality, scored[OFFSET(58)].source AS feature_58_source,
      scored[OFFSET(59)].value AS feature_59_value, scored[OFFSET(59)].quality AS feature_59_quality, scored[OFFSET(59)].source AS feature_59_source
      FROM graded AS g
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
  universal_player_id = S.universal_player_id,
  game_id = S.game_id,
  features = S.features,
  feature_names = S.feature_names,
  feature_count = S.feature_count,
  feature_version = S.feature_version,
  feature_generation_time_ms = S.feature_generation_time_ms,
  feature_quality_score = S.feature_quality_score,
  opponent_team_abbr = S.opponent_team_abbr,
  is_home = S.is_home,
  days_rest = S.days_rest,
  data_source = S.data_source,
  source_daily_cache_last_updated = S.source_daily_cache_last_updated,
  source_daily_cache_rows_found = S.source_daily_cache_rows_found,
  source_daily_cache_completeness_pct = S.source_daily_cache_completeness_pct,
  source_daily_cache_hash = S.source_daily_cache_hash,
  source_composite_last_updated = S.source_composite_last_updated,
  source_composite_rows_found = S.source_composite_rows_found,
  source_composite_completeness_pct = S.source_composite_completeness_pct,
  source_composite_hash = S.source_composite_hash,
  source_shot_zones_last_updated = S.source_shot_zones_last_updated,
  source_shot_zones_rows_found = S.source_shot_zones_rows_found,
  source_shot_zones_completeness_pct = S.source_shot_zones_completeness_pct,
  source_shot_zones_hash = S.source_shot_zones_hash,
  source_team_defense_last_updated = S.source_team_defense_last_updated,
  source_team_defense_rows_found = S.source_team_defense_rows_found,
  source_team_defense_completeness_pct = S.source_team_defense_completeness_pct,
  source_team_defense_hash = S.source_team_defense_hash,
  early_season_flag = S.early_season_flag,
  insufficient_data_reason = S.insufficient_data_reason,
  expected_games_count = S.expected_games_count,
  actual_games_count = S.actual_games_count,
  completeness_percentage = S.completeness_percentage,
  missing_games_count = S.missing_games_count,
  is_production_ready = S.is_production_ready,
  data_quality_issues = S.data_quality_issues,
  last_reprocess_attempt_at = S.last_reprocess_attempt_at,
  reprocess_attempt_count = S.reprocess_attempt_count,
  circuit_breaker_active = S.circuit_breaker_active,
  circuit_breaker_until = S.circuit_breaker_until,
  manual_override_required = S.manual_override_required,
  season_boundary_detected = S.season_boundary_detected,
  backfill_bootstrap_mode = S.backfill_bootstrap_mode,
  processing_decision_reason = S.processing_decision_reason,
  data_hash = S.data_hash,
  historical_completeness = S.historical_completeness,
  updated_at = S.updated_at,
  quality_tier = S.quality_tier,
  quality_alert_level = S.quality_alert_level,
  quality_alerts = S.quality_alerts,
  default_feature_count = S.default_feature_count,
  required_default_count = S.required_default_count,
  default_feature_indices = S.default_feature_indices,
  phase4_feature_count = S.phase4_feature_count,
  phase3_feature_count = S.phase3_feature_count,
  calculated_feature_count = S.calculated_feature_count,
  is_training_ready = S.is_training_ready,
  training_quality_feature_count = S.training_quality_feature_count,
  is_quality_ready = S.is_quality_ready,
  matchup_quality_pct = S.matchup_quality_pct,
  player_history_quality_pct = S.player_history_quality_pct,
  team_context_quality_pct = S.team_context_quality_pct,
  vegas_quality_pct = S.vegas_quality_pct,
  game_context_quality_pct = S.game_context_quality_pct,
  matchup_default_count = S.matchup_default_count,
  player_history_default_count = S.player_history_default_count,
  team_context_default_count = S.team_context_default_count,
  vegas_default_count = S.vegas_default_count,
  game_context_default_count = S.game_context_default_count,
  has_composite_factors = S.has_composite_factors,
  has_opponent_defense = S.has_opponent_defense,
  has_vegas_line = S.has_vegas_line,
  vegas_line_source = S.vegas_line_source,
  critical_features_training_quality = S.critical_features_training_quality,
  critical_feature_count = S.critical_feature_count,
  optional_feature_count = S.optional_feature_count,
  matchup_quality_tier = S.matchup_quality_tier,
  game_context_quality_tier = S.game_context_quality_tier,
  feature_0_quality = S.feature_0_quality,
  feature_1_quality = S.feature_1_quality,
  feature_2_quality = S.feature_2_quality,
  feature_3_quality = S.feature_3_quality,
  feature_4_quality = S.feature_4_quality,
  feature_5_quality = S.feature_5_quality,
  feature_6_quality = S.feature_6_quality,
  feature_7_quality = S.feature_7_quality,
  feature_8_quality = S.feature_8_quality,
  feature_9_quality = S.feature_9_quality,
  feature_10_quality = S.feature_10_quality,
  feature_11_quality = S.feature_11_quality,
  feature_12_quality = S.feature_12_quality,
  feature_13_quality = S.feature_13_quality,
  feature_14_quality = S.feature_14_quality,
  feature_15_quality = S.feature_15_quality,
  feature_16_quality = S.feature_16_quality,
  feature_17_quality = S.feature_17_quality,
  feature_18_quality = S.feature_18_quality,
  feature_19_quality = S.feature_19_quality,
  feature_20_quality = S.feature_20_quality,
  feature_21_quality = S.feature_21_quality,
  feature_22_quality = S.feature_22_quality,
  feature_23_quality = S.feature_23_quality,
  feature_24_quality = S.feature_24_quality,
  feature_25_quality = S.feature_25_quality,
  feature_26_quality = S.feature_26_quality,
  feature_27_quality = S.feature_27_quality,
  feature_28_quality = S.feature_28_quality,
  feature_29_quality = S.feature_29_quality,
  feature_30_quality = S.feature_30_quality,
  feature_31_quality = S.feature_31_quality,
  feature_32_quality = S.feature_32_quality,
  feature_33_quality = S.feature_33_quality,
  feature_34_quality = S.feature_34_quality,
  feature_35_quality = S.feature_35_quality,
  feature_36_quality = S.feature_36_quality,
  feature_37_quality = S.feature_37_quality,
  feature_38_quality = S.feature_38_quality,
  feature_39_quality = S.feature_39_quality,
  feature_40_quality = S.feature_40_quality,
  feature_41_quality = S.feature_41_quality,
  feature_42_quality = S.feature_42_quality,
  feature_43_quality = S.feature_43_quality,
  feature_44_quality = S.feature_44_quality,
  feature_45_quality = S.feature_45_quality,
  feature_46_quality = S.feature_46_quality,
  feature_47_quality = S.feature_47_quality,
  feature_48_quality = S.feature_48_quality,
  feature_49_quality = S.feature_49_quality,
  feature_50_quality = S.feature_50_quality,
  feature_51_quality = S.feature_51_quality,
  feature_52_quality = S.feature_52_quality,
  feature_53_quality = S.feature_53_quality,
  feature_0_source = S.feature_0_source,
  feature_1_source = S.feature_1_source,
  feature_2_source = S.feature_2_source,
  feature_3_source = S.feature_3_source,
  feature_4_source = S.feature_4_source,
  feature_5_source = S.feature_5_source,
  feature_6_source = S.feature_6_source,
  feature_7_source = S.feature_7_source,
  feature_8_source = S.feature_8_source,
  feature_9_source = S.feature_9_source,
  feature_10_source = S.feature_10_source,
  feature_11_source = S.feature_11_source,
  feature_12_source = S.feature_12_source,
  feature_13_source = S.feature_13_source,
  feature_14_source = S.feature_14_source,
  feature_15_source = S.feature_15_source,
  feature_16_source = S.feature_16_source,
  feature_17_source = S.feature_17_source,
  feature_18_source = S.feature_18_source,
  feature_19_source = S.feature_19_source,
  feature_20_source = S.feature_20_source,
  feature_21_source = S.feature_21_source,
  feature_22_source = S.feature_22_source,
  feature_23_source = S.feature_23_source,
  feature_24_source = S.feature_24_source,
  feature_25_source = S.feature_25_source,
  feature_26_source = S.feature_26_source,
  feature_27_source = S.feature_27_source,
  feature_28_source = S.feature_28_source,
  feature_29_source = S.feature_29_source,
  feature_30_source = S.feature_30_source,
  feature_31_source = S.feature_31_source,
  feature_32_source = S.feature_32_source,
  feature_33_source = S.feature_33_source,
  feature_34_source = S.feature_34_source,
  feature_35_source = S.feature_35_source,
  feature_36_source = S.feature_36_source,
  feature_37_source = S.feature_37_source,
  feature_38_source = S.feature_38_source,
  feature_39_source = S.feature_39_source,
  feature_40_source = S.feature_40_source,
  feature_41_source = S.feature_41_source,
  feature_42_source = S.feature_42_source,
  feature_43_source = S.feature_43_source,
  feature_44_source = S.feature_44_source,
  feature_45_source = S.feature_45_source,
  feature_46_source = S.feature_46_source,
  feature_47_source = S.feature_47_source,
  feature_48_source = S.feature_48_source,
  feature_49_source = S.feature_49_source,
  feature_50_source = S.feature_50_source,
  feature_51_source = S.feature_51_source,
  feature_52_source = S.feature_52_source,
  feature_53_source = S.feature_53_source,
  feature_0_value = S.feature_0_value,
  feature_1_value = S.feature_1_value,
  feature_2_value = S.feature_2_value,
  feature_3_value = S.feature_3_value,
  feature_4_value = S.feature_4_value,
  feature_5_value = S.feature_5_value,
  feature_6_value = S.feature_6_value,
  feature_7_value = S.feature_7_value,
  feature_8_value = S.feature_8_value,
  feature_9_value = S.feature_9_value,
  feature_10_value = S.feature_10_value,
  feature_11_value = S.feature_11_value,
  feature_12_value = S.feature_12_value,
  feature_13_value = S.feature_13_value,
  feature_14_value = S.feature_14_value,
  feature_15_value = S.feature_15_value,
  feature_16_value = S.feature_16_value,
  feature_17_value = S.feature_17_value,
  feature_18_value = S.feature_18_value,
  feature_19_value = S.feature_19_value,
  feature_20_value = S.feature_20_value,
  feature_21_value = S.feature_21_value,
  feature_22_value = S.feature_22_value,
  feature_23_value = S.feature_23_value,
  feature_24_value = S.feature_24_value,
  feature_25_value = S.feature_25_value,
  feature_26_value = S.feature_26_value,
  feature_27_value = S.feature_27_value,
  feature_28_value = S.feature_28_value,
  feature_29_value = S.feature_29_value,
  feature_30_value = S.feature_30_value,
  feature_31_value = S.feature_31_value,
  feature_32_value = S.feature_32_value,
  feature_33_value = S.feature_33_value,
  feature_34_value = S.feature_34_value,
  feature_35_value = S.feature_35_value,
  feature_36_value = S.feature_36_value,
  feature_37_value = S.feature_37_value,
  feature_38_value = S.feature_38_value,
  feature_39_value = S.feature_39_value,
  feature_40_value = S.feature_40_value,
  feature_41_value = S.feature_41_value,
  feature_42_value = S.feature_42_value,
  feature_43_value = S.feature_43_value,
  feature_44_value = S.feature_44_value,
  feature_45_value = S.feature_45_value,
  feature_46_value = S.feature_46_value,
  feature_47_value = S.feature_47_value,
  feature_48_value = S.feature_48_value,
  feature_49_value = S.feature_49_value,
  feature_50_value = S.feature_50_value,
  feature_51_value = S.feature_51_value,
  feature_52_value = S.feature_52_value,
  feature_53_value = S.feature_53_value,
  feature_54_value = S.feature_54_value,
  feature_fallback_reasons_json = S.feature_fallback_reasons_json,
  feature_sample_sizes_json = S.feature_sample_sizes_json,
  feature_expected_values_json = S.feature_expected_values_json,
  feature_value_ranges_valid_json = S.feature_value_ranges_valid_json,
  feature_upstream_tables_json = S.feature_upstream_tables_json,
  feature_last_updated_json = S.feature_last_updated_json,
  feature_schema_version = S.feature_schema_version,
  available_feature_names = S.available_feature_names,
  breakout_model_compatible = S.breakout_model_compatible,
  breakout_v3_features_available = S.breakout_v3_features_available,
  upstream_processors_ran = S.upstream_processors_ran,
  missing_processors = S.missing_processors,
  feature_store_age_hours = S.feature_store_age_hours,
  upstream_data_freshness_hours = S.upstream_data_freshness_hours,
  quality_computed_at = S.quality_computed_at,
  quality_schema_version = S.quality_schema_version,
  feature_sources = S.feature_sources,
  primary_data_source = S.primary_data_source,
  matchup_data_status = S.matchup_data_status,
  cache_miss_fallback_used = S.cache_miss_fallback_used,
  feature_54_quality = S.feature_54_quality,
  feature_54_source = S.feature_54_source,
  feature_55_value = S.feature_55_value,
  feature_55_quality = S.feature_55_quality,
  feature_55_source = S.feature_55_source,
  feature_56_value = S.feature_56_value,
  feature_56_quality = S.feature_56_quality,
  feature_56_source = S.feature_56_source,
  feature_57_value = S.feature_57_value,
  feature_57_quality = S.feature_57_quality,
  feature_57_source = S.feature_57_source,
  feature_58_value = S.feature_58_value,
  feature_58_quality = S.feature_58_quality,
  feature_58_source = S.feature_58_source,
  feature_59_value = S.feature_59_value,
  feature_59_quality = S.feature_59_quality,
  feature_59_source = S.feature_59_source,
  quality_score = S.quality_score,
  window_completeness = S.window_completeness,
  rolling_features_complete = S.rolling_features_complete,
  contextual_features_complete = S.contextual_features_complete,
  opponent_features_complete = S.opponent_features_complete,
  upstream_quality_min = S.upstream_quality_min,
  processing_context = S.processing_context,
  _fence = S._fence,
  _run_id = S._run_id
WHEN NOT MATCHED BY TARGET THEN INSERT (
  player_lookup, universal_player_id, game_date, game_id, features, feature_names, feature_count,
  feature_version, feature_generation_time_ms, feature_quality_score, opponent_team_abbr, is_home,
  days_rest, data_source, source_daily_cache_last_updated, source_daily_cache_rows_found,
  source_daily_cache_completeness_pct, source_daily_cache_hash, source_composite_last_updated,
  source_composite_rows_found, source_composite_completeness_pct, source_composite_hash,
  source_shot_zones_last_updated, source_shot_zones_rows_found, source_shot_zones_completeness_pct,
  source_shot_zones_hash, source_team_defense_last_updated, source_team_defense_rows_found,
  source_team_defense_completeness_pct, source_team_defense_hash, early_season_flag,
  insufficient_data_reason, expected_games_count, actual_games_count, completeness_percentage,
  missing_games_count, is_production_ready, data_quality_issues, last_reprocess_attempt_at,
  reprocess_attempt_count, circuit_breaker_active, circuit_breaker_until, manual_override_required,
  season_boundary_detected, backfill_bootstrap_mode, processing_decision_reason, data_hash,
  historical_completeness, created_at, updated_at, quality_tier, quality_alert_level,
  quality_alerts, default_feature_count, required_default_count, default_feature_indices,
  phase4_feature_count, phase3_feature_count, calculated_feature_count, is_training_ready,
  training_quality_feature_count, is_quality_ready, matchup_quality_pct, player_history_quality_pct,
  team_context_quality_pct, vegas_quality_pct, game_context_quality_pct, matchup_default_count,
  player_history_default_count, team_context_default_count, vegas_default_count,
  game_context_default_count, has_composite_factors, has_opponent_defense, has_vegas_line,
  vegas_line_source, critical_features_training_quality, critical_feature_count,
  optional_feature_count, matchup_quality_tier, game_context_quality_tier, feature_0_quality,
  feature_1_quality, feature_2_quality, feature_3_quality, feature_4_quality, feature_5_quality,
  feature_6_quality, feature_7_quality, feature_8_quality, feature_9_quality, feature_10_quality,
  feature_11_quality, feature_12_quality, feature_13_quality, feature_14_quality,
  feature_15_quality, feature_16_quality, feature_17_quality, feature_18_quality,
  feature_19_quality, feature_20_quality, feature_21_quality, feature_22_quality,
  feature_23_quality, feature_24_quality, feature_25_quality, feature_26_quality,
  feature_27_quality, feature_28_quality, feature_29_quality, feature_30_quality,
  feature_31_quality, feature_32_quality, feature_33_quality, feature_34_quality,
  feature_35_quality, feature_36_quality, feature_37_quality, feature_38_quality,
  feature_39_quality, feature_40_quality, feature_41_quality, feature_42_quality,
  feature_43_quality, feature_44_quality, feature_45_quality, feature_46_quality,
  feature_47_quality, feature_48_quality, feature_49_quality, feature_50_quality,
  feature_51_quality, feature_52_quality, feature_53_quality, feature_0_source, feature_1_source,
  feature_2_source, feature_3_source, feature_4_source, feature_5_source, feature_6_source,
  feature_7_source, feature_8_source, feature_9_source, feature_10_source, feature_11_source,
  feature_12_source, feature_13_source, feature_14_source, feature_15_source, feature_16_source,
  feature_17_source, feature_18_source, feature_19_source, feature_20_source, feature_21_source,
  feature_22_source, feature_23_source, feature_24_source, feature_25_source, feature_26_source,
  feature_27_source, feature_28_source, feature_29_source, feature_30_source, feature_31_source,
  feature_32_source, feature_33_source, feature_34_source, feature_35_source, feature_36_source,
  feature_37_source, feature_38_source, feature_39_source, feature_40_source, feature_41_source,
  feature_42_source, feature_43_source, feature_44_source, feature_45_source, feature_46_source,
  feature_47_source, feature_48_source, feature_49_source, feature_50_source, feature_51_source,
  feature_52_source, feature_53_source, feature_0_value, feature_1_value, feature_2_value,
  feature_3_value, feature_4_value, feature_5_value, feature_6_value, feature_7_value,
  feature_8_value, feature_9_value, feature_10_value, feature_11_value, feature_12_value,
  feature_13_value, feature_14_value, feature_15_value, feature_16_value, feature_17_value,
  feature_18_value, feature_19_value, feature_20_value, feature_21_value, feature_22_value,
  feature_23_value, feature_24_value, feature_25_value, feature_26_value, feature_27_value,
  feature_28_value, feature_29_value, feature_30_value, feature_31_value, feature_32_value,
  feature_33_value, feature_34_value, feature_35_value, feature_36_value, feature_37_value,
  feature_38_value, feature_39_value, feature_40_value, feature_41_value, feature_42_value,
  feature_43_value, feature_44_value, feature_45_value, feature_46_value, feature_47_value,
  feature_48_value, feature_49_value, feature_50_value, feature_51_value, feature_52_value,
  feature_53_value, feature_54_value, feature_fallback_reasons_json, feature_sample_sizes_json,
  feature_expected_values_json, feature_value_ranges_valid_json, feature_upstream_tables_json,
  feature_last_updated_json, feature_schema_version, available_feature_names,
  breakout_model_compatible, breakout_v3_features_available, upstream_processors_ran,
  missing_processors, feature_store_age_hours, upstream_data_freshness_hours, quality_computed_at,
  quality_schema_version, feature_sources, primary_data_source, matchup_data_status,
  cache_miss_fallback_used, feature_54_quality, feature_54_source, feature_55_value,
  feature_55_quality, feature_55_source, feature_56_value, feature_56_quality, feature_56_source,
  feature_57_value, feature_57_quality, feature_57_source, feature_58_value, feature_58_quality,
  feature_58_source, feature_59_value, feature_59_quality, feature_59_source, quality_score,
  window_completeness, rolling_features_complete, contextual_features_complete,
  opponent_features_complete, upstream_quality_min, processing_context, _fence, _run_id
) VALUES (
  S.player_lookup, S.universal_player_id, S.game_date, S.game_id, S.features, S.feature_names,
  S.feature_count, S.feature_version, S.feature_generation_time_ms, S.feature_quality_score,
  S.opponent_team_abbr, S.is_home, S.days_rest, S.data_source, S.source_daily_cache_last_updated,
  S.source_daily_cache_rows_found, S.source_daily_cache_completeness_pct, S.source_daily_cache_hash,
  S.source_composite_last_updated, S.source_composite_rows_found,
  S.source_composite_completeness_pct, S.source_composite_hash, S.source_shot_zones_last_updated,
  S.source_shot_zones_rows_found, S.source_shot_zones_completeness_pct, S.source_shot_zones_hash,
  S.source_team_defense_last_updated, S.source_team_defense_rows_found,
  S.source_team_defense_completeness_pct, S.source_team_defense_hash, S.early_season_flag,
  S.insufficient_data_reason, S.expected_games_count, S.actual_games_count,
  S.completeness_percentage, S.missing_games_count, S.is_production_ready, S.data_quality_issues,
  S.last_reprocess_attempt_at, S.reprocess_attempt_count, S.circuit_breaker_active,
  S.circuit_breaker_until, S.manual_override_required, S.season_boundary_detected,
  S.backfill_bootstrap_mode, S.processing_decision_reason, S.data_hash, S.historical_completeness,
  S.created_at, S.updated_at, S.quality_tier, S.quality_alert_level, S.quality_alerts,
  S.default_feature_count, S.required_default_count, S.default_feature_indices,
  S.phase4_feature_count, S.phase3_feature_count, S.calculated_feature_count, S.is_training_ready,
  S.training_quality_feature_count, S.is_quality_ready, S.matchup_quality_pct,
  S.player_history_quality_pct, S.team_context_quality_pct, S.vegas_quality_pct,
  S.game_context_quality_pct, S.matchup_default_count, S.player_history_default_count,
  S.team_context_default_count, S.vegas_default_count, S.game_context_default_count,
  S.has_composite_factors, S.has_opponent_defense, S.has_vegas_line, S.vegas_line_source,
  S.critical_features_training_quality, S.critical_feature_count, S.optional_feature_count,
  S.matchup_quality_tier, S.game_context_quality_tier, S.feature_0_quality, S.feature_1_quality,
  S.feature_2_quality, S.feature_3_quality, S.feature_4_quality, S.feature_5_quality,
  S.feature_6_quality, S.feature_7_quality, S.feature_8_quality, S.feature_9_quality,
  S.feature_10_quality, S.feature_11_quality, S.feature_12_quality, S.feature_13_quality,
  S.feature_14_quality, S.feature_15_quality, S.feature_16_quality, S.feature_17_quality,
  S.feature_18_quality, S.feature_19_quality, S.feature_20_quality, S.feature_21_quality,
  S.feature_22_quality, S.feature_23_quality, S.feature_24_quality, S.feature_25_quality,
  S.feature_26_quality, S.feature_27_quality, S.feature_28_quality, S.feature_29_quality,
  S.feature_30_quality, S.feature_31_quality, S.feature_32_quality, S.feature_33_quality,
  S.feature_34_quality, S.feature_35_quality, S.feature_36_quality, S.feature_37_quality,
  S.feature_38_quality, S.feature_39_quality, S.feature_40_quality, S.feature_41_quality,
  S.feature_42_quality, S.feature_43_quality, S.feature_44_quality, S.feature_45_quality,
  S.feature_46_quality, S.feature_47_quality, S.feature_48_quality, S.feature_49_quality,
  S.feature_50_quality, S.feature_51_quality, S.feature_52_quality, S.feature_53_quality,
  S.feature_0_source, S.feature_1_source, S.feature_2_source, S.feature_3_source,
  S.feature_4_source, S.feature_5_source, S.feature_6_source, S.feature_7_source,
  S.feature_8_source, S.feature_9_source, S.feature_10_source, S.feature_11_source,
  S.feature_12_source, S.feature_13_source, S.feature_14_source, S.feature_15_source,
  S.feature_16_source, S.feature_17_source, S.feature_18_source, S.feature_19_source,
  S.feature_20_source, S.feature_21_source, S.feature_22_source, S.feature_23_source,
  S.feature_24_source, S.feature_25_source, S.feature_26_source, S.feature_27_source,
  S.feature_28_source, S.feature_29_source, S.feature_30_source, S.feature_31_source,
  S.feature_32_source, S.feature_33_source, S.feature_34_source, S.feature_35_source,
  S.feature_36_source, S.feature_37_source, S.feature_38_source, S.feature_39_source,
  S.feature_40_source, S.feature_41_source, S.feature_42_source, S.feature_43_source,
  S.feature_44_source, S.feature_45_source, S.feature_46_source, S.feature_47_source,
  S.feature_48_source, S.feature_49_source, S.feature_50_source, S.feature_51_source,
  S.feature_52_source, S.feature_53_source, S.feature_0_value, S.feature_1_value, S.feature_2_value,
  S.feature_3_value, S.feature_4_value, S.feature_5_value, S.feature_6_value, S.feature_7_value,
  S.feature_8_value, S.feature_9_value, S.feature_10_value, S.feature_11_value, S.feature_12_value,
  S.feature_13_value, S.feature_14_value, S.feature_15_value, S.feature_16_value,
  S.feature_17_value, S.feature_18_value, S.feature_19_value, S.feature_20_value,
  S.feature_21_value, S.feature_22_value, S.feature_23_value, S.feature_24_value,
  S.feature_25_value, S.feature_26_value, S.feature_27_value, S.feature_28_value,
  S.feature_29_value, S.feature_30_value, S.feature_31_value, S.feature_32_value,
  S.feature_33_value, S.feature_34_value, S.feature_35_value, S.feature_36_value,
  S.feature_37_value, S.feature_38_value, S.feature_39_value, S.feature_40_value,
  S.feature_41_value, S.feature_42_value, S.feature_43_value, S.feature_44_value,
  S.feature_45_value, S.feature_46_value, S.feature_47_value, S.feature_48_value,
  S.feature_49_value, S.feature_50_value, S.feature_51_value, S.feature_52_value,
  S.feature_53_value, S.feature_54_value, S.feature_fallback_reasons_json,
  S.feature_sample_sizes_json, S.feature_expected_values_json, S.feature_value_ranges_valid_json,
  S.feature_upstream_tables_json, S.feature_last_updated_json, S.feature_schema_version,
  S.available_feature_names, S.breakout_model_compatible, S.breakout_v3_features_available,
  S.upstream_processors_ran, S.missing_processors, S.feature_store_age_hours,
  S.upstream_data_freshness_hours, S.quality_computed_at, S.quality_schema_version,
  S.feature_sources, S.primary_data_source, S.matchup_data_status, S.cache_miss_fallback_used,
  S.feature_54_quality, S.feature_54_source, S.feature_55_value, S.feature_55_quality,
  S.feature_55_source, S.feature_56_value, S.feature_56_quality, S.feature_56_source,
  S.feature_57_value, S.feature_57_quality, S.feature_57_source, S.feature_58_value,
  S.feature_58_quality, S.feature_58_source, S.feature_59_value, S.feature_59_quality,
  S.feature_59_source, S.quality_score, S.window_completeness, S.rolling_features_complete,
  S.contextual_features_complete, S.opponent_features_complete, S.upstream_quality_min,
  S.processing_context, S._fence, S._run_id
)
WHEN NOT MATCHED BY SOURCE AND T.game_date = @target_date AND T._fence <= @fence
  AND @fence >= (
        SELECT IFNULL(MAX(fence), 0)
        FROM `nba-props-platform.nba_pipeline_audit.fence_watermarks`
        WHERE target_date = @target_date AND table_name = @sink_table
      ) THEN DELETE
