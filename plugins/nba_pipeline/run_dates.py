"""The business date of a run, and the checks on what a user asked for.

A run processes one business date D, the game date whose games finished last night:
``params.game_date`` when given; for scheduled and backfill runs, the America/New_York calendar
date of the run's logical date, which *is* the game date (the ``GameDayTimetable`` gives each run
the ET day D as its data interval and runs it at 06:00 ET on D + 1); for manual runs without a
``game_date``, the ET day before the run's logical date (or ``run_after``): yesterday's games.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from zoneinfo import ZoneInfo

from nba_pipeline import processors

EASTERN = ZoneInfo("America/New_York")
# The earliest date the warehouse holds data for; older dates are refused.
EARLIEST_DATE = dt.date(2021, 10, 1)


class InvalidRunRequest(ValueError):
    """What the user asked for cannot be run; the message says why and what to do."""


@dataclass(frozen=True)
class RunPlan:
    business_date: str
    next_date: str
    processors: list[str]
    force: bool
    mode: str

    def to_dict(self) -> dict:
        return asdict(self)


def eastern_date(moment: dt.datetime) -> dt.date:
    if moment.tzinfo is None:
        raise ValueError("a timezone-aware datetime is required")
    return moment.astimezone(EASTERN).date()


def parse_game_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidRunRequest(
            f"game_date {value!r} is not a date: use YYYY-MM-DD, e.g. 2026-02-03"
        ) from None


# Runs whose logical date is the start of their game day (given by the timetable).
SCHEDULED_MODES = ("scheduled", "backfill")


def mode_of(run_type: str | None) -> str:
    value = str(run_type or "manual").lower()
    if "backfill" in value:
        return "backfill"
    if "scheduled" in value:
        return "scheduled"
    return "manual"


def business_date(game_date: str | None, logical_date: dt.datetime | None,
                  run_after: dt.datetime | None, run_type: str | None = None) -> dt.date:
    """D for a run (see the module docstring); a scheduled or backfill run's own date wins."""
    if mode_of(run_type) in SCHEDULED_MODES and logical_date is not None:
        return eastern_date(logical_date)
    if game_date:
        return parse_game_date(game_date)
    anchor = logical_date or run_after
    if anchor is None:
        raise InvalidRunRequest("the run has neither a game_date param nor a logical date")
    return eastern_date(anchor) - dt.timedelta(days=1)


def plan_run(*, game_date: str | None, processor_names, force: bool, logical_date: dt.datetime | None,
             run_after: dt.datetime | None, run_type: str | None, now: dt.datetime) -> RunPlan:
    """Validate a run request and return its plan; raises InvalidRunRequest with a clear message."""
    mode = mode_of(run_type)
    date = business_date(game_date, logical_date, run_after, run_type)
    if game_date and mode in SCHEDULED_MODES and logical_date is not None and parse_game_date(game_date) != date:
        # A backfill passes one conf to all its runs: a game_date there would pin every run to it.
        raise InvalidRunRequest(
            f"this {mode} run is for game date {date} (its logical date), but its game_date param says "
            f"{game_date}: leave game_date empty when backfilling; the dates you pick are the game dates"
        )
    today_et = eastern_date(now)
    if date >= today_et:
        raise InvalidRunRequest(
            f"game_date {date} is not finished yet: the latest date that can run now is "
            f"{today_et - dt.timedelta(days=1)} (today in America/New_York is {today_et})"
        )
    if date < EARLIEST_DATE:
        raise InvalidRunRequest(f"game_date {date} is before the data, which starts on {EARLIEST_DATE}")
    try:
        chosen = processors.validate_names(processor_names)
    except ValueError as error:
        raise InvalidRunRequest(str(error)) from None
    return RunPlan(
        business_date=date.isoformat(),
        next_date=(date + dt.timedelta(days=1)).isoformat(),
        processors=chosen or [p.name for p in processors.PROCESSORS],
        force=bool(force),
        mode=mode,
    )


def scheduled_logical_date(business: dt.date) -> dt.datetime:
    """The logical date of the scheduled (or backfill) run that processes ``business``: 00:00 ET that day."""
    return dt.datetime.combine(business, dt.time(0), tzinfo=EASTERN).astimezone(dt.timezone.utc)


def scheduled_run_after(business: dt.date, hour: int = 6) -> dt.datetime:
    """When the scheduled run of ``business`` starts: ``hour`` o'clock ET the morning after."""
    local = dt.datetime.combine(business + dt.timedelta(days=1), dt.time(hour), tzinfo=EASTERN)
    return local.astimezone(dt.timezone.utc)
