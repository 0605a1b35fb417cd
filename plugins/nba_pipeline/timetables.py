"""The schedule of ``nba_pipeline``: one run per game day, and its logical date *is* that day.

A run's data interval is the America/New_York calendar day D, ``[D 00:00 ET, D+1 00:00 ET)``, so
its logical date is D at midnight ET, and it runs at 06:00 ET on D + 1, once the night's games
are over. The dates a person picks in the backfill dialog are therefore game dates (see
``first_day`` for how the dialog's bounds map to days), and scheduled run ids start with the
game date they process (Airflow 3.3 names backfill runs after ``run_after`` whatever the
timetable: the run of game day 2026-02-07 is ``backfill__2026-02-08T11:00:00+00:00``).

Airflow 3 only deserializes custom timetables registered by a plugin: ``plugins/nba_pipeline_plugin.py``
registers this one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from airflow.timetables.base import DagRunInfo, DataInterval, TimeRestriction, Timetable

from nba_pipeline.run_dates import EASTERN, eastern_date, scheduled_logical_date, scheduled_run_after


def _noon_utc(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.timezone.utc)


def _is_bare_date(moment: dt.datetime) -> bool:
    """A bound given as a date alone: the CLI and the REST API read ``2026-02-06`` as UTC midnight."""
    return moment.astimezone(dt.timezone.utc).time() == dt.time(0)


def first_day(earliest: dt.datetime) -> dt.date:
    """The first game day a backfill from ``earliest`` covers.

    A game day D is inside a backfill's range when the range holds D at noon UTC. The dialog
    sends the picked days from 00:00 to 23:59 in the browser's timezone, and from UTC-12 to
    UTC+11 that range holds the noon (UTC) of exactly the picked days, so the days picked are the
    game days run, "To" included, wherever the person sits.
    """
    shifted = earliest.astimezone(dt.timezone.utc) - dt.timedelta(hours=12)
    return shifted.date() if shifted.time() == dt.time(0) else shifted.date() + dt.timedelta(days=1)


def last_day(latest: dt.datetime) -> dt.date:
    """The last game day a backfill up to ``latest`` covers (see ``first_day``); a bare date names itself."""
    if _is_bare_date(latest):
        return latest.astimezone(dt.timezone.utc).date()
    return (latest.astimezone(dt.timezone.utc) - dt.timedelta(hours=12)).date()


class GameDayTimetable(Timetable):
    """
    One run per America/New_York game day D: data interval D 00:00 to D+1 00:00 ET, run at 06:00 ET on D + 1.

    Without catch-up, missed days are skipped to the latest game day whose run time has come.

    :param run_hour: The hour (ET) of D + 1 at which the run of D starts.
    """

    description = "Each America/New_York game day D, run at 06:00 ET on D + 1"

    def __init__(self, *, run_hour: int = 6) -> None:
        self.run_hour = run_hour

    @classmethod
    def deserialize(cls, data: dict[str, Any]) -> GameDayTimetable:
        return cls(run_hour=int(data.get("run_hour", 6)))

    def serialize(self) -> dict[str, Any]:
        return {"run_hour": self.run_hour}

    @property
    def summary(self) -> str:
        return f"game day, at {self.run_hour:02d}:00 ET the day after"

    def _info(self, day: dt.date) -> DagRunInfo:
        import pendulum

        start, end = (pendulum.instance(scheduled_logical_date(d)) for d in (day, day + dt.timedelta(days=1)))
        return DagRunInfo(run_after=pendulum.instance(scheduled_run_after(day, self.run_hour)),
                          data_interval=DataInterval(start, end))

    def latest_ready_day(self, now: dt.datetime) -> dt.date:
        """The latest game day whose run time has come."""
        local = now.astimezone(EASTERN)
        return local.date() - dt.timedelta(days=1 if local.hour >= self.run_hour else 2)

    def infer_manual_data_interval(self, *, run_after: dt.datetime) -> DataInterval:
        # A manual run covers the last game day finished before it: yesterday's games.
        return self._info(eastern_date(run_after) - dt.timedelta(days=1)).data_interval

    def next_dagrun_info(self, *, last_automated_data_interval: DataInterval | None,
                         restriction: TimeRestriction) -> DagRunInfo | None:
        now = dt.datetime.now(dt.timezone.utc)
        earliest = first_day(restriction.earliest) if restriction.earliest is not None else None
        if last_automated_data_interval is not None:
            day = eastern_date(last_automated_data_interval.start) + dt.timedelta(days=1)
        elif earliest is not None:
            day = earliest
        elif restriction.catchup:
            return None
        else:
            day = self.latest_ready_day(now)
        if not restriction.catchup:
            day = max(day, self.latest_ready_day(now))
        if earliest is not None:
            day = max(day, earliest)
        if restriction.latest is not None and day > last_day(restriction.latest):
            return None
        return self._info(day)

    def generate_run_id(self, *, run_type, run_after, data_interval: DataInterval | None, **extra) -> str:
        # Scheduled runs are named after their game day, like backfill runs (``backfill__<logical date>``).
        if data_interval is not None and str(getattr(run_type, "value", run_type)) == "scheduled":
            return run_type.generate_run_id(suffix=data_interval.start.isoformat())
        return super().generate_run_id(run_type=run_type, run_after=run_after, data_interval=data_interval, **extra)
