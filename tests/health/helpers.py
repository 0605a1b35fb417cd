"""Helpers of the health tests: private Firestore collections, and a pipeline run without Airflow."""

from __future__ import annotations

from environment import patched_environ
from nba_pipeline import checks, processors, transforms
from nba_pipeline.completion import CompletionStore, document_date

_COLLECTION_VARIABLES = (
    "NBA_PHASE3_COMPLETION_COLLECTION", "NBA_PHASE4_COMPLETION_COLLECTION", "NBA_LOCK_COLLECTION",
    "NBA_LOCK_FENCE_COLLECTION", "NBA_LOCK_AUDIT_COLLECTION",
)


def isolated_collections(tag: str):
    """Completion and lock collections of this test module only (names end with ``tag``)."""
    return patched_environ({name: f"{name.lower().removeprefix('nba_')}_{tag}" for name in _COLLECTION_VARIABLES})


def run_directly(bigquery_client, firestore_client, dates, phases=(3, 4)):
    """What a pipeline run does, without Airflow: every processor, then the completion records."""
    store = CompletionStore(firestore_client)
    runs = []
    for day in dates:
        for phase in phases:
            for processor in processors.phase(phase):
                transforms.run_processor(bigquery_client, processor, day, fence=1, run_id="health-test")
            for processor in processors.phase(phase):
                rows = checks.check_duplicates(bigquery_client, processor, day).row_count
                store.record_processor(phase, document_date(phase, day), processor.completion_key, status="success",
                                       record_count=rows, execution_id="nba_pipeline/health-test", mode="manual")
            if phase == 3:
                store.mark_triggered(day, reason="phase 3 complete; phase 4 started by the test")
        runs.append({"conf": {"game_date": day.isoformat()}, "state": "success"})
    return runs
