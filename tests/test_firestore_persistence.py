"""The Firestore emulator keeps its documents across a stop with ``NBA_FIRESTORE_DATA_DIR``, and
only then: the default stays a fresh emulator at every start."""

from __future__ import annotations

import socket

import pytest

from environment import patched_environ
from nba_pipeline_dev.local import stack

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _client():
    from google.cloud import firestore

    from nba_pipeline.config import settings

    return firestore.Client(project=settings().project)


def _restarted(service) -> None:
    assert stack.stop_service(service) == "stopped"
    assert stack.start_service(service) == "started"


def test_a_stopped_emulator_comes_back_with_its_documents_only_when_asked(tmp_path):
    port = _free_port()
    values = {"NBA_FIRESTORE_PORT": str(port), "NBA_LOCAL_DIR": str(tmp_path / "local"),
              "FIRESTORE_EMULATOR_HOST": f"127.0.0.1:{port}"}
    with patched_environ(values) as env:
        service = stack.services()["firestore"]
        assert stack.start_service(service) == "started"
        try:
            _client().collection("kept").document("one").set({"n": 1})
            _restarted(service)
            assert not _client().collection("kept").document("one").get(timeout=10).exists, \
                "without a data folder the emulator starts empty"

            env.setenv("NBA_FIRESTORE_DATA_DIR", str(tmp_path / "data"))
            _client().collection("kept").document("two").set({"n": 2})
            _restarted(service)
            assert _client().collection("kept").document("two").get(timeout=10).to_dict() == {"n": 2}
            _client().collection("kept").document("three").set({"n": 3})
            _restarted(service)
            kept = {d.id: d.to_dict() for d in _client().collection("kept").stream(timeout=10)}
            assert kept == {"two": {"n": 2}, "three": {"n": 3}}
            assert len(list((tmp_path / "data").iterdir())) == 1, "one export is kept, the latest"
        finally:
            stack.stop_service(service)
