"""Run DAGs on the local stack from Python (the demo, the end-to-end tests)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

from nba_pipeline.local import airflow_env
from nba_pipeline.run_dates import scheduled_logical_date


def run_dates(dates: list[dt.date], *, dag_id: str = "nba_pipeline", conf: dict | None = None,
              env: dict | None = None, log_file: Path | None = None) -> list[dict]:
    """Run the DAG once per business date, one after another; returns each run's outcome."""
    env = env or airflow_env.airflow_env()
    airflow_env.ensure_db(env)
    runs = [
        {"logical_date": scheduled_logical_date(d).isoformat(), "conf": {"game_date": d.isoformat(), **(conf or {})}}
        for d in dates
    ]
    command = [sys.executable, "-m", "nba_pipeline.local.dag_runner", "--dag-id", dag_id, "--runs", json.dumps(runs)]
    log_file = log_file or airflow_env.airflow_home().parent / "logs" / f"{dag_id}-runs.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    results = []
    with open(log_file, "a") as log:
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=log, text=True)
        for line in process.stdout:
            log.write(line)
            if line.startswith("RESULT "):
                results.append(json.loads(line[len("RESULT "):]))
            elif line.startswith("{") and '"error"' in line:
                results.append(json.loads(line))
        process.wait()
    return results
