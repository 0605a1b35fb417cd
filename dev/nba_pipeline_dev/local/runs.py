"""Run DAGs on the local stack from Python (the demo, the CLI, the end-to-end tests)."""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import json
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

from nba_pipeline.run_dates import scheduled_logical_date
from nba_pipeline_dev.local import airflow_env
from nba_pipeline_dev.local.dag_runner import BATCH_DONE

LOG_TAIL_CHARS = 60_000


def run_dates(dates: list[dt.date], *, dag_id: str = "nba_pipeline", conf: dict | None = None,
              env: dict | None = None, log_file: Path | None = None) -> list[dict]:
    """Run the DAG once per business date, one after another, as the scheduler would date them."""
    runs = [
        {"logical_date": scheduled_logical_date(d).isoformat(), "conf": {"game_date": d.isoformat(), **(conf or {})}}
        for d in dates
    ]
    return run_many(runs, dag_id=dag_id, env=env, log_file=log_file)


def run_many(runs: list[dict], *, dag_id: str = "nba_pipeline", env: dict | None = None,
             log_file: Path | None = None) -> list[dict]:
    """Run ``[{"logical_date": ISO or None, "conf": {...}}, ...]`` through ``dag.test()``, one after another.

    Each outcome has ``state`` (``success``, ``failed`` or ``rejected`` when Airflow refused to
    create the run), ``run_id``, ``seconds`` and, unless it succeeded, ``log``: the tail of what
    the run printed. The runs go to a ``dag.test()`` process kept for ``env`` (``DagRunner``).
    """
    env = env or airflow_env.airflow_env()
    airflow_env.ensure_db(env)
    log_file = log_file or Path(env["AIRFLOW_HOME"]).parent / "logs" / f"{dag_id}-runs.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    return DagRunner.for_env(env).run(dag_id, runs, log_file)


class DagRunner:
    """One ``dag.test()`` process (``dag_runner``) kept for the runs of one environment.

    Airflow's start-up and the DAG's parse (~6-9 s of CPU) are paid once per environment, not
    once per call: a test module that runs dates again and again reuses its process. Only the
    ``KEPT`` most recently used processes stay; all are ended when this process exits. A process
    that dies is replaced on the next call.
    """

    KEPT = 2
    # pytest names the running test in the environment; it changes nothing about a run, and
    # keying on it started a process (Airflow's start-up and a parse) for every test.
    NOT_KEYED = frozenset({"PYTEST_CURRENT_TEST"})
    COMMAND = (sys.executable, "-m", "nba_pipeline_dev.local.dag_runner")
    _kept: dict[tuple, "DagRunner"] = {}
    _kept_lock = threading.Lock()

    def __init__(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(self.COMMAND, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True, bufsize=1)
        self.lines: queue.Queue = queue.Queue()
        # Set once its output has ended: the process is gone even while ``poll()`` cannot tell
        # yet (a process closes its pipes before the kernel lets its parent reap it).
        self.output_ended = threading.Event()
        self.lock = threading.Lock()
        # Drained all the time, so output between calls can never fill the pipe and stall it.
        threading.Thread(target=self._drain, name="dag-runner-output", daemon=True).start()

    @classmethod
    def for_env(cls, env: dict[str, str]) -> DagRunner:
        env = {name: value for name, value in env.items() if name not in cls.NOT_KEYED}
        key = tuple(sorted(env.items()))
        with cls._kept_lock:
            runner = cls._kept.pop(key, None)
            evicted = []
            if runner is None or runner.ended:
                evicted = [runner] if runner else []  # reaped (or ended, if it lingers) below
                runner = cls(env)
            cls._kept[key] = runner  # most recently used last
            evicted += [cls._kept.pop(next(iter(cls._kept))) for _ in range(len(cls._kept) - cls.KEPT)]
        for old in evicted:  # outside the lock: closing waits for a batch another thread may be running
            old.close()
        return runner

    @classmethod
    def close_all(cls) -> None:
        with cls._kept_lock:
            while cls._kept:
                cls._kept.popitem()[1].close()

    @property
    def ended(self) -> bool:
        return self.output_ended.is_set() or self.process.poll() is not None

    def _drain(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line)
        self.output_ended.set()
        self.lines.put(None)

    def _next_line(self) -> str | None:
        """The next line of output, or None once it has ended (and every time after that)."""
        line = self.lines.get()
        if line is None:
            self.lines.put(None)  # a later batch to this runner must not wait for output that cannot come
        return line

    def run(self, dag_id: str, runs: list[dict], log_file: Path) -> list[dict]:
        results, lines = [], []
        with self.lock, open(log_file, "a", buffering=1) as log:  # line-buffered: readers may follow it live
            try:
                self.process.stdin.write(json.dumps({"dag_id": dag_id, "runs": runs}) + "\n")
                self.process.stdin.flush()
            except (BrokenPipeError, OSError, ValueError) as error:  # ValueError: closed by close()
                lines.append(f"the dag.test() process had exited: {error}\n")
            else:
                while (line := self._next_line()) is not None and not line.startswith(BATCH_DONE):
                    log.write(line)
                    if line.startswith("RESULT "):
                        outcome = json.loads(line[len("RESULT "):])
                        if outcome.get("state") != "success":
                            outcome["log"] = "".join(lines)[-LOG_TAIL_CHARS:]
                        results.append(outcome)
                        lines = []
                    else:
                        lines.append(line)
        if len(results) < len(runs):
            tail = "".join(lines)[-LOG_TAIL_CHARS:]
            results.extend({"conf": run.get("conf"), "state": "error", "log": tail} for run in runs[len(results):])
        return results

    def close(self, timeout: float = 60.0) -> None:
        """End the process at the end of its input, after the batch it may be running."""
        with self.lock:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


atexit.register(DagRunner.close_all)


def wait_for_dag(dag_id: str, api, *, timeout: float = 180.0) -> None:
    """Wait until the dag-processor has parsed ``dag_id`` into the metadata database."""
    from nba_pipeline_dev.local.airflow_api import wait_until

    wait_until(lambda: api.dag_parsed(dag_id), timeout=timeout, what=f"{dag_id} parsed")


def run_backfill(dates: list[dt.date], *, dag_id: str = "nba_pipeline", max_active_runs: int = 3,
                 timeout: float = 1800.0) -> list[dict]:
    """A backfill over game dates on a running ``airflow standalone`` (``standalone.start()``), as the dialog makes it.

    Creates the backfill through the REST API, the dates as the bounds (the timetable makes each
    run's logical date its game date), with the DAG paused, then unpauses it; waits until every
    run has finished and returns the runs as the API shows them.
    """
    from nba_pipeline_dev.local import standalone
    from nba_pipeline_dev.local.airflow_api import AirflowApi, ApiError

    api = AirflowApi.local()
    wait_for_dag(dag_id, api)
    # On SQLite a backfill's creation can meet the scheduler's write and fail with "database is
    # locked" (503, apache/airflow#66726); Airflow then deletes the runs it had committed, and a scheduler already
    # scheduling the first of them dies on the vanished row (seen: every run queued for good).
    # A paused DAG's runs are not scheduled, so the scheduler sees them only once they all exist.
    api.set_paused(True, dag_id)
    for attempt in range(3):
        try:
            api.backfill(min(dates), max(dates), max_active_runs=max_active_runs, dag_id=dag_id)
            break
        except ApiError as error:
            # Safe to ask again only when the failed request left no backfill behind.
            active = [b for b in api.get(f"/backfills?dag_id={dag_id}")["backfills"] if not b.get("completed_at")]
            if error.status < 500 or active or attempt == 2:
                raise
    api.set_paused(False, dag_id)
    wanted = {d.isoformat() for d in dates}
    deadline = time.monotonic() + timeout
    while True:
        runs = [r for r in api.runs(dag_id) if r["run_type"] == "backfill" and str(r["logical_date"])[:10] in wanted]
        if len(runs) >= len(dates) and all(r["state"] in ("success", "failed") for r in runs):
            return runs
        if time.monotonic() > deadline:
            raise TimeoutError(f"backfill not finished after {timeout:.0f} s: {[r['state'] for r in runs]}")
        if not standalone.scheduler_running():
            raise RuntimeError(f"the standalone scheduler exited with the backfill unfinished "
                               f"({[r['state'] for r in runs]}); its traceback is in standalone.log in the Airflow home")
        time.sleep(5)
