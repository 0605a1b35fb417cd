"""The full local Airflow (``airflow standalone``) on the embedded stack, in the background.

Its scheduler schedules nothing by itself (``[scheduler] use_job_schedule = False``): the seeded
data covers chosen dates, not today's, so a scheduled run (or health check) of a real date
would only record an empty day, and at start-up it would run before the API server answers
(task processes report to it). Runs come from the trigger form, the backfill dialog and the
REST API; set ``AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE=True`` to try the schedule.

The task and triggerer log servers listen on ``NBA_WORKER_LOG_PORT`` / ``NBA_TRIGGER_LOG_PORT``
on every interface: Airflow 3.3.2 binds them to host ``""`` with no setting to change it
(``airflow/utils/serve_logs/core.py``), and ``airflow standalone`` starts the scheduler and the
triggerer without ``--skip-serve-logs``. On one machine the API server reads task logs from the
local log folder, so nothing here depends on them.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from nba_pipeline_dev.local import airflow_env, stack


def _port() -> int:
    return int(os.environ.get("NBA_AIRFLOW_PORT", "8080"))


def _pid_file() -> Path:
    # Beside its own metadata database, so two Airflow homes never share a pid file.
    return airflow_env.airflow_home() / "standalone.pid"


def _log_file() -> Path:
    return airflow_env.airflow_home() / "standalone.log"


def url() -> str:
    return f"http://127.0.0.1:{_port()}"


def healthy(timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{url()}/api/v2/monitor/health", timeout=timeout) as response:
            body = json.loads(response.read() or b"{}")
    except (urllib.error.URLError, OSError, ValueError):
        return False
    parts = [body.get(name, {}).get("status") for name in ("metadatabase", "scheduler", "triggerer")]
    return all(status == "healthy" for status in parts)


def credentials() -> tuple[str, str | None]:
    return airflow_env.credentials(airflow_env.airflow_home())


def _env() -> dict:
    env = airflow_env.airflow_env()
    env["AIRFLOW__API__PORT"] = str(_port())
    env["AIRFLOW__API__HOST"] = "127.0.0.1"
    # Workers reach the API server here; the default assumes port 8080.
    env["AIRFLOW__API__BASE_URL"] = url()
    env["AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE"] = os.environ.get("AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE", "False")
    return env


def _replacements_file() -> Path:
    return airflow_env.airflow_home() / "standalone-replacements.pids"


def start(timeout: float = 120.0) -> dict:
    """Start ``airflow standalone`` unless it already answers; wait until it is healthy."""
    stack.start()
    env = _env()
    airflow_env.ensure_db(env)
    if healthy() and not _pid_file().exists():
        raise stack.StackError(
            f"another Airflow already answers on {url()}; stop it or choose a port with NBA_AIRFLOW_PORT"
        )
    if not healthy():
        _pid_file().parent.mkdir(parents=True, exist_ok=True)
        _log_file().parent.mkdir(parents=True, exist_ok=True)
        with open(_log_file(), "ab") as log:
            process = subprocess.Popen(
                [airflow_env.airflow_bin(), "standalone"], env=env, stdout=log,
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
            )
        _pid_file().write_text(str(process.pid))
        deadline = time.monotonic() + timeout
        while not healthy():
            if process.poll() is not None:
                raise stack.StackError(f"airflow standalone exited; see {_log_file()}")
            if time.monotonic() > deadline:
                raise stack.StackError(f"airflow standalone not healthy after {timeout:.0f} s; see {_log_file()}")
            time.sleep(1)
    user, password = credentials()
    return {"url": url(), "user": user, "password": password, "log": str(_log_file())}


def _replacement_pids() -> list[int]:
    try:
        return [int(line) for line in _replacements_file().read_text().split()]
    except (OSError, ValueError):
        return []


def stop() -> str:
    for pid in _replacement_pids():
        stack.stop_tree(pid)
    _replacements_file().unlink(missing_ok=True)
    try:
        pid = int(_pid_file().read_text().strip())
    except (OSError, ValueError):
        return "not started here"
    stack.stop_tree(pid)
    _pid_file().unlink(missing_ok=True)
    return "stopped"


def pids() -> list[int]:
    """Every live process ``start`` started (``airflow standalone``, its components, replacements)."""
    try:
        roots = [int(_pid_file().read_text().strip())]
    except (OSError, ValueError):
        return []
    return [p.pid for root in roots + _replacement_pids() for p in stack.process_tree(root)]


def scheduler_running() -> bool:
    """Whether a live ``airflow scheduler`` is among the processes ``start`` started."""
    import psutil

    for pid in pids():
        try:
            process = psutil.Process(pid)
            if process.status() != psutil.STATUS_ZOMBIE and "scheduler" in " ".join(process.cmdline()):
                return True
        except psutil.Error:
            continue
    return False


def replace_scheduler() -> int:
    """Start a scheduler beside ``airflow standalone`` after its own exited, as Composer restarts a
    crashed one (``airflow standalone`` does not); ``stop`` stops it too. Returns its pid."""
    with open(_log_file(), "ab") as log:
        process = subprocess.Popen(
            [airflow_env.airflow_bin(), "scheduler"], env=_env(), stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
    with open(_replacements_file(), "a") as replacements:
        replacements.write(f"{process.pid}\n")
    return process.pid
