"""Exit code 2: the CLI says clearly that it could not check when Firestore is down.

A private Firestore emulator (own port and state folder) is started, used, then stopped; the
CLI runs as a subprocess, as the person on call runs it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest

from nba_pipeline_dev.local import stack
from sql.helpers import isolated_warehouse

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def private_firestore(tmp_path, monkeypatch, local_stack):
    monkeypatch.setenv("NBA_FIRESTORE_PORT", str(free_port()))
    monkeypatch.setenv("NBA_LOCAL_DIR", str(tmp_path))
    service = stack.services()["firestore"]
    assert stack.start_service(service) == "started"
    try:
        yield service
    finally:
        stack.stop_service(service)


def cli(*args: str, firestore: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = dict(os.environ, FIRESTORE_EMULATOR_HOST=firestore, COLUMNS="200")
    return subprocess.run([sys.executable, "-m", "nba_pipeline_dev.cli", *args], env=env, capture_output=True,
                          text=True, timeout=timeout)


def test_exit_code_two_when_firestore_is_stopped(private_firestore, bigquery_client):
    with isolated_warehouse(bigquery_client):
        # Up: empty tables, a date without games, no locks: all good.
        up = cli("health", "--date", "2026-02-14", firestore=private_firestore.address)
        assert up.returncode == 0, up.stdout + up.stderr

        assert stack.stop_service(private_firestore) == "stopped"
        for args in (("health", "--date", "2026-02-14"), ("health", "--date", "2026-02-14", "--json"),
                     ("reconcile", "--date", "2026-02-14"), ("locks", "list")):
            started = time.monotonic()
            down = cli(*args, firestore=private_firestore.address)
            elapsed = time.monotonic() - started
            assert down.returncode == 2, (args, down.stdout, down.stderr)
            assert "Firestore did not answer" in down.stdout + down.stderr, (args, down.stdout, down.stderr)
            assert elapsed < 60, f"{args} took {elapsed:.0f} s to give up"
        data = __import__("json").loads(cli("health", "--date", "2026-02-14", "--json",
                                            firestore=private_firestore.address).stdout)
        assert data["status"] == "error" and data["exit_code"] == 2
        assert data["error"].startswith("Firestore did not answer")
