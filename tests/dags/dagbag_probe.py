"""Parses every DAG file the way the dag-processor does, with the network and database cut off.

Run as a script (a fresh interpreter, like a dag-processor child); writes one JSON document.
"""

from __future__ import annotations

import json
import socket
import sys
import time
from pathlib import Path


def _refuse(*args, **kwargs):
    raise OSError("network access at DAG parse time")


def _serialized_schedule(dag) -> str:
    """The timetable as the scheduler gets it back from the serialized DAG (custom ones need a plugin)."""
    from airflow.serialization.serialized_objects import DagSerialization

    try:
        restored = DagSerialization.deserialize_dag(DagSerialization.serialize_dag(dag))
    except Exception as error:  # reported, not raised: the test names the DAG
        return f"error: {type(error).__name__}: {error}"
    return f"{type(restored.timetable).__module__}.{type(restored.timetable).__name__}"


def main(dags_folder: str, output: str) -> None:
    # Any connection attempt while parsing fails the parse and shows up as an import error.
    socket.socket.connect = _refuse
    socket.create_connection = _refuse
    from airflow.dag_processing.dagbag import DagBag

    files = sorted(Path(dags_folder).glob("*.py"))
    result = {"files": {}, "import_errors": {}, "dags": {}}
    for path in files:
        started = time.perf_counter()
        DagBag(dag_folder=str(path))
        cold = time.perf_counter() - started
        # Warm: imports and providers cached, as in a running dag-processor.
        started = time.perf_counter()
        bag = DagBag(dag_folder=str(path))
        warm = time.perf_counter() - started
        result["files"][path.name] = {"cold_ms": round(cold * 1000, 1), "warm_ms": round(warm * 1000, 1)}
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
