"""The embedded local stack: Google's Firestore and Pub/Sub emulators and bqemulator.

Each service runs in its own process group on loopback, logs to ``.local/logs/`` and is
recorded in ``.local/run/<name>.pid``; ``stop`` ends only the groups recorded there. A service
whose port already answers (started earlier, or by the user) is reused, so starting twice is
cheap.

Firestore keeps nothing across a stop by default. With ``NBA_FIRESTORE_DATA_DIR`` set, stopping
it first exports every document there (the emulator's own export endpoint) and starting it
imports the latest export, so a stopped and restarted emulator has the data it had.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from nba_pipeline.config import settings


class StackError(RuntimeError):
    """A local service is missing or did not come up; the message says what to do."""


def project_root() -> Path:
    configured = os.environ.get("NBA_PROJECT_ROOT")
    if configured:
        return Path(configured).resolve()
    return Path(__file__).resolve().parents[3]


def state_dir() -> Path:
    return Path(os.environ.get("NBA_LOCAL_DIR", project_root() / ".local"))


def _port(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


@dataclass(frozen=True)
class Service:
    name: str
    port: int
    ready_path: str
    env_var: str

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def pid_file(self) -> Path:
        return state_dir() / "run" / f"{self.name}.pid"

    @property
    def log_file(self) -> Path:
        return state_dir() / "logs" / f"{self.name}.log"


def services() -> dict[str, Service]:
    project = settings().project
    return {
        "firestore": Service("firestore", _port("NBA_FIRESTORE_PORT", 8081), "/", "FIRESTORE_EMULATOR_HOST"),
        "pubsub": Service("pubsub", _port("NBA_PUBSUB_PORT", 8085), "/", "PUBSUB_EMULATOR_HOST"),
        "bigquery": Service(
            "bigquery",
            _port("NBA_BIGQUERY_PORT", 9050),
            f"/bigquery/v2/projects/{project}/datasets",
            "BIGQUERY_EMULATOR_HOST",
        ),
    }


def client_env() -> dict[str, str]:
    """Variables that point Google clients (and the provider) at the local stack."""
    found = services()
    project = settings().project
    return {
        "FIRESTORE_EMULATOR_HOST": found["firestore"].address,
        "PUBSUB_EMULATOR_HOST": found["pubsub"].address,
        "BIGQUERY_EMULATOR_HOST": f"http://{found['bigquery'].address}",
        "NBA_GCP_PROJECT": project,
        "GOOGLE_CLOUD_PROJECT": project,
        # An anonymous connection: the provider's hooks then need no credentials file.
        "AIRFLOW_CONN_GOOGLE_CLOUD_DEFAULT": json.dumps(
            {"conn_type": "google_cloud_platform", "extra": {"is_anonymous": True, "project": project}}
        ),
    }


def _answers(service: Service, timeout: float = 1.0) -> bool:
    url = f"http://{service.address}{service.ready_path}"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return 200 <= response.status < 300
    except (urllib.error.URLError, OSError, ValueError):
        return False


def sdk_root() -> Path:
    configured = os.environ.get("CLOUDSDK_ROOT")
    if configured:
        return Path(configured)
    gcloud = shutil.which("gcloud")
    if gcloud:
        try:
            out = subprocess.run(
                [gcloud, "info", "--format=value(installation.sdk_root)"],
                capture_output=True, text=True, timeout=30, check=True,
            ).stdout.strip()
            if out:
                return Path(out)
        except (subprocess.SubprocessError, OSError):
            pass
    return Path("/usr/lib/google-cloud-sdk")


def _java() -> str:
    java = shutil.which("java")
    if not java:
        raise StackError("java is not installed: install a Java 17 runtime (Debian: openjdk-17-jre-headless)")
    return java


_JVM_FLAGS = ["-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"]


def _command(service: Service) -> list[str]:
    if service.name == "firestore":
        jar = Path(
            os.environ.get("NBA_FIRESTORE_EMULATOR_JAR")
            or sdk_root() / "platform/cloud-firestore-emulator/cloud-firestore-emulator.jar"
        )
        if not jar.is_file():
            raise StackError(
                f"Firestore emulator not found at {jar}: install the Debian package "
                "google-cloud-cli-firestore-emulator (or `gcloud components install "
                "cloud-firestore-emulator`), or set NBA_FIRESTORE_EMULATOR_JAR"
            )
        command = [_java(), *_JVM_FLAGS, "-cp", str(jar),
                   "com.google.cloud.datastore.emulator.firestore.CloudFirestore",
                   "--host", "127.0.0.1", "--port", str(service.port)]
        saved = firestore_export()
        return [*command, "--import-data", str(saved)] if saved else command
    if service.name == "pubsub":
        jars = sorted((sdk_root() / "platform/pubsub-emulator/lib").glob("cloud-pubsub-emulator-*.jar"))
        configured = os.environ.get("NBA_PUBSUB_EMULATOR_JAR")
        jar = Path(configured) if configured else (jars[-1] if jars else None)
        if jar is None or not jar.is_file():
            raise StackError(
                "Pub/Sub emulator not found: install the Debian package "
                "google-cloud-cli-pubsub-emulator (or `gcloud components install pubsub-emulator`), "
                "or set NBA_PUBSUB_EMULATOR_JAR"
            )
        return [_java(), *_JVM_FLAGS, "-jar", str(jar), "--host=127.0.0.1", f"--port={service.port}"]
    if service.name == "bigquery":
        exe = Path(os.environ.get("NBA_BQEMULATOR_BIN") or project_root() / ".venv-bqemulator/bin/bqemulator")
        if not exe.is_file():
            raise StackError(
                f"bqemulator not found at {exe}: run bin/setup (it installs bqemulator into "
                ".venv-bqemulator from requirements-bqemulator.lock)"
            )
        grpc_port = _port("NBA_BIGQUERY_GRPC_PORT", service.port + 10)
        # The emulator's own Python runs it through bqemulator_main (parses and translations memoised).
        launcher = [str(exe)] if os.environ.get("NBA_BQEMULATOR_BIN") else [
            str(exe.parent / "python"), str(Path(__file__).with_name("bqemulator_main.py"))]
        holds = ["--hold-dir", str(bigquery_hold_dir())] if not os.environ.get("NBA_BQEMULATOR_BIN") else []
        return [*launcher, *holds, "start", "--rest-host", "127.0.0.1", "--rest-port", str(service.port),
                "--grpc-host", "127.0.0.1", "--grpc-port", str(grpc_port),
                "--project", settings().project, "--log-level", "warning"]
    raise StackError(f"unknown service {service.name}")


def bigquery_hold_dir() -> Path:
    """Where a test puts a hold file: a statement naming it (``nba:hold=NAME``) waits while it exists."""
    return state_dir() / "bigquery-holds"


def firestore_data_dir() -> Path | None:
    configured = os.environ.get("NBA_FIRESTORE_DATA_DIR")
    return Path(configured) if configured else None


def firestore_export() -> Path | None:
    """The metadata file of the latest export in ``NBA_FIRESTORE_DATA_DIR``, if there is one."""
    folder = firestore_data_dir()
    if folder is None:
        return None
    found = sorted(folder.glob("*/*.overall_export_metadata"), key=lambda p: p.stat().st_mtime)
    return found[-1] if found else None


def export_firestore(service: Service, folder: Path, timeout: float = 60.0) -> Path:
    """Export every document of the emulator into ``folder`` (replacing earlier exports)."""
    folder.mkdir(parents=True, exist_ok=True)
    before = set(folder.iterdir())
    project = settings().project
    request = urllib.request.Request(
        f"http://{service.address}/emulator/v1/projects/{project}:export",
        data=json.dumps({"database": f"projects/{project}/databases/(default)",
                         "export_directory": str(folder)}).encode(),
        headers={"Content-Type": "application/json"}, method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout):
            pass
    except (urllib.error.URLError, OSError) as error:
        raise StackError(f"could not export the Firestore emulator's data to {folder}: {error}") from None
    for old in before:
        shutil.rmtree(old, ignore_errors=True)
    saved = firestore_export()
    if saved is None:
        raise StackError(f"the Firestore emulator exported nothing into {folder}")
    return saved


def _read_pid(service: Service) -> int | None:
    try:
        return int(service.pid_file.read_text().strip())
    except (OSError, ValueError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def spawn(command: list[str], *, pid_file: Path, log_file: Path, env=None, cwd: Path | None = None,
          preexec_fn=None) -> subprocess.Popen:
    """Start ``command`` in its own process group, its output in ``log_file``, its pid recorded."""
    pid_file.parent.mkdir(parents=True, exist_ok=True)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "ab") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, cwd=cwd or state_dir(), env=env, preexec_fn=preexec_fn,
        )
    pid_file.write_text(str(process.pid))
    return process


def launch(name: str, command: list[str], *, pid_file: Path, log_file: Path, ready,
           timeout: float = 60.0, **how) -> subprocess.Popen:
    """``spawn`` and wait until ``ready()``; a process that exits or is late is stopped."""
    process = spawn(command, pid_file=pid_file, log_file=log_file, **how)
    wait_ready(name, process, ready, log_file, pid_file, timeout)
    return process


def wait_ready(name: str, process: subprocess.Popen, ready, log_file: Path, pid_file: Path,
               timeout: float) -> None:
    """Poll ``ready()`` until it holds; stop the process and raise if it exits or times out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        if process.poll() is not None:
            break
        time.sleep(0.2)
    stop_tree(process.pid)
    pid_file.unlink(missing_ok=True)
    tail = log_file.read_text(errors="replace")[-2000:] if log_file.exists() else ""
    how = f"exited with {process.returncode}" if process.poll() is not None else f"not ready within {timeout:.0f} s"
    raise StackError(f"{name} {how}; is its port taken? Log {log_file}:\n{tail}")


def start_service(service: Service, timeout: float = 60.0) -> str:
    """Start one service unless it already runs; returns what happened."""
    recorded = _read_pid(service)
    # A busy emulator (a long query on bqemulator) can miss the one-second probe; its recorded,
    # live process still owns the port.
    if _answers(service) or (recorded is not None and _alive(recorded)):
        return "running"
    launch(service.name, _command(service), pid_file=service.pid_file, log_file=service.log_file,
           ready=lambda: _answers(service), timeout=timeout)
    return "started"


def stop_group(pid: int, grace: float = 10.0) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not _alive(pid):
            break
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        time.sleep(0.1)
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def process_tree(pid: int) -> list:
    """The process ``pid`` and all its descendants (``psutil.Process``), empty when it is gone."""
    import psutil

    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def rss_mib(pids: list[int]) -> float:
    """The summed resident set size of ``pids`` (those still alive), in MiB."""
    import psutil

    total = 0
    for pid in pids:
        try:
            total += psutil.Process(pid).memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total / 2 ** 20


def stop_tree(pid: int, grace: float = 20.0, *, kill: bool = False) -> None:
    """Stop a recorded process, its process group and every descendant (``stop_trees``)."""
    stop_trees([pid], grace, kill=kill)


def stop_trees(pids: list[int], grace: float = 20.0, *, kill: bool = False) -> None:
    """Stop recorded processes, their process groups and every descendant, all at once.

    Descendants are collected first: Airflow starts task processes in process groups of their
    own, so the group alone would leave them running. Every tree is signalled before any is
    waited for, so their shutdowns overlap. ``kill`` sends SIGKILL at once.
    """
    import psutil

    processes = [process for pid in pids for process in process_tree(pid)]
    for process in processes:
        try:
            process.kill() if kill else process.terminate()
        except psutil.NoSuchProcess:
            pass
    for pid in pids:
        try:
            os.killpg(pid, signal.SIGKILL if kill else signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            pass
    _, alive = psutil.wait_procs(processes, timeout=grace)
    for process in alive:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass
    for pid in pids:
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def stop_service(service: Service) -> str:
    pid = _read_pid(service)
    if pid is None:
        return "not started here"
    if not _alive(pid):
        service.pid_file.unlink(missing_ok=True)
        return "already stopped"
    if service.name == "firestore" and firestore_data_dir() is not None and _answers(service):
        export_firestore(service, firestore_data_dir())
    stop_group(pid)
    service.pid_file.unlink(missing_ok=True)
    return "stopped"


def start(names: list[str] | None = None) -> dict[str, str]:
    """Start the named services (all by default) and export their client variables here."""
    found = services()
    result = {}
    for name in names or list(found):
        result[name] = start_service(found[name])
    os.environ.update(client_env())
    return result


def stop(names: list[str] | None = None) -> dict[str, str]:
    found = services()
    return {name: stop_service(found[name]) for name in names or list(found)}


@contextlib.contextmanager
def running(names: list[str] | None = None):
    """The named services for the block: started when not running, and stopped after it if this
    started them (unless NBA_KEEP_STACK is set), so a later session on the same ports starts clean."""
    started = start(names)
    try:
        yield started
    finally:
        ours = [name for name, how in started.items() if how == "started"]
        if ours and not os.environ.get("NBA_KEEP_STACK"):
            stop(ours)


def status() -> dict[str, dict[str, object]]:
    return {
        name: {"address": svc.address, "answers": _answers(svc), "pid": _read_pid(svc)}
        for name, svc in services().items()
    }


def missing_requirements() -> list[str]:
    """What the machine lacks to start the stack, each with what to install (empty when ready)."""
    problems = []
    for service in services().values():
        try:
            _command(service)
        except StackError as error:
            problems.append(f"- {error}")
    return problems
