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

    Skips (without touching the lock) when the plan leaves the processor out, or when the
    completion record already holds it for that date and the plan does not force a re-run.

    :param processor_name: Name of the processor in ``nba_pipeline.processors``.
    :param plan: The run plan from the ``plan_run`` task (a dict); templated.
    """

    template_fields: Sequence[str] = (*LeaseGuardedBigQueryInsertJobOperator.template_fields, "plan")

    def __init__(self, *, processor_name: str, plan: Any, **kwargs: Any) -> None:
        registered = processors.get(processor_name)
        super().__init__(lock_key="", configuration={}, processor=registered.lock_class, **kwargs)
        self.processor_name = processor_name
        self.plan = plan

    def _prepare(self, context) -> None:
        """Fill in the lock key and job from the plan (again after every deferral)."""
        from nba_pipeline.transforms import job_configuration

        registered = processors.get(self.processor_name)
        business = dt.date.fromisoformat(self.plan["business_date"])
        self.lock_key = registered.lock_key(business)
        # The fence is a placeholder here; the lease's own fence replaces it before the job runs.
        self.configuration = job_configuration(registered, business, fence=0, run_id=context["run_id"])

    def execute(self, context):
        from nba_pipeline.pipeline_tasks import already_complete, was_cleared

        if self.processor_name not in self.plan["processors"]:
            raise AirflowSkipException(f"{self.processor_name} is not among the processors asked for")
        if (not self.plan["force"] and not was_cleared(context)
                and already_complete(self.processor_name, self.plan, self.gcp_conn_id)):
            raise AirflowSkipException(
                f"{self.processor_name} already completed for {self.plan['business_date']}; "
                "trigger with force=true (or clear this task) to run it again"
            )
        self._prepare(context)
        return table_event(context, self.processor_name, self.plan, self._verified(super().execute(context)))

    def resume_execution(self, next_method, next_kwargs, context):
        # Every way back from a trigger (lease granted, job done, trigger failure) comes here.
        self._prepare(context)
        result = self._verified(super().resume_execution(next_method, next_kwargs, context))
        return table_event(context, self.processor_name, self.plan, result)

    def _verified(self, result):
        """Fail when the date's rows carry a newer fence than ours: our MERGE changed nothing."""
        from nba_pipeline.hooks.warehouse import WarehouseHook

        if not isinstance(result, dict) or "fence" not in result:
            return result
        registered = processors.get(self.processor_name)
        business = dt.date.fromisoformat(self.plan["business_date"])
        row = WarehouseHook(gcp_conn_id=self.gcp_conn_id).query_file(
            "checks/date_fence.sql",
            extra={"dataset": registered.dataset, "table": registered.table, "date_column": registered.date_column},
            target_date=registered.target_date(business),
        )[0]
        if row["max_fence"] > result["fence"]:
            # A retry would get a fence from the same counter: fail at once and say why.
            raise AirflowFailException(
                f"{registered.table} rows of {registered.target_date(business)} carry fence {row['max_fence']}, "
                f"newer than this run's fence {result['fence']}: its MERGE was refused. The fencing counter "
                f"for {self.lock_key} went back (was the fence collection reset?)"
            )
        result["row_count"] = row["row_count"]
        self.log.info("%s: %s rows for %s, fence %s", registered.table, row["row_count"],
                      registered.target_date(business), result["fence"])
        return result
