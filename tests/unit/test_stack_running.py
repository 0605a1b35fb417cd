"""``stack.running()``: a block gets the services, and only what it started is stopped after it."""

from __future__ import annotations

import pytest

from nba_pipeline_dev.local import stack


@pytest.fixture
def calls(monkeypatch):
    seen = {"stopped": []}
    monkeypatch.setattr(stack, "start", lambda names=None: {"firestore": "running", "bigquery": "started"})
    monkeypatch.setattr(stack, "stop", lambda names=None: seen["stopped"].extend(names or []))
    monkeypatch.delenv("NBA_KEEP_STACK", raising=False)
    return seen


def test_only_the_services_it_started_are_stopped(calls):
    with stack.running() as started:
        assert started == {"firestore": "running", "bigquery": "started"}
        assert calls["stopped"] == []
    assert calls["stopped"] == ["bigquery"]


def test_they_are_stopped_when_the_block_fails(calls):
    with pytest.raises(RuntimeError), stack.running():
        raise RuntimeError("benchmark failed")
    assert calls["stopped"] == ["bigquery"]


def test_keep_stack_leaves_them_running(calls, monkeypatch):
    monkeypatch.setenv("NBA_KEEP_STACK", "1")
    with stack.running():
        pass
    assert calls["stopped"] == []
