"""A half-done day repaired end to end: the health DAG fails on it, the reconcile DAG's dry run
changes nothing, ``reconcile --fix`` runs ``nba_pipeline`` (Airflow's dag.test on the local
stack) and the day ends complete; then the health DAG passes."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from environment import patched_environ
from nba_pipeline import checks, processors
from nba_pipeline.completion import CompletionStore, document_date
from nba_pipeline.health import run_health
from nba_pipeline_dev import cli
from nba_pipeline_dev.local.runs import run_dates
from sql.helpers import GATED_BY_HISTORY, content_hash, isolated_warehouse, query, seed_dates, table_id

from .helpers import isolated_collections, run_directly

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

DAY = dt.date(2026, 2, 10)


@pytest.fixture(scope="module")
def half_done_day(bigquery_client, firestore_client):
    """Phase 3 of DAY run and recorded (and marked triggered), phase 4 never ran."""
    tag = uuid.uuid4().hex[:8]
    with patched_environ({"NBA_PUBSUB_ENABLED": "false"}), isolated_collections(f"e2e_{tag}"), \
            isolated_warehouse(bigquery_client) as config:
        seed_dates(bigquery_client, dt.date(2026, 2, 1), DAY + dt.timedelta(days=1))
        run_directly(bigquery_client, firestore_client, [DAY], phases=(3,))
        yield config


def snapshot(bigquery_client, firestore_client) -> str:
    store = CompletionStore(firestore_client)
    documents = {phase: store.get(phase, document_date(phase, DAY)) for phase in (3, 4)}
    tables = [
        content_hash(query(bigquery_client, f"SELECT * FROM `{table_id(p.table, p.layer)}`"), exclude=())
        for p in processors.PROCESSORS
    ]
    return repr((sorted((k, repr(sorted((v or {}).items()))) for k, v in documents.items()), tables))


def test_half_done_day_is_found_and_repaired_through_airflow(half_done_day, bigquery_client, firestore_client):
    report = run_health(bigquery_client, firestore_client, [DAY])
    assert {(i.check, i.kind) for i in report.issues} == {("half_done", "phase4_missing")}, report.to_text()

    # The health DAG fails on it (Airflow alerting fires); the reconcile DAG's dry run changes nothing.
    before = snapshot(bigquery_client, firestore_client)
    [health_run] = run_dates([DAY], dag_id="nba_health_check", conf={"date": DAY.isoformat()})
    assert health_run["state"] == "failed", health_run
    [dry_run] = run_dates([DAY], dag_id="nba_reconcile", conf={"date": DAY.isoformat(), "fix": False})
    assert dry_run["state"] == "success", dry_run
    assert snapshot(bigquery_client, firestore_client) == before

    # reconcile --fix runs nba_pipeline for the day; the day ends complete.
    assert cli.main(["reconcile", "--date", DAY.isoformat(), "--fix"]) == 0
    report = run_health(bigquery_client, firestore_client, [DAY])
    assert report.exit_code == 0, report.to_text()
    document = CompletionStore(firestore_client).get(4, document_date(4, DAY))
    assert document["_completed_count"] == 5
    for processor in processors.phase(4):
        rows = checks.check_duplicates(bigquery_client, processor, DAY).row_count
        assert document[processor.completion_key]["record_count"] == rows
        assert rows > 0 or processor.name in GATED_BY_HISTORY, processor.name

    [health_run] = run_dates([DAY], dag_id="nba_health_check", conf={"date": DAY.isoformat()})
    assert health_run["state"] == "success", health_run

    # The reconcile DAG with fix repairs a record; with no incomplete date nothing is triggered.
    store = CompletionStore(firestore_client)
    store.document(3, document_date(3, DAY)).update({"_completed_count": 2})
    [fix_run] = run_dates([DAY], dag_id="nba_reconcile", conf={"date": DAY.isoformat(), "fix": True})
    assert fix_run["state"] == "success", fix_run
    assert store.get(3, document_date(3, DAY))["_completed_count"] == 5
    assert run_health(bigquery_client, firestore_client, [DAY]).exit_code == 0
