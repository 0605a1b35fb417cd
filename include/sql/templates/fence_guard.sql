-- The fence guard: a writer whose lease is older than the rows already written for the date
-- writes nothing. The one place that decides whether a writer may write at all.
@fence >= (
        SELECT IFNULL(MAX(_fence), 0)
        FROM `${project}.${dataset}.${table}`
        WHERE ${date_column} = @target_date
      )
