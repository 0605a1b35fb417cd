-- The latest version of every scheduled game: one row per (game_id, game_date), the most
-- advanced status (3 final beats 2 in progress beats 1 scheduled), then the newest scrape.
-- Keyed on game_date as well as game_id because NBA.com reuses a game id on another date.
--
-- Readers filter game_date in their own query. game_date is in the window's PARTITION BY, so
-- BigQuery pushes that filter through the window onto the base table (which requires a
-- partition filter) and prunes its partitions; a filter on a column outside the PARTITION BY
-- could not be pushed. The platform's view also limits itself to 365 days before and 30 days
-- after CURRENT_DATE(); that window is left out here because it would hide every older date
-- from a backfill and make results depend on the day a query runs.
CREATE OR REPLACE VIEW `${project}.${raw_dataset}.v_nbac_schedule_latest` AS
SELECT * EXCEPT (version_rank)
FROM (
  SELECT
    *,
    ROW_NUMBER() OVER (
      PARTITION BY game_id, game_date
      ORDER BY game_status DESC, processed_at DESC
    ) AS version_rank
  FROM `${project}.${raw_dataset}.nbac_schedule`
)
WHERE version_rank = 1;
