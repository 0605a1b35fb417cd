"""What orchestration costs beside the work, printed side by side in one run.

    .venv/bin/python benchmarks/pipeline_benchmark.py [--dates N] [--max-active-runs K]

Starts the local stack when it is not running and stops what it started (unless NBA_KEEP_STACK is set).

On the local stack, for the same N consecutive game dates (each measurement in a world of its
own: fresh datasets, collections and Airflow database, the same isolation as the tests):

* plain script: the ten MERGEs of each date, in registry order, through a bare BigQuery client
  (``transforms.run_processor``: watermark then fenced MERGE, as a task does, without Airflow);
* one date, then the N dates one after another, through ``dag.test()`` (one process);
* an ``airflow backfill`` under ``airflow standalone`` with 1 and with K runs at a time, timed
  from the backfill's creation to the last run's end (``--cold-task-starts``: also 1 at a time
  with ``[nba_pipeline] preload_task_modules`` off, so every task process imports its modules
  itself), and 1 at a time again with Airflow's own 1 s ``[scheduler] scheduler_idle_sleep_time``
  beside the local stack's shorter one (with the idle scheduler's CPU under each);
* the ratios of each to the plain script, task instances and process starts per date (a
  reschedule poke or a retry is a start), CPU seconds of Airflow's processes per task start,
  and the peak resident memory of the whole local stack (emulators and Airflow).

CPU and memory come from sampling every process of the stack every 0.2 s (psutil): a process
that lives shorter than that is missed, so CPU is a lower bound.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from tests.e2e.support import isolated_world  # noqa: E402

from environment import patched_environ  # noqa: E402
from nba_pipeline import processors, transforms  # noqa: E402
from nba_pipeline.clients import bigquery_client  # noqa: E402
from nba_pipeline_dev.local import airflow_env, stack, standalone  # noqa: E402
from nba_pipeline_dev.local.airflow_api import AirflowApi  # noqa: E402
from nba_pipeline_dev.local.runs import run_backfill, wait_for_dag  # noqa: E402

FIRST = dt.date(2026, 2, 1)
# Airflow's processes by what they are, from their own command line or their nearest ancestor's.
COMPONENTS = (
    (("supervisor:", "worker --", "task runner", "dag_runner"), "airflow tasks"),
    (("dag-processor", "dag_processor"), "airflow dag-processor"),
    (("triggerer",), "airflow triggerer"),
    (("scheduler",), "airflow scheduler"),
    (("api_server", "api-server"), "airflow api-server"),
)


class StackSampler:
    """Samples CPU and RSS of the emulators and of every other process under this one."""

    def __init__(self, every: float = 0.2) -> None:
        self.every = every
        self.cpu: dict[int, tuple[str, float]] = {}
        self.peak_rss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self.emulators = {}
        for name, service in stack.services().items():
            try:
                self.emulators[int(service.pid_file.read_text().strip())] = name
            except (OSError, ValueError):
                pass

    def _processes(self):
        found = {}
        roots = [psutil.Process()] + [psutil.Process(p) for p in self.emulators if psutil.pid_exists(p)]
        pid_file = airflow_env.airflow_home() / "standalone.pid"
        if pid_file.exists():
            try:
                roots.append(psutil.Process(int(pid_file.read_text().strip())))
            except (psutil.Error, ValueError):
                pass
        for root in roots:
            try:
                for process in [root, *root.children(recursive=True)]:
                    found[process.pid] = process
            except psutil.Error:
                continue
        return found

    def _kind(self, process) -> str:
        for pid, name in self.emulators.items():
            if process.pid == pid:
                return name
            try:
                if pid in [p.pid for p in process.parents()]:
                    return name
            except psutil.Error:
                pass
        if process.pid == os.getpid():
            return "benchmark"
        try:
            lineage = [process, *process.parents()]
            for member in lineage:
                line = " ".join(member.cmdline())
                for words, kind in COMPONENTS:
                    if any(word in line for word in words):
                        return kind
        except psutil.Error:
            pass
        return "airflow other"

    def _loop(self) -> None:
        kinds: dict[int, str] = {}
        while not self._stop.is_set():
            rss = 0
            for pid, process in self._processes().items():
                try:
                    times = process.cpu_times()
                    rss += process.memory_info().rss
                    if pid not in kinds:
                        kinds[pid] = self._kind(process)
                    self.cpu[pid] = (kinds[pid], times.user + times.system)
                except psutil.Error:
                    continue
            self.peak_rss = max(self.peak_rss, rss)
            self._stop.wait(self.every)

    def __enter__(self):
        self._base = {pid: cpu for pid, (_, cpu) in self.cpu.items()}
        for pid, process in self._processes().items():
            try:
                times = process.cpu_times()
                self._base[pid] = times.user + times.system
            except psutil.Error:
                pass
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def cpu_seconds(self) -> dict[str, float]:
        """CPU seconds by kind of process; ``airflow`` sums every Airflow process."""
        totals: dict[str, float] = {}
        for pid, (kind, cpu) in self.cpu.items():
            if kind == "benchmark":
                continue
            used = cpu - self._base.get(pid, 0.0)
            totals[kind] = totals.get(kind, 0.0) + used
            if kind.startswith("airflow"):
                totals["airflow"] = totals.get("airflow", 0.0) + used
        return totals

    def airflow_breakdown(self) -> str:
        totals = self.cpu_seconds()
        return ", ".join(f"{kind[len('airflow '):]} {seconds:.1f}" for kind, seconds in sorted(totals.items())
                         if kind.startswith("airflow "))


def parse_report(work: Path) -> list[str]:
    """The DAG files' parse times, as the DAG integrity tests' probe measures them."""
    report = work / "dagbag.json"
    env = {"AIRFLOW_HOME": str(work / "parse-home"), "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
           "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"), "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, str(ROOT / "tests/dags/dagbag_probe.py"), str(ROOT / "dags"), str(report)],
                   env=env, check=True, capture_output=True)
    files = json.loads(report.read_text())["files"]
    return ["DAG file parse times (ms; cold: wall time of the first parse; warm: the least CPU of seven):",
            *(f"  {name:28s} cold {t['cold_ms']:8.1f}   warm {t['warm_cpu_ms']:6.1f}" for name, t in files.items())]


def task_figures(airflow_home: Path, dates: int) -> dict:
    """Task instances, process starts (tries + reschedule pokes) and deferrals per date, from the metadata database."""
    db = sqlite3.connect(f"file:{airflow_home / 'airflow.db'}?mode=ro", uri=True, timeout=30)
    try:
        instances, tries = db.execute(
            "SELECT COUNT(*), SUM(try_number) FROM task_instance WHERE dag_id = 'nba_pipeline'").fetchone()
        pokes = db.execute("SELECT COUNT(*) FROM task_reschedule").fetchone()[0]
        deferrals = db.execute(
            "SELECT COUNT(*) FROM log WHERE event = 'deferred' AND dag_id = 'nba_pipeline'").fetchone()[0]
        intervals = db.execute(
            "SELECT r.run_id, r.start_date, r.end_date, t.start_date, t.end_date FROM dag_run r "
            "JOIN task_instance t ON t.run_id = r.run_id AND t.dag_id = r.dag_id "
            "WHERE r.dag_id = 'nba_pipeline' AND t.start_date IS NOT NULL AND t.end_date IS NOT NULL").fetchall()
    finally:
        db.close()
    runs: dict[str, tuple] = {}
    for run_id, run_start, run_end, start, end in intervals:
        runs.setdefault(run_id, (run_start, run_end, []))[2].append((_when(start), _when(end)))
    idle = sum(_uncovered(_when(run_start), _when(run_end), spans) for run_start, run_end, spans in runs.values())
    return {"tasks": instances / dates, "starts": (tries + pokes) / dates, "pokes": pokes / dates,
            "deferrals": deferrals / dates, "total_starts": tries + pokes, "idle": idle / dates}


def _when(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))


def _uncovered(start: dt.datetime, end: dt.datetime, spans: list[tuple]) -> float:
    """Seconds of [start, end] during which none of the spans (a run's task instances) ran: the
    run waited on the scheduler to queue the next task and the executor to start it."""
    idle, reached = 0.0, start
    for span_start, span_end in sorted(spans):
        if span_start > reached:
            idle += (span_start - reached).total_seconds()
        reached = max(reached, span_end)
    return idle + max(0.0, (end - reached).total_seconds())


def plain_script(client, dates) -> tuple[list[float], dict[str, float]]:
    """Seconds per date, and per processor summed over the dates."""
    per_date, per_processor = [], dict.fromkeys((p.name for p in processors.PROCESSORS), 0.0)
    for day in dates:
        started = time.perf_counter()
        for processor in processors.PROCESSORS:
            began = time.perf_counter()
            transforms.run_processor(client, processor, day, fence=1, run_id=f"plain__{day}")
            per_processor[processor.name] += time.perf_counter() - began
        per_date.append(time.perf_counter() - started)
    return per_date, per_processor


def last_end(api, dates) -> dt.datetime:
    wanted = {d.isoformat() for d in dates}
    runs = [r for r in api.runs("nba_pipeline") if str(r["logical_date"])[:10] in wanted]
    return max(_when(r["end_date"]) for r in runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dates", type=int, default=6)
    parser.add_argument("--max-active-runs", type=int, default=3)
    parser.add_argument("--idle-window", type=float, default=20.0,
                        help="seconds to sample the idle scheduler's CPU before the 1-at-a-time backfills "
                             "(0: leave it out)")
    parser.add_argument("--skip-parse", action="store_true", help="leave out the DAG parse times")
    parser.add_argument("--cold-task-starts", action="store_true",
                        help="also backfill 1 at a time with [nba_pipeline] preload_task_modules off, so that "
                             "every task process imports its modules itself")
    args = parser.parse_args()
    with stack.running():
        return measure(args)


def measure(args) -> int:
    dates = [FIRST + dt.timedelta(days=i) for i in range(args.dates)]
    n = len(dates)
    seed_range = {"start": FIRST - dt.timedelta(days=7), "end": dates[-1] + dt.timedelta(days=1)}
    client = bigquery_client()
    work = Path(tempfile.mkdtemp(prefix="nba-bench-"))
    print(f"{n} game dates from {dates[0]}, K = {args.max_active_runs}; load average at start "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)

    if not args.skip_parse:
        print("\n".join(parse_report(work)), flush=True)

    # Each world names its datasets itself, so each pays the emulator's first parses of its
    # statement texts, as the plain script does (the tests' worlds share names to share them).
    with isolated_world(client, work / "plain", name="benchplain", dataset_suffix="benchplain", **seed_range):
        with StackSampler() as sampler:
            plain, plain_by_processor = plain_script(client, dates)
    plain_total = sum(plain)
    print(f"\nplain script (bare BigQuery client, ten MERGEs per date in order): {plain_total:.1f} s, "
          f"{plain_total / n:.1f} s per date (first {plain[0]:.1f}, last {plain[-1]:.1f}); "
          f"emulator CPU {sampler.cpu_seconds().get('bigquery', 0):.1f} s", flush=True)
    print("  per processor, s per date: " + ", ".join(
        f"{name} {seconds / n:.1f}" for name, seconds in sorted(plain_by_processor.items(), key=lambda kv: -kv[1])))

    with isolated_world(client, work / "one", name="bench1", dataset_suffix="bench1", **seed_range) as world:
        started = time.perf_counter()
        outcome = world.run(dates[:1])[0]
        one_wall = time.perf_counter() - started
    print(f"one date through dag.test() ({dates[0]}): run {outcome['seconds']:.1f} s, "
          f"with Airflow start-up {one_wall:.1f} s, state {outcome['state']}", flush=True)

    with isolated_world(client, work / "seq", name="benchseq", dataset_suffix="benchseq", **seed_range) as world:
        with StackSampler() as sampler:
            outcomes = world.run(dates)
        seq_runs = sum(o["seconds"] for o in outcomes)
    print(f"{n} dates one after another through dag.test(): {seq_runs:.1f} s of runs "
          f"({seq_runs / n:.1f} s per date); states {sorted({o['state'] for o in outcomes})}; "
          f"CPU airflow {sampler.cpu_seconds().get('airflow', 0):.1f} s, "
          f"bigquery {sampler.cpu_seconds().get('bigquery', 0):.1f} s", flush=True)

    backfill, figures, cpu, rss, idle_cpu = {}, {}, {}, {}, {}
    ours = airflow_env.SCHEDULER_IDLE_SLEEP_TIME
    # A variant is (runs at a time, warm task starts, the scheduler's idle sleep): the cold one is
    # the baseline for task_start, the one with Airflow's 1 s idle sleep the baseline for ours.
    variants = [(1, True, ours), (1, True, "1")] + ([(1, False, ours)] if args.cold_task_starts else []) + (
        [(args.max_active_runs, True, ours)] if args.max_active_runs != 1 else [])
    for variant in variants:
        runs_at_once, warm, idle_sleep = variant
        label = (f"{runs_at_once} run(s) at a time" + ("" if warm else ", cold task starts")
                 + ("" if idle_sleep == ours else f", Airflow's {idle_sleep} s idle sleep"))
        world_name = (f"benchpar{runs_at_once}{'' if warm else 'cold'}"
                      f"{'' if idle_sleep == ours else 'idle' + idle_sleep.replace('.', '')}")
        with isolated_world(client, work / world_name[5:], name=world_name, dataset_suffix=world_name,
                            **seed_range) as world, \
                patched_environ({"NBA_AIRFLOW_PORT": os.environ.get("NBA_TEST_AIRFLOW_PORT", "8094"),
                                 "AIRFLOW__CORE__PARALLELISM": str(2 * runs_at_once),
                                 "AIRFLOW__NBA_PIPELINE__PRELOAD_TASK_MODULES": str(warm),
                                 "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": idle_sleep}):
            started = time.perf_counter()
            standalone.start()
            boot = time.perf_counter() - started
            try:
                api = AirflowApi.local()
                wait_for_dag("nba_pipeline", api)
                if runs_at_once == 1 and warm and args.idle_window > 0:
                    # What the idle sleep costs: the scheduler's CPU with nothing to run.
                    with StackSampler() as idle:
                        time.sleep(args.idle_window)
                    idle_cpu[idle_sleep] = idle.cpu_seconds().get("airflow scheduler", 0.0) / args.idle_window
                with StackSampler() as sampler:
                    created = dt.datetime.now(dt.timezone.utc)
                    runs = run_backfill(dates, max_active_runs=runs_at_once)
                backfill[variant] = (last_end(api, dates) - created).total_seconds()
            finally:
                standalone.stop()
            figures[variant] = task_figures(world.airflow_home, n)
            cpu[variant] = sampler.cpu_seconds()
            rss[variant] = sampler.peak_rss
        f = figures[variant]
        print(f"backfill, {label}: {backfill[variant]:.1f} s from create to the last "
              f"run's end ({backfill[variant] / n:.1f} s per date; standalone start-up {boot:.1f} s); "
              f"states {sorted({r['state'] for r in runs})}", flush=True)
        print(f"  per date: {f['idle']:.1f} s with no task of the run running (scheduling gaps); "
              f"{f['tasks']:.1f} task instances, {f['starts']:.1f} process starts "
              f"({f['pokes']:.1f} reschedule pokes), {f['deferrals']:.1f} deferrals; CPU airflow "
              f"{cpu[variant].get('airflow', 0):.1f} s = {cpu[variant].get('airflow', 0) / f['total_starts']:.2f} s "
              f"per task start ({sampler.airflow_breakdown()}), bigquery {cpu[variant].get('bigquery', 0):.1f} s; "
              f"peak RSS of the stack "
              f"{rss[variant] / 2**20:.0f} MiB", flush=True)

    k = args.max_active_runs
    print("\nratios (plain script = 1):")
    # The same date in a fresh world each: the emulator's memos are cold for both (the
    # statement texts name each world's datasets), so the first date is the like-for-like one.
    print(f"  one date, dag.test run / plain, same date:    {outcome['seconds'] / plain[0]:.2f}")
    print(f"  one date, dag.test run / plain per date:      {outcome['seconds'] / (plain_total / n):.2f}")
    print(f"  {n} dates dag.test / plain:                   {seq_runs / plain_total:.2f}")
    print(f"  backfill 1 at a time / plain:                 {backfill[1, True, ours] / plain_total:.2f}")
    print(f"  backfill 1 at a time, Airflow's idle sleep / plain: {backfill[1, True, '1'] / plain_total:.2f} "
          f"(its scheduling gaps {figures[1, True, '1']['idle']:.1f} s a date, ours "
          f"{figures[1, True, ours]['idle']:.1f} s)")
    for idle_sleep, share in sorted(idle_cpu.items()):
        print(f"  idle scheduler, {idle_sleep} s idle sleep: {share * 100:.1f}% of a core "
              f"(CPU over {args.idle_window:.0f} s with nothing to run)")
    if (1, False, ours) in backfill:
        print(f"  backfill 1 at a time, cold task starts / plain: {backfill[1, False, ours] / plain_total:.2f}")
    if k != 1:
        print(f"  backfill {k} at a time / plain:                 {backfill[k, True, ours] / plain_total:.2f}")
    print(f"  plain last date / first date:                 {plain[-1] / plain[0]:.2f}")
    if n > 2:
        print(f"  plain last date / second date (memos warm):   {plain[-1] / plain[1]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
