"""Run DAGs on the local stack from Python (the demo, the CLI, the end-to-end tests)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

from nba_pipeline.run_dates import scheduled_logical_date
from nba_pipeline_dev.local import airflow_env

LOG_TAIL_CHARS = 60_000


def run_dates(dates: list[dt.date], *, dag_id: str = "nba_pipeline", conf: dict | None = None,
              env: dict | None = None, log_file: Path | None = None) -> list[dict]:
    """Run the DAG once per business date, one after another, as the scheduler would date them."""
    runs = [
        {"logical_date": scheduled_logical_date(d).isoformat(), "conf": {"game_date": d.isoformat(), **(conf or {})}}
        for d in dates
    ]
    return run_many(runs, dag_id=dag_id, env=env, log_file=log_file)


def run_many(runs: list[dict], *, dag_id: str = "nba_pipeline", env: dict | None = None,
             log_file: Path | None = None) -> list[dict]:
    """Run ``[{"logical_date": ISO or None, "conf": {...}}, ...]`` through ``dag.test()`` in one process.

    Each outcome has ``state`` (``success``, ``failed`` or ``rejected`` when Airflow refused to
    create the run), ``run_id``, ``seconds`` and, unless it succeeded, ``log``: the tail of what
    the run printed.
    """
    env = env or airflow_env.airflow_env()
    airflow_env.ensure_db(env)
    command = [sys.executable, "-m", "nba_pipeline_dev.local.dag_runner", "--dag-id", dag_id, "--runs", json.dumps(runs)]
    log_file = log_file or Path(env["AIRFLOW_HOME"]).parent / "logs" / f"{dag_id}-runs.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    results, lines = [], []
    with open(log_file, "a", buffering=1) as log:  # line-buffered: readers may follow it live
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for line in process.stdout:
            log.write(line)
            if line.startswith("RESULT "):
                outcome = json.loads(line[len("RESULT "):])
                if outcome.get("state") != "success":
                    outcome["log"] = "".join(lines)[-LOG_TAIL_CHARS:]
                results.append(outcome)
                lines = []
            else:
                lines.append(line)
        process.wait()
    if len(results) < len(runs):
        tail = "".join(lines)[-LOG_TAIL_CHARS:]
        results.extend({"conf": run.get("conf"), "state": "error", "log": tail} for run in runs[len(results):])
    return results


def wait_for_dag(dag_id: str, api, *, timeout: float = 180.0) -> None:
    """Wait until the dag-processor has parsed ``dag_id`` into the metadata database."""
    from nba_pipeline_dev.local.airflow_api import wait_until

    wait_until(lambda: api.dag_parsed(dag_id), timeout=timeout, what=f"{dag_id} parsed")


def run_backfill(dates: list[dt.date], *, dag_id: str = "nba_pipeline", max_active_runs: int = 3,
                 timeout: float = 1800.0) -> list[dict]:
    """A backfill over game dates on a running ``airflow standalone`` (``standalone.start()``), as the dialog makes it.

    Unpauses the DAG and creates the backfill through the REST API, the dates as the bounds (the
    timetable makes each run's logical date its game date); waits until every run has finished
    and returns the runs as the API shows them.
    """
    from nba_pipeline_dev.local.airflow_api import AirflowApi, ApiError

    api = AirflowApi.local()
    wait_for_dag(dag_id, api)
    api.set_paused(False, dag_id)
    for attempt in range(3):
        try:
            api.backfill(min(dates), max(dates), max_active_runs=max_active_runs, dag_id=dag_id)
            break
        except ApiError as error:
            # Safe to ask again only when the failed request left no backfill behind.
            active = [b for b in api.get(f"/backfills?dag_id={dag_id}")["backfills"] if not b.get("completed_at")]
            if error.status < 500 or active or attempt == 2:
                raise
    wanted = {d.isoformat() for d in dates}
    deadline = time.monotonic() + timeout
    while True:
        runs = [r for r in api.runs(dag_id) if r["run_type"] == "backfill" and str(r["logical_date"])[:10] in wanted]
        if len(runs) >= len(dates) and all(r["state"] in ("success", "failed") for r in runs):
            return runs
        if time.monotonic() > deadline:
            raise TimeoutError(f"backfill not finished after {timeout:.0f} s: {[r['state'] for r in runs]}")
        time.sleep(5)
