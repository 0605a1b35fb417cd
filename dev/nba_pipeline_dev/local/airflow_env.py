"""Airflow on the embedded stack, configured through environment variables only.

Two set-ups share one definition: the standalone Airflow (SQLite, LocalExecutor, in
``.local/airflow/``) and the multi-worker cluster (Postgres, Redis, CeleryExecutor, in
``.local/cluster/``). Everything is set with ``AIRFLOW__*`` and ``AIRFLOW_CONN_*`` variables, so
nothing in the user's own Airflow set-up is touched.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from nba_pipeline_dev.local import stack

# Seconds an idle scheduler loop sleeps (Airflow's default: 1); within Composer's settings.
SCHEDULER_IDLE_SLEEP_TIME = "0.2"
# The cluster's Airflow settings that do not depend on where things run; docker-compose.yaml
# sets the same values (a test compares them).
CLUSTER_SETTINGS = {
    "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
    "AIRFLOW__CORE__AUTH_MANAGER": "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
    "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
    "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "30",
    "AIRFLOW__CORE__ALLOWED_DESERIALIZATION_CLASSES_REGEXP": r"(airflow|nba_pipeline)\..*",
    "AIRFLOW__CORE__LAZY_LOAD_PLUGINS": "False",
    "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": SCHEDULER_IDLE_SLEEP_TIME,
}
# Cluster settings a caller may still choose (a test keeps new DAGs paused until it is ready;
# the benchmark measures Airflow's own idle sleep beside ours).
CALLER_MAY_SET = ("AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION", "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME")
# Metadata database and broker of the cluster: user, password and database as in compose.
POSTGRES_USER = POSTGRES_PASSWORD = POSTGRES_DB = "airflow"
REDIS_DB = 0


def cluster_ports() -> dict[str, int]:
    """Loopback ports of the cluster's own servers (the emulators keep theirs)."""
    env = os.environ
    return {
        "postgres": int(env.get("NBA_POSTGRES_PORT", "5432")),
        "redis": int(env.get("NBA_REDIS_PORT", "6379")),
        "api": int(env.get("NBA_CLUSTER_API_PORT", "8090")),
    }


def cluster_dir() -> Path:
    configured = os.environ.get("NBA_CLUSTER_DIR")
    return Path(configured) if configured else stack.state_dir() / "cluster"


def airflow_home(*, cluster: bool = False) -> Path:
    if cluster:
        return cluster_dir() / "airflow"
    configured = os.environ.get("NBA_AIRFLOW_HOME")
    return Path(configured) if configured else stack.state_dir() / "airflow"


def database_url(*, driver: str = "postgresql+psycopg2") -> str:
    port = cluster_ports()["postgres"]
    return f"{driver}://{POSTGRES_USER}:{POSTGRES_PASSWORD}@127.0.0.1:{port}/{POSTGRES_DB}"


def broker_url() -> str:
    return f"redis://127.0.0.1:{cluster_ports()['redis']}/{REDIS_DB}"


def _jwt_secret(home: Path) -> str:
    """One secret per cluster home: every component must sign and check tokens alike."""
    path = home / "jwt_secret"
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


def airflow_env(base: dict[str, str] | None = None, *, cluster: bool = False) -> dict[str, str]:
    """The environment for ``airflow`` commands against the local stack (standalone or cluster)."""
    root = stack.project_root()
    home = airflow_home(cluster=cluster)
    env = dict(os.environ if base is None else base)
    env.update(stack.client_env())
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(root / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(root / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "30",
            # Local only: below Composer's floor of 30 s, so an edited DAG file shows up sooner.
            "AIRFLOW__SCHEDULER__MIN_FILE_PROCESS_INTERVAL": "10",
            # A loop that queued nothing sleeps this long (Airflow's default 1 s), so each task of
            # a chain waited half of it on average before the next was queued. Composer allows it.
            "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": env.get(
                "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME", SCHEDULER_IDLE_SLEEP_TIME),
            "AIRFLOW__CORE__ALLOWED_DESERIALIZATION_CLASSES_REGEXP": r"(airflow|nba_pipeline)\..*",
            # Plugins load at `import airflow`, so a Celery worker holds the task modules before
            # its pool forks (the scheduler loads plugins before forking anyway; task_start).
            "AIRFLOW__CORE__LAZY_LOAD_PLUGINS": env.get("AIRFLOW__CORE__LAZY_LOAD_PLUGINS", "False"),
            # Two cores: a few worker processes, not the default 32.
            "AIRFLOW__CORE__PARALLELISM": env.get("AIRFLOW__CORE__PARALLELISM", "8"),
            "NBA_SQL_ROOT": env.get("NBA_SQL_ROOT") or str(root / "include" / "sql"),
            "NBA_PROJECT_ROOT": str(root),
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(root / "plugins"), env.get("PYTHONPATH", "")) if p
            ),
            # `airflow standalone` starts its components as `airflow ...` by name.
            "PATH": os.pathsep.join(p for p in (str(Path(sys.executable).parent), env.get("PATH", "")) if p),
        }
    )
    if cluster:
        ports = cluster_ports()
        api = f"http://127.0.0.1:{ports['api']}"
        env.update({name: env[name] if name in CALLER_MAY_SET and name in env else value
                    for name, value in CLUSTER_SETTINGS.items()})
        env.update(
            {
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": database_url(),
                "AIRFLOW__CELERY__RESULT_BACKEND": database_url(driver="db+postgresql+psycopg2"),
                "AIRFLOW__CELERY__BROKER_URL": broker_url(),
                "AIRFLOW__API__HOST": "127.0.0.1",
                "AIRFLOW__API__PORT": str(ports["api"]),
                "AIRFLOW__API__BASE_URL": api,
                "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{api}/execution/",
                "AIRFLOW__API_AUTH__JWT_SECRET": _jwt_secret(home),
            }
        )
    else:
        env.update(
            {
                "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
                # SQLite waits up to 30 s for a writer (the default 5 s is too short when the
                # scheduler, API server and a CLI command write at once).
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}?timeout=30",
                # The task and triggerer log servers move with the other local ports.
                "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": env.get("NBA_WORKER_LOG_PORT", "8793"),
                "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": env.get("NBA_TRIGGER_LOG_PORT", "8794"),
            }
        )
    return env


def airflow_bin() -> str:
    candidate = Path(sys.executable).with_name("airflow")
    return str(candidate) if candidate.exists() else "airflow"


def _db_stamp(home: Path) -> str:
    import airflow

    return hashlib.sha256(f"{airflow.__version__}|{home}".encode()).hexdigest()[:16]


def ensure_db(env: dict[str, str] | None = None) -> str:
    """Create or migrate the metadata database of ``env`` once; later calls cost a file read.

    A new SQLite database is a copy of one migrated once per Airflow version and settings
    (``airflow db migrate`` from nothing costs ~15 s of CPU, and every test world has a home
    of its own). The stamp lives in AIRFLOW_HOME; the cluster removes it when it creates a new
    Postgres.
    """
    env = env or airflow_env()
    home = Path(env["AIRFLOW_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    stamp_file = home / ".db-stamp"
    stamp = _db_stamp(home)
    database = _sqlite_file(env)
    present = database.exists() if database else True
    if present and stamp_file.exists() and stamp_file.read_text() == stamp:
        return "ready"
    how = "migrated"
    if database is not None and not present:
        shutil.copyfile(_migrated_template(env), database)
        how = "copied"
    else:
        _migrate(env)
    stamp_file.write_text(stamp)
    return how


def _sqlite_file(env: dict[str, str]) -> Path | None:
    url = env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    return Path(url[len("sqlite:///"):].split("?", 1)[0]) if url.startswith("sqlite:///") else None


def _migrate(env: dict[str, str]) -> None:
    subprocess.run(
        [airflow_bin(), "db", "migrate"], env=env, check=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def _migrated_template(env: dict[str, str]) -> Path:
    """A freshly migrated SQLite database for ``env``'s Airflow version and settings, made once.

    Keyed by every ``AIRFLOW__*`` setting that does not name the home (those differ per world
    and are not stored in the database).
    """
    import airflow

    home = env["AIRFLOW_HOME"]
    settings = sorted((k, v) for k, v in env.items() if k.startswith("AIRFLOW__") and home not in v)
    key = hashlib.sha256(json.dumps([airflow.__version__, settings]).encode()).hexdigest()[:16]
    template = stack.state_dir() / "airflow-db-templates" / f"{key}.db"
    if template.exists():
        return template
    template.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="migrate-", dir=template.parent))
    try:
        _migrate({**env, "AIRFLOW_HOME": str(scratch),
                  "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{scratch / 'airflow.db'}?timeout=30"})
        os.replace(scratch / "airflow.db", template)  # atomic: a reader sees all of it or nothing
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return template


def credentials(home: Path) -> tuple[str, str | None]:
    """The simple auth manager's login, from the passwords file the API server generated."""
    generated = home / "simple_auth_manager_passwords.json.generated"
    try:
        passwords = json.loads(generated.read_text())
    except (OSError, ValueError):
        return "admin", None
    user, password = next(iter(passwords.items()), ("admin", None))
    return user, password


def run_airflow(args: list[str], *, env: dict[str, str] | None = None, capture: bool = False,
                check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [airflow_bin(), *args], env=env or airflow_env(), check=check, text=True,
        capture_output=capture,
    )
