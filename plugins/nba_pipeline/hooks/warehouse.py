"""A hook for the package's own BigQuery reads: SQL files from ``include/sql`` run as query jobs.

It goes through the Google provider's ``BigQueryHook.get_client`` (the client path), which
honours ``BIGQUERY_EMULATOR_HOST``; the provider's DB-API path does not.
"""

from __future__ import annotations

from typing import Any

from airflow.providers.google.cloud.hooks.bigquery import BigQueryHook

from nba_pipeline.config import settings
from nba_pipeline.warehouse import run_query_file


class WarehouseHook(BigQueryHook):
    """
    Run the package's parameterised SQL files and return their rows as dicts.

    :param gcp_conn_id: The connection ID to use when fetching connection info.
    """

    hook_name = "NBA warehouse"

    def __init__(self, gcp_conn_id: str | None = None, **kwargs: Any) -> None:
        config = settings()
        kwargs.setdefault("location", config.bigquery_location)
        kwargs.setdefault("use_legacy_sql", False)
        super().__init__(gcp_conn_id=gcp_conn_id or config.gcp_conn_id, **kwargs)

    def client(self):
        return self.get_client(project_id=settings().project, location=self.location)

    def query_file(self, relative_path: str, extra=None, **parameters) -> list[dict]:
        return run_query_file(self.client(), relative_path, extra=extra, **parameters)
