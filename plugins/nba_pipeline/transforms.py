"""How a processor's MERGE is run: its SQL text (rendered by ``merge``) and its query parameters.

The DAG hands these to the Google provider as a BigQuery job configuration; tests and the CLI
run the same configuration through a plain client.
"""

from __future__ import annotations

import datetime as dt

from nba_pipeline.config import Settings, settings
from nba_pipeline.processors import Processor
from nba_pipeline.merge import render


def query_parameters(processor: Processor, business_date: dt.date, fence: int, run_id: str) -> list[dict]:
    """Parameters every processor SQL receives (REST ``queryParameters`` form).

    ``@target_date`` is the date the processor writes (D or D + 1), ``@business_date`` is D,
    ``@fence`` the lease's fencing token stored in ``_fence``, ``@run_id`` the Airflow run.
    """
    def scalar(name, kind, value):
        return {"name": name, "parameterType": {"type": kind}, "parameterValue": {"value": str(value)}}

    return [
        scalar("target_date", "DATE", processor.target_date(business_date).isoformat()),
        scalar("business_date", "DATE", business_date.isoformat()),
        scalar("fence", "INT64", int(fence)),
        scalar("run_id", "STRING", run_id),
    ]


def job_configuration(
    processor: Processor, business_date: dt.date, fence: int, run_id: str, config: Settings | None = None
) -> dict:
    """The BigQuery job configuration (REST form) that runs one processor for one date."""
    return {
        "query": {
            "query": render(processor, config or settings()),
            "useLegacySql": False,
            "parameterMode": "NAMED",
            "queryParameters": query_parameters(processor, business_date, fence, run_id),
        },
        "labels": {"nba_processor": processor.name, "nba_phase": str(processor.phase)},
    }


def run_processor(client, processor: Processor, business_date: dt.date, *, fence: int, run_id: str):
    """Run one processor's MERGE through a google-cloud-bigquery client and wait for it."""
    from google.cloud import bigquery

    configuration = job_configuration(processor, business_date, fence, run_id)
    job_config = bigquery.QueryJobConfig.from_api_repr(configuration)
    return client.query(configuration["query"]["query"], job_config=job_config).result()
