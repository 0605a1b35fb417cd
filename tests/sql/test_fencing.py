"""Fencing at the sink on bqemulator: the fence watermark outlives the data it guards."""

from __future__ import annotations

import datetime as dt

import pytest

from nba_pipeline import fencing, processors, transforms
from nba_pipeline.clients import lease_store
from nba_pipeline_dev import cli
from tests.sql import helpers

pytestmark = pytest.mark.integration

DAY = dt.date(2026, 2, 2)
PROCESSOR = "team_offense_game_summary"


@pytest.fixture(scope="module")
def warehouse(bigquery_client):
    with helpers.isolated_warehouse(bigquery_client, "fencing_test") as config:
        helpers.seed_dates(bigquery_client, DAY - dt.timedelta(days=1), DAY + dt.timedelta(days=1))
        yield config


def rows(client):
    return helpers.fetch_processor_rows(client, PROCESSOR, DAY)


def set_final(client, final: bool) -> None:
    """A newer schedule version of every game of DAY: final, or back in progress."""
    schedule = helpers.table_id("nbac_schedule", "raw")
    helpers.query(
        client,
        f"INSERT INTO `{schedule}` SELECT * REPLACE (@status AS game_status, "
        "TIMESTAMP_ADD(processed_at, INTERVAL 1 HOUR) AS processed_at) "
        f"FROM `{schedule}` WHERE game_date = @day "
        "QUALIFY ROW_NUMBER() OVER (PARTITION BY game_id ORDER BY processed_at DESC) = 1",
        status=3 if final else 2, day=DAY,
    )


def test_an_empty_newer_write_still_refuses_an_older_fence(bigquery_client, warehouse):
    processor = processors.get(PROCESSOR)
    sink = transforms.sink_table(processor)
    helpers.run(bigquery_client, PROCESSOR, DAY, fence=1, run_id="first")
    first = rows(bigquery_client)
    assert first and {r["_fence"] for r in first} == {1}

    set_final(bigquery_client, False)  # no game of DAY is final any more: fence 2 writes nothing
    helpers.run(bigquery_client, PROCESSOR, DAY, fence=2, run_id="newer-empty")
    assert rows(bigquery_client) == []
    assert fencing.sink_watermark(bigquery_client, sink, DAY) == 2  # the data is gone, the mark is not

    set_final(bigquery_client, True)   # the stale writer would see games again...
    helpers.run(bigquery_client, PROCESSOR, DAY, fence=1, run_id="stale")
    assert rows(bigquery_client) == []  # ...and changes nothing
    assert fencing.sink_watermark(bigquery_client, sink, DAY) == 2

    helpers.run(bigquery_client, PROCESSOR, DAY, fence=3, run_id="newest")
    newest = rows(bigquery_client)
    assert len(newest) == len(first) and {r["_run_id"] for r in newest} == {"newest"}


def test_the_watermark_never_goes_down(bigquery_client, warehouse):
    sink, day = "nba_analytics.some_table", DAY + dt.timedelta(days=30)
    assert fencing.sink_watermark(bigquery_client, sink, day) == 0
    advance = dict(lock_key="SomeProcessor_2026-03-04", run_id="t")
    assert fencing.advance_watermark(bigquery_client, sink, day, fence=5, **advance) == 5
    assert fencing.advance_watermark(bigquery_client, sink, day, fence=3, **advance) == 5
    assert fencing.advance_watermark(bigquery_client, sink, day, fence=6, **advance) == 6
    assert fencing.sink_watermark(bigquery_client, sink, day.isoformat()) == 6


def test_reseed_restores_the_counter_above_every_fence_on_record(bigquery_client, warehouse, firestore_client,
                                                                 monkeypatch, capsys):
    import json
    import uuid

    from nba_pipeline.lease import Owner

    monkeypatch.setenv("NBA_LOCK_FENCE_COLLECTION", f"fences_{uuid.uuid4().hex[:6]}")
    store = lease_store(firestore_client)
    processor = processors.get(PROCESSOR)
    key = processor.lock_key(DAY)
    helpers.run(bigquery_client, PROCESSOR, DAY, fence=3, run_id="written-before-the-loss")
    # The sink remembers fence 3; this (new, empty) fence collection knows nothing of it.
    with pytest.raises(Exception, match="sink already holds fence"):
        store.acquire(key, Owner("t", "r", "t"),
                      fence_floor=fencing.sink_watermark(bigquery_client, transforms.sink_table(processor), DAY))
    assert cli.main(["locks", "reseed", key, "--reason", "fence collection lost", "--actor", "pytest",
                     "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["seen"]["watermark"] == 3 and report["seen"]["rows"] == 3 and report["counter"] == 3
    lease = store.acquire(key, Owner("t", "r", "t"), fence_floor=3)
    assert lease.fence == 4
    assert store.release(lease)
    assert cli.main(["locks", "reseed", key, "--actor", "pytest"]) == 2  # a reason is required
