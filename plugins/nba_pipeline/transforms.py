"""How a processor's MERGE is run: its SQL text (rendered by ``merge``) and its query parameters.

The DAG hands these to the Google provider as a BigQuery job configuration; tests and the CLI
run the same configuration through a plain client.
"""

from __future__ import annotations

import datetime as dt

from nba_pipeline.config import Settings, settings
from nba_pipeline.merge import render
from nba_pipeline.processors import Processor


def query_parameters(processor: Processor, business_date: dt.date, run_id: str,
                     config: Settings | None = None) -> list[dict]:
    """Parameters every processor SQL receives (REST ``queryParameters`` form), but the fence.

    ``@target_date`` is the date the processor writes (D or D + 1), ``@business_date`` is D,
    ``@run_id`` the Airflow run, ``@sink_table`` the ``dataset.table`` whose fence watermark
    guards the write. ``@fence``, the lease's fencing token, is added by ``fencing.with_fence``
    once the lease is granted, and only there.
    """
    def scalar(name, kind, value):
        return {"name": name, "parameterType": {"type": kind}, "parameterValue": {"value": str(value)}}

    return [
        scalar("target_date", "DATE", processor.target_date(business_date).isoformat()),
        scalar("business_date", "DATE", business_date.isoformat()),
        scalar("run_id", "STRING", run_id),
        scalar("sink_table", "STRING", sink_table(processor, config)),
    ]


def sink_table(processor: Processor, config: Settings | None = None) -> str:
    """``dataset.table`` of the processor's output, as the fence watermark names it."""
    return f"{(config or settings()).dataset_for(processor.layer)}.{processor.table}"


def fence_sink(processor: Processor, business_date: dt.date, config: Settings | None = None) -> dict:
    """The table and date whose fence watermark guards the processor's write."""
    return {"table": sink_table(processor, config), "date": processor.target_date(business_date).isoformat()}


def job_configuration(processor: Processor, business_date: dt.date, run_id: str,
                      config: Settings | None = None) -> dict:
    """The BigQuery job configuration (REST form) that runs one processor for one date."""
    config = config or settings()
    return {
        "query": {
            "query": render(processor, config),
            "useLegacySql": False,
            "parameterMode": "NAMED",
            "queryParameters": query_parameters(processor, business_date, run_id, config),
        },
        "labels": {"nba_processor": processor.name, "nba_phase": str(processor.phase)},
    }


def run_processor(client, processor: Processor, business_date: dt.date, *, fence: int, run_id: str):
    """Run one processor as a writer holding ``fence`` would, through a plain BigQuery client.

    The same steps as the DAG's task: advance the sink's fence watermark, then the fenced MERGE.
    """
    from google.cloud import bigquery

    from nba_pipeline.fencing import advance_watermark, with_fence

    sink = fence_sink(processor, business_date)
    advance_watermark(client, sink["table"], sink["date"], fence=fence,
                      lock_key=processor.lock_key(business_date), run_id=run_id)
    configuration = with_fence(job_configuration(processor, business_date, run_id), fence)
    job_config = bigquery.QueryJobConfig.from_api_repr(configuration)
    return client.query(configuration["query"]["query"], job_config=job_config).result()
