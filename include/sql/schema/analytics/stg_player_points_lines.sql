-- Staging table function: each player's points line for the games of start_date..end_date.
-- The current (closing) line is the highest-priority bookmaker's latest snapshot taken before
-- tip-off (draftkings, then fanduel, then the others by name; in-game snapshots have
-- minutes_before_tipoff < 0), the opening line that bookmaker's earliest snapshot. A player the
-- Odds API has no line for falls back to BettingPros (its points market, DraftKings, then
-- FanDuel, then the other books, BettingPros Consensus last), as the platform cascades.
CREATE OR REPLACE TABLE FUNCTION `${project}.${analytics_dataset}.stg_player_points_lines`(start_date DATE, end_date DATE) AS (
  WITH odds AS (
    SELECT
      game_date, player_lookup, bookmaker, points_line, snapshot_timestamp, processed_at, data_hash,
      CASE LOWER(bookmaker) WHEN 'draftkings' THEN 1 WHEN 'fanduel' THEN 2 ELSE 3 END AS priority
    FROM `${project}.${raw_dataset}.odds_api_player_points_props`
    WHERE game_date BETWEEN start_date AND end_date
      AND player_lookup IS NOT NULL AND IFNULL(minutes_before_tipoff, 0) >= 0
  ),
  odds_books AS (
    SELECT
      game_date, player_lookup,
      COUNT(DISTINCT bookmaker) AS bookmakers,
      COUNT(*) AS snapshots,
      MAX(processed_at) AS last_processed_at
    FROM odds
    GROUP BY game_date, player_lookup
  ),
  odds_current AS (
    SELECT * FROM odds
    WHERE TRUE
    QUALIFY ROW_NUMBER() OVER (
      PARTITION BY game_date, player_lookup
      ORDER BY priority, bookmaker, snapshot_timestamp DESC, points_line
    ) = 1
  ),
  odds_lines AS (
    SELECT
      c.game_date, c.player_lookup, 'odds_api' AS line_table,
      c.points_line AS current_line, c.bookmaker AS current_source,
      o.points_line AS opening_line, o.bookmaker AS opening_source,
      b.bookmakers, b.snapshots, b.last_processed_at, c.data_hash
    FROM odds_current AS c
    JOIN odds_books AS b USING (game_date, player_lookup)
    -- The opening line is the same bookmaker's earliest pre-game snapshot.
    JOIN (
      SELECT * FROM odds
      WHERE TRUE
      QUALIFY ROW_NUMBER() OVER (
        PARTITION BY game_date, player_lookup, bookmaker ORDER BY snapshot_timestamp, points_line
      ) = 1
    ) AS o
      ON o.game_date = c.game_date AND o.player_lookup = c.player_lookup AND o.bookmaker = c.bookmaker
  ),
  bettingpros AS (
    SELECT
      game_date, player_lookup, bookmaker, points_line, opening_line, bookmaker_last_update,
      processed_at, data_hash,
      CASE bookmaker WHEN 'DraftKings' THEN 1 WHEN 'FanDuel' THEN 2 WHEN 'BettingPros Consensus' THEN 99 ELSE 50 END
        AS priority
    FROM `${project}.${raw_dataset}.bettingpros_player_points_props`
    WHERE game_date BETWEEN start_date AND end_date
      AND market_type = 'points' AND is_active AND player_lookup IS NOT NULL
  ),
  bettingpros_lines AS (
    SELECT
      game_date, player_lookup, 'bettingpros' AS line_table,
      points_line AS current_line, CONCAT('bettingpros_', bookmaker) AS current_source,
      opening_line, IF(opening_line IS NULL, NULL, CONCAT('bettingpros_', bookmaker)) AS opening_source,
      COUNT(DISTINCT bookmaker) OVER (PARTITION BY game_date, player_lookup) AS bookmakers,
      COUNT(*) OVER (PARTITION BY game_date, player_lookup) AS snapshots,
      MAX(processed_at) OVER (PARTITION BY game_date, player_lookup) AS last_processed_at,
      data_hash
    FROM bettingpros
    WHERE TRUE
    QUALIFY ROW_NUMBER() OVER (
      PARTITION BY game_date, player_lookup
      ORDER BY priority, bookmaker, bookmaker_last_update DESC, points_line
    ) = 1
  )
  SELECT * FROM odds_lines
  UNION ALL
  SELECT b.* FROM bettingpros_lines AS b
  LEFT JOIN odds_lines AS o ON o.game_date = b.game_date AND o.player_lookup = b.player_lookup
  WHERE o.player_lookup IS NULL
);
