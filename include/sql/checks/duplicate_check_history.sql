-- Recorded duplicate-key checks of a range of checked dates, for the health check.
SELECT
  check_id,
  checked_at,
  run_id,
  phase,
  table_name,
  date_column,
  target_date,
  key_columns,
  row_count,
  distinct_keys,
  duplicated_keys,
  excess_rows,
  offending_keys,
  passed
FROM `${project}.${audit_dataset}.duplicate_check_results`
WHERE target_date BETWEEN @start_date AND @end_date
ORDER BY target_date, table_name, checked_at, check_id
