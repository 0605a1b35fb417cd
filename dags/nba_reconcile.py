"""
### NBA pipeline reconciliation (manual)

Compares the completion records (`phase3_completion/D`, `phase4_completion/D+1`) with what the
warehouse holds, for the last `days` business dates or the one `date` given, and logs what it
would change. With **`fix`** it rewrites the records from the warehouse (entries, counts,
`_triggered`) and triggers `nba_pipeline` (conf `{"game_date": D}`) for every date whose phases
are still incomplete, waiting for those runs; a failed run fails this one.

The same code as `nba-pipeline reconcile [--days N | --date D] [--fix]`; see docs/operations.md.
"""

from __future__ import annotations

import pendulum
from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator
from airflow.sdk import DAG, Param, task

with DAG(
    dag_id="nba_reconcile",
    schedule=None,
    start_date=pendulum.datetime(2025, 10, 1, tz="America/New_York"),
    catchup=False,
    max_active_runs=1,
    tags=["nba", "ops"],
    doc_md=__doc__,
    default_args={"retries": 1, "retry_delay": pendulum.duration(minutes=2)},
    params={
        "days": Param(7, type="integer", minimum=1, maximum=120, title="Days",
                      description="Business dates to reconcile, ending yesterday (America/New_York)."),
        "date": Param(None, type=["null", "string"], format="date", title="Date",
                      description="Reconcile only this business date (YYYY-MM-DD) instead."),
        "fix": Param(False, type="boolean", title="Fix",
                     description="Rewrite the records and run nba_pipeline for incomplete dates (default: dry run)."),
    },
):

    @task(doc_md="Plans the changes (always logged); with `fix`, rewrites the records. Returns the run confs to trigger.")
    def reconcile(params=None, logical_date=None, dag_run=None, run_id=None):
        import logging

        from airflow.sdk.exceptions import AirflowException

        from nba_pipeline.health import run_reconcile, window_dates
        from nba_pipeline.hooks.firestore_lock import FirestoreLockHook
        from nba_pipeline.hooks.warehouse import WarehouseHook

        log = logging.getLogger("nba_pipeline.health.reconcile")
        anchor = logical_date or getattr(dag_run, "run_after", None)
        dates = window_dates(days=params.get("days"), date=params.get("date"), now=anchor)
        # No trigger here: the runs are the next task's, one mapped TriggerDagRunOperator per date.
        report = run_reconcile(WarehouseHook().client(), FirestoreLockHook().get_client(), dates,
                               fix=bool(params.get("fix")), reason=f"nba_reconcile {run_id}")
        if report.error:
            raise AirflowException(f"could not check: {report.error}")  # retried
        for line in report.lines():
            log.info("%s", line)
        if not report.fix:
            if not report.plan.empty:
                log.info("dry run: nothing changed (set fix to apply)")
            return []
        if report.plan.reruns:
            log.info("running nba_pipeline for %s", ", ".join(d.isoformat() for d in report.plan.reruns))
        return [{"game_date": d.isoformat()} for d in report.plan.reruns]

    TriggerDagRunOperator.partial(
        task_id="run_incomplete_dates",
        trigger_dag_id="nba_pipeline",
        wait_for_completion=True,
        poke_interval=30,
        deferrable=True,
        doc_md="One nba_pipeline run per incomplete date (none on a dry run), waited for.",
    ).expand(conf=reconcile())
