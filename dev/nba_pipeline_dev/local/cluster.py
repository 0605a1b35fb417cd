"""The multi-worker local Airflow: CeleryExecutor on Redis, metadata in Postgres.

Like Cloud Composer in miniature: an API server, a scheduler, a dag-processor, a triggerer and
two Celery workers (distinct Celery hostnames ``w1@…`` and ``w2@…``, each with its own
concurrency), on a real Postgres and a real Redis (Debian's packages, see ``bin/setup``), plus
the three emulators of ``stack``. Every server listens on loopback only, is started in its own
process group and recorded in ``<cluster dir>/run/<name>.pid``; logs go to
``.local/logs/cluster-<name>.log`` (see ``log_file``); ``stop`` ends only what is recorded there. The Airflow
configuration is ``airflow_env.airflow_env(cluster=True)``: the one definition the standalone
Airflow shares.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import pwd
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from nba_pipeline_dev.local import airflow_env, stack

POSTGRES_MAJOR = 15
WORKERS = ("w1", "w2")
AIRFLOW_COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer", *(f"worker-{w}" for w in WORKERS))
COMPONENTS = ("postgres", "redis", *AIRFLOW_COMPONENTS)
# Which health entry of /api/v2/monitor/health says a component is up.
HEALTH_KEYS = {"scheduler": "scheduler", "dag-processor": "dag_processor", "triggerer": "triggerer"}


def worker_hostname() -> str:
    """Airflow's ``hostname_callable`` on the workers: task instances show which worker ran them."""
    return f"{os.environ.get('NBA_CLUSTER_WORKER', 'worker')}.{socket.gethostname()}"


def worker_concurrency() -> dict[str, int]:
    """Task slots per worker, ``NBA_CLUSTER_WORKER_CONCURRENCY`` as ``w1,w2`` (default 4,3)."""
    values = os.environ.get("NBA_CLUSTER_WORKER_CONCURRENCY", "4,3").split(",")
    if len(values) != len(WORKERS):
        raise stack.StackError(f"NBA_CLUSTER_WORKER_CONCURRENCY needs {len(WORKERS)} numbers, e.g. 4,3")
    return {worker: int(value) for worker, value in zip(WORKERS, values)}


def pid_file(name: str) -> Path:
    return airflow_env.cluster_dir() / "run" / f"{name}.pid"


def log_file(name: str) -> Path:
    """``.local/logs/cluster-<name>.log``; a cluster in a folder of its own (``NBA_CLUSTER_DIR``)
    logs in ``<that folder>/logs``, so two clusters on one machine never share a log."""
    if os.environ.get("NBA_CLUSTER_DIR"):
        return airflow_env.cluster_dir() / "logs" / f"{name}.log"
    return stack.state_dir() / "logs" / f"cluster-{name}.log"


def postgres_data() -> Path:
    return airflow_env.cluster_dir() / "postgres"


def api_url() -> str:
    return f"http://127.0.0.1:{airflow_env.cluster_ports()['api']}"


def env() -> dict[str, str]:
    """The environment of every Airflow component and CLI call of the cluster."""
    return airflow_env.airflow_env(cluster=True)


# -- Postgres and Redis --------------------------------------------------------------------

def postgres_bin(program: str) -> str:
    folder = Path(os.environ.get("NBA_POSTGRES_BIN_DIR", f"/usr/lib/postgresql/{POSTGRES_MAJOR}/bin"))
    path = folder / program
    if not path.is_file():
        raise stack.StackError(
            f"{program} not found in {folder}: install the Debian package postgresql-{POSTGRES_MAJOR} "
            "(bin/setup does, as root) or set NBA_POSTGRES_BIN_DIR"
        )
    return str(path)


def redis_bin() -> str:
    found = os.environ.get("NBA_REDIS_SERVER") or shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(found).is_file():
        raise stack.StackError("redis-server not found: install the Debian package redis-server "
                               "(bin/setup does, as root) or set NBA_REDIS_SERVER")
    return found


def _postgres_account():
    """Postgres refuses to run as root: as root, its files and processes belong to ``postgres``."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        raise stack.StackError("running as root needs the postgres user (the Debian package creates it)") from None


def _as_postgres():
    account = _postgres_account()
    if account is None:
        return None

    def switch() -> None:
        os.setgid(account.pw_gid)
        os.setuid(account.pw_uid)
    return switch


def _initdb() -> None:
    data = postgres_data()
    if (data / "PG_VERSION").exists():
        return
    data.mkdir(parents=True, exist_ok=True)
    password_file = data.parent / "postgres-password"
    password_file.write_text(airflow_env.POSTGRES_PASSWORD + "\n")
    account = _postgres_account()
    if account is not None:
        for path in (data, password_file):
            os.chown(path, account.pw_uid, account.pw_gid)
        _check_reachable(data, account)
    done = subprocess.run(
        [postgres_bin("initdb"), "-D", str(data), "-U", airflow_env.POSTGRES_USER,
         f"--pwfile={password_file}", "--auth=scram-sha-256", "--encoding=UTF8", "--no-sync"],
        capture_output=True, text=True, preexec_fn=_as_postgres(), cwd="/",
    )
    password_file.unlink(missing_ok=True)
    if done.returncode != 0:
        shutil.rmtree(data, ignore_errors=True)
        raise stack.StackError(f"initdb failed: {done.stderr[-2000:]}")
    # A new database has no Airflow tables yet.
    (airflow_env.airflow_home(cluster=True) / ".db-stamp").unlink(missing_ok=True)


def _check_reachable(data: Path, account) -> None:
    """The postgres user must be able to walk down to its data directory."""
    for parent in reversed(data.parents):
        mode = parent.stat()
        if mode.st_uid != account.pw_uid and not mode.st_mode & 0o001:
            raise stack.StackError(
                f"the postgres user cannot enter {parent} (mode {oct(mode.st_mode & 0o777)}), so it cannot "
                f"use {data}: set NBA_CLUSTER_DIR to a folder under a path every user may enter"
            )


def _postgres_answers(database: str = "postgres") -> bool:
    import psycopg2

    try:
        psycopg2.connect(
            host="127.0.0.1", port=airflow_env.cluster_ports()["postgres"], user=airflow_env.POSTGRES_USER,
            password=airflow_env.POSTGRES_PASSWORD, dbname=database, connect_timeout=2,
        ).close()
    except psycopg2.OperationalError:
        return False
    return True


def _create_database() -> None:
    import psycopg2

    connection = psycopg2.connect(
        host="127.0.0.1", port=airflow_env.cluster_ports()["postgres"], user=airflow_env.POSTGRES_USER,
        password=airflow_env.POSTGRES_PASSWORD, dbname="postgres", connect_timeout=5,
    )
    # CREATE DATABASE cannot run in a transaction block.
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (airflow_env.POSTGRES_DB,))
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{airflow_env.POSTGRES_DB}"')
    finally:
        connection.close()


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", airflow_env.cluster_ports()["redis"]), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


# -- Airflow components --------------------------------------------------------------------

def health(timeout: float = 2.0) -> dict:
    try:
        with urllib.request.urlopen(f"{api_url()}/api/v2/monitor/health", timeout=timeout) as response:
            return json.loads(response.read() or b"{}")
    except (urllib.error.URLError, OSError, ValueError):
        return {}


def _heartbeat_since(component: str, since: dt.datetime) -> Callable[[], bool]:
    """Ready when the health endpoint shows a heartbeat of ``component`` newer than ``since``."""
    key = HEALTH_KEYS[component]

    def ready() -> bool:
        entry = health().get(key) or {}
        beat = entry.get(f"latest_{key}_heartbeat")
        if entry.get("status") != "healthy" or not beat:
            return False
        return dt.datetime.fromisoformat(beat.replace("Z", "+00:00")) >= since
    return ready


def _log_says(path: Path, offset: int, text: str) -> Callable[[], bool]:
    def ready() -> bool:
        try:
            with open(path, "rb") as log:
                log.seek(offset)
                return text.encode() in log.read()
        except OSError:
            return False
    return ready


# Airflow's log servers listen on every interface; the API server reads the log files from
# this machine's disk instead.
_NO_LOG_SERVER = ["--skip-serve-logs"]


def _command(name: str) -> list[str]:
    airflow = airflow_env.airflow_bin()
    if name == "postgres":
        ports = airflow_env.cluster_ports()
        return [postgres_bin("postgres"), "-D", str(postgres_data()), "-h", "127.0.0.1", "-p", str(ports["postgres"]),
                "-c", "unix_socket_directories=", "-c", "max_connections=200", "-c", "fsync=off",
                "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
    if name == "redis":
        return [redis_bin(), "--bind", "127.0.0.1", "--port", str(airflow_env.cluster_ports()["redis"]),
                "--save", "", "--appendonly", "no", "--protected-mode", "yes", "--dir", str(airflow_env.cluster_dir())]
    if name.startswith("worker-"):
        worker = name.removeprefix("worker-")
        return [airflow, "celery", "worker", "--celery-hostname", f"{worker}@%h",
                "--concurrency", str(worker_concurrency()[worker]), "--without-mingle", "--without-gossip",
                *_NO_LOG_SERVER]
    if name == "triggerer":
        return [airflow, name, *_NO_LOG_SERVER]
    return [airflow, name]


def _component_env(name: str, base: dict[str, str]) -> dict[str, str]:
    if name in ("postgres", "redis"):
        return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
    component = dict(base)
    if name.startswith("worker-"):
        worker = name.removeprefix("worker-")
        component["NBA_CLUSTER_WORKER"] = worker
        component["AIRFLOW__CORE__HOSTNAME_CALLABLE"] = f"{__name__}.worker_hostname"
    return component


def _ready_check(name: str, since: dt.datetime, log_offset: int) -> Callable[[], bool]:
    if name == "postgres":
        return _postgres_answers
    if name == "redis":
        return _redis_answers
    if name == "api-server":
        return lambda: (health().get("metadatabase") or {}).get("status") == "healthy"
    if name.startswith("worker-"):
        worker = name.removeprefix("worker-")
        return _log_says(log_file(name), log_offset, f"{worker}@{socket.gethostname()} ready.")
    return _heartbeat_since(name, since)


def _recorded_pid(name: str) -> int | None:
    try:
        return int(pid_file(name).read_text().strip())
    except (OSError, ValueError):
        return None


def running(name: str) -> bool:
    pid = _recorded_pid(name)
    return pid is not None and stack._alive(pid)


@dataclass
class Started:
    name: str
    how: str
    seconds: float


def _spawn(name: str, base_env: dict[str, str]):
    path = log_file(name)
    offset = path.stat().st_size if path.exists() else 0
    since = dt.datetime.now(dt.timezone.utc)
    process = stack.spawn(
        _command(name), pid_file=pid_file(name), log_file=path, env=_component_env(name, base_env),
        cwd=airflow_env.cluster_dir(), preexec_fn=_as_postgres() if name == "postgres" else None,
    )
    return process, _ready_check(name, since, offset)


def start_components(names: list[str], *, timeout: float = 180.0) -> list[Started]:
    """Start the named components together (those not running yet) and wait until each is ready."""
    base = env()
    began = time.monotonic()
    pending, result = [], []
    for name in names:
        if running(name):
            result.append(Started(name, "running", 0.0))
            continue
        process, ready = _spawn(name, base)
        pending.append((name, process, ready))
    for name, process, ready in pending:
        stack.wait_ready(name, process, ready, log_file(name), pid_file(name),
                         max(1.0, timeout - (time.monotonic() - began)))
        result.append(Started(name, "started", round(time.monotonic() - began, 1)))
    return result


def start(timeout: float = 240.0) -> dict:
    """Start the whole cluster (what is already running is kept) and wait until all of it is ready."""
    began = time.monotonic()
    airflow_env.cluster_dir().mkdir(parents=True, exist_ok=True)
    emulators = stack.start()
    _initdb()
    started = start_components(["postgres", "redis"], timeout=60)
    _create_database()
    airflow_env.ensure_db(env())
    started += start_components(list(AIRFLOW_COMPONENTS), timeout=timeout)
    user, password = airflow_env.credentials(airflow_env.airflow_home(cluster=True))
    return {
        "url": api_url(), "user": user, "password": password, "emulators": emulators,
        "components": {s.name: s.how for s in started}, "seconds": round(time.monotonic() - began, 1),
        "logs": str(log_file("*")),
    }


def kill(name: str) -> list[int]:
    """SIGKILL a component's whole process tree at once (a crash, not a shutdown); the pids killed."""
    pid = _recorded_pid(name)
    if pid is None:
        return []
    pids = [p.pid for p in stack.process_tree(pid)]
    stack.stop_tree(pid, grace=10, kill=True)
    pid_file(name).unlink(missing_ok=True)
    return pids


def stop_components(names) -> dict[str, str]:
    """Stop the named components together (their shutdowns overlap); how each ended."""
    outcome, stopping = {}, {}
    for name in names:
        pid = _recorded_pid(name)
        if pid is None:
            outcome[name] = "not started here"
        elif not stack._alive(pid):
            pid_file(name).unlink(missing_ok=True)
            outcome[name] = "already stopped"
        else:
            stopping[name] = pid
    stack.stop_trees(list(stopping.values()))
    for name in stopping:
        pid_file(name).unlink(missing_ok=True)
        outcome[name] = "stopped"
    return outcome


def stop() -> dict[str, str]:
    """Stop every recorded component, Airflow first, then Redis and Postgres (emulators: ``stack``)."""
    airflow = stop_components(reversed(AIRFLOW_COMPONENTS))
    return {**airflow, **stop_components(["redis", "postgres"])}


def pids() -> list[int]:
    """Every live process the cluster started (its recorded components and their descendants)."""
    found = []
    for name in COMPONENTS:
        pid = _recorded_pid(name)
        if pid is not None:
            found.extend(p.pid for p in stack.process_tree(pid))
    return found


def status() -> dict[str, dict]:
    """Each component's pid, whether it runs, the RSS of its process tree (MiB) and its log."""
    def rss(name: str) -> float:
        pid = _recorded_pid(name)
        return stack.rss_mib([p.pid for p in stack.process_tree(pid)]) if pid is not None else 0.0

    return {name: {"pid": _recorded_pid(name), "running": running(name), "rss_mib": round(rss(name)),
                   "log": str(log_file(name))}
            for name in COMPONENTS}


def missing_requirements() -> list[str]:
    problems = []
    for check in (lambda: postgres_bin("postgres"), redis_bin, _postgres_account):
        try:
            check()
        except stack.StackError as error:
            problems.append(f"- {error}")
    return problems
