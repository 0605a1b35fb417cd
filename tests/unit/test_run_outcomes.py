"""What a run records and says about itself: written processors, cleared tasks, run notes."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from nba_pipeline import processors
from nba_pipeline.operators.processor import was_cleared
from nba_pipeline.pipeline_tasks import written_in_this_run
from nba_pipeline.run_dates import scheduled_logical_date
from nba_pipeline.run_notes import game_date_line, outcome_line


def context(max_tries: int, retries: int = 2):
    return {"ti": SimpleNamespace(max_tries=max_tries), "task": SimpleNamespace(retries=retries)}


def test_a_retry_is_not_a_clear_but_a_clear_is():
    assert not was_cleared(context(max_tries=2))  # first series: tries 1..3
    # Airflow's clear sets max_tries = try_number + retries: after try 1, 3 > 2.
    assert was_cleared(context(max_tries=1 + 2))
    assert not was_cleared(context(max_tries=0, retries=0))
    assert was_cleared(context(max_tries=1, retries=0))


def test_only_processors_that_returned_their_write_count_as_written():
    results = {
        "team_offense_game_summary": None,  # skipped: no return value
        "player_game_summary": {"fence": 7, "row_count": 212},
        "team_defense_game_summary": "not a result",
    }
    assert written_in_this_run(3, results) == {"player_game_summary": 212}
    assert written_in_this_run(4, results) == {}


def test_notes():
    names = [p.name for p in processors.PROCESSORS]
    assert outcome_line("success", dict.fromkeys(names, "success")) == "all 10 processors wrote"
    assert outcome_line("success", dict.fromkeys(names, "skipped")).startswith("nothing ran")
    assert outcome_line("failed", {"plan_run": "success", "check_phase3": "failed"}) == "failed at check_phase3"
    day = dt.date(2026, 2, 7)
    assert game_date_line({}, scheduled_logical_date(day), None, "backfill") == "Game date 2026-02-07"
    assert game_date_line({"game_date": "2026-02-03"}, None, dt.datetime.now(dt.timezone.utc), "manual") \
        == "Game date 2026-02-03"
    assert "refused: game_date 2031-01-01 is not finished yet" in game_date_line(
        {"game_date": "2031-01-01"}, None, dt.datetime.now(dt.timezone.utc), "manual")
    assert game_date_line({"game_date": "2026-13-45"}, None, None, "manual").startswith("Game date ? · refused")
