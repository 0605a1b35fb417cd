"""Scheduling settings of the local Airflow: what they are, and that a caller can still choose."""

from __future__ import annotations

import pytest

from nba_pipeline_dev.local import airflow_env, stack

IDLE_SLEEP = "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME"


@pytest.fixture(autouse=True)
def local_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("NBA_LOCAL_DIR", str(tmp_path))
    monkeypatch.delenv("NBA_AIRFLOW_HOME", raising=False)
    monkeypatch.delenv("NBA_CLUSTER_DIR", raising=False)


@pytest.mark.parametrize("cluster", [False, True], ids=["standalone", "cluster"])
def test_an_idle_scheduler_loop_sleeps_less_than_airflows_default(cluster):
    env = airflow_env.airflow_env({}, cluster=cluster)
    assert float(env[IDLE_SLEEP]) < 1.0, "Airflow's default 1 s idle sleep delays every task of a chain"


@pytest.mark.parametrize("cluster", [False, True], ids=["standalone", "cluster"])
def test_a_caller_can_measure_airflows_own_idle_sleep(cluster):
    env = airflow_env.airflow_env({IDLE_SLEEP: "1"}, cluster=cluster)
    assert env[IDLE_SLEEP] == "1"


# Composer 3's floors for the scheduling settings it restricts (its "Airflow configurations" page).
COMPOSER_FLOORS = {
    "AIRFLOW__SCHEDULER__MIN_FILE_PROCESS_INTERVAL": 30,
    "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": 15,
    "AIRFLOW__TRIGGERER__JOB_HEARTBEAT_SEC": 30,
}


@pytest.mark.parametrize("cluster", [False, True], ids=["standalone", "cluster"])
def test_a_setting_below_composers_floor_is_documented_as_local_only(cluster):
    env = airflow_env.airflow_env({}, cluster=cluster)
    deployment = (stack.project_root() / "docs" / "deployment.md").read_text()
    local_only = [paragraph for paragraph in deployment.split("\n\n") if "local only" in paragraph.lower()]
    for name, floor in COMPOSER_FLOORS.items():
        if name in env and float(env[name]) < floor:
            key = name.split("__")[-1].lower()
            assert any(key in paragraph for paragraph in local_only), f"{key} is below Composer's {floor}"
