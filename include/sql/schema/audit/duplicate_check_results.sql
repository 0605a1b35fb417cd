-- One row per duplicate-key check of one output table for one date; the health check reads
-- the history. Appended by a load job after each phase's checks.
CREATE TABLE IF NOT EXISTS `${project}.${audit_dataset}.duplicate_check_results` (
  check_id STRING NOT NULL,           -- unique id of this check
  checked_at TIMESTAMP NOT NULL,      -- server time the check query ran
  run_id STRING NOT NULL,             -- Airflow run (or CLI invocation) that ran the check
  phase INT64 NOT NULL,               -- 3 analytics, 4 precompute
  table_name STRING NOT NULL,         -- dataset.table checked
  date_column STRING NOT NULL,        -- the table's date column (first merge-key column)
  target_date DATE NOT NULL,          -- the date checked (D or D + 1)
  key_columns STRING NOT NULL,        -- merge-key columns, comma-separated, as grouped by
  row_count INT64 NOT NULL,           -- rows of the date
  distinct_keys INT64 NOT NULL,       -- distinct merge keys of the date
  duplicated_keys INT64 NOT NULL,     -- keys held by more than one row
  excess_rows INT64 NOT NULL,         -- rows beyond one per key (row_count - distinct_keys)
  offending_keys STRING NOT NULL,     -- JSON list of up to 10 {"key": {...}, "row_count": n}
  passed BOOL NOT NULL                -- no duplicated key
)
PARTITION BY target_date
CLUSTER BY table_name;
