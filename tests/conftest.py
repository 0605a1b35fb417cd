"""Shared fixtures: the local Google Cloud stack, started once per test session.

Tests never skip for a missing service: if the stack cannot start, they fail with the message
saying what to install.
"""

from __future__ import annotations

import os

import pytest

from nba_pipeline_dev.local import stack


@pytest.fixture(scope="session")
def local_stack():
    """Firestore, Pub/Sub and BigQuery stand-ins on loopback, with the client variables set."""
    try:
        started = stack.start()
    except stack.StackError as error:
        pytest.fail(f"local stack unavailable: {error}", pytrace=False)
    yield stack.status()
    ours = [name for name, how in started.items() if how == "started"]
    if ours and not os.environ.get("NBA_KEEP_STACK"):
        stack.stop(ours)


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
