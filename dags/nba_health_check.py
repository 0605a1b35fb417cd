"""
### NBA pipeline health check (daily, 11:00 America/New_York)

Checks the last `days` business dates (default 3, ending yesterday in America/New_York), or
the one `date` given, with the same functions as `nba-pipeline health`:

* completion records against the warehouse (entries, `_completed_count`, `_triggered`);
* duplicate merge keys in all ten output tables, with the offending keys;
* raw data on time (first gamebook load of D before 10:00 ET on D + 1, hours late in ET);
* locks expired but still present, or held longer than any run should take;
* days left half-done (phase 3 without phase 4, partial phases, games without records).

The task **fails when issues are found** (no retry: alerting fires) and prints the report in
its log; a service that does not answer fails it too, after its retries. Repair with the
`nba_reconcile` DAG or `nba-pipeline reconcile --fix`; see docs/operations.md.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import DAG, Param, task
from airflow.timetables.trigger import CronTriggerTimetable

with DAG(
    dag_id="nba_health_check",
    schedule=CronTriggerTimetable("0 11 * * *", timezone="America/New_York"),
    start_date=pendulum.datetime(2025, 10, 1, tz="America/New_York"),
    catchup=False,
    max_active_runs=1,
    tags=["nba", "ops"],
    doc_md=__doc__,
    default_args={"retries": 2, "retry_delay": pendulum.duration(minutes=5)},
    params={
        "days": Param(3, type="integer", minimum=1, maximum=60, title="Days",
                      description="Business dates to check, ending yesterday (America/New_York)."),
        "date": Param(None, type=["null", "string"], format="date", title="Date",
                      description="Check only this business date (YYYY-MM-DD) instead."),
    },
):

    @task(doc_md="Runs every health check over the window, logs the report, fails when issues are found.")
    def health_check(params=None, logical_date=None, dag_run=None):
        import logging

        from airflow.sdk.exceptions import AirflowException, AirflowFailException

        from nba_pipeline.health import run_health, window_dates
        from nba_pipeline.hooks.firestore_lock import FirestoreLockHook
        from nba_pipeline.hooks.warehouse import WarehouseHook

        anchor = logical_date or getattr(dag_run, "run_after", None)
        dates = window_dates(days=params.get("days"), date=params.get("date"), now=anchor)
        report = run_health(WarehouseHook().client(), FirestoreLockHook().get_client(), dates)
        logging.getLogger("nba_pipeline.health").info("\n%s", report.to_text())
        if report.exit_code == 2:
            raise AirflowException(f"could not check: {report.error}")  # retried
        if report.exit_code == 1:
            raise AirflowFailException(report.summary())  # issues: alert now, a retry finds the same
        return report.to_dict()

    health_check()
