-- Duplicate merge keys of one output table on one date: one row. A phase checks all its tables
-- in one query, this block once per table joined with UNION ALL, so the offending keys travel
-- as a JSON string (each table's key has its own columns).
-- The table, its date column, its key columns and the name of its date parameter come from the
-- processor registry, checked as identifiers; the date is a query parameter.
WITH key_counts AS (
  SELECT ${key_columns}, COUNT(*) AS row_count
  FROM `${project}.${dataset}.${table}`
  WHERE ${date_column} = @${date_parameter}
  GROUP BY ${key_columns}
),
totals AS (
  SELECT
    IFNULL(SUM(row_count), 0) AS row_count,
    COUNT(*) AS distinct_keys,
    COUNTIF(row_count > 1) AS duplicated_keys,
    IFNULL(SUM(row_count), 0) - COUNT(*) AS excess_rows
  FROM key_counts
),
offending AS (
  -- Worst keys first, ties in key order so repeated checks list the same keys. The STRUCT
  -- fields are named explicitly: bqemulator leaves inferred field names empty.
  SELECT
    TO_JSON_STRING(ARRAY_AGG(
      STRUCT(${key_fields}, row_count AS row_count)
      ORDER BY row_count DESC, ${key_columns}
      LIMIT 10
    )) AS offending_keys
  FROM key_counts
  WHERE row_count > 1
)
SELECT
  '${table}' AS table_name,
  CURRENT_TIMESTAMP() AS checked_at,
  totals.row_count,
  totals.distinct_keys,
  totals.duplicated_keys,
  totals.excess_rows,
  offending.offending_keys
FROM totals
CROSS JOIN offending
