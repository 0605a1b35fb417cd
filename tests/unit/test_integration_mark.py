"""The ``integration`` mark cannot lie: unmarked tests reach no network, start no process and
cannot ask for the local stack (tests/conftest.py)."""

from __future__ import annotations

import socket
import subprocess
import sys
from types import SimpleNamespace

import pytest

import conftest

REFUSED = "is not marked @pytest.mark.integration"


def test_an_unmarked_test_reaches_no_network():
    with pytest.raises(AssertionError, match=REFUSED):
        socket.create_connection(("127.0.0.1", 9), timeout=1)


def test_an_unmarked_test_starts_no_process():
    with pytest.raises(AssertionError, match=REFUSED):
        subprocess.run([sys.executable, "-c", "pass"], check=True)


def test_an_unmarked_test_cannot_ask_for_the_local_stack():
    def item(nodeid, *marks):
        return SimpleNamespace(nodeid=nodeid, fixturenames=["bigquery_client", "local_stack"],
                               get_closest_marker=lambda name: name if name in marks else None)

    conftest.pytest_collection_modifyitems(None, [item("tests/a.py::marked", "integration")])
    with pytest.raises(pytest.UsageError, match="tests/b.py::unmarked"):
        conftest.pytest_collection_modifyitems(None, [item("tests/b.py::unmarked")])
