"""The business date of a run, and the checks on what a user asked for.

A run processes one business date D, the game date whose games finished last night:
``params.game_date`` when given, else the America/New_York calendar date of the run's logical
date (or, for manual runs without one, of ``run_after``) minus one day.
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


def business_date(game_date: str | None, logical_date: dt.datetime | None,
                  run_after: dt.datetime | None) -> dt.date:
    """D for a run (see the module docstring)."""
    if game_date:
        return parse_game_date(game_date)
    anchor = logical_date or run_after
    if anchor is None:
        raise InvalidRunRequest("the run has neither a game_date param nor a logical date")
    return eastern_date(anchor) - dt.timedelta(days=1)


def mode_of(run_type: str | None) -> str:
    value = str(run_type or "manual").lower()
    if "backfill" in value:
        return "backfill"
    if "scheduled" in value:
        return "scheduled"
    return "manual"


def plan_run(*, game_date: str | None, processor_names, force: bool, logical_date: dt.datetime | None,
             run_after: dt.datetime | None, run_type: str | None, now: dt.datetime) -> RunPlan:
    """Validate a run request and return its plan; raises InvalidRunRequest with a clear message."""
    date = business_date(game_date, logical_date, run_after)
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
        mode=mode_of(run_type),
    )


def scheduled_logical_date(business: dt.date, hour: int = 6) -> dt.datetime:
    """The logical date of the scheduled (or backfill) run that processes ``business``."""
    local = dt.datetime.combine(business + dt.timedelta(days=1), dt.time(hour), tzinfo=EASTERN)
    return local.astimezone(dt.timezone.utc)
