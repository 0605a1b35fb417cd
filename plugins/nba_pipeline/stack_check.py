"""Round trips that prove a deployment reaches Firestore and Pub/Sub (used by ``nba_stack_check``)."""

from __future__ import annotations

import json
import logging

log = logging.getLogger(__name__)

CHECK_COLLECTION = "nba_pipeline_stack_check"
CHECK_TOPIC = "nba-pipeline-stack-check"


def firestore_round_trip(run_id: str | None) -> dict:
    """Create-if-absent then delete-if-unchanged: the two writes the lease lock is built on."""
    from google.api_core.exceptions import AlreadyExists

    from nba_pipeline.clients import firestore_client

    client = firestore_client()
    doc = client.collection(CHECK_COLLECTION).document((run_id or "manual").replace("/", "_"))
    try:
        created = doc.create({"run_id": run_id})
    except AlreadyExists:
        # A retry of this task: the earlier try left its document behind.
        created = doc.set({"run_id": run_id})
    doc.delete(option=client.write_option(last_update_time=created.update_time))
    result = {"document": doc.path, "server_time": created.update_time.isoformat()}
    log.info("Firestore compare-and-swap round trip ok: %s", result)
    return result


def publish_probe(run_id: str | None) -> str:
    from google.api_core.exceptions import AlreadyExists

    from nba_pipeline.clients import publisher_client
    from nba_pipeline.config import settings

    publisher = publisher_client()
    topic = publisher.topic_path(settings().project, CHECK_TOPIC)
    try:
        publisher.create_topic(name=topic)
    except AlreadyExists:
        pass
    message_id = publisher.publish(topic, json.dumps({"run_id": run_id}).encode()).result(timeout=30)
    log.info("Pub/Sub publish ok: topic %s message %s", topic, message_id)
    return message_id
