"""Airflow assets: each processor's table, and the completion of each phase.

A processor task that wrote emits an asset event for its table (``bigquery://project/dataset/table``,
the Google provider's URI form) whose extra says which date it wrote, so the Assets view shows
which run wrote what. The phase record tasks emit ``nba_pipeline.phase3_complete`` and
``nba_pipeline.phase4_complete`` when they recorded something, so downstream DAGs (grading,
predictions) can be scheduled on them::

    from nba_pipeline.assets import phase_asset
    with DAG("nba_predictions", schedule=phase_asset(4), ...):
        ...  # the triggering event's extra holds game_date, date and the processors recorded

Skipped tasks emit nothing: an event always means rows were written in that run. The Pub/Sub
messages of phase 3 stay for the platform's current listeners.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from nba_pipeline import processors


def table_asset(processor: processors.Processor):
    from airflow.sdk import Asset

    from nba_pipeline.config import settings

    return Asset(
        uri=f"bigquery://{settings().project}/{processor.dataset}/{processor.table}",
        name=f"{processor.dataset}.{processor.table}",
        group=f"nba_phase{processor.phase}",
    )


def phase_asset(phase: int):
    from airflow.sdk import Asset

    return Asset(name=f"nba_pipeline.phase{phase}_complete", group="nba_pipeline")


def table_event(context, processor_name: str, plan: dict, result: Any) -> Any:
    """Put the date a processor wrote (and its rows and fence) on its table's asset event; returns ``result``."""
    if not isinstance(result, dict) or "row_count" not in result:
        return result
    processor = processors.get(processor_name)
    business = dt.date.fromisoformat(plan["business_date"])
    context["outlet_events"][table_asset(processor)].extra = {
        "date": processor.target_date(business).isoformat(),
        "game_date": business.isoformat(),
        "row_count": int(result["row_count"]),
        "fence": result.get("fence"),
        "run_id": context["run_id"],
    }
    return result


def phase_event(outlet_events, phase: int, recorded: dict) -> None:
    """Describe a phase record on the phase's asset event."""
    outlet_events[phase_asset(phase)].extra = {
        "date": recorded["date"],
        "game_date": recorded["game_date"],
        "processors": recorded["records"],
    }
