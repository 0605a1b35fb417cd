"""The local BigQuery stand-in runs with its parse memo, and answers stay per query."""

from __future__ import annotations

import psutil
import pytest

from .helpers import query

pytestmark = pytest.mark.integration


def test_the_emulator_runs_through_the_parse_memo(local_stack):
    pid = local_stack["bigquery"]["pid"]
    assert pid, "the session's bqemulator has no pid file: it was started outside the local stack"
    command = psutil.Process(pid).cmdline()
    assert any(part.endswith("bqemulator_main.py") for part in command), (
        f"bqemulator runs without the parse memo ({' '.join(command)}); restart it: nba-pipeline stack stop")


def test_one_text_with_other_parameters_gives_each_its_own_answer(bigquery_client):
    text = "SELECT @n * 2 AS doubled, CONCAT('x', @s) AS tagged"
    for n, s in ((1, "a"), (2, "b"), (1, "c")):
        assert query(bigquery_client, text, n=n, s=s) == [{"doubled": 2 * n, "tagged": f"x{s}"}]
