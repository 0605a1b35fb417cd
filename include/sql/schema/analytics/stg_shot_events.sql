-- Staging table function: the field goal attempts of the play-by-play of start_date..end_date,
-- one row per action (the latest version of a re-scraped action), with the shooter, the zone as
-- the platform classifies it (paint: a two within 8 feet; mid_range: a longer two; three), the
-- points it was worth and whether an assist is recorded.
CREATE OR REPLACE TABLE FUNCTION `${project}.${analytics_dataset}.stg_shot_events`(start_date DATE, end_date DATE) AS (
  SELECT
    game_id,
    nba_game_id,
    game_date,
    event_id,
    player_1_team_abbr AS team_abbr,
    player_1_lookup AS player_lookup,
    CASE
      WHEN shot_type = '3PT' THEN 'three'
      WHEN shot_distance <= 8.0 THEN 'paint'
      ELSE 'mid_range'
    END AS shot_zone,
    shot_made,
    IF(shot_made, IF(shot_type = '3PT', 3, 2), 0) AS shot_points,
    shot_made AND player_2_lookup IS NOT NULL AS assisted,
    processed_at,
    data_hash
  FROM `${project}.${raw_dataset}.nbac_play_by_play`
  WHERE game_date BETWEEN start_date AND end_date
    AND event_type = 'fieldgoal' AND shot_type IN ('2PT', '3PT') AND player_1_lookup IS NOT NULL
  QUALIFY ROW_NUMBER() OVER (PARTITION BY game_id, event_id ORDER BY processed_at DESC, data_hash) = 1
);
