"""What the ``nba_pipeline`` DAG's Python tasks do, kept out of the DAG file so it parses fast.

Clients come from the Airflow connection (through hooks), so the same code runs locally and on
Cloud Composer.
"""

from __future__ import annotations

import datetime as dt
import logging

from nba_pipeline import processors
from nba_pipeline.config import settings

log = logging.getLogger(__name__)


def completion_date(phase: int, business_date: str) -> dt.date:
    """phase3_completion/{D}, phase4_completion/{D + 1}."""
    from nba_pipeline.completion import document_date

    return document_date(phase, dt.date.fromisoformat(business_date))


def _completion_store():
    from nba_pipeline.completion import CompletionStore
    from nba_pipeline.hooks.firestore_lock import FirestoreLockHook

    return CompletionStore(FirestoreLockHook().get_client())


def check_phase(phase: int, plan: dict, run_id: str) -> dict:
    """Duplicate checks on every table of the phase; fails with the offending keys."""
    from airflow.sdk.exceptions import AirflowFailException

    from nba_pipeline.checks import DuplicateKeysFound, assert_no_duplicates
    from nba_pipeline.checks import check_phase as run_checks
    from nba_pipeline.hooks.warehouse import WarehouseHook

    results = run_checks(WarehouseHook().client(), phase, dt.date.fromisoformat(plan["business_date"]),
                         run_id=run_id, persist=True)
    try:
        assert_no_duplicates(results)
    except DuplicateKeysFound as found:
        # Duplicates do not go away on a retry: fail now, with the offending keys in the message.
        raise AirflowFailException(str(found)) from None
    return {result.table: result.row_count for result in results}


def written_in_this_run(phase: int, results: dict) -> dict[str, int]:
    """The phase's processors that wrote in this run, with their row counts.

    ``results`` maps processor names to what their task returned in this run (None when the task
    was skipped or returned nothing); only a processor whose task returned its write counts.
    """
    written = {}
    for processor in processors.phase(phase):
        result = results.get(processor.name)
        if isinstance(result, dict) and "row_count" in result:
            written[processor.name] = int(result["row_count"])
    return written


def results_of(ti, phase: int) -> dict:
    """What each processor task of the phase returned in this run (None for a skipped one)."""
    return {p.name: ti.xcom_pull(task_ids=p.name) for p in processors.phase(phase)}


def record_phase(phase: int, plan: dict, results: dict, dag_run) -> dict:
    """Write the phase's completion record (and phase 3's Pub/Sub messages) for what ran in this run.

    Skips, recording nothing, when no processor of the phase wrote in this run.
    """
    from airflow.sdk.exceptions import AirflowSkipException

    run_id = dag_run.run_id
    execution_id = f"{dag_run.dag_id}/{run_id}"
    date = completion_date(phase, plan["business_date"])
    written = written_in_this_run(phase, results)
    if not written:
        raise AirflowSkipException(
            f"nothing ran in phase {phase} for {plan['business_date']}: no selected processor wrote in this run "
            "(left out by the processors param, or already completed: trigger with force=true to re-run)"
        )
    store = _completion_store() if settings().completion_records else None
    publisher = _publisher() if phase == 3 and settings().pubsub_enabled else None
    business = dt.date.fromisoformat(plan["business_date"])
    for processor in processors.phase(phase):
        if processor.name not in written:
            continue
        count = written[processor.name]
        if store is not None:
            store.record_processor(phase, date, processor.completion_key, status="success", record_count=count,
                                   execution_id=execution_id, mode=plan["mode"])
        if publisher is not None:
            # The grading service knows processors by their class name (as in the lock keys).
            publisher.publish(processor.lock_class, f"{processor.dataset}.{processor.table}",
                              processor.target_date(business).isoformat(), "success", count, execution_id)
    if phase == 3 and store is not None:
        # Phase 4 starts as soon as this task succeeds.
        store.mark_triggered(date, reason=f"phase 3 complete; phase 4 started by {execution_id}")
    log.info("phase%s_completion/%s: %s", phase, date, written)
    return {"date": date.isoformat(), "game_date": plan["business_date"], "records": written}


def close_phase(phase: int, plan: dict, dag_run, ti, outlet_events) -> dict:
    """The end of a phase, one task: duplicate checks first (failing with the keys), then the record
    and its asset event (skipped when nothing of the phase wrote in this run)."""
    from nba_pipeline import assets

    check_phase(phase, plan, dag_run.run_id)
    recorded = record_phase(phase, plan, results_of(ti, phase), dag_run)
    assets.phase_event(outlet_events, phase, recorded)
    return recorded


def _publisher():
    from airflow.providers.google.cloud.hooks.pubsub import PubSubHook

    from nba_pipeline.completion import PhaseCompletePublisher

    config = settings()
    client = PubSubHook(gcp_conn_id=config.gcp_conn_id).get_conn()
    return PhaseCompletePublisher(client, config.project, topic=config.phase3_topic)
