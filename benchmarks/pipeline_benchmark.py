"""Wall times of the pipeline on the local stack, printed side by side.

    .venv/bin/python benchmarks/pipeline_benchmark.py [--dates N] [--max-active-runs K]

Measures, in one process: DAG file parse times (cold and warm), one business date end to end
through Airflow (``dag.test()``), and N consecutive dates run one after another versus the same
dates as an ``airflow backfill`` under ``airflow standalone`` with 1 and with K runs at a time. Each run
gets fresh datasets, collections and an Airflow database (the same isolation as the tests).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nba_pipeline.clients import bigquery_client  # noqa: E402
from nba_pipeline_dev.local import stack, standalone  # noqa: E402
from nba_pipeline_dev.local.runs import run_backfill  # noqa: E402
from tests.e2e.support import isolated_world, patched_environ  # noqa: E402

FIRST = dt.date(2026, 2, 1)


def parse_times(work: Path) -> dict:
    report = work / "dagbag.json"
    env = {"AIRFLOW_HOME": str(work / "parse-home"), "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
           "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"), "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, str(ROOT / "tests/dags/dagbag_probe.py"), str(ROOT / "dags"), str(report)],
                   env=env, check=True, capture_output=True)
    return json.loads(report.read_text())["files"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dates", type=int, default=6)
    parser.add_argument("--max-active-runs", type=int, default=3)
    args = parser.parse_args()
    dates = [FIRST + dt.timedelta(days=i) for i in range(args.dates)]
    seed_range = {"start": FIRST - dt.timedelta(days=7), "end": dates[-1] + dt.timedelta(days=1)}
    stack.start()
    client = bigquery_client()
    work = Path(tempfile.mkdtemp(prefix="nba-bench-"))

    print("DAG file parse times (ms):")
    for name, times in parse_times(work).items():
        print(f"  {name:28s} cold {times['cold_ms']:8.1f}   warm {times['warm_ms']:6.1f}")

    with isolated_world(client, work / "one", name="bench1", **seed_range) as world:
        started = time.perf_counter()
        outcome = world.run(dates[:1])[0]
        one_wall = time.perf_counter() - started
    print(f"\none date end to end ({dates[0]}): run {outcome['seconds']:.1f} s, "
          f"with Airflow start-up {one_wall:.1f} s, state {outcome['state']}")

    with isolated_world(client, work / "seq", name="benchseq", **seed_range) as world:
        started = time.perf_counter()
        outcomes = world.run(dates)
        sequential = time.perf_counter() - started
    print(f"\n{len(dates)} dates one after another (dag.test, one process): {sequential:.1f} s "
          f"({sequential / len(dates):.1f} s per date); states {sorted({o['state'] for o in outcomes})}")

    backfill = {}
    for runs_at_once in (1, args.max_active_runs):
        with isolated_world(client, work / f"par{runs_at_once}", name=f"benchpar{runs_at_once}", **seed_range), \
                patched_environ({"NBA_AIRFLOW_PORT": "8094", "AIRFLOW__CORE__PARALLELISM": str(2 * runs_at_once)}):
            started = time.perf_counter()
            standalone.start()
            boot = time.perf_counter() - started
            try:
                started = time.perf_counter()
                runs = run_backfill(dates, max_active_runs=runs_at_once)
                backfill[runs_at_once] = time.perf_counter() - started
            finally:
                standalone.stop()
        print(f"{len(dates)} dates as a backfill, {runs_at_once} run(s) at a time (scheduler, LocalExecutor): "
              f"{backfill[runs_at_once]:.1f} s after {boot:.1f} s of standalone start-up; "
              f"states {sorted({r['state'] for r in runs})}")
    print(f"ratio backfill {args.max_active_runs} at a time / 1 at a time: "
          f"{backfill[args.max_active_runs] / backfill[1]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
