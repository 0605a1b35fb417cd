"""Completion records on the Firestore emulator and phase 3 messages on the Pub/Sub emulator."""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import uuid

import pytest
from google.api_core.exceptions import DeadlineExceeded
from google.cloud import pubsub_v1

from nba_pipeline import processors
from nba_pipeline.clients import firestore_client as new_firestore_client
from nba_pipeline.completion import (
    CompletionStore,
    PhaseCompletePublisher,
    document_date,
    entries_of,
)
from nba_pipeline.config import settings

pytestmark = pytest.mark.integration

D = dt.date(2026, 2, 3)
# The entry keys of the completion records (the platform's: the feature store's is ml_feature_store).
PHASE3 = [p.completion_key for p in processors.phase(3)]
PHASE4 = [p.completion_key for p in processors.phase(4)]


@pytest.fixture
def store(firestore_client):
    """A store on collections of its own, so tests never see each other's documents."""
    suffix = uuid.uuid4().hex[:8]
    return CompletionStore(
        firestore_client,
        phase3_collection=f"phase3_completion_{suffix}",
        phase4_collection=f"phase4_completion_{suffix}",
        enabled=True,
    )


def record(store, phase, date, name, **overrides):
    values = {"status": "success", "record_count": 10, "execution_id": f"run-{name}"}
    values.update(overrides)
    return store.record_processor(phase, date, name, **values)


def test_five_concurrent_writers_lose_nothing(store, caplog):
    """Each round: five workers, each with its own client, record five processors at once."""
    caplog.set_level(logging.DEBUG, logger="nba_pipeline.completion")
    clients = [new_firestore_client() for _ in PHASE3]
    for day in range(5):
        date = D + dt.timedelta(days=day)
        barrier = threading.Barrier(len(PHASE3))
        errors = []

        def write(index: int, name: str) -> None:
            worker = CompletionStore(clients[index], phase3_collection=store.collections[3], enabled=True)
            barrier.wait()
            try:
                record(worker, 3, date, name, record_count=100 + index)
            except Exception as error:  # collected, asserted below
                errors.append(error)

        threads = [threading.Thread(target=write, args=(i, n)) for i, n in enumerate(PHASE3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert errors == []
        document = store.get(3, date)
        assert document["_completed_count"] == 5
        entries = entries_of(document)
        assert sorted(entries) == sorted(PHASE3)
        for index, name in enumerate(PHASE3):
            assert entries[name]["record_count"] == 100 + index
            assert entries[name]["status"] == "success"
            assert entries[name]["execution_id"] == f"run-{name}"
            assert isinstance(entries[name]["completed_at"], dt.datetime)
        assert document["_mode"] == "scheduled" and document["_triggered"] is False
    # The writers really collided (and retried) rather than taking turns.
    assert any("changed under us" in r.getMessage() for r in caplog.records)


def test_recording_again_replaces_the_entry_and_keeps_the_count(store):
    first = record(store, 3, D, "team_offense_game_summary", record_count=20)
    record(store, 3, D, "team_defense_game_summary", record_count=20)
    again = record(store, 3, D, "team_offense_game_summary", status="success", record_count=22,
                   execution_id="rerun", mode="manual")

    document = store.get(3, D)
    assert document["_completed_count"] == 2
    assert document["team_offense_game_summary"]["record_count"] == 22
    assert document["team_offense_game_summary"]["execution_id"] == "rerun"
    assert document["_mode"] == "manual"
    assert again["team_offense_game_summary"]["completed_at"] > first["team_offense_game_summary"]["completed_at"]
    # What record_processor returns is what Firestore holds; completed_at is the commit time,
    # which the emulator stores a few milliseconds apart (production: the same instant).
    returned_at = again["team_offense_game_summary"].pop("completed_at")
    stored_at = document["team_offense_game_summary"].pop("completed_at")
    assert abs(returned_at - stored_at) < dt.timedelta(seconds=1)
    assert again == document


def test_phase4_document_is_the_analysis_date(store, firestore_client):
    analysis_date = document_date(4, D)
    assert analysis_date == dt.date(2026, 2, 4) and document_date(3, D) == D
    record(store, 4, analysis_date, "ml_feature_store", mode="backfill")

    stored = firestore_client.collection(store.collections[4]).document("2026-02-04").get()
    assert stored.exists and stored.get("_completed_count") == 1 and stored.get("_mode") == "backfill"
    assert store.get(4, "2026-02-04")["ml_feature_store"]["status"] == "success"
    # The entry keeps the platform's key; the processor (ml_feature_store_v2) finds it there.
    assert store.has_succeeded(4, D, "ml_feature_store_v2")
    assert store.get(4, D) is None and store.get(3, analysis_date) is None


def test_bad_input_is_refused(store):
    with pytest.raises(ValueError, match="phase 4 processor, not phase 3"):
        record(store, 3, D, "ml_feature_store")
    with pytest.raises(ValueError, match="unknown processor"):
        record(store, 3, D, "PlayerGameSummaryProcessor")
    with pytest.raises(ValueError, match="unknown processor 'ml_feature_store_v2'"):
        record(store, 4, D, "ml_feature_store_v2")  # entries are keyed ml_feature_store
    with pytest.raises(ValueError, match="mode must be one of"):
        record(store, 3, D, "player_game_summary", mode="adhoc")
    with pytest.raises(ValueError, match="phase must be 3 or 4"):
        store.get(5, D)
    assert store.get(3, D) is None


def test_mark_triggered(store):
    for name in PHASE3:
        record(store, 3, D, name)
    store.mark_triggered(D, reason="phase 4 started by nba_pipeline scheduled__2026-02-04")

    document = store.get(3, D)
    assert document["_triggered"] is True
    assert document["_trigger_reason"] == "phase 4 started by nba_pipeline scheduled__2026-02-04"
    assert isinstance(document["_triggered_at"], dt.datetime)
    assert document["_completed_count"] == 5 and len(entries_of(document)) == 5

    # Without a document yet (completion written elsewhere), the marker still lands, count 0.
    later = D + dt.timedelta(days=1)
    store.mark_triggered(later, reason="manual")
    assert store.get(3, later)["_triggered"] is True and store.get(3, later)["_completed_count"] == 0


def test_rewrite_replaces_entries_and_keeps_the_count_true(store):
    for name in ("team_offense_game_summary", "team_defense_game_summary", "player_game_summary"):
        record(store, 3, D, name)
    store.mark_triggered(D, reason="phase 4 started")

    store.rewrite(
        3, D,
        {
            "team_offense_game_summary": {"status": "success", "record_count": 24, "execution_id": "reconcile"},
            "upcoming_team_game_context": {"status": "success", "record_count": 26, "execution_id": "reconcile"},
        },
        reason="reconcile --fix: warehouse has rows for these processors only",
    )
    document = store.get(3, D)
    assert sorted(entries_of(document)) == ["team_offense_game_summary", "upcoming_team_game_context"]
    assert document["_completed_count"] == 2
    assert document["team_offense_game_summary"]["record_count"] == 24
    assert isinstance(document["upcoming_team_game_context"]["completed_at"], dt.datetime)
    assert document["_triggered"] is True and document["_trigger_reason"] == "phase 4 started"

    store.rewrite(3, D, {}, triggered=False, reason="nothing in the warehouse")
    document = store.get(3, D)
    assert entries_of(document) == {} and document["_completed_count"] == 0
    assert document["_triggered"] is False
    assert "_triggered_at" not in document and "_trigger_reason" not in document

    entries = {name: {"status": "success", "record_count": 1, "execution_id": "fix"} for name in PHASE4}
    store.rewrite(4, D, entries, triggered=True, reason="reconcile --fix")
    document = store.get(4, D)
    assert document["_completed_count"] == 5 and sorted(entries_of(document)) == sorted(PHASE4)
    assert document["_triggered"] is True and document["_trigger_reason"] == "reconcile --fix"


def test_default_collections_and_document_ids(firestore_client):
    store = CompletionStore(firestore_client, enabled=True)
    date = dt.date(2031, 1, 15)
    for collection, doc_id in (("phase3_completion", "2031-01-15"), ("phase4_completion", "2031-01-16")):
        firestore_client.collection(collection).document(doc_id).delete()
    record(store, 3, document_date(3, date), "player_game_summary")
    record(store, 4, document_date(4, date), "player_daily_cache")
    assert firestore_client.collection("phase3_completion").document("2031-01-15").get().exists
    assert firestore_client.collection("phase4_completion").document("2031-01-16").get().exists


def test_disabled_store_writes_nothing_and_logs_once(firestore_client, monkeypatch, caplog):
    suffix = uuid.uuid4().hex[:8]
    collections = {"phase3_collection": f"p3_{suffix}", "phase4_collection": f"p4_{suffix}"}
    monkeypatch.setenv("NBA_COMPLETION_RECORDS", "false")
    disabled = CompletionStore(firestore_client, **collections)
    caplog.set_level(logging.INFO, logger="nba_pipeline.completion")

    assert record(disabled, 3, D, "player_game_summary") == {}
    assert disabled.mark_triggered(D, reason="x") == {}
    assert disabled.rewrite(4, D, {}, reason="x") == {}
    assert disabled.get(3, D) is None

    assert [r.getMessage() for r in caplog.records].count(
        "Completion records are switched off (NBA_COMPLETION_RECORDS=false); nothing is written"
    ) == 1
    enabled = CompletionStore(firestore_client, enabled=True, **collections)
    assert enabled.get(3, D) is None and enabled.get(4, D) is None
    assert list(firestore_client.collection(collections["phase3_collection"]).stream()) == []
    # Switched off, no Firestore client is needed at all.
    assert CompletionStore(None, enabled=False).record_processor(
        3, D, "player_game_summary", status="success", record_count=1, execution_id="e") == {}


@pytest.fixture
def topic_name(local_stack):
    return f"nba-phase3-analytics-complete-{uuid.uuid4().hex[:8]}"


def pull_all(subscriber, subscription: str, expected: int, wait: float = 10.0) -> list:
    """Pull until ``expected`` messages arrived, then once more to prove nothing else comes."""
    received = []
    for _ in range(20):
        if len(received) >= expected:
            break
        try:
            response = subscriber.pull(request={"subscription": subscription, "max_messages": 50}, timeout=wait)
        except DeadlineExceeded:
            continue
        received.extend(response.received_messages)
    try:
        response = subscriber.pull(request={"subscription": subscription, "max_messages": 50}, timeout=2)
        received.extend(response.received_messages)
    except DeadlineExceeded:
        pass
    if received:
        subscriber.acknowledge(request={"subscription": subscription, "ack_ids": [m.ack_id for m in received]})
    return received


def test_publisher_sends_exactly_one_message_per_publish(topic_name):
    project = settings().project
    publisher_client = pubsub_v1.PublisherClient()
    publisher = PhaseCompletePublisher(publisher_client, project, topic_name, enabled=True)

    # The first publish creates the topic on the emulator (nobody listens yet).
    assert publisher.publish("player_game_summary", "nba_analytics.player_game_summary", D, "success", 1, "warmup")
    assert publisher_client.get_topic(request={"topic": publisher.topic_path}).name == publisher.topic_path

    subscriber = pubsub_v1.SubscriberClient()
    subscription = subscriber.subscription_path(project, f"grading-{uuid.uuid4().hex[:8]}")
    subscriber.create_subscription(request={"name": subscription, "topic": publisher.topic_path})

    sent = {}
    for index, name in enumerate(PHASE3):
        message_id = publisher.publish(
            name, f"nba_analytics.{name}", D, "success", 100 + index, f"scheduled__2026-02-04:{name}"
        )
        sent[message_id] = name

    received = pull_all(subscriber, subscription, expected=len(PHASE3))
    assert len(received) == len(PHASE3)
    assert {m.message.message_id for m in received} == set(sent)
    for item in received:
        name = sent[item.message.message_id]
        assert json.loads(item.message.data) == {
            "processor_name": name,
            "output_table": f"nba_analytics.{name}",
            "game_date": "2026-02-03",
            "status": "success",
            "record_count": 100 + PHASE3.index(name),
            "execution_id": f"scheduled__2026-02-04:{name}",
        }
        assert dict(item.message.attributes) == {"processor_name": name, "game_date": "2026-02-03"}


def test_disabled_publisher_sends_nothing(topic_name, monkeypatch, caplog):
    project = settings().project
    publisher_client = pubsub_v1.PublisherClient()
    topic_path = publisher_client.topic_path(project, topic_name)
    publisher_client.create_topic(name=topic_path)
    subscriber = pubsub_v1.SubscriberClient()
    subscription = subscriber.subscription_path(project, f"grading-{uuid.uuid4().hex[:8]}")
    subscriber.create_subscription(request={"name": subscription, "topic": topic_path})

    monkeypatch.setenv("NBA_PUBSUB_ENABLED", "false")
    caplog.set_level(logging.INFO, logger="nba_pipeline.completion")
    publisher = PhaseCompletePublisher(publisher_client, project, topic_name)
    assert publisher.publish("player_game_summary", "nba_analytics.player_game_summary", D, "success", 3, "e") is None
    assert publisher.publish("team_offense_game_summary", "nba_analytics.team_offense_game_summary", D,
                             "success", 3, "e") is None
    assert PhaseCompletePublisher(None, project, enabled=False).publish("x", "y", D, "success", 0, "e") is None

    assert sum("switched off" in r.getMessage() for r in caplog.records) == 2  # once per publisher
    assert pull_all(subscriber, subscription, expected=0, wait=2) == []
    # The same subscription does receive what an enabled publisher sends.
    PhaseCompletePublisher(publisher_client, project, topic_name, enabled=True).publish(
        "player_game_summary", "nba_analytics.player_game_summary", D, "success", 3, "e")
    assert len(pull_all(subscriber, subscription, expected=1)) == 1
