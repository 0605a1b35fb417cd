-- Staging view: the field goal attempts of the play-by-play, one row per action, with the
-- shooter, the NBA.com game id, the zone (paint: a two within 8 feet of the basket, as the
-- platform classifies them; mid_range: a longer two; three) and whether an assist is recorded.
CREATE OR REPLACE VIEW `${project}.${analytics_dataset}.stg_shot_events` AS
SELECT
  nba_game_id AS game_id,
  game_date,
  event_sequence AS event_id,
  player_1_team_abbr AS team_abbr,
  player_1_lookup AS player_lookup,
  CASE
    WHEN shot_type = '3PT' THEN 'three'
    WHEN shot_distance <= 8.0 THEN 'paint'
    ELSE 'mid_range'
  END AS shot_zone,
  shot_made,
  shot_made AND player_2_lookup IS NOT NULL AS assisted
FROM `${project}.${raw_dataset}.nbac_play_by_play`
WHERE event_type = 'fieldgoal' AND shot_type IN ('2PT', '3PT') AND player_1_lookup IS NOT NULL;
