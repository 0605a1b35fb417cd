"""Run DAGs on the local stack from Python (the demo, the CLI, the end-to-end tests)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import time
import sys
from pathlib import Path

from nba_pipeline_dev.local import airflow_env
from nba_pipeline.run_dates import scheduled_logical_date

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


def _airflow_json(args: list[str], env: dict) -> list[dict]:
    done = airflow_env.run_airflow([*args, "-o", "json"], env=env, capture=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"airflow {' '.join(args)} failed: {done.stderr[-2000:]}")
    # Airflow prints warnings on stdout too; the JSON document is the line that starts with "[".
    document = next((line for line in done.stdout.splitlines() if line.startswith("[")), "[]")
    return json.loads(document)


def wait_for_dag(dag_id: str, *, env: dict | None = None, timeout: float = 180.0) -> None:
    """Wait until the dag-processor has parsed ``dag_id`` into the metadata database."""
    env = env or airflow_env.airflow_env()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(d.get("dag_id") == dag_id for d in _airflow_json(["dags", "list"], env)):
            return
        time.sleep(3)
    raise TimeoutError(f"{dag_id} was not parsed within {timeout:.0f} s")


def run_backfill(dates: list[dt.date], *, dag_id: str = "nba_pipeline", max_active_runs: int = 3,
                 env: dict | None = None, timeout: float = 1800.0) -> list[dict]:
    """An ``airflow backfill`` over business dates on a running Airflow (``standalone.start()``).

    Waits until every run has finished and returns the runs as ``airflow dags list-runs`` shows them.
    """
    env = env or airflow_env.airflow_env()
    wait_for_dag(dag_id, env=env)
    first, last = scheduled_logical_date(min(dates)), scheduled_logical_date(max(dates))
    command = ["backfill", "create", "--dag-id", dag_id, "--from-date", first.isoformat(),
               "--to-date", last.isoformat(), "--max-active-runs", str(max_active_runs)]
    for _ in range(3):
        created = airflow_env.run_airflow(command, env=env, capture=True, check=False)
        # SQLite may still be busy with the scheduler; the failed creation was rolled back.
        if created.returncode == 0 or "database is locked" not in created.stdout + created.stderr:
            break
        time.sleep(5)
    if created.returncode != 0:
        raise RuntimeError(f"airflow backfill create failed: {created.stdout[-2000:]}{created.stderr[-2000:]}")
    deadline = time.monotonic() + timeout
    while True:
        runs = [r for r in _airflow_json(["dags", "list-runs", dag_id], env)
                if first.isoformat()[:10] <= str(r.get("logical_date", ""))[:10] <= last.isoformat()[:10]]
        if len(runs) >= len(dates) and all(r["state"] in ("success", "failed") for r in runs):
            return runs
        if time.monotonic() > deadline:
            raise TimeoutError(f"backfill not finished after {timeout:.0f} s: {[r['state'] for r in runs]}")
        time.sleep(5)
