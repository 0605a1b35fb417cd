-- The sink's highest fence for one table and date (0 when nothing ever wrote it).
SELECT IFNULL(MAX(fence), 0) AS fence
FROM `${project}.${audit_dataset}.fence_watermarks`
WHERE target_date = @target_date AND table_name = @sink_table
