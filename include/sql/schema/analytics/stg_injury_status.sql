-- Staging view: each player's latest injury status for a game date, from the latest report
-- (report date, then report hour) issued on or before that date.
CREATE OR REPLACE VIEW `${project}.${analytics_dataset}.stg_injury_status` AS
SELECT game_date, team AS team_abbr, player_lookup, injury_status, report_date, report_hour
FROM `${project}.${raw_dataset}.nbac_injury_report`
WHERE report_date <= game_date AND player_lookup IS NOT NULL
-- Two entries of one report disagreeing is resolved towards the more serious status.
QUALIFY ROW_NUMBER() OVER (
  PARTITION BY game_date, player_lookup
  ORDER BY report_date DESC, report_hour DESC,
    CASE injury_status
      WHEN 'out' THEN 1 WHEN 'doubtful' THEN 2 WHEN 'questionable' THEN 3
      WHEN 'probable' THEN 4 ELSE 5
    END
) = 1;
