"""Import, once, what every task process imports, in the process that forks the task processes.

Airflow 3 starts a task by forking the process that holds the workload (the LocalExecutor's
worker, itself forked from the scheduler; a Celery worker's pool process, forked from the Celery
worker) without a new interpreter, so a task process inherits every module its parent had
imported. Without this, each of a date's task processes spends about two seconds of CPU importing
the task runner, the Google provider's BigQuery hook and this package before its first line of
work (``benchmarks/pipeline_benchmark.py`` prints the CPU per task start).

The plugin calls :func:`preload_if_task_host` when Airflow loads plugins: the scheduler loads
them when its job starts (for the listeners), before its executor forks the workers; a Celery
worker loads them at ``import airflow`` with ``[core] lazy_load_plugins = False``, before its pool
forks. Only the processes that fork tasks import the modules; the API server, DAG processor and
triggerer keep their memory. ``[nba_pipeline] preload_task_modules = False`` turns it off.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

TASK_MODULES = (
    "airflow.sdk.execution_time.task_runner",
    "airflow.providers.google.cloud.hooks.bigquery",
    "nba_pipeline.operators.processor",
    "nba_pipeline.sensors.earlier_dates",
    "nba_pipeline.sensors.raw_data",
    "nba_pipeline.hooks.warehouse",
    "nba_pipeline.lease",
    "nba_pipeline.transforms",
    "nba_pipeline.completion",
    "nba_pipeline.checks",
)


def forks_task_processes(argv: Sequence[str], executor: str) -> bool:
    """Whether the Airflow command in ``argv`` runs a process whose children run tasks.

    ``airflow scheduler`` with a LocalExecutor (its workers are forked from it at start) and
    ``airflow celery worker``; not ``airflow standalone``, which runs the scheduler as a
    child command of its own.
    """
    command = [arg for arg in argv[1:] if not arg.startswith("-")][:2]
    if command == ["celery", "worker"]:
        return True
    return command[:1] == ["scheduler"] and "LocalExecutor" in executor


def preload(modules: Sequence[str] = TASK_MODULES) -> None:
    for name in modules:
        importlib.import_module(name)


def preload_if_task_host() -> bool:
    """Preload in a task host; never raise, because Airflow drops a plugin whose ``on_load``
    raises, and with it the timetable the scheduler needs (a task then fails on its own import)."""
    import logging
    import sys

    from airflow.configuration import conf

    if not conf.getboolean("nba_pipeline", "preload_task_modules", fallback=True):
        return False
    if not forks_task_processes(sys.argv, conf.get("core", "executor", fallback="")):
        return False
    try:
        preload()
    except Exception:
        logging.getLogger(__name__).warning("task modules not preloaded; tasks import them themselves",
                                            exc_info=True)
        return False
    return True
