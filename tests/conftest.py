"""Shared fixtures: the local Google Cloud stack, started once per test session.

Tests never skip for a missing service: if the stack cannot start, they fail with the message
saying what to install.

Tests that need the stack, Airflow runs or another process are marked ``integration``; the
others are pure, and ``pytest -m "not integration"`` runs them in seconds. The mark cannot lie:
a test without it that asks for the stack is refused at collection, and one that connects to a
network address or starts a process fails, naming the mark.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess

import pytest

from nba_pipeline_dev.local import stack

INTEGRATION = "integration"


def pytest_collection_modifyitems(config, items):
    unmarked = [item.nodeid for item in items
                if "local_stack" in item.fixturenames and item.get_closest_marker(INTEGRATION) is None]
    if unmarked:
        raise pytest.UsageError("these tests use the local stack but are not marked "
                                f"@pytest.mark.{INTEGRATION}: {', '.join(unmarked)}")


@pytest.fixture(autouse=True)
def pure_unless_integration(request, monkeypatch):
    """Outside ``integration`` tests: no network connections, no processes."""
    if request.node.get_closest_marker(INTEGRATION) is not None:
        return
    connect = socket.socket.connect

    def refuse(what: str):
        raise AssertionError(f"{request.node.nodeid} {what} but is not marked @pytest.mark.{INTEGRATION}")

    def guarded_connect(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            refuse(f"connects to {address}")
        return connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", lambda sock, address: refuse(f"connects to {address}"))
    monkeypatch.setattr(subprocess.Popen, "_execute_child", lambda popen, args, *rest: refuse(f"runs {args!r}"))
    monkeypatch.setattr(os, "fork", lambda: refuse("forks"))


@pytest.fixture(scope="session")
def local_stack():
    """Firestore, Pub/Sub and BigQuery stand-ins on loopback, with the client variables set."""
    with contextlib.ExitStack() as cleanup:
        try:
            cleanup.enter_context(stack.running())
        except stack.StackError as error:
            pytest.fail(f"local stack unavailable: {error}", pytrace=False)
        yield stack.status()


@pytest.fixture(scope="session")
def firestore_client(local_stack):
    from nba_pipeline.clients import firestore_client as make

    return make()


@pytest.fixture(scope="session")
def bigquery_client(local_stack):
    from nba_pipeline.clients import bigquery_client as make

    return make()


@pytest.fixture(scope="session")
def warehouse_tables(bigquery_client):
    """Every dataset and table of include/sql/schema created (idempotent)."""
    from nba_pipeline import warehouse

    warehouse.ensure_datasets(bigquery_client)
    return warehouse.ensure_tables(bigquery_client)
