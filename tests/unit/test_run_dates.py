"""The business-date rule and the checks on a run request."""

from __future__ import annotations

import datetime as dt

import pytest

from nba_pipeline.run_dates import (
    EASTERN,
    InvalidRunRequest,
    business_date,
    mode_of,
    plan_run,
    scheduled_logical_date,
    scheduled_run_after,
)

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 11, 28, 15, 0, tzinfo=UTC)


def test_game_date_param_wins():
    assert business_date("2026-02-03", dt.datetime(2026, 5, 1, tzinfo=UTC), None) == dt.date(2026, 2, 3)


def test_a_scheduled_or_backfill_run_processes_the_eastern_day_of_its_logical_date():
    # The logical date is 00:00 ET of the game day: 05:00 UTC on 3 Feb.
    for run_type in ("scheduled", "backfill"):
        assert business_date(None, dt.datetime(2026, 2, 3, 5, 0, tzinfo=UTC), None, run_type) == dt.date(2026, 2, 3)


def test_eastern_date_not_utc_date_counts():
    # 02:00 UTC on 4 Feb is still 3 Feb in New York.
    assert business_date(None, dt.datetime(2026, 2, 4, 2, 0, tzinfo=UTC), None, "scheduled") == dt.date(2026, 2, 3)


def test_manual_run_without_game_date_processes_yesterday():
    assert business_date(None, None, dt.datetime(2026, 3, 10, 14, 0, tzinfo=UTC)) == dt.date(2026, 3, 9)
    assert business_date(None, dt.datetime(2026, 3, 10, 14, 0, tzinfo=UTC), None, "manual") == dt.date(2026, 3, 9)


def test_scheduled_logical_date_round_trips_across_dst():
    for day in (dt.date(2026, 3, 7), dt.date(2026, 3, 8), dt.date(2026, 11, 1)):
        assert business_date(None, scheduled_logical_date(day), None, "backfill") == day
        assert scheduled_logical_date(day).astimezone(EASTERN).time() == dt.time(0)
        assert scheduled_run_after(day).astimezone(EASTERN) == dt.datetime.combine(
            day + dt.timedelta(days=1), dt.time(6), tzinfo=EASTERN)


def test_a_backfill_run_refuses_a_game_date_param_other_than_its_own():
    logical = scheduled_logical_date(dt.date(2026, 2, 7))
    with pytest.raises(InvalidRunRequest, match="leave game_date empty"):
        plan_run(game_date="2026-02-03", processor_names=[], force=False, logical_date=logical,
                 run_after=NOW, run_type="backfill", now=NOW)
    same = plan_run(game_date="2026-02-07", processor_names=[], force=False, logical_date=logical,
                    run_after=NOW, run_type="backfill", now=NOW)
    assert same.business_date == "2026-02-07"
    manual = plan_run(game_date="2026-02-03", processor_names=[], force=False, logical_date=logical,
                      run_after=NOW, run_type="manual", now=NOW)
    assert manual.business_date == "2026-02-03"


@pytest.mark.parametrize(
    "game_date, processors, message",
    [
        ("2026-13-01", [], "is not a date"),
        ("yesterday", [], "is not a date"),
        ("2026-11-28", [], "not finished yet"),
        ("2027-01-01", [], "not finished yet"),
        ("2019-01-01", [], "before the data"),
        ("2026-02-03", ["player_game_summary", "player_summary"], "unknown processor(s): player_summary"),
    ],
)
def test_bad_requests_fail_with_a_clear_message(game_date, processors, message):
    with pytest.raises(InvalidRunRequest, match=message.replace("(", r"\(").replace(")", r"\)")):
        plan_run(game_date=game_date, processor_names=processors, force=False, logical_date=None,
                 run_after=NOW, run_type="manual", now=NOW)


def test_plan_defaults_to_all_processors_and_carries_mode():
    plan = plan_run(game_date="2026-02-03", processor_names=[], force=True, logical_date=None,
                    run_after=NOW, run_type="backfill", now=NOW)
    assert plan.business_date == "2026-02-03" and plan.next_date == "2026-02-04"
    assert len(plan.processors) == 10 and plan.force and plan.mode == "backfill"


def test_mode_of_run_types():
    assert mode_of("scheduled") == "scheduled"
    assert mode_of("DagRunType.BACKFILL_JOB") == "backfill"
    assert mode_of(None) == "manual"
