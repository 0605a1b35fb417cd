"""The task that runs one registered processor for the run's business date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from nba_pipeline import processors
from nba_pipeline.assets import table_event
from nba_pipeline.operators.guarded_bigquery import LeaseGuardedBigQueryInsertJobOperator


class ProcessorOperator(LeaseGuardedBigQueryInsertJobOperator):
    """
    Run a registered processor's MERGE under its lease for the date the plan gives.

    The plan (the ``plan_run`` task's XCom) is resolved when the task's templates are rendered,
    and the lock key, the full job configuration (SQL and parameters) and the fence sink are
    derived from it right there, so Airflow's Rendered Templates view shows exactly what runs.
    The lease's fence is added to the parameters when the lease is granted.

    Skips (without touching the lock) when the plan leaves the processor out, or when the
    completion record already holds it for that date and the plan does not force a re-run.

    :param processor_name: Name of the processor in ``nba_pipeline.processors``.
    :param plan: The run plan: the ``plan_run`` task's output (an XComArg) or a dict. (templated)
    """

    template_fields: Sequence[str] = ("plan", *LeaseGuardedBigQueryInsertJobOperator.template_fields)

    def __init__(self, *, processor_name: str, plan: Any, **kwargs: Any) -> None:
        registered = processors.get(processor_name)
        super().__init__(lock_key="", configuration={}, processor=registered.lock_class, **kwargs)
        self.processor_name = processor_name
        self.plan = plan

    @property
    def registered(self) -> processors.Processor:
        return processors.get(self.processor_name)

    @property
    def business_date(self) -> dt.date:
        return dt.date.fromisoformat(self.plan["business_date"])

    def render_template_fields(self, context, jinja_env=None) -> None:
        """Render the plan, then derive what this task runs from it (shown as rendered fields)."""
        from nba_pipeline.transforms import fence_sink, job_configuration

        super().render_template_fields(context, jinja_env)
        if not isinstance(self.plan, dict) or "business_date" not in self.plan:
            return
        registered, business = self.registered, self.business_date
        self.lock_key = registered.lock_key(business)
        self.configuration = job_configuration(registered, business, run_id=context["run_id"])
        self.fence_sink = fence_sink(registered, business)

    def execute(self, context):
        if self.processor_name not in self.plan["processors"]:
            raise AirflowSkipException(f"{self.processor_name} is not among the processors asked for")
        if not self.plan["force"] and not was_cleared(context) and self._already_complete():
            raise AirflowSkipException(
                f"{self.processor_name} already completed for {self.plan['business_date']}; "
                "trigger with force=true (or clear this task) to run it again"
            )
        return table_event(context, self.processor_name, self.plan, self._verified(super().execute(context)))

    def resume_execution(self, next_method, next_kwargs, context):
        # Every way back from a trigger (lease granted, job done, trigger failure) comes here.
        result = self._verified(super().resume_execution(next_method, next_kwargs, context))
        return table_event(context, self.processor_name, self.plan, result)

    def _already_complete(self) -> bool:
        from nba_pipeline.completion import CompletionStore

        store = CompletionStore(self.lock_hook.get_client())
        return store.has_succeeded(self.registered.phase, self.business_date, self.processor_name)

    def _verified(self, result):
        """Fail when the date's rows carry a newer fence than ours: our MERGE changed nothing."""
        from nba_pipeline.warehouse import run_query_file

        if not isinstance(result, dict) or "fence" not in result:
            return result
        registered = self.registered
        target = registered.target_date(self.business_date)
        row = run_query_file(
            self.bigquery_hook.get_client(project_id=self.project_id, location=self.location),
            "checks/date_fence.sql",
            extra={"dataset": registered.dataset, "table": registered.table, "date_column": registered.date_column},
            target_date=target,
        )[0]
        if row["max_fence"] > result["fence"]:
            # A retry would get a fence from the same counter: fail at once and say why.
            raise AirflowFailException(
                f"{registered.table} rows of {target} carry fence {row['max_fence']}, newer than this run's "
                f"fence {result['fence']}: its MERGE was refused. The fencing counter for {self.lock_key} "
                f"went back: restore it with `nba-pipeline locks reseed {self.lock_key} --reason ...`"
            )
        result["row_count"] = row["row_count"]
        result["table"] = f"{registered.dataset}.{registered.table}"
        result["target_date"] = target.isoformat()
        self.log.info("%s: %s rows for %s, fence %s", registered.table, row["row_count"], target, result["fence"])
        return result


def was_cleared(context) -> bool:
    """Whether a person cleared this task instance (or its run) to run it again.

    Airflow starts a new series of tries on a clear: ``max_tries`` becomes the cleared try number
    plus the task's retries, so it exceeds ``retries`` only after a clear (a retry keeps it).
    """
    ti, task = context.get("ti"), context.get("task")
    return int(getattr(ti, "max_tries", 0) or 0) > int(getattr(task, "retries", 0) or 0)
