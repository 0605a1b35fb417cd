"""The game-day timetable: logical date = game day D (00:00 ET), run at 06:00 ET on D + 1, backfill bounds by date."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pendulum
import pytest
from airflow.timetables.base import DataInterval, TimeRestriction

from nba_pipeline.run_dates import EASTERN, business_date
from nba_pipeline.timetables import GameDayTimetable, first_day, last_day

UTC = dt.timezone.utc


def infos_between(timetable, earliest, latest):
    """What Airflow's backfill does with the dialog's bounds (SerializedDAG.iter_dagrun_infos_between)."""
    restriction = TimeRestriction(pendulum.instance(earliest), pendulum.instance(latest), catchup=True)
    info, out = None, []
    while True:
        info = timetable.next_dagrun_info_v2(last_dagrun_info=info, restriction=restriction)
        if info is None:
            return out
        out.append(info)


def game_days(infos):
    return [business_date(None, i.logical_date, None, "backfill") for i in infos]


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "America/Los_Angeles", "Pacific/Honolulu",
                                  "Europe/Berlin", "Asia/Tokyo"])
def test_the_dates_picked_are_the_game_dates_processed_to_included(zone):
    tz = ZoneInfo(zone)
    # What the dialog sends for 7..9 Feb: 00:00 of the first day to 23:59 of the last, browser time.
    picked = [dt.datetime(2026, 2, 7, tzinfo=tz), dt.datetime(2026, 2, 9, 23, 59, tzinfo=tz)]
    infos = infos_between(GameDayTimetable(), *picked)
    assert game_days(infos) == [dt.date(2026, 2, 7), dt.date(2026, 2, 8), dt.date(2026, 2, 9)]


def test_interval_is_the_eastern_day_and_the_run_starts_at_six_the_morning_after():
    (info,) = infos_between(GameDayTimetable(), dt.datetime(2026, 3, 8, tzinfo=UTC), dt.datetime(2026, 3, 8, tzinfo=UTC))
    start, end = info.data_interval
    assert start.astimezone(EASTERN) == dt.datetime(2026, 3, 8, tzinfo=EASTERN)
    assert end.astimezone(EASTERN) == dt.datetime(2026, 3, 9, tzinfo=EASTERN)
    assert (end - start) == dt.timedelta(hours=23)  # the day clocks spring forward
    assert info.run_after.astimezone(EASTERN) == dt.datetime(2026, 3, 9, 6, tzinfo=EASTERN)
    assert info.logical_date == start


def test_cli_date_bounds_work_too():
    infos = infos_between(GameDayTimetable(), pendulum.parse("2026-02-01"), pendulum.parse("2026-02-06"))
    assert game_days(infos) == [dt.date(2026, 2, d) for d in range(1, 7)]


def test_bounds_to_days():
    assert first_day(dt.datetime(2026, 2, 9, tzinfo=ZoneInfo("America/Los_Angeles"))) == dt.date(2026, 2, 9)
    assert first_day(dt.datetime(2026, 2, 9, 0, tzinfo=UTC)) == dt.date(2026, 2, 9)
    assert last_day(dt.datetime(2026, 2, 9, 0, tzinfo=UTC)) == dt.date(2026, 2, 9)  # a bare date
    assert last_day(dt.datetime(2026, 2, 9, 23, 59, tzinfo=EASTERN)) == dt.date(2026, 2, 9)
    assert last_day(dt.datetime(2026, 2, 10, 0, 0, tzinfo=EASTERN)) == dt.date(2026, 2, 9)


def _now(monkeypatch, moment):
    import nba_pipeline.timetables as module

    class Frozen(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return moment.astimezone(tz)

    monkeypatch.setattr(module.dt, "datetime", Frozen)


def test_without_catchup_missed_days_skip_to_the_latest(monkeypatch):
    _now(monkeypatch, dt.datetime(2026, 12, 1, 12, 0, tzinfo=UTC))  # 07:00 ET: 30 Nov is ready
    last = GameDayTimetable()._info(dt.date(2026, 11, 20)).data_interval
    restriction = TimeRestriction(pendulum.datetime(2025, 10, 1, tz="America/New_York"), None, catchup=False)
    info = GameDayTimetable().next_dagrun_info(last_automated_data_interval=last, restriction=restriction)
    assert business_date(None, info.logical_date, None, "scheduled") == dt.date(2026, 11, 30)


def test_scheduled_run_ids_name_the_game_day():
    from airflow.utils.types import DagRunType

    interval = GameDayTimetable()._info(dt.date(2026, 2, 7)).data_interval
    run_id = GameDayTimetable().generate_run_id(run_type=DagRunType.SCHEDULED, run_after=interval.end,
                                                data_interval=interval)
    assert run_id.startswith("scheduled__2026-02-07")


def test_manual_runs_cover_yesterday():
    interval = GameDayTimetable().infer_manual_data_interval(run_after=pendulum.datetime(2026, 2, 8, 15, 0))
    assert interval == DataInterval(*GameDayTimetable()._info(dt.date(2026, 2, 7)).data_interval)


def test_serialization_round_trip():
    timetable = GameDayTimetable(run_hour=7)
    assert GameDayTimetable.deserialize(timetable.serialize()).run_hour == 7
