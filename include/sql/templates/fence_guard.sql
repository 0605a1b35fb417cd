-- The fence guard: a writer holding an older lease than the sink has seen (the fence watermark
-- of the table and date, advanced by every granted writer before its MERGE) writes nothing.
-- The one place that decides whether a writer may write at all.
@fence >= (
        SELECT IFNULL(MAX(fence), 0)
        FROM `${project}.${audit_dataset}.fence_watermarks`
        WHERE target_date = @target_date AND table_name = @sink_table
      )
