-- Staging view: one spread (the home team's) and one total per game, from the highest-priority
-- bookmaker quoting both (draftkings, then fanduel, then the others by key) at its latest
-- snapshot. The raw table has one row per snapshot, bookmaker, market and outcome.
CREATE OR REPLACE VIEW `${project}.${analytics_dataset}.stg_game_lines` AS
WITH quotes AS (
  SELECT
    game_date, game_id AS odds_event_id, home_team_abbr, away_team_abbr, bookmaker_key,
    snapshot_timestamp,
    MAX(IF(market_key = 'spreads' AND outcome_name = home_team, outcome_point, NULL)) AS spread,
    MAX(IF(market_key = 'totals' AND outcome_name = 'Over', outcome_point, NULL)) AS total
  FROM `${project}.${raw_dataset}.odds_api_game_lines`
  GROUP BY game_date, game_id, home_team_abbr, away_team_abbr, bookmaker_key, snapshot_timestamp
)
SELECT game_date, odds_event_id, home_team_abbr, away_team_abbr, bookmaker_key, spread, total, snapshot_timestamp
FROM quotes
WHERE spread IS NOT NULL AND total IS NOT NULL
QUALIFY ROW_NUMBER() OVER (
  PARTITION BY game_date, home_team_abbr, away_team_abbr
  ORDER BY
    CASE bookmaker_key WHEN 'draftkings' THEN 1 WHEN 'fanduel' THEN 2 ELSE 3 END,
    bookmaker_key,
    snapshot_timestamp DESC
) = 1;
