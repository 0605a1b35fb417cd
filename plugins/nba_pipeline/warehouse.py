"""Datasets and tables of the warehouse, created from the DDL files in ``include/sql/schema/``."""

from __future__ import annotations

from nba_pipeline.config import Settings, settings
from nba_pipeline.sql import load_sql, schema_files

LAYERS = ("raw", "reference", "analytics", "precompute", "predictions", "audit")


def ensure_datasets(client, config: Settings | None = None) -> list[str]:
    config = config or settings()
    created = []
    for layer in LAYERS:
        dataset_id = f"{config.project}.{config.dataset_for(layer)}"
        client.create_dataset(dataset_id, exists_ok=True)
        created.append(dataset_id)
    return created


def ensure_tables(client, config: Settings | None = None, layers: tuple[str, ...] = LAYERS) -> list[str]:
    """Run every ``CREATE TABLE IF NOT EXISTS`` file of the given layers; returns the files run."""
    config = config or settings()
    ran = []
    for layer in layers:
        for path in schema_files(layer):
            client.query(load_sql(path, config)).result()
            ran.append(path)
    return ran


def _query_parameter(name: str, value):
    import datetime as dt

    from google.cloud import bigquery

    if isinstance(value, bool):
        return bigquery.ScalarQueryParameter(name, "BOOL", value)
    if isinstance(value, int):
        return bigquery.ScalarQueryParameter(name, "INT64", value)
    if isinstance(value, float):
        return bigquery.ScalarQueryParameter(name, "FLOAT64", value)
    if isinstance(value, dt.datetime):
        return bigquery.ScalarQueryParameter(name, "TIMESTAMP", value)
    if isinstance(value, dt.date):
        return bigquery.ScalarQueryParameter(name, "DATE", value)
    if isinstance(value, (list, tuple)):
        kind = "INT64" if value and isinstance(value[0], int) else "STRING"
        return bigquery.ArrayQueryParameter(name, kind, list(value))
    return bigquery.ScalarQueryParameter(name, "STRING", None if value is None else str(value))


def run_query_file(client, relative_path: str, config: Settings | None = None, extra=None,
                   **parameters) -> list[dict]:
    """Run ``include/sql/<relative_path>`` with named parameters; rows as plain dicts.

    ``extra`` names identifiers of a generic query (a table, its columns), see ``load_sql``.
    """
    from google.cloud import bigquery

    job_config = bigquery.QueryJobConfig(
        query_parameters=[_query_parameter(k, v) for k, v in parameters.items()]
    )
    rows = client.query(load_sql(relative_path, config, extra=extra), job_config=job_config).result()
    return [dict(row.items()) for row in rows]
