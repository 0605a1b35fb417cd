"""Running ``nba_pipeline`` through Airflow on the local stack, in a world of its own.

Each test module gets its own BigQuery datasets, Firestore collections, Pub/Sub topic and
Airflow metadata database, so modules never see each other's rows, locks or records.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from tests.sql.helpers import isolated_warehouse, seed_dates, table_hashes

from environment import patched_environ
from nba_pipeline import processors
from nba_pipeline_dev.local.runs import run_dates

FIRESTORE_VARIABLES = (
    "NBA_LOCK_COLLECTION", "NBA_LOCK_FENCE_COLLECTION", "NBA_LOCK_AUDIT_COLLECTION",
    "NBA_PHASE3_COMPLETION_COLLECTION", "NBA_PHASE4_COMPLETION_COLLECTION",
)
DEFAULT_NAMES = {
    "NBA_LOCK_COLLECTION": "processing_locks", "NBA_LOCK_FENCE_COLLECTION": "processing_lock_fences",
    "NBA_LOCK_AUDIT_COLLECTION": "processing_lock_audit",
    "NBA_PHASE3_COMPLETION_COLLECTION": "phase3_completion", "NBA_PHASE4_COMPLETION_COLLECTION": "phase4_completion",
}


@dataclass
class World:
    suffix: str
    airflow_home: Path
    topic: str
    subscription: str
    seeded: object = None
    outcomes: list = field(default_factory=list)

    def run(self, dates, **conf) -> list[dict]:
        outcomes = run_dates(list(dates), conf=conf or None)
        self.outcomes.extend(outcomes)
        return outcomes


@contextlib.contextmanager
def isolated_world(bigquery_client, tmp_path: Path, *, start: dt.date, end: dt.date, faults=(), name="e2e",
                   dataset_suffix: str | None = None):
    """Fresh datasets, collections, topic and Airflow database; raw data seeded for start..end.

    The datasets are named as ``isolated_warehouse`` names them (``dataset_suffix``, else a slot
    of this session)."""
    from google.api_core.exceptions import AlreadyExists
    from google.cloud import pubsub_v1

    from nba_pipeline.config import settings

    suffix = f"{name}_{uuid.uuid4().hex[:6]}"
    topic_name = f"nba-phase3-{suffix}"
    values = {variable: f"{DEFAULT_NAMES[variable]}_{suffix}" for variable in FIRESTORE_VARIABLES}
    values.update({
        "NBA_AIRFLOW_HOME": str(tmp_path / "airflow"),
        "NBA_PHASE3_TOPIC": topic_name,
        "NBA_RAW_POKE_SECONDS": "2",
    })
    with patched_environ(values), isolated_warehouse(bigquery_client, dataset_suffix):
        publisher = pubsub_v1.PublisherClient()
        subscriber = pubsub_v1.SubscriberClient()
        project = settings().project
        topic = publisher.topic_path(project, topic_name)
        subscription = subscriber.subscription_path(project, f"sub-{suffix}")
        with contextlib.suppress(AlreadyExists):
            publisher.create_topic(name=topic)
        subscriber.create_subscription(name=subscription, topic=topic)
        world = World(suffix, tmp_path / "airflow", topic, subscription)
        world.seeded = seed_dates(bigquery_client, start, end, faults=faults)
        try:
            yield world
        finally:
            subscriber.delete_subscription(subscription=subscription)


def pull_messages(subscription: str, expected_at_least: int = 0, attempts: int = 10) -> list[dict]:
    import json

    from google.cloud import pubsub_v1

    subscriber = pubsub_v1.SubscriberClient()
    messages = []
    for _ in range(attempts):
        response = subscriber.pull(subscription=subscription, max_messages=100, timeout=10)
        if response.received_messages:
            subscriber.acknowledge(subscription=subscription,
                                   ack_ids=[m.ack_id for m in response.received_messages])
            messages.extend(json.loads(m.message.data) for m in response.received_messages)
        elif len(messages) >= expected_at_least:
            break
    return messages


def pipeline_hashes(client, business_dates) -> dict[str, str]:
    """A content hash (lineage columns excluded) of every table's rows each date wrote."""
    hashes = {}
    for p in processors.PROCESSORS:
        days = [p.target_date(business) for business in business_dates]
        for day, fingerprint in table_hashes(client, p.table, p.date_column, days, p.layer).items():
            hashes[f"{p.table}/{day}"] = fingerprint
    return hashes


def airflow_records(airflow_home: Path, run_id: str) -> dict:
    """What the metadata database holds for one run: note, start/end, task states and asset events.

    Read straight from the local SQLite file (read-only), as the UI would show it.
    """
    import sqlite3

    db = sqlite3.connect(f"file:{airflow_home / 'airflow.db'}?mode=ro", uri=True, timeout=30)
    try:
        run = db.execute(
            "SELECT r.id, r.start_date, r.end_date, r.state, n.content FROM dag_run r "
            "LEFT JOIN dag_run_note n ON n.dag_run_id = r.id WHERE r.run_id = ?", (run_id,)).fetchone()
        tasks = dict(db.execute("SELECT task_id, state FROM task_instance WHERE run_id = ?", (run_id,)).fetchall())
        events = db.execute(
            "SELECT a.uri, e.source_task_id, e.extra FROM asset_event e JOIN asset a ON a.id = e.asset_id "
            "WHERE e.source_run_id = ?", (run_id,)).fetchall()
    finally:
        db.close()
    import json

    return {
        "start_date": dt.datetime.fromisoformat(run[1]), "end_date": dt.datetime.fromisoformat(run[2]),
        "state": run[3], "note": run[4], "tasks": tasks,
        "asset_events": [{"uri": uri, "task_id": task, "extra": json.loads(extra or "{}")} for uri, task, extra in events],
    }
