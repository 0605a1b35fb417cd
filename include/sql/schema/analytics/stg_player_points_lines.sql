-- Staging view: one points line per player and game date, from the highest-priority bookmaker
-- (draftkings, then fanduel, then the others by name), that bookmaker's latest snapshot taken
-- before tip-off (in-game snapshots have minutes_before_tipoff < 0).
CREATE OR REPLACE VIEW `${project}.${analytics_dataset}.stg_player_points_lines` AS
SELECT game_date, player_lookup, bookmaker AS line_bookmaker, points_line, snapshot_timestamp
FROM `${project}.${raw_dataset}.odds_api_player_points_props`
WHERE player_lookup IS NOT NULL AND COALESCE(minutes_before_tipoff, 0) >= 0
QUALIFY ROW_NUMBER() OVER (
  PARTITION BY game_date, player_lookup
  ORDER BY
    CASE bookmaker WHEN 'draftkings' THEN 1 WHEN 'fanduel' THEN 2 ELSE 3 END,
    bookmaker,
    snapshot_timestamp DESC,
    points_line
) = 1;
