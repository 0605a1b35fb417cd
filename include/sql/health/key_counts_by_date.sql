-- Rows and merge-key duplicates of one output table for each date of a window, in one scan.
-- The table, its date column and key columns come from the processor registry (checked
-- identifiers); the window is a pair of query parameters. Dates without rows are absent.
WITH key_counts AS (
  SELECT ${date_column} AS day, ${key_columns}, COUNT(*) AS row_count
  FROM `${project}.${dataset}.${table}`
  WHERE ${date_column} BETWEEN @start_date AND @end_date
  GROUP BY ${date_column}, ${key_columns}
)
SELECT
  day,
  SUM(row_count) AS row_count,
  COUNT(*) AS distinct_keys,
  COUNTIF(row_count > 1) AS duplicated_keys,
  SUM(row_count) - COUNT(*) AS excess_rows
FROM key_counts
GROUP BY day
ORDER BY day
