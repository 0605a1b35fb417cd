"""
### NBA pipeline: phase 3 analytics and phase 4 precompute for one game date

Each run processes one **game date D** (the business date: the day whose games finished last
night). **The run's logical date is D**: the schedule gives each run the America/New_York day D
as its data interval and starts it at 06:00 ET on D + 1, so the dates picked in the backfill
dialog are game dates (a run's logical date shows D at 00:00 ET). A manual run takes D from
its `game_date` param (empty: yesterday's games). **The run note shows D** and, once the run
ends, what came of it. A run writes

* phase 3 post-game tables (team offense, team defense, player game summary) for **D**;
* phase 3 pre-game context (upcoming team and player context) for **D + 1**;
* phase 4 (five precompute tables) for analysis date **D + 1**, from games up to D.

Every processor holds the Firestore lease `{ProcessorClass}_{date}` while its BigQuery MERGE
runs (legacy Cloud Run processors honour the same locks), stamps its rows with the lease's
fencing token, releases the lease whatever happens, and emits an asset event for its table
with the date it wrote. After each phase, duplicate-key checks fail the run with the offending
keys; then the completion record (`phase3_completion/D`, `phase4_completion/D+1`) is written
for the processors that wrote in this run and, for phase 3, one Pub/Sub message per processor.
A phase in which nothing ran records nothing: its record task is skipped and the note says so.

**Trigger one date** from the trigger form: pick the `game_date`, optionally a subset of
`processors` (a selected processor runs even when the ones before it are left out), and `force`
to re-run processors that already completed; clearing a processor task also re-runs it.
**Backfill** from the backfill dialog: pick the first and last game date (leave `game_date`
empty: a backfill run refuses a `game_date` other than its own). Parallel runs give the same
tables as sequential ones because each date waits for earlier dates before it reads their history.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import DAG, Param, task

from nba_pipeline import assets, processors
from nba_pipeline.operators.processor import ProcessorOperator
from nba_pipeline.sensors.earlier_dates import EarlierDatesSettledSensor
from nba_pipeline.sensors.raw_data import GamebookReadySensor
from nba_pipeline.timetables import GameDayTimetable

PROCESSOR_NAMES = [p.name for p in processors.PROCESSORS]

with DAG(
    dag_id="nba_pipeline",
    schedule=GameDayTimetable(run_hour=6),
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
            None, type=["null", "string"], format="date", title="Game date", section="What to run",
            description="Pick the day the games were played (America/New_York). Empty: yesterday's games. "
                        "Backfills take their dates from the dialog: leave this empty there.",
        ),
        "processors": Param(
            [], type=["null", "array"], title="Processors", section="What to run",
            items={"type": "string", "enum": PROCESSOR_NAMES}, examples=PROCESSOR_NAMES,
            description="Run only these processors (none picked: all ten). A picked processor runs even "
                        "when the ones it reads from are not picked; it reads their stored tables.",
        ),
        "force": Param(
            False, type=["null", "boolean"], title="Force", section="How to run",
            description="Re-run processors that already completed for the date.",
        ),
        "wait_for_earlier_dates": Param(
            True, type=["null", "boolean"], title="Wait for earlier dates", section="How to run",
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
        # none_failed: a selected processor runs when the ones before it were skipped (left out,
        # or already complete), and not when one of them failed.
        p.name: ProcessorOperator(
            task_id=p.name, processor_name=p.name, plan=plan, doc_md=p.description,
            trigger_rule="none_failed", outlets=[assets.table_asset(p)],
            inlets=[assets.table_asset(processors.get(name)) for name in p.upstream],
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

    @task(trigger_rule="none_failed", outlets=[assets.phase_asset(3)],
          doc_md="Writes phase3_completion/D for the processors that wrote in this run, publishes one Pub/Sub "
                 "message per processor, marks phase 4 triggered; skipped when nothing ran.")
    def record_phase3(plan=None, checks=None, dag_run=None, ti=None, outlet_events=None):
        from nba_pipeline.pipeline_tasks import record_phase, results_of

        recorded = record_phase(3, plan, results_of(ti, 3), dag_run)
        assets.phase_event(outlet_events, 3, recorded)
        return recorded

    @task(trigger_rule="none_failed", doc_md="Duplicate-key checks on the five phase 4 tables.")
    def check_phase4(plan=None, run_id=None):
        from nba_pipeline.pipeline_tasks import check_phase

        return check_phase(4, plan, run_id)

    @task(trigger_rule="none_failed", outlets=[assets.phase_asset(4)],
          doc_md="Writes phase4_completion/D+1 for the processors that wrote in this run; skipped when nothing ran.")
    def record_phase4(plan=None, checks=None, dag_run=None, ti=None, outlet_events=None):
        from nba_pipeline.pipeline_tasks import record_phase, results_of

        recorded = record_phase(4, plan, results_of(ti, 4), dag_run)
        assets.phase_event(outlet_events, 4, recorded)
        return recorded

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
