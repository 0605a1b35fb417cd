"""Runs DAGs through Airflow's own ``dag.test()`` for a list of dates, in one process.

Started by ``nba_pipeline_dev.local.runs`` with the local Airflow environment; prints one JSON line
per run. One process for many runs saves Airflow's start-up cost on each.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dag-id", required=True)
    parser.add_argument("--runs", required=True, help="JSON list of {logical_date, conf}")
    args = parser.parse_args(argv)

    from pathlib import Path

    from airflow.dag_processing.dagbag import DagBag
    from airflow.settings import DAGS_FOLDER

    # Each DAG file is named after its DAG: parse that one alone (the others cost seconds of
    # imports, the stack check's Google provider operators most).
    own_file = Path(DAGS_FOLDER) / f"{args.dag_id}.py"
    bag = DagBag(dag_folder=str(own_file) if own_file.is_file() else DAGS_FOLDER)
    if args.dag_id not in bag.dags:
        # No RESULT lines: the caller reports every run as an error with this output's tail.
        print(f"DAG {args.dag_id} not found; import errors: "
              f"{ {str(k): str(v)[-2000:] for k, v in bag.import_errors.items()} }", flush=True)
        return 2
    dag = bag.dags[args.dag_id]
    failed = 0
    for run in json.loads(args.runs):
        # Never None: dag.test() clears the task instances of every run between its logical date
        # bounds, and None bounds would wipe the states of all earlier runs.
        logical_date = (dt.datetime.fromisoformat(run["logical_date"]) if run.get("logical_date")
                        else dt.datetime.now(dt.timezone.utc))
        started = time.perf_counter()
        began = dt.datetime.now(dt.timezone.utc)
        try:
            dag_run = dag.test(logical_date=logical_date, run_conf=run.get("conf") or {})
        except Exception as error:  # e.g. params that fail validation: the run is refused
            failed += 1
            print("RESULT " + json.dumps({
                "conf": run.get("conf"), "run_id": None, "state": "rejected",
                "error": f"{type(error).__name__}: {error}", "seconds": round(time.perf_counter() - started, 1),
            }), flush=True)
            continue
        _finish_record(dag_run, began)
        state = str(getattr(dag_run.state, "value", dag_run.state))
        failed += state != "success"
        print("RESULT " + json.dumps({
            "conf": run.get("conf"), "run_id": dag_run.run_id, "state": state,
            "seconds": round(time.perf_counter() - started, 1),
        }), flush=True)
    return 1 if failed else 0


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
