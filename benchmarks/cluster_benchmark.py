"""The multi-worker cluster against the standalone Airflow, in one run, figures printed.

    .venv/bin/python benchmarks/cluster_benchmark.py [--dates N] [--max-active-runs K]

For 1 and for K runs at a time, each in fresh datasets, collections and metadata database:
the cluster's start time (Postgres initdb, Redis, migration, API server, scheduler,
dag-processor, triggerer, two Celery workers; the emulators already up), its memory (the sum of
the resident set sizes of every process it started, after start without and with the three
emulators, and the peak with them during the backfill), and the N-date backfill's wall time through the REST API; then the same backfill
under ``airflow standalone`` (SQLite, LocalExecutor).
Starts the emulators when they are not running and stops what it started (unless NBA_KEEP_STACK is set).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# The test helpers import their environment helper from tests/ as a top-level module.
sys.path.insert(0, str(ROOT / "tests"))

from tests.e2e.support import isolated_world  # noqa: E402

from environment import patched_environ  # noqa: E402
from nba_pipeline.clients import bigquery_client  # noqa: E402
from nba_pipeline_dev.local import cluster, stack, standalone  # noqa: E402
from nba_pipeline_dev.local.airflow_api import AirflowApi, wait_until  # noqa: E402
from nba_pipeline_dev.local.runs import run_backfill  # noqa: E402

FIRST = dt.date(2026, 2, 1)


def emulator_pids() -> list[int]:
    """The three emulators' processes (started once by ``stack``, shared by both set-ups)."""
    return [p.pid for entry in stack.status().values() if entry["pid"] for p in stack.process_tree(entry["pid"])]


def cluster_backfill(client, work: Path, dates: list[dt.date], runs_at_once: int, seed_range: dict) -> dict:
    cluster_dir = Path(tempfile.mkdtemp(prefix="nba-cluster-bench-"))
    cluster_dir.chmod(0o755)
    figures = {}
    with isolated_world(client, work / f"cluster{runs_at_once}", name=f"benchcl{runs_at_once}",
                        dataset_suffix=f"benchcl{runs_at_once}", **seed_range), \
            patched_environ({"NBA_CLUSTER_DIR": str(cluster_dir),
                             # Like the standalone: no scheduled run of today's (unseeded) date beside the backfill.
                             "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False"}):
        started = time.perf_counter()
        try:
            info = cluster.start()
            figures["start_s"] = time.perf_counter() - started
            figures["rss_after_start_mib"] = stack.rss_mib(cluster.pids())
            figures["rss_with_emulators_mib"] = stack.rss_mib(cluster.pids() + emulator_pids())
            figures["processes"] = len(cluster.pids())
            api = AirflowApi(info["url"], info["user"], info["password"])
            wait_until(api.dag_parsed, timeout=180, what="nba_pipeline parsed")
            peak = figures["rss_with_emulators_mib"]
            started = time.perf_counter()
            api.backfill(dates[0], dates[-1], max_active_runs=runs_at_once)
            deadline = time.monotonic() + 1800
            while True:
                runs = [r for r in api.runs() if r["run_type"] == "backfill"]
                peak = max(peak, stack.rss_mib(cluster.pids() + emulator_pids()))
                if len(runs) >= len(dates) and all(r["state"] in ("success", "failed") for r in runs):
                    break
                if time.monotonic() > deadline:
                    raise TimeoutError(f"cluster backfill not finished: {[r['state'] for r in runs]}")
                time.sleep(2)
            figures["backfill_s"] = time.perf_counter() - started
            figures["rss_peak_mib"] = peak
            figures["states"] = sorted({r["state"] for r in runs})
        finally:
            cluster.stop()
            shutil.rmtree(cluster_dir, ignore_errors=True)
    return figures


def standalone_backfill(client, work: Path, dates: list[dt.date], runs_at_once: int, seed_range: dict) -> dict:
    with isolated_world(client, work / f"standalone{runs_at_once}", name=f"benchsa{runs_at_once}",
                        dataset_suffix=f"benchsa{runs_at_once}", **seed_range), \
            patched_environ({"AIRFLOW__CORE__PARALLELISM": str(2 * runs_at_once)}):
        started = time.perf_counter()
        standalone.start()
        boot = time.perf_counter() - started
        try:
            rss = stack.rss_mib(standalone.pids())
            started = time.perf_counter()
            runs = run_backfill(dates, max_active_runs=runs_at_once)
            wall = time.perf_counter() - started
        finally:
            standalone.stop()
    return {"start_s": boot, "rss_after_start_mib": rss, "rss_with_emulators_mib": rss + stack.rss_mib(emulator_pids()),
            "backfill_s": wall, "states": sorted({r["state"] for r in runs})}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dates", type=int, default=6)
    parser.add_argument("--max-active-runs", type=int, default=3)
    args = parser.parse_args()
    with stack.running():
        return measure(args)


def measure(args) -> int:
    dates = [FIRST + dt.timedelta(days=i) for i in range(args.dates)]
    seed_range = {"start": FIRST - dt.timedelta(days=7), "end": dates[-1] + dt.timedelta(days=1)}
    client = bigquery_client()
    work = Path(tempfile.mkdtemp(prefix="nba-bench-"))
    results = {}
    for runs_at_once in (1, args.max_active_runs):
        results[("cluster", runs_at_once)] = figures = cluster_backfill(client, work, dates, runs_at_once, seed_range)
        print(f"cluster: start {figures['start_s']:.1f} s, {figures['processes']} processes, "
              f"RSS after start {figures['rss_after_start_mib']:.0f} MiB (Airflow, Postgres, Redis), "
              f"{figures['rss_with_emulators_mib']:.0f} MiB with the emulators, peak {figures['rss_peak_mib']:.0f} MiB; "
              f"{len(dates)}-date backfill {runs_at_once} at a time {figures['backfill_s']:.1f} s, "
              f"states {figures['states']}; load average {os.getloadavg()[0]:.1f}", flush=True)
    for runs_at_once in (1, args.max_active_runs):
        results[("standalone", runs_at_once)] = figures = standalone_backfill(client, work, dates, runs_at_once, seed_range)
        print(f"standalone (SQLite, LocalExecutor): start {figures['start_s']:.1f} s, RSS after start "
              f"{figures['rss_after_start_mib']:.0f} MiB, {figures['rss_with_emulators_mib']:.0f} MiB with the emulators; "
              f"{len(dates)}-date backfill "
              f"{runs_at_once} at a time {figures['backfill_s']:.1f} s, states {figures['states']}; "
              f"load average {os.getloadavg()[0]:.1f}", flush=True)
    k = args.max_active_runs
    for kind in ("cluster", "standalone"):
        print(f"{kind}: backfill {k} at a time / 1 at a time = "
              f"{results[(kind, k)]['backfill_s'] / results[(kind, 1)]['backfill_s']:.2f}")
    for runs_at_once in (1, k):
        print(f"cluster / standalone, {runs_at_once} at a time = "
              f"{results[('cluster', runs_at_once)]['backfill_s'] / results[('standalone', runs_at_once)]['backfill_s']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
