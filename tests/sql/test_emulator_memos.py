"""The local BigQuery stand-in runs with its parse and translation memos, and answers stay per
query: other parameters, another table schema behind the same text."""

from __future__ import annotations

from decimal import Decimal

import psutil
import pytest
from google.cloud import bigquery

from .helpers import query

pytestmark = pytest.mark.integration


def test_the_emulator_runs_through_the_memos(local_stack):
    pid = local_stack["bigquery"]["pid"]
    assert pid, "the session's bqemulator has no pid file: it was started outside the local stack"
    command = psutil.Process(pid).cmdline()
    assert any(part.endswith("bqemulator_main.py") for part in command), (
        f"bqemulator runs without the memos ({' '.join(command)}); restart it: nba-pipeline stack stop")


def test_one_text_with_other_parameters_gives_each_its_own_answer(bigquery_client):
    text = "SELECT @n * 2 AS doubled, CONCAT('x', @s) AS tagged"
    for n, s in ((1, "a"), (2, "b"), (1, "c")):
        assert query(bigquery_client, text, n=n, s=s) == [{"doubled": 2 * n, "tagged": f"x{s}"}]


def test_one_text_over_a_recreated_table_follows_the_new_schema(bigquery_client):
    """The translation depends on the column types (a star expands, AVG of NUMERIC stays NUMERIC):
    a table recreated with other columns must not get the old table's translation."""
    client = bigquery_client
    dataset = f"{client.project}.emulator_memo_check"
    client.create_dataset(dataset, exists_ok=True)
    table = f"{dataset}.recreated"
    text = f"SELECT *, (SELECT AVG(x) FROM `{table}`) AS mean FROM `{table}` ORDER BY x"
    try:
        shapes = (
            ([bigquery.SchemaField("x", "NUMERIC"), bigquery.SchemaField("label", "STRING")],
             "(1.5, 'a'), (2.5, 'b')",
             [{"x": Decimal("1.5"), "label": "a", "mean": Decimal("2")},
              {"x": Decimal("2.5"), "label": "b", "mean": Decimal("2")}]),
            ([bigquery.SchemaField("tag", "STRING"), bigquery.SchemaField("x", "FLOAT64")],
             "('p', 1.5), ('q', 3.5)",
             [{"tag": "p", "x": 1.5, "mean": 2.5}, {"tag": "q", "x": 3.5, "mean": 2.5}]),
        )
        for schema, values, expected in shapes:
            client.delete_table(table, not_found_ok=True)
            client.create_table(bigquery.Table(table, schema=schema))
            query(client, f"INSERT INTO `{table}` VALUES {values}")
            for _ in range(2):  # the second run of the text is a memo hit
                rows = query(client, text)
                assert rows == expected
                assert [list(row) for row in rows] == [list(row) for row in expected]
                assert all(type(row["mean"]) is type(expected[0]["mean"]) for row in rows)
    finally:
        client.delete_dataset(dataset, delete_contents=True, not_found_ok=True)
