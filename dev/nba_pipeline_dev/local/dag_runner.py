"""Runs DAGs through Airflow's own ``dag.test()``, batch after batch, in one process.

Started by ``nba_pipeline_dev.local.runs.DagRunner`` with the local Airflow environment. Each line
on stdin is a batch, ``{"dag_id": ..., "runs": [{logical_date, conf}, ...]}``; each run prints one
``RESULT`` JSON line and each batch ends with ``BATCH_DONE``. It ends at the end of its input.
One process for many runs saves Airflow's start-up cost on each.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time

# The line that ends each batch's output (DagRunner reads up to it).
BATCH_DONE = "DAG_RUNNER BATCH DONE"


def main() -> int:
    for line in sys.stdin:
        batch = json.loads(line)
        dag_id = batch["dag_id"]
        bag = parse(dag_id)
        if dag_id in bag.dags:
            run_batch(dag_id, batch["runs"], bag.dags[dag_id])
        else:
            # No RESULT lines: the caller reports every run as an error with this output's tail.
            print(f"DAG {dag_id} not found; import errors: "
                  f"{ {str(k): str(v)[-2000:] for k, v in bag.import_errors.items()} }", flush=True)
        print(BATCH_DONE, flush=True)
    return 0


def parse(dag_id: str):
    """A DagBag of the DAG's own file (each DAG file is named after its DAG; the others cost
    seconds of imports, the stack check's Google provider operators most), else of the folder."""
    from pathlib import Path

    from airflow.dag_processing.dagbag import DagBag
    from airflow.settings import DAGS_FOLDER

    own_file = Path(DAGS_FOLDER) / f"{dag_id}.py"
    return DagBag(dag_folder=str(own_file) if own_file.is_file() else DAGS_FOLDER)


def run_batch(dag_id: str, runs: list[dict], dag) -> None:
    """``dag.test()`` for each run in order; one ``RESULT`` line (JSON) per run.

    Every run after the first gets a DAG parsed afresh (~30 ms warm): the tasks run in this
    process, and merging a run's conf into the params sets the values on the parsed tasks' own
    Param objects, so a later run without that key would get this run's value (its processors,
    its force). A worker, which parses the file for every task, never sees that.
    """
    for number, run in enumerate(runs):
        if number:
            dag = parse(dag_id).dags[dag_id]
        # Never None: dag.test() clears the task instances of every run between its logical date
        # bounds, and None bounds would wipe the states of all earlier runs.
        logical_date = (dt.datetime.fromisoformat(run["logical_date"]) if run.get("logical_date")
                        else dt.datetime.now(dt.timezone.utc))
        started = time.perf_counter()
        began = dt.datetime.now(dt.timezone.utc)
        try:
            dag_run = dag.test(logical_date=logical_date, run_conf=run.get("conf") or {})
        except Exception as error:  # e.g. params that fail validation: the run is refused
            print("RESULT " + json.dumps({
                "conf": run.get("conf"), "run_id": None, "state": "rejected",
                "error": f"{type(error).__name__}: {error}", "seconds": round(time.perf_counter() - started, 1),
            }), flush=True)
            continue
        _finish_record(dag_run, began)
        state = str(getattr(dag_run.state, "value", dag_run.state))
        print("RESULT " + json.dumps({
            "conf": run.get("conf"), "run_id": dag_run.run_id, "state": state,
            "seconds": round(time.perf_counter() - started, 1),
        }), flush=True)


def _finish_record(dag_run, began: dt.datetime) -> None:
    """What the scheduler would have recorded: the real start and the run note.

    dag.test() dates a run's start at its logical date (days ago for a past date), and hands the
    run-note listener a run outside any session.
    """
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session

    from nba_pipeline.run_notes import annotate_finished

    with create_session() as session:
        run = session.get(DagRun, dag_run.id)
        run.start_date = began
        annotate_finished(run, session)


if __name__ == "__main__":
    sys.exit(main())
