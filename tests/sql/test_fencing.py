"""Fencing at the sink on bqemulator: the fence watermark outlives the data it guards."""

from __future__ import annotations

import datetime as dt

import pytest
from google.cloud import bigquery
from tests.sql import helpers

from nba_pipeline import fencing, processors, transforms
from nba_pipeline.clients import lease_store
from nba_pipeline_dev import cli

pytestmark = pytest.mark.integration

DAY = dt.date(2026, 2, 2)
PROCESSOR = "team_offense_game_summary"


@pytest.fixture(scope="module")
def warehouse(bigquery_client):
    with helpers.isolated_warehouse(bigquery_client) as config:
        helpers.seed_dates(bigquery_client, DAY - dt.timedelta(days=1), DAY + dt.timedelta(days=1))
        yield config


def rows(client):
    return helpers.fetch_processor_rows(client, PROCESSOR, DAY)


def hide_games(client, hidden: bool) -> None:
    """Take every schedule row of DAY out of the raw table (kept aside), or put them back.

    Without its schedule rows the date has no games, so a processor's source is empty. (A newer
    "in progress" version would not do: the schedule's latest version prefers the most advanced
    status, as the platform's view does.)"""
    schedule = helpers.table_id("nbac_schedule", "raw")
    aside = helpers.table_id("nbac_schedule_aside", "raw")
    if hidden:
        helpers.query(client, f"CREATE TABLE `{aside}` AS SELECT * FROM `{schedule}` WHERE game_date = @day",
                      day=DAY)
        helpers.query(client, f"DELETE FROM `{schedule}` WHERE game_date = @day", day=DAY)
    else:
        helpers.query(client, f"INSERT INTO `{schedule}` SELECT * FROM `{aside}`")
        helpers.query(client, f"DROP TABLE `{aside}`")


def test_an_empty_newer_write_still_refuses_an_older_fence(bigquery_client, warehouse):
    processor = processors.get(PROCESSOR)
    sink = transforms.sink_table(processor)
    helpers.run(bigquery_client, PROCESSOR, DAY, fence=1, run_id="first")
    first = rows(bigquery_client)
    assert first and {r["_fence"] for r in first} == {1}

    hide_games(bigquery_client, True)  # DAY has no games any more: fence 2 writes nothing
    helpers.run(bigquery_client, PROCESSOR, DAY, fence=2, run_id="newer-empty")
    assert rows(bigquery_client) == []
    assert fencing.sink_watermark(bigquery_client, sink, DAY) == 2  # the data is gone, the mark is not

    hide_games(bigquery_client, False)  # the stale writer would see games again...
    helpers.run(bigquery_client, PROCESSOR, DAY, fence=1, run_id="stale")
    assert rows(bigquery_client) == []  # ...and changes nothing
    assert fencing.sink_watermark(bigquery_client, sink, DAY) == 2

    helpers.run(bigquery_client, PROCESSOR, DAY, fence=3, run_id="newest")
    newest = rows(bigquery_client)
    assert len(newest) == len(first) and {r["_run_id"] for r in newest} == {"newest"}


def test_a_refused_late_writer_deletes_nothing(bigquery_client, warehouse):
    """A zombie whose lease was taken over runs its MERGE after the new holder advanced the mark
    but before it wrote: the guard empties the zombie's source, and its delete must not remove
    the rows of the date either."""
    processor = processors.get(PROCESSOR)
    sink = transforms.sink_table(processor)
    day = DAY + dt.timedelta(days=1)
    helpers.run(bigquery_client, PROCESSOR, day, fence=1, run_id="first")
    before = helpers.fetch_processor_rows(bigquery_client, PROCESSOR, day)
    assert before and {r["_fence"] for r in before} == {1}
    advance = dict(lock_key=processor.lock_key(day), run_id="t")
    fencing.advance_watermark(bigquery_client, sink, day, fence=2, **advance)  # the zombie's grant
    fencing.advance_watermark(bigquery_client, sink, day, fence=3, **advance)  # the takeover's grant

    configuration = fencing.with_fence(transforms.job_configuration(processor, day, "zombie"), 2)
    bigquery_client.query(  # the zombie's late MERGE with fence 2, no advance of its own
        configuration["query"]["query"], job_config=bigquery.QueryJobConfig.from_api_repr(configuration)
    ).result()

    after = helpers.fetch_processor_rows(bigquery_client, PROCESSOR, day)
    assert helpers.content_hash(after) == helpers.content_hash(before) and len(after) == len(before)
    assert {r["_run_id"] for r in after} == {"first"}


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
