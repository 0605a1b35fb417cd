"""The server-side table fingerprints the comparisons of whole runs rest on: several dates in one
query give what each date alone gives, and any change of a date's rows changes its fingerprint."""

from __future__ import annotations

import datetime as dt

import pytest

from . import helpers
from .helpers import table_hash, table_hashes

pytestmark = pytest.mark.integration

D = dt.date(2026, 2, 3)


@pytest.fixture
def scores(bigquery_client):
    client = bigquery_client
    dataset = f"{client.project}.fingerprint_check"
    client.create_dataset(dataset, exists_ok=True)
    table = f"{dataset}.scores"
    client.query(f"CREATE OR REPLACE TABLE `{table}` (game_date DATE, player STRING, points INT64, "
                 f"_fence INT64) PARTITION BY game_date").result()
    client.query(f"INSERT INTO `{table}` VALUES (DATE '2026-02-03', 'a', 10, 1), (DATE '2026-02-03', 'b', 7, 1), "
                 f"(DATE '2026-02-04', 'a', 12, 1), (DATE '2026-02-06', 'c', 3, 1)").result()
    try:
        yield client, table
    finally:
        client.delete_dataset(dataset, delete_contents=True, not_found_ok=True)


def _hashes(client, days):
    return table_hashes(client, "scores", "game_date", days), {d: table_hash(client, "scores", "game_date", d)
                                                                for d in days}


def test_several_dates_at_once_equal_each_date_alone_and_changes_show(scores, monkeypatch):
    client, table = scores
    monkeypatch.setattr(helpers, "table_id", lambda name, layer="analytics": table)  # not the session's datasets
    days = [D, D + dt.timedelta(days=1), D + dt.timedelta(days=2), D + dt.timedelta(days=3)]
    together, alone = _hashes(client, days)
    assert together == alone
    assert together[D + dt.timedelta(days=2)] == "0:" and together[D].startswith("2:")
    assert together[D] != together[D + dt.timedelta(days=1)]

    client.query(f"UPDATE `{table}` SET _fence = 9 WHERE TRUE").result()  # lineage: left out
    assert _hashes(client, days)[0] == together
    client.query(f"UPDATE `{table}` SET points = 11 WHERE game_date = DATE '2026-02-04'").result()
    changed, _ = _hashes(client, days)
    assert changed[D + dt.timedelta(days=1)] != together[D + dt.timedelta(days=1)]
    assert {d: h for d, h in changed.items() if d != D + dt.timedelta(days=1)} == \
        {d: h for d, h in together.items() if d != D + dt.timedelta(days=1)}
    before = _hashes(client, days)[0][D]
    client.query(f"INSERT INTO `{table}` VALUES (DATE '2026-02-03', 'b', 7, 1)").result()  # a duplicate row
    assert _hashes(client, days)[0][D].startswith("3:")
    client.query(f"INSERT INTO `{table}` VALUES (DATE '2026-02-03', 'b', 7, 1)").result()  # and another
    twice = _hashes(client, days)[0][D]
    assert twice.startswith("4:") and twice.split(":")[1] != before.split(":")[1]
