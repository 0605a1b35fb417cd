-- Staging table function shared by the phase 4 processors: the platform's season dates and
-- early-season rules for one analysis date (one row).
--   season_year     the season of the date (October onwards starts a new one, as the platform);
--   season_boundary October 1 of the season (the zone tables' sample boundary);
--   opening_night   the season's first regular-season game in the schedule between October 1
--                   and November 30, October 22 when the schedule has none (as the platform);
--   bootstrap_skip  the first 14 days from opening night (BOOTSTRAP_DAYS): phase 4 writes no rows.
CREATE OR REPLACE TABLE FUNCTION `${project}.${precompute_dataset}.stg_season_rules`(analysis_date DATE) AS (
  WITH season AS (
    SELECT IF(EXTRACT(MONTH FROM analysis_date) >= 10, EXTRACT(YEAR FROM analysis_date),
              EXTRACT(YEAR FROM analysis_date) - 1) AS season_year
  ),
  opening AS (
    SELECT MIN(g.game_date) AS first_game
    FROM season s
    JOIN `${project}.${analytics_dataset}.stg_game_teams`(
      DATE(EXTRACT(YEAR FROM analysis_date) - 1, 10, 1), DATE(EXTRACT(YEAR FROM analysis_date), 11, 30)) g
      ON g.game_date BETWEEN DATE(s.season_year, 10, 1) AND DATE(s.season_year, 11, 30)
    WHERE g.is_regular_season
  )
  SELECT
    s.season_year,
    DATE(s.season_year, 10, 1) AS season_boundary,
    IFNULL(o.first_game, DATE(s.season_year, 10, 22)) AS opening_night,
    DATE_DIFF(analysis_date, DATE(s.season_year, 10, 1), DAY) AS days_since_boundary,
    DATE_DIFF(analysis_date, IFNULL(o.first_game, DATE(s.season_year, 10, 22)), DAY) AS days_since_opening,
    DATE_DIFF(analysis_date, IFNULL(o.first_game, DATE(s.season_year, 10, 22)), DAY) BETWEEN 0 AND 13
      AS bootstrap_skip,
    EXTRACT(MONTH FROM analysis_date) IN (10, 11, 4) AS season_boundary_detected
  FROM season s
  CROSS JOIN opening o
);
