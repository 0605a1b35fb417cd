"""A quick check that Airflow reaches all three Google services the pipeline uses.

Runs one BigQuery job through the Google provider, one Firestore compare-and-swap write and
one Pub/Sub publish. Manual only: run it after setting up a new environment.
"""

from __future__ import annotations

import pendulum
from airflow.providers.google.cloud.operators.bigquery import BigQueryInsertJobOperator
from airflow.sdk import DAG, task

from nba_pipeline.config import settings
from nba_pipeline.stack_check import firestore_round_trip, publish_probe

with DAG(
    dag_id="nba_stack_check",
    schedule=None,
    start_date=pendulum.datetime(2025, 10, 1, tz="America/New_York"),
    catchup=False,
    tags=["nba", "ops"],
    default_args={"retries": 1, "retry_delay": pendulum.duration(seconds=10)},
    doc_md=__doc__,
):
    count_schedule_rows = BigQueryInsertJobOperator(
        task_id="count_schedule_rows",
        configuration={
            "query": {
                # Names come from the environment (settings), not user input.
                "query": f"SELECT COUNT(*) AS games FROM `{settings().project}.{settings().raw_dataset}.nbac_schedule`",
                "useLegacySql": False,
            }
        },
        doc_md="Counts schedule rows with a BigQuery query job run by the Google provider.",
    )

    @task(doc_md="Creates a document only if absent, then deletes it with an update-time precondition.")
    def firestore_cas(run_id=None):
        return firestore_round_trip(run_id)

    @task(doc_md="Publishes one message to the check topic and returns its id.")
    def pubsub_publish(run_id=None):
        return publish_probe(run_id)

    count_schedule_rows >> firestore_cas() >> pubsub_publish()
