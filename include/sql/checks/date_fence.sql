-- The newest fencing token among a table's rows of one date, and how many rows the date has.
-- A processor compares it with its own fence after its MERGE: a newer one means its write was
-- refused, which must fail the task rather than pass silently.
SELECT
  IFNULL(MAX(_fence), 0) AS max_fence,
  COUNT(*) AS row_count
FROM `${project}.${dataset}.${table}`
WHERE ${date_column} = @target_date
