-- Staging table function: the spread and total of every game of start_date..end_date. The raw
-- table has one row per snapshot, bookmaker, market and outcome; spreads are read from the home
-- team's outcome (the away team's is its negation). Per game and market:
--   * the highest-priority bookmaker (draftkings, then fanduel, then the others by key) gives the
--     current value (its latest snapshot) and the opening value (its earliest snapshot);
--   * the consensus values are the medians over bookmakers of each one's latest (earliest) value.
CREATE OR REPLACE TABLE FUNCTION `${project}.${analytics_dataset}.stg_game_lines`(start_date DATE, end_date DATE) AS (
  WITH quotes AS (
    SELECT
      game_date, home_team_abbr, away_team_abbr, bookmaker_key, market_key, snapshot_timestamp,
      outcome_point AS value,
      CASE bookmaker_key WHEN 'draftkings' THEN 1 WHEN 'fanduel' THEN 2 ELSE 3 END AS priority
    FROM `${project}.${raw_dataset}.odds_api_game_lines`
    WHERE game_date BETWEEN start_date AND end_date AND outcome_point IS NOT NULL
      AND ((market_key = 'spreads' AND outcome_name = home_team) OR (market_key = 'totals' AND outcome_name = 'Over'))
  ),
  book_values AS (
    SELECT
      game_date, home_team_abbr, away_team_abbr, market_key, bookmaker_key, priority,
      ARRAY_AGG(value ORDER BY snapshot_timestamp DESC LIMIT 1)[OFFSET(0)] AS latest_value,
      ARRAY_AGG(value ORDER BY snapshot_timestamp LIMIT 1)[OFFSET(0)] AS earliest_value,
      MAX(snapshot_timestamp) AS latest_at
    FROM quotes
    GROUP BY game_date, home_team_abbr, away_team_abbr, market_key, bookmaker_key, priority
  ),
  medians AS (
    SELECT DISTINCT
      game_date, home_team_abbr, away_team_abbr, market_key,
      PERCENTILE_CONT(latest_value, 0.5)
        OVER (PARTITION BY game_date, home_team_abbr, away_team_abbr, market_key) AS consensus_current,
      PERCENTILE_CONT(earliest_value, 0.5)
        OVER (PARTITION BY game_date, home_team_abbr, away_team_abbr, market_key) AS consensus_opening
    FROM book_values
  ),
  markets AS (
    SELECT
      game_date, home_team_abbr, away_team_abbr, market_key,
      ARRAY_AGG(
        STRUCT(bookmaker_key AS bookmaker, latest_value AS current_value, earliest_value AS opening_value,
               latest_at AS updated_at)
        ORDER BY priority, bookmaker_key LIMIT 1
      )[OFFSET(0)] AS chosen,
      COUNT(*) AS bookmakers,
      STRING_AGG(bookmaker_key, ',' ORDER BY bookmaker_key) AS bookmaker_list
    FROM book_values
    GROUP BY game_date, home_team_abbr, away_team_abbr, market_key
  )
  SELECT
    m.game_date,
    m.home_team_abbr,
    m.away_team_abbr,
    MAX(IF(m.market_key = 'spreads', m.chosen.current_value, NULL)) AS home_spread,
    MAX(IF(m.market_key = 'spreads', m.chosen.opening_value, NULL)) AS home_spread_opening,
    MAX(IF(m.market_key = 'spreads', m.chosen.bookmaker, NULL)) AS spread_source,
    MAX(IF(m.market_key = 'spreads', m.chosen.updated_at, NULL)) AS spread_updated_at,
    MAX(IF(m.market_key = 'spreads', d.consensus_current, NULL)) AS home_spread_consensus,
    MAX(IF(m.market_key = 'spreads', d.consensus_opening, NULL)) AS home_spread_consensus_opening,
    MAX(IF(m.market_key = 'spreads', m.bookmakers, NULL)) AS spread_bookmakers,
    MAX(IF(m.market_key = 'spreads', m.bookmaker_list, NULL)) AS spread_bookmaker_list,
    MAX(IF(m.market_key = 'totals', m.chosen.current_value, NULL)) AS total,
    MAX(IF(m.market_key = 'totals', m.chosen.opening_value, NULL)) AS total_opening,
    MAX(IF(m.market_key = 'totals', m.chosen.bookmaker, NULL)) AS total_source,
    MAX(IF(m.market_key = 'totals', m.chosen.updated_at, NULL)) AS total_updated_at,
    MAX(IF(m.market_key = 'totals', d.consensus_current, NULL)) AS total_consensus,
    MAX(IF(m.market_key = 'totals', d.consensus_opening, NULL)) AS total_consensus_opening,
    MAX(IF(m.market_key = 'totals', m.bookmakers, NULL)) AS total_bookmakers,
    MAX(IF(m.market_key = 'totals', m.bookmaker_list, NULL)) AS total_bookmaker_list
  FROM markets AS m
  JOIN medians AS d
    ON d.game_date = m.game_date AND d.home_team_abbr = m.home_team_abbr
    AND d.away_team_abbr = m.away_team_abbr AND d.market_key = m.market_key
  GROUP BY m.game_date, m.home_team_abbr, m.away_team_abbr
);
