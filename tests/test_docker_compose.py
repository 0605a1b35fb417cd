"""docker-compose.yaml cannot be run here (no Docker engine), so it is parsed and checked,
and compared with the local cluster (bin/airflow-cluster) that runs the same set-up here."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from nba_pipeline_dev.local import airflow_env, cluster

ROOT = Path(__file__).resolve().parents[1]


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yaml").read_text())


def test_services_of_the_full_stack_are_defined():
    services = _compose()["services"]
    expected = {"postgres", "redis", "firestore", "pubsub", "bigquery", "airflow-init", "airflow-apiserver",
                "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer", "airflow-worker-w1",
                "airflow-worker-w2"}
    assert expected <= set(services)


def test_airflow_services_share_config_and_reach_the_emulators():
    services = _compose()["services"]
    for name, service in services.items():
        if not name.startswith("airflow-"):
            continue
        env = service["environment"]
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
        assert env["FIRESTORE_EMULATOR_HOST"] == "firestore:8081", name
        assert env["PUBSUB_EMULATOR_HOST"] == "pubsub:8085", name
        assert env["BIGQUERY_EMULATOR_HOST"] == "http://bigquery:9050", name
        mounts = {v.split(":")[1] for v in service["volumes"] if ":" in v}
        assert {"/opt/airflow/dags", "/opt/airflow/plugins", "/opt/airflow/include"} <= mounts, name


def test_image_and_pins_match_the_lock():
    compose = (ROOT / "docker-compose.yaml").read_text()
    lock = (ROOT / "requirements.lock").read_text()
    airflow_pin = next(line.split("==")[1] for line in lock.splitlines() if line.startswith("apache-airflow=="))
    assert f"apache/airflow:{airflow_pin}-python3.11" in compose
    firestore_pin = next(line for line in lock.splitlines() if line.startswith("google-cloud-firestore=="))
    assert firestore_pin in compose


def test_dependencies_wait_for_health():
    services = _compose()["services"]
    for name in ("airflow-scheduler", "airflow-apiserver", "airflow-worker-w1", "airflow-worker-w2"):
        deps = services[name]["depends_on"]
        assert deps["airflow-init"]["condition"] == "service_completed_successfully"
        assert deps["postgres"]["condition"] == "service_healthy"
        assert deps["bigquery"]["condition"] == "service_healthy"


def _airflow_services() -> dict[str, dict]:
    return {name: service for name, service in _compose()["services"].items() if name.startswith("airflow-")}


def _compose_env() -> dict[str, str]:
    envs = [service["environment"] for service in _airflow_services().values()]
    assert all(env == envs[0] for env in envs), "every Airflow service shares one environment"
    return {name: str(value) for name, value in envs[0].items()}


def _same_place(compose_url: str, local_url: str) -> None:
    """Same scheme (driver), user, password and database; only host and port differ."""
    ours, theirs = urlsplit(local_url), urlsplit(compose_url)
    assert (theirs.scheme, theirs.username, theirs.password, theirs.path) == \
        (ours.scheme, ours.username, ours.password, ours.path), (compose_url, local_url)


def test_compose_and_local_cluster_agree_on_executor_broker_and_database():
    compose = _compose_env()
    local = airflow_env.airflow_env({}, cluster=True)
    for name, value in airflow_env.CLUSTER_SETTINGS.items():
        assert compose[name] == value == local[name], name
    assert compose["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    for name in ("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "AIRFLOW__CELERY__RESULT_BACKEND",
                 "AIRFLOW__CELERY__BROKER_URL"):
        _same_place(compose[name], local[name])
    assert urlsplit(compose["AIRFLOW__CELERY__BROKER_URL"]).scheme == "redis"
    assert urlsplit(local["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]).hostname == "127.0.0.1"
    # The emulators and the Google connection are wired the same way (names, not addresses).
    for name in ("FIRESTORE_EMULATOR_HOST", "PUBSUB_EMULATOR_HOST", "BIGQUERY_EMULATOR_HOST",
                 "AIRFLOW_CONN_GOOGLE_CLOUD_DEFAULT", "GOOGLE_CLOUD_PROJECT"):
        assert name in compose and name in local, name
    assert yaml.safe_load(compose["AIRFLOW_CONN_GOOGLE_CLOUD_DEFAULT"]) == \
        yaml.safe_load(local["AIRFLOW_CONN_GOOGLE_CLOUD_DEFAULT"])


def test_compose_and_local_cluster_agree_on_the_nba_variables():
    compose = _compose_env()
    local = airflow_env.airflow_env({}, cluster=True)
    settings_names = set(re.findall(r'"(NBA_[A-Z0-9_]+)"', (ROOT / "plugins/nba_pipeline/config.py").read_text()))
    # What the local cluster sets itself, compose sets too; the pipeline's settings pass through
    # from the shell in both (the local cluster inherits its caller's environment).
    set_locally = {name for name in local if name.startswith("NBA_")}
    assert set_locally <= set(compose), set_locally - set(compose)
    assert settings_names <= set(compose), settings_names - set(compose)
    for name in settings_names - set_locally:
        assert compose[name] == f"${{{name}:-}}", name
    assert compose["NBA_GCP_PROJECT"] == local["NBA_GCP_PROJECT"]
    passed = airflow_env.airflow_env({"NBA_LEASE_SECONDS": "42"}, cluster=True)
    assert passed["NBA_LEASE_SECONDS"] == "42"


def test_compose_and_local_cluster_run_the_same_components():
    services = _airflow_services()
    commands = {name: str(service.get("command")) for name, service in services.items()}
    assert sum("celery worker" in command for command in commands.values()) == len(cluster.WORKERS)
    concurrency = cluster.worker_concurrency()
    for worker in cluster.WORKERS:
        command = commands[f"airflow-worker-{worker}"]
        assert f"--celery-hostname {worker}@%h" in command
        assert f"--concurrency {concurrency[worker]}" in command
    for component in ("api-server", "scheduler", "dag-processor", "triggerer"):
        assert component in commands.values(), component
    assert set(cluster.AIRFLOW_COMPONENTS) == {"api-server", "scheduler", "dag-processor", "triggerer",
                                               *(f"worker-{w}" for w in cluster.WORKERS)}
