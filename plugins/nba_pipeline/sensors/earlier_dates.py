"""The cross-date guard: a date's history-reading steps wait for earlier dates' post-game rows.

Phase 4 of D + 1 (and the upcoming player context) read phase 3 post-game rows of every earlier
date of the season. When a backfill runs dates in parallel, this sensor holds run D until the
runs of earlier dates of the season have finished their post-game processors (the rule:
``nba_pipeline.earlier_dates``), so the tables come out as if the dates had run one after
another. It looks once in the worker and, if it must wait, waits in the triggerer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from airflow.sdk import BaseSensorOperator


def _refusal(failed: list[str]) -> str:
    return (f"earlier dates of the season failed their post-game processors: {', '.join(failed)}; "
            "re-run them first, or trigger this date with wait_for_earlier_dates=false")


class EarlierDatesSettledSensor(BaseSensorOperator):
    """
    Wait until the runs of earlier dates of the season have finished ``task_ids``.

    :param business_date: The game date D of this run (YYYY-MM-DD); templated.
    :param task_ids: The tasks whose success in an earlier run means its post-game rows are written.
    :param wait: ``False`` to pass at once (a person re-running one date knowingly); templated.
    :param poll_interval: Seconds between two looks at the task states while deferred (a look is one
        call to the API server, so a short wait costs little and the run starts sooner).
    """

    template_fields: Sequence[str] = ("business_date", "wait")

    def __init__(self, *, business_date: str, task_ids: Sequence[str], wait: Any = True,
                 poll_interval: float = 2.0, **kwargs: Any) -> None:
        kwargs.setdefault("timeout", 12 * 3600)
        super().__init__(**kwargs)
        self.business_date = business_date
        self.task_ids = list(task_ids)
        self.wait = wait
        self.poll_interval = poll_interval

    def _earlier_dates(self) -> list[dt.datetime]:
        from nba_pipeline.earlier_dates import earlier_logical_dates

        return earlier_logical_dates(dt.date.fromisoformat(self.business_date))

    def poke(self, context) -> bool:
        from airflow.sdk.exceptions import AirflowFailException

        from nba_pipeline.earlier_dates import classify

        if str(self.wait).lower() in {"false", "0"}:
            self.log.info("wait_for_earlier_dates is off: not waiting for earlier dates")
            return True
        ti = context["ti"]
        states = ti.get_task_states(dag_id=ti.dag_id, task_ids=self.task_ids, logical_dates=self._earlier_dates())
        waiting, failed = classify(states, self.task_ids, ti.run_id)
        if failed:
            raise AirflowFailException(_refusal(failed))
        if waiting:
            self.log.info("Waiting for earlier dates' post-game processors: %s", ", ".join(waiting))
            return False
        self.log.info("Every earlier run of the season has written its post-game rows")
        return True

    def execute(self, context) -> None:
        from nba_pipeline.triggers.earlier_dates import EarlierDatesTrigger

        if self.poke(context):
            return
        ti = context["ti"]
        self.defer(
            trigger=EarlierDatesTrigger(
                dag_id=ti.dag_id, run_id=ti.run_id, task_ids=self.task_ids,
                logical_dates=[d.isoformat() for d in self._earlier_dates()], poll_interval=self.poll_interval,
            ),
            method_name="execute_complete",
            timeout=dt.timedelta(seconds=self.timeout),
        )

    def execute_complete(self, context, event: dict[str, Any]) -> None:
        from airflow.sdk.exceptions import AirflowFailException

        if event.get("status") == "failed":
            raise AirflowFailException(_refusal(event.get("runs") or []))
        self.log.info("Every earlier run of the season has written its post-game rows")
