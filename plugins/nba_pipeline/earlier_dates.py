"""The cross-date rule: which earlier runs a date waits for, and when they count as done.

Processors that read earlier dates' history (``reads_earlier_dates``, and phase 4) need every
earlier date of the season to have written its post-game rows first. In a backfill with runs in
parallel, run D therefore waits until, in every run of an earlier date of the season, each
post-game processor task has succeeded or been skipped; it fails at once if one of them failed.
Dates that never had a run are not waited for.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from nba_pipeline import processors
from nba_pipeline.run_dates import scheduled_logical_date

DONE = {"success", "skipped"}
FAILED = {"failed", "upstream_failed", "removed"}


def history_task_ids() -> list[str]:
    """The tasks whose rows later dates read: the post-game processors (their task id is their name)."""
    return [p.name for p in processors.PROCESSORS if p.post_game]


def season_start(business: dt.date) -> dt.date:
    """1 October of the season that holds ``business`` (seasons run October to June)."""
    year = business.year if business.month >= 8 else business.year - 1
    return dt.date(year, 10, 1)


def earlier_logical_dates(business: dt.date) -> list[dt.datetime]:
    start = season_start(business)
    days = (business - start).days
    return [scheduled_logical_date(start + dt.timedelta(days=i)) for i in range(max(days, 0))]


def classify(task_states: dict[str, dict[str, Any]], task_ids, own_run_id: str) -> tuple[list[str], list[str]]:
    """Split earlier runs into (still writing, failed) from their history tasks' states.

    ``task_states`` maps run ids to ``{task_id: state}`` (``get_task_states``); a run is done
    when each of ``task_ids`` has succeeded or was skipped.
    """
    waiting, failed = [], []
    for run_id, states in sorted(task_states.items()):
        if run_id == own_run_id:
            continue
        states = {task: getattr(state, "value", state) for task, state in (states or {}).items()}
        bad = [task for task in sorted(task_ids) if states.get(task) in FAILED]
        pending = [task for task in sorted(task_ids) if states.get(task) not in DONE | FAILED]
        if bad or pending:
            listed = ", ".join(f"{task} {states.get(task) or 'not started'}" for task in bad or pending)
            (failed if bad else waiting).append(f"{run_id} ({listed})")
    return waiting, failed
