-- The highest fencing token that ever wrote (or was about to write) each table's date: the
-- sink's memory of the newest writer. Processors advance it before their MERGE and the MERGE
-- refuses fences below it. It lives outside the data, so a newer writer whose result is empty
-- (deleting every row of the date) cannot make the sink forget its fence.
CREATE TABLE IF NOT EXISTS `${project}.${audit_dataset}.fence_watermarks` (
  table_name STRING NOT NULL,         -- dataset.table the fence guards
  target_date DATE NOT NULL,          -- the table's date (D or D + 1)
  fence INT64 NOT NULL,               -- highest fence seen for (table_name, target_date)
  lock_key STRING NOT NULL,           -- the lease key that issued it
  run_id STRING NOT NULL,             -- Airflow run (or caller) that advanced it last
  updated_at TIMESTAMP NOT NULL
)
PARTITION BY target_date
CLUSTER BY table_name;
