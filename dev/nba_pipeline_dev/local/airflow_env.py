"""Airflow on the embedded stack: a project-local AIRFLOW_HOME with SQLite and LocalExecutor.

Everything is configured through environment variables (``AIRFLOW__*``, ``AIRFLOW_CONN_*``), so
nothing in the user's own Airflow set-up is touched.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from nba_pipeline_dev.local import stack


def airflow_home() -> Path:
    configured = os.environ.get("NBA_AIRFLOW_HOME")
    return Path(configured) if configured else stack.state_dir() / "airflow"


def airflow_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for ``airflow`` commands against the local stack."""
    root = stack.project_root()
    home = airflow_home()
    env = dict(os.environ if base is None else base)
    env.update(stack.client_env())
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(root / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(root / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            # SQLite waits up to 30 s for a writer (the default 5 s is too short when the
            # scheduler, API server and a CLI command write at once).
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}?timeout=30",
            # Two cores: a few worker processes, not the default 32.
            "AIRFLOW__CORE__PARALLELISM": env.get("AIRFLOW__CORE__PARALLELISM", "8"),
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "30",
            "AIRFLOW__SCHEDULER__MIN_FILE_PROCESS_INTERVAL": "10",
            "AIRFLOW__CORE__ALLOWED_DESERIALIZATION_CLASSES_REGEXP": r"(airflow|nba_pipeline)\..*",
            # The task and triggerer log servers move with the other local ports.
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": env.get("NBA_WORKER_LOG_PORT", "8793"),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": env.get("NBA_TRIGGER_LOG_PORT", "8794"),
            "NBA_SQL_ROOT": str(root / "include" / "sql"),
            "NBA_PROJECT_ROOT": str(root),
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(root / "plugins"), env.get("PYTHONPATH", "")) if p
            ),
            # `airflow standalone` starts its components as `airflow ...` by name.
            "PATH": os.pathsep.join(p for p in (str(Path(sys.executable).parent), env.get("PATH", "")) if p),
        }
    )
    return env


def airflow_bin() -> str:
    candidate = Path(sys.executable).with_name("airflow")
    return str(candidate) if candidate.exists() else "airflow"


def _db_stamp() -> str:
    import airflow

    return hashlib.sha256(f"{airflow.__version__}|{airflow_home()}".encode()).hexdigest()[:16]


def ensure_db(env: dict[str, str] | None = None) -> str:
    """Create or migrate the local metadata database once; later calls cost a file read."""
    home = airflow_home()
    home.mkdir(parents=True, exist_ok=True)
    stamp_file = home / ".db-stamp"
    stamp = _db_stamp()
    if (home / "airflow.db").exists() and stamp_file.exists() and stamp_file.read_text() == stamp:
        return "ready"
    subprocess.run(
        [airflow_bin(), "db", "migrate"], env=env or airflow_env(), check=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    stamp_file.write_text(stamp)
    return "migrated"


def run_airflow(args: list[str], *, env: dict[str, str] | None = None, capture: bool = False,
                check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [airflow_bin(), *args], env=env or airflow_env(), check=check, text=True,
        capture_output=capture,
    )
