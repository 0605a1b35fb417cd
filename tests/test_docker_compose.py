"""docker-compose.yaml cannot be run here (no Docker engine), so it is parsed and checked."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yaml").read_text())


def test_services_of_the_full_stack_are_defined():
    services = _compose()["services"]
    expected = {"postgres", "redis", "firestore", "pubsub", "bigquery", "airflow-init", "airflow-apiserver",
                "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer", "airflow-worker"}
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
    for name in ("airflow-scheduler", "airflow-apiserver", "airflow-worker"):
        deps = services[name]["depends_on"]
        assert deps["airflow-init"]["condition"] == "service_completed_successfully"
        assert deps["postgres"]["condition"] == "service_healthy"
        assert deps["bigquery"]["condition"] == "service_healthy"
