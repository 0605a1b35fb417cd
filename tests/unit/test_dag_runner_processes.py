"""``runs.DagRunner``: one kept ``dag.test()`` process per environment, its batch protocol.

A stand-in for ``dag_runner`` (a few lines of Python speaking the same protocol) makes the
process: these tests are about keeping, reusing, replacing and ending processes. The real
runner runs every DAG of the end-to-end modules.
"""

from __future__ import annotations

import os
import sys
import textwrap
import threading

import pytest

from nba_pipeline_dev.local import runs
from nba_pipeline_dev.local.dag_runner import BATCH_DONE

pytestmark = pytest.mark.integration

FAKE_RUNNER = textwrap.dedent(f"""
    import json, os, sys
    print("started", os.getpid(), flush=True)
    for line in sys.stdin:
        batch = json.loads(line)
        for run in batch["runs"]:
            if run["conf"].get("die"):
                print("dying", flush=True)
                os._exit(3)
            if run["conf"].get("hang_up"):
                # Its output ends while it lives on: what a dying process looks like to its
                # parent between closing its pipes and being reaped.
                print("hanging up", flush=True)
                os.close(1)
                os.close(2)  # the same pipe
                for _ in sys.stdin:
                    pass
                os._exit(0)
            state = run["conf"].get("state", "success")
            print("working on", run["conf"], flush=True)
            print("RESULT " + json.dumps({{"conf": run["conf"], "state": state, "pid": os.getpid(),
                                         "test": os.environ.get("PYTEST_CURRENT_TEST")}}), flush=True)
        # Output between batches: the reader must drain it, or a full pipe would stall the process.
        print("x" * 200_000, flush=True)
        print({BATCH_DONE!r}, flush=True)
""")


@pytest.fixture
def fake(monkeypatch, tmp_path):
    monkeypatch.setattr(runs.DagRunner, "COMMAND", (sys.executable, "-c", FAKE_RUNNER))
    monkeypatch.setattr(runs.DagRunner, "_kept", {})
    yield tmp_path
    runs.DagRunner.close_all()


def _env(name: str) -> dict[str, str]:
    return {"PATH": os.environ["PATH"], "WORLD": name}


def _run(env, tmp_path, *confs):
    return runs.DagRunner.for_env(env).run("nba_pipeline", [{"conf": c} for c in confs], tmp_path / "runs.log")


def test_one_process_serves_every_call_of_an_environment(fake):
    first = _run(_env("a"), fake, {"n": 1}, {"n": 2})
    again = _run(_env("a"), fake, {"n": 3})
    assert [o["state"] for o in first + again] == ["success"] * 3
    assert len({o["pid"] for o in first + again}) == 1
    other = _run(_env("b"), fake, {"n": 4})
    assert other[0]["pid"] != first[0]["pid"]
    assert "working on {'n': 3}" in (fake / "runs.log").read_text()


def test_the_test_pytest_is_running_is_not_part_of_an_environment(fake):
    """pytest sets PYTEST_CURRENT_TEST per test: the tests of a module share one process."""
    outcomes = [_run({**_env("a"), "PYTEST_CURRENT_TEST": f"test_{n} (call)"}, fake, {"n": n})[0] for n in range(3)]
    assert len({o["pid"] for o in outcomes}) == 1
    assert [o["test"] for o in outcomes] == [None] * 3  # nor passed on, so it cannot go stale


def test_a_failed_run_carries_the_output_since_the_previous_result(fake):
    [ok, failed] = _run(_env("a"), fake, {"n": 1}, {"n": 2, "state": "failed"})
    assert "log" not in ok
    assert failed["state"] == "failed" and "working on {'n': 2, 'state': 'failed'}" in failed["log"]
    assert "{'n': 1}" not in failed["log"]


def test_a_process_that_dies_fails_the_rest_of_its_batch_and_is_replaced(fake):
    [before] = _run(_env("a"), fake, {"n": 1})
    outcomes = _run(_env("a"), fake, {"n": 2}, {"die": True}, {"n": 3})
    assert [o["state"] for o in outcomes] == ["success", "error", "error"]
    assert "dying" in outcomes[1]["log"]
    [after] = _run(_env("a"), fake, {"n": 4})
    assert after["state"] == "success" and after["pid"] != before["pid"]


def test_a_process_whose_output_ended_is_replaced_even_before_it_can_be_reaped(fake):
    [hung_up] = _run(_env("a"), fake, {"hang_up": True})
    assert hung_up["state"] == "error" and "hanging up" in hung_up["log"]
    lingering = runs.DagRunner._kept[tuple(sorted(_env("a").items()))]
    assert lingering.ended and lingering.process.poll() is None  # alive, and known to be useless
    # Reusing it would wait forever for its output: a deadline turns that into a failure.
    outcome = {}
    call = threading.Thread(target=lambda: outcome.update(runs=_run(_env("a"), fake, {"n": 1})), daemon=True)
    call.start()
    call.join(timeout=60)
    if call.is_alive():
        lingering.lines.put(None)  # let the stuck call return, so the teardown can close the runner
        pytest.fail("the call waited on the process whose output had ended")
    [after] = outcome["runs"]
    assert after["state"] == "success" and after["pid"] != lingering.process.pid
    assert lingering.process.wait(timeout=60) == 0  # closed: its input ended, so it left


def test_only_the_most_recently_used_processes_are_kept(fake):
    processes = {}
    for name in ("a", "b", "c"):
        _run(_env(name), fake, {"n": 1})
        processes[name] = runs.DagRunner.for_env(_env(name)).process
    assert processes["a"].poll() == 0  # ended at the end of its input, not killed
    assert processes["b"].poll() is None and processes["c"].poll() is None
    runs.DagRunner.close_all()
    assert processes["b"].poll() == 0 and processes["c"].poll() == 0



def test_a_process_evicted_while_running_a_batch_is_closed_only_after_it(fake, monkeypatch):
    import time

    monkeypatch.setattr(runs.DagRunner, "KEPT", 1)
    busy = runs.DagRunner.for_env(_env("a"))
    busy.lock.acquire()  # as run() holds it for a batch of another thread
    other = {}
    evicting = threading.Thread(target=lambda: other.update(outcomes=_run(_env("b"), fake, {"n": 2})))
    evicting.start()
    deadline = time.monotonic() + 60
    while tuple(sorted(_env("a").items())) in runs.DagRunner._kept and time.monotonic() < deadline:
        time.sleep(0.01)
    assert tuple(sorted(_env("a").items())) not in runs.DagRunner._kept, "never evicted"
    # Evicted, but its close waits for the batch: input still open, process alive, and the
    # evicting call (which closes before it runs its own batch) still waiting.
    evicting.join(timeout=2)
    assert evicting.is_alive() and not busy.process.stdin.closed and busy.process.poll() is None
    busy.lock.release()
    evicting.join(timeout=60)
    assert other["outcomes"][0]["state"] == "success"
    assert busy.process.wait(timeout=60) == 0  # ended at the end of its input, not killed
