"""Airflow for the lock tests: a throw-away AIRFLOW_HOME with a SQLite metadata database.

Airflow reads its configuration when first imported, so the variables are set when this file
is loaded, before any test module imports Airflow.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest

_OWN_HOME = not os.environ.get("NBA_TEST_AIRFLOW_HOME")
_AIRFLOW_HOME = Path(os.environ.get("NBA_TEST_AIRFLOW_HOME") or tempfile.mkdtemp(prefix="nba-airflow-test-"))
os.environ["AIRFLOW_HOME"] = str(_AIRFLOW_HOME)
os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{_AIRFLOW_HOME / 'airflow.db'}"
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
_DAGS_FOLDER = Path(__file__).resolve().parent / "dags"
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(_DAGS_FOLDER)
os.environ.setdefault("AIRFLOW__CORE__EXECUTOR", "LocalExecutor")


def pytest_sessionfinish(session, exitstatus):
    if _OWN_HOME:
        shutil.rmtree(_AIRFLOW_HOME, ignore_errors=True)


@pytest.fixture(scope="session")
def airflow_db(local_stack):
    """A migrated metadata database, with the connection pointing at the local stack."""
    from nba_pipeline_dev.local import stack

    os.environ.update(stack.client_env())
    if not (_AIRFLOW_HOME / "airflow.db").exists():
        airflow = Path(sys.executable).with_name("airflow")
        completed = subprocess.run(
            [str(airflow), "db", "migrate"], env=dict(os.environ), capture_output=True, text=True
        )
        if completed.returncode != 0:
            pytest.fail(f"airflow db migrate failed:\n{completed.stderr[-3000:]}", pytrace=False)
    return _AIRFLOW_HOME


@pytest.fixture
def lock_key():
    """A lock key no other test uses."""
    return f"TestLockProcessor{uuid.uuid4().hex[:10]}_2026-02-03"


@pytest.fixture(scope="session")
def lease_store(firestore_client):
    from nba_pipeline.clients import lease_store as configured

    return configured(firestore_client)


@pytest.fixture(scope="session")
def lock_test_dags(airflow_db):
    """The DAGs of ``dags/lock_test_dags.py`` by dag id (the same file the DAG bundle parses)."""
    import importlib
    import importlib.util

    # Import now what dag.test() imports lazily, so test threads that read the metadata
    # database meanwhile never deadlock on the import lock.
    import airflow.models
    from airflow.sdk import DAG
    from sqlalchemy.orm import configure_mappers

    for name in ("airflow.models.dagrun", "airflow.dag_processing.dagbag",
                 "airflow.serialization.serialized_objects", "airflow.api.common.trigger_dag",
                 "airflow.providers.standard.operators.trigger_dagrun"):
        importlib.import_module(name)
    airflow.models.import_all_models()
    configure_mappers()

    spec = importlib.util.spec_from_file_location("lock_test_dags", _DAGS_FOLDER / "lock_test_dags.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {value.dag_id: value for value in vars(module).values() if isinstance(value, DAG)}


@pytest.fixture(scope="session")
def run_lock_dag(lock_test_dags):
    """Run one of the test DAGs by id: ``run_lock_dag(dag_id, **params)``."""
    return lambda dag_id, **params: _run_dag(lock_test_dags[dag_id], **params)


def _run_dag(dag, **params):
    """``dag.test()`` with these params; returns (run state, {task_id: state}, {task_id: return value})."""
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    run = dag.test(run_conf=params)
    with create_session() as session:
        states = {ti.task_id: ti.state for ti in run.get_task_instances(session=session)}
        rows = session.execute(
            select(XComModel.task_id, XComModel.key, XComModel.value).where(
                XComModel.dag_id == dag.dag_id, XComModel.run_id == run.run_id
            )
        ).all()
    xcoms = {}
    for task_id, key, value in rows:
        xcoms.setdefault(task_id, {})[key] = XComModel.deserialize_value(_Row(value)) if value is not None else None
    return run.state, states, xcoms


class _Row:
    def __init__(self, value):
        self.value = value
