"""DAG integrity: every file imports cleanly, cheaply, without I/O, and every DAG is operable."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
# A warm parse may cost this many times the CPU of a plain declaration of as many EmptyOperators,
# the two timed in turn in one process: the comparison holds on a slow or busy machine, a fixed
# budget of wall time does not (a loaded run once took 210 ms against 200 ms; timed apart, a
# loaded run saw 19.5 ms against 1.9 ms). nba_pipeline is about 4.5x: Airflow deep-copies its
# trigger form's params into each of its 14 tasks. Work at parse time (a heavy import, building
# data) is tens to thousands of times; waiting on the network is refused outright (above).
PARSE_RATIO_LIMIT = 10.0


def _parse(dags_folder: Path, home: Path, **extra_env: str) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            # A database path that cannot exist: any parse-time query would fail loudly.
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/missing/dir/airflow.db",
        }
    )
    for name in ("FIRESTORE_EMULATOR_HOST", "BIGQUERY_EMULATOR_HOST", "PUBSUB_EMULATOR_HOST"):
        env.pop(name, None)
    env.update(extra_env)
    report = home / "dagbag.json"
    out = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("dagbag_probe.py")), str(dags_folder), str(report)],
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert out.returncode == 0, out.stderr[-4000:]
    return json.loads(report.read_text())


@pytest.fixture(scope="module")
def parsed(tmp_path_factory):
    return _parse(ROOT / "dags", tmp_path_factory.mktemp("airflow-home"))


def _parse_files(tmp_path: Path, files: dict[str, str], **extra_env: str) -> dict:
    dags = tmp_path / "dags"
    dags.mkdir()
    for name, source in files.items():
        (dags / name).write_text(source)
    return _parse(dags, tmp_path, **extra_env)


def test_probe_catches_parse_time_network_access(tmp_path):
    result = _parse_files(tmp_path, {"chatty.py": "import socket\nsocket.create_connection(('127.0.0.1', 9))\n"
                                                  "from airflow.sdk import DAG\nDAG(dag_id='chatty', schedule=None)\n"})
    assert any("network access at DAG parse time" in e for e in result["import_errors"].values())


# Each builds a client without touching the network: anonymous credentials, or a connection
# from the environment (no database needed), so only the client guard can catch them.
EAGER_DAGS = {
    "eager_sensor.py": """
from airflow.sdk import DAG, BaseSensorOperator
from nba_pipeline.hooks.firestore_lock import FirestoreLockHook

class EagerLockSensor(BaseSensorOperator):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.client = FirestoreLockHook().get_client()  # the mistake: a client in __init__

    def poke(self, context):
        return True

with DAG(dag_id="eager_sensor", schedule=None):
    EagerLockSensor(task_id="wait")
""",
    "eager_bigquery_hook.py": """
from airflow.providers.google.cloud.hooks.bigquery import BigQueryHook
from airflow.sdk import DAG
client = BigQueryHook().get_client(project_id="p")
dag = DAG(dag_id="eager_bigquery_hook", schedule=None)
""",
    "eager_bigquery.py": """
from google.auth.credentials import AnonymousCredentials
from google.cloud import bigquery
from airflow.sdk import DAG
client = bigquery.Client(project="p", credentials=AnonymousCredentials())
dag = DAG(dag_id="eager_bigquery", schedule=None)
""",
    "eager_pubsub.py": """
from google.auth.credentials import AnonymousCredentials
from google.cloud import pubsub_v1
from airflow.sdk import DAG
publisher = pubsub_v1.PublisherClient(credentials=AnonymousCredentials())
dag = DAG(dag_id="eager_pubsub", schedule=None)
""",
    "eager_but_quiet.py": """
from google.auth.credentials import AnonymousCredentials
from google.cloud import firestore
from airflow.sdk import DAG
try:
    client = firestore.Client(project="p", credentials=AnonymousCredentials())
except Exception:
    client = None  # swallowed: the parse still counts the attempt
dag = DAG(dag_id="eager_but_quiet", schedule=None)
""",
}


def test_probe_catches_google_clients_built_at_parse_time(tmp_path):
    anonymous = json.dumps({"conn_type": "google_cloud_platform", "extra": {"is_anonymous": True, "project": "p"}})
    result = _parse_files(tmp_path, EAGER_DAGS, AIRFLOW_CONN_GOOGLE_CLOUD_DEFAULT=anonymous)
    assert set(result["parse_time_clients"]) == set(EAGER_DAGS), result["parse_time_clients"]
    failed = {Path(path).name: error for path, error in result["import_errors"].items()}
    assert set(failed) == set(EAGER_DAGS) - {"eager_but_quiet.py"}, failed
    assert all("Google client built at DAG parse time" in error for error in failed.values()), failed
    assert "eager_sensor" not in result["dags"] and "eager_but_quiet" in result["dags"]


def test_no_google_client_is_built_at_parse_time(parsed):
    assert parsed["parse_time_clients"] == {}


def test_no_import_errors(parsed):
    assert parsed["import_errors"] == {}


def test_plugins_folder_loads_cleanly(parsed):
    assert parsed["plugin_errors"] == {}
    assert parsed["shadowed_stdlib"] == []


def test_expected_dags_present(parsed):
    assert {"nba_stack_check", "nba_health_check", "nba_reconcile"} <= set(parsed["dags"])


def test_every_file_parses_about_as_cheaply_as_a_plain_declaration(parsed):
    baseline = parsed["baseline"]
    ratios = {name: round(t["warm_cpu_ms"] / baseline["warm_cpu_ms"], 2) for name, t in parsed["files"].items()}
    print(f"warm parse CPU against {baseline['tasks']} EmptyOperators ({baseline['warm_cpu_ms']} ms): {ratios}")
    slow = {name: ratio for name, ratio in ratios.items() if ratio > PARSE_RATIO_LIMIT}
    assert not slow, f"DAG files over {PARSE_RATIO_LIMIT}x a plain declaration to parse (warm): {slow}, {parsed['files']}"


def test_the_parse_comparison_catches_parse_time_work(tmp_path):
    result = _parse_files(tmp_path, {"busy.py": "import hashlib\nfrom airflow.sdk import DAG\n"
                                               "for _ in range(20000):\n    hashlib.sha256(b'x' * 4096).digest()\n"
                                               "DAG(dag_id='busy', schedule=None)\n"})
    assert result["files"]["busy.py"]["warm_cpu_ms"] > PARSE_RATIO_LIMIT * result["baseline"]["warm_cpu_ms"], result


def test_every_dag_is_tagged_documented_and_retried(parsed):
    for dag_id, dag in parsed["dags"].items():
        assert dag["tags"], f"{dag_id} has no tags"
        assert "nba" in dag["tags"], f"{dag_id} lacks the 'nba' tag"
        assert dag["doc_md"], f"{dag_id} has no doc_md"
        no_retry = [t for t, info in dag["tasks"].items() if info["retries"] < 1]
        assert not no_retry, f"{dag_id}: tasks without retries: {no_retry}"


def test_every_dag_serializes_with_its_timetable(parsed):
    for dag_id, dag in parsed["dags"].items():
        assert not dag["serialized_schedule"].startswith("error"), f"{dag_id}: {dag['serialized_schedule']}"
    assert parsed["dags"]["nba_pipeline"]["serialized_schedule"] == "nba_pipeline.timetables.GameDayTimetable"


def test_trigger_form_fields(parsed):
    """Processors render as a multi-select of the ten names; fields with defaults are not required; sections."""
    from nba_pipeline import processors

    params = parsed["dags"]["nba_pipeline"]["params"]
    names = [p.name for p in processors.PROCESSORS]
    # Airflow's form renders an array with `examples` as a multi-select of those values.
    assert params["processors"]["examples"] == names and params["processors"]["items"]["enum"] == names
    for name, schema in params.items():
        # The form marks a field required unless its type allows null.
        assert "null" in schema["type"], f"{name} would be shown as required"
        assert schema.get("section"), f"{name} has no section"
    assert params["game_date"]["format"] == "date"  # the form shows a date picker
    assert "pick" in params["game_date"]["description"].lower()


def test_the_pipeline_benchmark_reads_the_probes_report(tmp_path, monkeypatch):
    """The benchmark prints the probe's figures; a renamed field once broke it unnoticed."""
    monkeypatch.setattr(sys, "path", list(sys.path))  # the benchmark puts its folders first
    spec = importlib.util.spec_from_file_location("pipeline_benchmark_under_test",
                                                  ROOT / "benchmarks" / "pipeline_benchmark.py")
    benchmark = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(benchmark)
    lines = benchmark.parse_report(tmp_path)
    assert [line.split()[0] for line in lines[1:]] == sorted(p.name for p in (ROOT / "dags").glob("*.py")), lines
