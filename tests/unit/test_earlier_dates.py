"""The cross-date guard's reading of earlier runs' states."""

from __future__ import annotations

import datetime as dt

from nba_pipeline.run_dates import business_date
from nba_pipeline.sensors.earlier_dates import classify, earlier_logical_dates, season_start


def test_season_start():
    assert season_start(dt.date(2026, 2, 3)) == dt.date(2025, 10, 1)
    assert season_start(dt.date(2025, 10, 21)) == dt.date(2025, 10, 1)
    assert season_start(dt.date(2026, 6, 10)) == dt.date(2025, 10, 1)


def test_earlier_logical_dates_are_the_runs_of_every_earlier_date_of_the_season():
    dates = earlier_logical_dates(dt.date(2025, 10, 5))
    assert [business_date(None, d, None, "backfill") for d in dates] == [dt.date(2025, 10, d) for d in (1, 2, 3, 4)]


def test_classify_waits_for_unfinished_and_reports_failed_runs():
    states = {
        "backfill__1": {"wait_for_earlier_dates": "success"},
        "backfill__2": {"wait_for_earlier_dates": "running"},
        "backfill__3": {"wait_for_earlier_dates": None},
        "backfill__4": {"wait_for_earlier_dates": "upstream_failed"},
        "self": {"wait_for_earlier_dates": "up_for_reschedule"},
    }
    waiting, failed = classify(states, "wait_for_earlier_dates", "self")
    assert waiting == ["backfill__2 (running)", "backfill__3 (not started)"]
    assert failed == ["backfill__4 (upstream_failed)"]
