"""Loading generated raw data into BigQuery: one Parquet load job per table, never streaming.

With ``replace`` (the default) each table first loses the rows of the generated range (its
game dates, roster dates, or for the players registry its seasons), so seeding the same range
twice leaves the same rows, and other dates are never touched.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pyarrow.parquet as pq

from nba_pipeline.config import Settings, settings
from nba_pipeline_dev.seed.generator import RANGE_COLUMNS, RawData
from nba_pipeline_dev.seed.schemas import layer_of

Progress = Callable[[int, int, str], None]
LOAD_STEP = "load raw tables"  # the progress label of load(), one step per table

_DELETE_RANGE = "DELETE FROM `{table}` WHERE {column} BETWEEN @start AND @end"
_DELETE_SEASONS = "DELETE FROM `{table}` WHERE {column} IN UNNEST(@seasons)"


def _parquet(table) -> io.BytesIO:
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    buffer.seek(0)
    return buffer


def load(client, data: RawData, *, config: Settings | None = None, replace: bool = True,
         progress: Progress | None = None) -> dict[str, int]:
    """Load every table of ``data`` into its dataset; returns rows loaded per table.

    The tables must exist already (``nba_pipeline.warehouse.ensure_tables``).
    ``progress(done, total, LOAD_STEP)`` is called after each table.
    """
    from google.api_core.exceptions import NotFound
    from google.cloud import bigquery

    config = config or settings()
    range_parameters = [
        bigquery.ScalarQueryParameter("start", "DATE", data.start),
        bigquery.ScalarQueryParameter("end", "DATE", data.end),
    ]
    season_parameters = [bigquery.ArrayQueryParameter("seasons", "STRING", data.seasons)]
    loaded: dict[str, int] = {}
    total = len(data)
    for done, (name, table) in enumerate(data.items(), start=1):
        table_id = f"{config.project}.{config.dataset_for(layer_of(name))}.{name}"
        column = RANGE_COLUMNS[name]
        by_season = column == "season"
        try:
            if replace:
                client.query(
                    (_DELETE_SEASONS if by_season else _DELETE_RANGE).format(table=table_id, column=column),
                    job_config=bigquery.QueryJobConfig(
                        query_parameters=season_parameters if by_season else range_parameters),
                ).result()
            if table.num_rows:
                job_config = bigquery.LoadJobConfig(
                    source_format=bigquery.SourceFormat.PARQUET,
                    write_disposition=bigquery.WriteDisposition.WRITE_APPEND,
                )
                client.load_table_from_file(_parquet(table), table_id, job_config=job_config).result()
        except NotFound as error:
            raise LookupError(
                f"table {table_id} (or its dataset) does not exist: create them first with "
                "nba_pipeline.warehouse.ensure_datasets and ensure_tables"
            ) from error
        loaded[name] = table.num_rows
        if progress is not None:
            progress(done, total, LOAD_STEP)
    return loaded
