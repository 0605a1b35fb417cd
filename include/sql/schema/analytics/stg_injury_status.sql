-- Staging table function: each player's latest injury status for the games of
-- start_date..end_date. A day's reports (several, by report_hour) list that day's and the next
-- day's games, so the reports of the day before start_date onwards are read; the latest report
-- (report date, then hour) issued on or before the game date wins, and two entries of one report
-- that disagree resolve towards the more serious status.
CREATE OR REPLACE TABLE FUNCTION `${project}.${analytics_dataset}.stg_injury_status`(start_date DATE, end_date DATE) AS (
  SELECT
    game_date, game_id, team AS team_abbr, player_lookup, injury_status, reason, reason_category,
    report_date, report_hour, processed_at, data_hash
  FROM `${project}.${raw_dataset}.nbac_injury_report`
  WHERE report_date BETWEEN DATE_SUB(start_date, INTERVAL 1 DAY) AND end_date
    AND game_date BETWEEN start_date AND end_date
    AND report_date <= game_date AND player_lookup IS NOT NULL
  QUALIFY ROW_NUMBER() OVER (
    PARTITION BY game_date, player_lookup
    ORDER BY report_date DESC, report_hour DESC,
      CASE injury_status
        WHEN 'out' THEN 1 WHEN 'doubtful' THEN 2 WHEN 'questionable' THEN 3
        WHEN 'probable' THEN 4 ELSE 5
      END,
      processed_at DESC
  ) = 1
);
