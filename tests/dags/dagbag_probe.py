"""Parses every DAG file the way the dag-processor does, with Google clients, the network and the
database cut off.

Run as a script (a fresh interpreter, like a dag-processor child); writes one JSON document.
While the files parse, building any Google client fails the parse and is recorded: a
google-cloud client (BigQuery, Firestore, Storage, ...: ``google.cloud.client.Client``), a
Pub/Sub publisher or subscriber, a generated client's gRPC channel, Application Default
Credentials, and through the provider: a hook's credentials, connection or ``get_conn``. So
does opening a network connection.
"""

from __future__ import annotations

import json
import socket
import sys
import tempfile
import time
from pathlib import Path

CLIENT_AT_PARSE_TIME = "Google client built at DAG parse time"
NETWORK_AT_PARSE_TIME = "network access at DAG parse time"

attempts: list[str] = []


def _refused(message: str, what: str):
    attempts.append(what)
    raise RuntimeError(f"{message}: {what}")


def _block_network() -> None:
    def refuse_socket(sock, address, *args):
        _refused(NETWORK_AT_PARSE_TIME, f"connect to {address}")

    def refuse_connection(address, *args, **kwargs):
        _refused(NETWORK_AT_PARSE_TIME, f"connect to {address}")

    socket.socket.connect = refuse_socket
    socket.socket.connect_ex = refuse_socket
    socket.create_connection = refuse_connection


def _block_constructor(cls) -> None:
    def refuse(self, *args, **kwargs):
        _refused(CLIENT_AT_PARSE_TIME, f"{type(self).__module__}.{type(self).__qualname__}()")

    cls.__init__ = refuse


def _block_function(owner, name: str, what: str, *, wrap=lambda f: f) -> None:
    def refuse(*args, **kwargs):
        _refused(CLIENT_AT_PARSE_TIME, what)

    setattr(owner, name, wrap(refuse))


def _block_google_clients() -> None:
    import google.auth
    from airflow.providers.google.common.hooks.base_google import GoogleBaseHook
    from airflow.sdk.bases.hook import BaseHook
    from google.api_core import grpc_helpers, grpc_helpers_async
    from google.cloud import client as cloud_client
    from google.cloud import pubsub_v1

    for cls in (cloud_client.Client, pubsub_v1.PublisherClient, pubsub_v1.SubscriberClient):
        _block_constructor(cls)
    _block_function(google.auth, "default", "google.auth.default()")
    _block_function(grpc_helpers, "create_channel", "grpc_helpers.create_channel()")
    _block_function(grpc_helpers_async, "create_channel", "grpc_helpers_async.create_channel()")
    _block_function(BaseHook, "get_connection", "BaseHook.get_connection()", wrap=classmethod)
    for name in ("get_credentials", "get_credentials_and_project_id"):
        _block_function(GoogleBaseHook, name, f"GoogleBaseHook.{name}()")

    # get_conn is each hook's own: refuse it on every Google hook, those loaded now and later.
    def block_get_conn(cls) -> None:
        if "get_conn" in vars(cls):
            _block_function(cls, "get_conn", f"{cls.__qualname__}.get_conn()")

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    for cls in subclasses(GoogleBaseHook):
        block_get_conn(cls)
    original = GoogleBaseHook.__dict__.get("__init_subclass__")

    def init_subclass(cls, **kwargs):
        if original is not None:
            original.__func__(cls, **kwargs)
        else:
            super(GoogleBaseHook, cls).__init_subclass__(**kwargs)
        block_get_conn(cls)

    GoogleBaseHook.__init_subclass__ = classmethod(init_subclass)


def _serialized_schedule(dag) -> str:
    """The timetable as the scheduler gets it back from the serialized DAG (custom ones need a plugin)."""
    from airflow.serialization.serialized_objects import DagSerialization

    try:
        restored = DagSerialization.deserialize_dag(DagSerialization.serialize_dag(dag))
    except Exception as error:  # reported, not raised: the test names the DAG
        return f"error: {type(error).__name__}: {error}"
    return f"{type(restored.timetable).__module__}.{type(restored.timetable).__name__}"


# A plain declaration to compare with: a DAG of as many tasks as the biggest of ours, each an
# EmptyOperator, no imports beyond the SDK's.
BASELINE_DAG = """
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG, chain

with DAG(dag_id="parse_baseline", schedule=None, tags=["baseline"], doc_md="baseline"):
    chain(*[EmptyOperator(task_id=f"task_{i}") for i in range({tasks})])
"""
WARM_ROUNDS = 7


def _parse_cpu_ms(DagBag, path: Path) -> float:
    """CPU time of one parse: unlike wall time, it does not grow when other processes take the cores."""
    started = time.process_time()
    DagBag(dag_folder=str(path))
    return (time.process_time() - started) * 1000


def _warm_cpu_ms(DagBag, paths: list[Path]) -> dict[Path, float]:
    """The least CPU time of a few warm parses of each file (imports cached, as in a running
    dag-processor), the files taken in turn each round so that all see the same machine."""
    times: dict[Path, list[float]] = {path: [] for path in paths}
    for _ in range(WARM_ROUNDS):
        for path in paths:
            times[path].append(_parse_cpu_ms(DagBag, path))
    return {path: round(min(values), 2) for path, values in times.items()}


def main(dags_folder: str, output: str) -> None:
    _block_network()
    from airflow.dag_processing.dagbag import DagBag

    _block_google_clients()

    files = sorted(Path(dags_folder).glob("*.py"))
    result = {"files": {}, "import_errors": {}, "dags": {}, "parse_time_clients": {}}
    for path in files:
        before = len(attempts)
        started = time.perf_counter()
        DagBag(dag_folder=str(path))
        cold = time.perf_counter() - started
        bag = DagBag(dag_folder=str(path))
        if len(attempts) > before:  # recorded even when the file catches the error itself
            result["parse_time_clients"][path.name] = sorted(set(attempts[before:]))
        result["files"][path.name] = {"cold_ms": round(cold * 1000, 1)}
        result["import_errors"].update({str(k): str(v) for k, v in bag.import_errors.items()})
        for dag_id, dag in bag.dags.items():
            result["dags"][dag_id] = {
                "file": path.name,
                "tags": sorted(dag.tags or []),
                "tasks": {
                    task.task_id: {"retries": task.retries, "doc": bool(task.doc_md or task.doc)}
                    for task in dag.tasks
                },
                "doc_md": bool(dag.doc_md),
                "timezone": str(dag.timezone),
                "schedule": type(dag.timetable).__name__,
                "params": {name: {**dag.params.get_param(name).schema, "description": dag.params.get_param(name).description}
                           for name in dag.params},
                "serialized_schedule": _serialized_schedule(dag),
            }
    tasks = max((len(dag["tasks"]) for dag in result["dags"].values()), default=1)
    with tempfile.TemporaryDirectory() as folder:
        baseline = Path(folder) / "parse_baseline.py"
        baseline.write_text(BASELINE_DAG.replace("{tasks}", str(tasks)))
        DagBag(dag_folder=str(baseline))
        warm = _warm_cpu_ms(DagBag, [baseline, *files])
    result["baseline"] = {"tasks": tasks, "warm_cpu_ms": warm[baseline]}
    for path in files:
        result["files"][path.name]["warm_cpu_ms"] = warm[path]
    # What the scheduler and workers do with the plugins folder: nothing of ours may break it.
    from airflow import plugins_manager

    _, plugin_errors = plugins_manager._get_plugins()
    result["plugin_errors"] = {str(k): str(v) for k, v in plugin_errors.items()}
    result["shadowed_stdlib"] = sorted(
        name for name in ("calendar", "json", "logging", "string", "types")
        if "plugins" in str(getattr(sys.modules.get(name), "__file__", ""))
    )
    Path(output).write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
