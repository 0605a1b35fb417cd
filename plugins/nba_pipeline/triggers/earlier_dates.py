"""Waits in the triggerer until earlier dates' runs have written their post-game rows."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

from airflow.triggers.base import BaseTrigger, TriggerEvent
from asgiref.sync import sync_to_async


class EarlierDatesTrigger(BaseTrigger):
    """
    Wait until, in every run of ``dag_id`` at ``logical_dates``, each of ``task_ids`` is done.

    Looks at the task states through the triggerer's link to the API server (no worker process
    per look). Yields one event: ``{"status": "done"}`` or ``{"status": "failed", "runs": [...]}``.

    :param dag_id: The DAG whose earlier runs are waited for.
    :param run_id: The waiting run, left out of the runs looked at.
    :param task_ids: The tasks that must have succeeded (or been skipped) in each earlier run.
    :param logical_dates: ISO logical dates of the earlier dates' runs.
    :param poll_interval: Seconds between two looks at the task states.
    """

    def __init__(self, *, dag_id: str, run_id: str, task_ids: list[str], logical_dates: list[str],
                 poll_interval: float = 2.0) -> None:
        super().__init__()
        self.dag_id = dag_id
        self.run_id = run_id
        self.task_ids = list(task_ids)
        self.logical_dates = list(logical_dates)
        self.poll_interval = poll_interval

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            "nba_pipeline.triggers.earlier_dates.EarlierDatesTrigger",
            {"dag_id": self.dag_id, "run_id": self.run_id, "task_ids": self.task_ids,
             "logical_dates": self.logical_dates, "poll_interval": self.poll_interval},
        )

    async def task_states(self) -> dict[str, dict[str, Any]]:
        from airflow.sdk.execution_time.task_runner import RuntimeTaskInstance

        return await sync_to_async(RuntimeTaskInstance.get_task_states)(
            dag_id=self.dag_id, task_ids=self.task_ids,
            logical_dates=[dt.datetime.fromisoformat(d) for d in self.logical_dates],
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        from nba_pipeline.earlier_dates import classify

        while True:
            waiting, failed = classify(await self.task_states(), self.task_ids, self.run_id)
            if failed:
                yield TriggerEvent({"status": "failed", "runs": failed})
                return
            if not waiting:
                yield TriggerEvent({"status": "done"})
                return
            self.log.info("Waiting for earlier dates' post-game processors: %s", ", ".join(waiting))
            await asyncio.sleep(self.poll_interval)
