"""
### NBA pipeline: phase 3 analytics and phase 4 precompute for one game date

Each run processes one **business date D**, the game date whose games finished last night:
the `game_date` param when given, else the America/New_York date of the run's logical date
minus one day. It writes

* phase 3 post-game tables (team offense, team defense, player game summary) for **D**;
* phase 3 pre-game context (upcoming team and player context) for **D + 1**;
* phase 4 (five precompute tables) for analysis date **D + 1**, from games up to D.

Every processor holds the Firestore lease `{ProcessorClass}_{date}` while its BigQuery MERGE
runs (legacy Cloud Run processors honour the same locks), stamps its rows with the lease's
fencing token, and releases the lease whatever happens. After each phase, duplicate-key checks
fail the run with the offending keys; then the completion record (`phase3_completion/D`,
`phase4_completion/D+1`) is written and, for phase 3, one Pub/Sub message per processor.

**Trigger one date** from the trigger form: `game_date`, optionally a subset of `processors`,
and `force` to re-run processors that already completed. **Backfill** a season from the backfill dialog; parallel runs give the same tables as
sequential ones because each date waits for earlier dates before it reads their history.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import DAG, Param, task
from airflow.timetables.trigger import CronTriggerTimetable

from nba_pipeline import processors
from nba_pipeline.operators.processor import ProcessorOperator
from nba_pipeline.sensors.earlier_dates import EarlierDatesSettledSensor
from nba_pipeline.sensors.raw_data import GamebookReadySensor

with DAG(
    dag_id="nba_pipeline",
    schedule=CronTriggerTimetable("0 6 * * *", timezone="America/New_York"),
    start_date=pendulum.datetime(2025, 10, 1, tz="America/New_York"),
    catchup=False,
    max_active_runs=4,
    dagrun_timeout=pendulum.duration(hours=14),
    tags=["nba", "phase3", "phase4"],
    doc_md=__doc__,
    render_template_as_native_obj=True,
    default_args={
        "retries": 2,
        "retry_delay": pendulum.duration(minutes=1),
        "retry_exponential_backoff": True,
    },
    params={
        "game_date": Param(
            None, type=["null", "string"], format="date", title="Game date",
            description="The game date D to process (YYYY-MM-DD). Empty: yesterday in America/New_York.",
        ),
        "processors": Param(
            [], type="array", title="Processors",
            items={"type": "string", "enum": [p.name for p in processors.PROCESSORS]},
            description="Run only these processors (empty: all ten).",
        ),
        "force": Param(
            False, type="boolean", title="Force",
            description="Re-run processors that already completed for the date.",
        ),
        "wait_for_earlier_dates": Param(
            True, type="boolean", title="Wait for earlier dates",
            description="Hold history-reading steps until earlier dates' runs of the season are done (switch off only knowingly).",
        ),
    },
):

    @task(multiple_outputs=True,
          doc_md="Works out the business date D and checks the params; a bad request fails here, before anything is written.")
    def plan_run(params=None, dag_run=None, logical_date=None):
        from nba_pipeline.pipeline_tasks import plan_from_context

        return plan_from_context(params, dag_run, logical_date)

    plan = plan_run()

    wait_for_gamebook = GamebookReadySensor(
        task_id="wait_for_gamebook",
        business_date=plan["business_date"],
        doc_md="Waits until the gamebook of D covers every final game (live boxscores after the noon-ET deadline).",
    )

    tasks = {
        p.name: ProcessorOperator(
            task_id=p.name, processor_name=p.name, plan=plan, doc_md=p.description,
        )
        for p in processors.PROCESSORS
    }

    wait_for_earlier_dates = EarlierDatesSettledSensor(
        task_id="wait_for_earlier_dates",
        business_date=plan["business_date"],
        marker_task_id="wait_for_earlier_dates",
        wait="{{ params.wait_for_earlier_dates }}",
        trigger_rule="none_failed",
        doc_md="Holds this date's history-reading steps until earlier dates' runs of the season have passed this point.",
    )

    @task(trigger_rule="none_failed", doc_md="Duplicate-key checks on the five phase 3 tables, grouped by each table's merge key.")
    def check_phase3(plan=None, run_id=None):
        from nba_pipeline.pipeline_tasks import check_phase

        return check_phase(3, plan, run_id)

    @task(trigger_rule="none_failed", doc_md="Writes phase3_completion/D, publishes one Pub/Sub message per processor, marks phase 4 triggered.")
    def record_phase3(plan=None, checks=None, dag_run=None):
        from nba_pipeline.pipeline_tasks import record_phase

        return record_phase(3, plan, checks, dag_run)

    @task(trigger_rule="none_failed", doc_md="Duplicate-key checks on the five phase 4 tables.")
    def check_phase4(plan=None, run_id=None):
        from nba_pipeline.pipeline_tasks import check_phase

        return check_phase(4, plan, run_id)

    @task(trigger_rule="none_failed", doc_md="Writes phase4_completion/D+1.")
    def record_phase4(plan=None, checks=None, dag_run=None):
        from nba_pipeline.pipeline_tasks import record_phase

        return record_phase(4, plan, checks, dag_run)

    checks3 = check_phase3(plan=plan)
    recorded3 = record_phase3(plan=plan, checks=checks3)
    checks4 = check_phase4(plan=plan)
    recorded4 = record_phase4(plan=plan, checks=checks4)

    plan >> wait_for_gamebook
    for p in processors.PROCESSORS:
        for upstream in p.upstream:
            tasks[upstream] >> tasks[p.name]
        if p.phase == 3 and not p.upstream:
            wait_for_gamebook >> tasks[p.name]
        if p.post_game:
            tasks[p.name] >> wait_for_earlier_dates
        # Processors that read earlier dates' history start after the cross-date guard;
        # phase 4 starts after it too (through the phase 3 record).
        if p.reads_earlier_dates:
            wait_for_earlier_dates >> tasks[p.name]
        if p.phase == 3:
            tasks[p.name] >> checks3
        if p.phase == 4 and not p.upstream:
            recorded3 >> tasks[p.name]
        if p.phase == 4:
            tasks[p.name] >> checks4
