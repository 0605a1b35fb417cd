"""Plans the run and waits until the raw data of its game date is ready (``nba_pipeline.raw_readiness``).

One task, because neither half needs retry or UI state of its own: a bad request fails at the
first look (no retry can fix it), and the plan is the same at every look.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from airflow.sdk import BaseSensorOperator, PokeReturnValue

from nba_pipeline.raw_readiness import assess


class PlannedGamebookSensor(BaseSensorOperator):
    """
    Work out the run's game date D from its params, then wait until D's gamebook covers every final game.

    Returns (XCom) the run plan (``RunPlan.to_dict()``), each of its fields also under its own key.

    :param fallback_deadline_et: Time of day on D + 1 (America/New_York, HH:MM) after which a final
        game without gamebook rows may use the live boxscores; defaults to the settings.
    :param gcp_conn_id: The Google Cloud connection to BigQuery.
    """

    template_fields: Sequence[str] = ("fallback_deadline_et",)

    def __init__(self, *, fallback_deadline_et: str | None = None, gcp_conn_id: str | None = None,
                 **kwargs: Any) -> None:
        from nba_pipeline.config import settings

        config = settings()
        kwargs.setdefault("mode", "reschedule")
        kwargs.setdefault("poke_interval", config.raw_poke_seconds)
        kwargs.setdefault("timeout", 10 * 3600)
        super().__init__(**kwargs)
        self.fallback_deadline_et = fallback_deadline_et or config.gamebook_deadline_et
        self.gcp_conn_id = gcp_conn_id

    def plan(self, context) -> dict:
        """The run's plan from its params; a bad request fails the task at once, before anything is written."""
        from airflow.sdk.exceptions import AirflowFailException

        from nba_pipeline.run_dates import InvalidRunRequest, plan_run

        params, dag_run = context.get("params") or {}, context.get("dag_run")
        try:
            plan = plan_run(
                game_date=params.get("game_date"), processor_names=params.get("processors") or [],
                force=params.get("force", False), logical_date=context.get("logical_date"),
                run_after=getattr(dag_run, "run_after", None), run_type=getattr(dag_run, "run_type", None),
                now=dt.datetime.now(dt.timezone.utc),
            )
        except InvalidRunRequest as error:
            raise AirflowFailException(f"invalid run request: {error}") from None
        self.log.info("Business date %s (mode %s), processors: %s%s", plan.business_date, plan.mode,
                      ", ".join(plan.processors), " (force)" if plan.force else "")
        return plan.to_dict()

    def poke(self, context) -> PokeReturnValue:
        from nba_pipeline.hooks.warehouse import WarehouseHook

        plan = self.plan(context)
        business = dt.date.fromisoformat(plan["business_date"])
        games = WarehouseHook(gcp_conn_id=self.gcp_conn_id).query_file(
            "checks/gamebook_coverage.sql", business_date=business
        )
        readiness = assess(
            business, games, now=dt.datetime.now(dt.timezone.utc),
            deadline_et=dt.time.fromisoformat(self.fallback_deadline_et),
        )
        self.log.info("Raw data for %s: %s", plan["business_date"], readiness.reason)
        if readiness.ready:
            # Each field under its own key too, so the DAG can hand one (plan["business_date"]) to a task.
            for key, value in plan.items():
                context["ti"].xcom_push(key=key, value=value)
        return PokeReturnValue(is_done=readiness.ready, xcom_value=plan)
