-- ${table}: ${description}
-- The fenced, idempotent MERGE every processor runs, rendered by nba_pipeline.merge from this
-- template, the fence guard (templates/fence_guard.sql), the processor's source SELECT
-- (phase${phase}/${table}.sql) and the table's DDL (schema/${layer}/${table}.sql).
--   * The source SELECT yields the table's columns for the target date; the template adds the
--     lineage columns (_fence, _run_id), the write-context columns (processed_at, created_at,
--     processing_context, versions) and data_hash (over the values as written), and casts
--     NUMERIC columns to the DDL's precision and scale.
--   * Other dates are never touched: the source, the ON clause and the delete are all scoped
--     to the target date, which also lets BigQuery prune the target's partitions.
--   * A row already written under a newer fence is neither updated nor deleted, and a writer the
--     guard refuses deletes nothing either (its source is empty, so without the guard on the
--     delete it would remove the older rows a newer writer is about to replace).
MERGE `${project}.${dataset}.${table}` AS T
USING (
  SELECT
    typed.*${row_hash}
  FROM (
    SELECT
${typed_columns}
    FROM (
${source}
    ) AS source
    WHERE source.${date_column} = @target_date
      AND ${fence_guard}
  ) AS typed
) AS S
ON T.${date_column} = @target_date AND ${key_match}
WHEN MATCHED AND T._fence <= S._fence THEN UPDATE SET
${update_set}
WHEN NOT MATCHED BY TARGET THEN INSERT (
${insert_columns}
) VALUES (
${insert_values}
)
WHEN NOT MATCHED BY SOURCE AND T.${date_column} = @target_date AND T._fence <= @fence
  AND ${fence_guard} THEN DELETE
