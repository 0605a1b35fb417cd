"""Warm task starts: which Airflow processes import the task modules before they fork tasks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nba_pipeline import task_start

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("argv", "executor", "expected"), [
    (["airflow", "scheduler"], "LocalExecutor", True),
    (["/venv/bin/airflow", "scheduler", "--num-runs", "3"], "LocalExecutor", True),
    (["airflow", "scheduler"], "CeleryExecutor", False),  # its tasks run on the Celery workers
    (["airflow", "celery", "worker", "--concurrency", "2"], "CeleryExecutor", True),
    (["airflow", "celery", "flower"], "CeleryExecutor", False),
    (["airflow", "api-server"], "LocalExecutor", False),
    (["airflow", "dag-processor"], "LocalExecutor", False),
    (["airflow", "triggerer"], "LocalExecutor", False),
    (["airflow", "standalone"], "LocalExecutor", False),  # runs `airflow scheduler` as a child
    (["airflow", "dags", "test", "nba_pipeline"], "LocalExecutor", False),  # tasks run in-process
    (["python", "-c"], "LocalExecutor", False),
])
def test_only_processes_that_fork_tasks_preload(argv, executor, expected):
    assert task_start.forks_task_processes(argv, executor) is expected


def test_every_task_module_exists():
    import importlib.util

    missing = [name for name in task_start.TASK_MODULES if importlib.util.find_spec(name) is None]
    assert not missing


# Pretends to be `airflow COMMAND` and reports which task modules `import airflow` left loaded.
PROBE = """
import json, os, sys
sys.argv = ["airflow", sys.argv[1]]
import airflow  # loads the plugins when [core] lazy_load_plugins is False
print(json.dumps({name: name in sys.modules for name in json.loads(os.environ["PROBED_MODULES"])}))
"""


def _loaded_after_import_airflow(tmp_path, command: str, lazy: str, **extra: str) -> dict[str, bool]:
    env = dict(os.environ)
    env.update({
        "AIRFLOW_HOME": str(tmp_path),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__LAZY_LOAD_PLUGINS": lazy,
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{tmp_path}/airflow.db",
        "PROBED_MODULES": json.dumps(task_start.TASK_MODULES),
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT / "plugins"), env.get("PYTHONPATH", "")) if p),
        **extra,
    })
    out = subprocess.run([sys.executable, "-c", PROBE, command],
                         env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-4000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.integration
def test_the_scheduler_holds_the_task_modules_when_plugins_load_eagerly(tmp_path):
    loaded = _loaded_after_import_airflow(tmp_path, "scheduler", "False")
    assert all(loaded.values()), [name for name, present in loaded.items() if not present]


@pytest.mark.integration
def test_other_components_and_lazy_plugins_import_nothing_extra(tmp_path):
    heavy = "airflow.providers.google.cloud.hooks.bigquery"
    assert not _loaded_after_import_airflow(tmp_path / "api", "api-server", "False")[heavy]
    assert not _loaded_after_import_airflow(tmp_path / "lazy", "scheduler", "True")[heavy]


@pytest.mark.integration
def test_the_setting_turns_it_off(tmp_path):
    loaded = _loaded_after_import_airflow(tmp_path, "scheduler", "False",
                                          AIRFLOW__NBA_PIPELINE__PRELOAD_TASK_MODULES="False")
    assert not loaded["airflow.providers.google.cloud.hooks.bigquery"]


def test_a_failing_preload_is_logged_and_never_raises(monkeypatch, caplog):
    """Airflow drops a plugin whose on_load raises, and the timetable with it."""
    def broken(modules=task_start.TASK_MODULES):
        raise ImportError("no module named google")

    monkeypatch.setattr(task_start, "preload", broken)
    monkeypatch.setattr("sys.argv", ["airflow", "celery", "worker"])
    assert task_start.preload_if_task_host() is False
    assert "not preloaded" in caplog.text
