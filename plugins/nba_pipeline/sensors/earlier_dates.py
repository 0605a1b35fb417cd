"""The cross-date guard: a date's history-reading steps wait for earlier dates' runs.

Phase 4 of D + 1 (and the upcoming player context) read phase 3 post-game rows of every earlier
date of the season. When a backfill runs dates in parallel, this sensor holds run D until the
runs of earlier dates in the same season have finished their post-game processors, so the
tables come out the same as if the dates had run one after another.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from airflow.sdk import BaseSensorOperator

from nba_pipeline.run_dates import scheduled_logical_date

SETTLED_OK = {"success", "skipped"}
SETTLED_BAD = {"failed", "upstream_failed", "removed"}


def season_start(business: dt.date) -> dt.date:
    """1 October of the season that holds ``business`` (seasons run October to June)."""
    year = business.year if business.month >= 8 else business.year - 1
    return dt.date(year, 10, 1)


def earlier_logical_dates(business: dt.date) -> list[dt.datetime]:
    start = season_start(business)
    days = (business - start).days
    return [scheduled_logical_date(start + dt.timedelta(days=i)) for i in range(max(days, 0))]


def classify(task_states: dict[str, dict[str, Any]], marker_task_id: str, own_run_id: str):
    """Split the earlier runs' marker states into (still running, failed) run ids."""
    waiting, failed = [], []
    for run_id, states in sorted(task_states.items()):
        if run_id == own_run_id:
            continue
        state = (states or {}).get(marker_task_id)
        state = getattr(state, "value", state)
        if state in SETTLED_OK:
            continue
        (failed if state in SETTLED_BAD else waiting).append(f"{run_id} ({state or 'not started'})")
    return waiting, failed


class EarlierDatesSettledSensor(BaseSensorOperator):
    """
    Wait until the runs of earlier dates of the season have passed ``marker_task_id``.

    :param business_date: The game date D of this run (YYYY-MM-DD); templated.
    :param marker_task_id: The task whose success means a run's post-game tables are written.
    :param wait: ``False`` to pass at once (a person re-running one date knowingly); templated.
    """

    template_fields: Sequence[str] = ("business_date", "wait")

    def __init__(self, *, business_date: str, marker_task_id: str, wait: Any = True, **kwargs: Any) -> None:
        kwargs.setdefault("mode", "reschedule")
        kwargs.setdefault("poke_interval", 20)
        kwargs.setdefault("timeout", 12 * 3600)
        super().__init__(**kwargs)
        self.business_date = business_date
        self.marker_task_id = marker_task_id
        self.wait = wait

    def poke(self, context) -> bool:
        from airflow.exceptions import AirflowFailException

        if str(self.wait).lower() in {"false", "0"}:
            self.log.info("wait_for_earlier_dates is off: not waiting for earlier dates")
            return True
        business = dt.date.fromisoformat(self.business_date)
        ti = context["ti"]
        states = ti.get_task_states(
            dag_id=ti.dag_id, task_ids=[self.marker_task_id],
            logical_dates=earlier_logical_dates(business),
        )
        waiting, failed = classify(states, self.marker_task_id, ti.run_id)
        if failed:
            raise AirflowFailException(
                f"earlier dates of the season failed their post-game processors: {', '.join(failed)}; "
                "re-run them first, or trigger this date with wait_for_earlier_dates=false"
            )
        if waiting:
            self.log.info("Waiting for earlier dates' runs: %s", ", ".join(waiting))
            return False
        self.log.info("No earlier run of the season is unfinished")
        return True
