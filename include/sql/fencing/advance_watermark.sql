-- Move the sink's fence for one table and date up to the caller's fence; never down.
-- Runs before the caller's MERGE, so the watermark is always at least every fence in the data.
MERGE `${project}.${audit_dataset}.fence_watermarks` AS T
USING (
  SELECT @sink_table AS table_name, @target_date AS target_date, @fence AS fence,
         @lock_key AS lock_key, @run_id AS run_id
) AS S
ON T.target_date = @target_date AND T.table_name = S.table_name
WHEN MATCHED AND T.fence < S.fence THEN UPDATE SET
  fence = S.fence, lock_key = S.lock_key, run_id = S.run_id, updated_at = CURRENT_TIMESTAMP()
WHEN NOT MATCHED THEN INSERT (table_name, target_date, fence, lock_key, run_id, updated_at)
  VALUES (S.table_name, S.target_date, S.fence, S.lock_key, S.run_id, CURRENT_TIMESTAMP())
