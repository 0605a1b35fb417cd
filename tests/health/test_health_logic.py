"""Pure logic of the health check: windows, the ET deadline across DST, day progress."""

from __future__ import annotations

import datetime as dt

import pytest

from nba_pipeline import processors
from nba_pipeline.health import HealthReport, Issue, window_dates
from nba_pipeline.health.checks import day_progress, gamebook_deadline, hours_late
from nba_pipeline.health.report import short_name

UTC = dt.timezone.utc


def test_window_ends_yesterday_in_new_york():
    # 03:00 UTC on 2026-02-20 is still the 19th in New York: yesterday there is the 18th.
    now = dt.datetime(2026, 2, 20, 3, 0, tzinfo=UTC)
    assert window_dates(days=3, now=now) == [dt.date(2026, 2, 16), dt.date(2026, 2, 17), dt.date(2026, 2, 18)]
    assert window_dates(date=dt.date(2026, 2, 3)) == [dt.date(2026, 2, 3)]
    assert window_dates(days=2, until=dt.date(2026, 3, 1)) == [dt.date(2026, 2, 28), dt.date(2026, 3, 1)]
    with pytest.raises(ValueError, match="at least 1"):
        window_dates(days=0)


@pytest.mark.parametrize(
    "business_date, deadline_utc",
    [
        (dt.date(2026, 3, 7), dt.datetime(2026, 3, 8, 14, 0, tzinfo=UTC)),   # D + 1 is the first EDT day
        (dt.date(2026, 3, 6), dt.datetime(2026, 3, 7, 15, 0, tzinfo=UTC)),   # still EST
        (dt.date(2026, 10, 31), dt.datetime(2026, 11, 1, 15, 0, tzinfo=UTC)),  # D + 1 is the first EST day
        (dt.date(2026, 10, 30), dt.datetime(2026, 10, 31, 14, 0, tzinfo=UTC)),  # still EDT
    ],
)
def test_deadline_is_ten_new_york_time_on_the_next_day(business_date, deadline_utc):
    assert gamebook_deadline(business_date) == deadline_utc
    assert hours_late(business_date, deadline_utc + dt.timedelta(hours=8)) == 8.0
    assert hours_late(business_date, deadline_utc - dt.timedelta(minutes=30)) == -0.5


def test_day_progress():
    p3 = {p.completion_key: {} for p in processors.phase(3)}
    p4 = {p.completion_key: {} for p in processors.phase(4)}
    assert day_progress(p3, p4, has_work=True) is None
    # Completion entries are keyed the platform's way: the feature store's is ml_feature_store.
    assert "ml_feature_store" in p4 and "ml_feature_store_v2" not in p4
    assert day_progress(p3, {**{k: {} for k in p4 if k != "ml_feature_store"}, "ml_feature_store_v2": {}},
                        has_work=True) == "phase4_partial"
    assert day_progress(p3, {}, has_work=True) == "phase4_missing"
    assert day_progress(p3, {"ml_feature_store": {}}, has_work=True) == "phase4_partial"
    assert day_progress({"player_game_summary": {}}, {}, has_work=True) == "phase3_partial"
    assert day_progress({}, {}, has_work=True) == "not_run"
    assert day_progress({}, {}, has_work=False) is None  # a day without games passes


def test_report_exit_codes_and_stable_json():
    day = dt.date(2026, 2, 3)
    assert HealthReport(dates=[day]).exit_code == 0
    issue = Issue("locks", "expired_lock", "lock X expired", day.isoformat())
    report = HealthReport(dates=[day], issues=[issue])
    assert report.exit_code == 1 and report.status == "issues"
    assert HealthReport(dates=[day], error="Firestore did not answer").exit_code == 2
    data = report.to_dict()
    assert set(data) == {"schema_version", "status", "exit_code", "error", "checked_at", "dates",
                         "issue_counts", "issues", "grid"}
    assert data["issue_counts"] == {"completion": 0, "duplicates": 0, "raw_timeliness": 0, "locks": 1,
                                    "half_done": 0}
    assert data["issues"][0]["fixable"] is False  # reconcile does not release locks
    assert Issue("completion", "missing_entry", "no entry", day.isoformat()).to_dict()["fixable"] is True


def test_grid_labels_are_unique():
    labels = [short_name(p) for p in processors.PROCESSORS]
    assert len(set(labels)) == len(labels)
