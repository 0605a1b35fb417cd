"""The local BigQuery stand-in with and without its memos, side by side in one run.

    .venv/bin/python benchmarks/emulator_benchmark.py [--dates N]

bqemulator spends most of its CPU parsing statement texts with sqlglot, again in every rewrite
pass and again for every date, and translating the same texts to DuckDB again
(``dev/nba_pipeline_dev/local/bqemulator_main.py`` memoises both). This starts
the emulator twice on its usual port, first with ``NBA_BQEMULATOR_MEMOS=0`` (bqemulator as
shipped), then with the memos, and runs the plain script of the pipeline benchmark (the ten MERGEs
of each of N dates through a bare client) in a fresh world each time, printing each run's wall
time, the emulator's CPU, the stack's peak RSS and the seconds per processor. The local stack must be
stopped first (``nba-pipeline stack stop``): each variant needs an emulator of its own.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pipeline_benchmark import FIRST, StackSampler, isolated_world, plain_script  # noqa: E402

from environment import patched_environ  # noqa: E402
from nba_pipeline.clients import bigquery_client  # noqa: E402
from nba_pipeline_dev.local import stack  # noqa: E402


def run_variant(cache: bool, dates: list[dt.date], work: Path) -> dict:
    with patched_environ({"NBA_BQEMULATOR_MEMOS": "1" if cache else "0"}), stack.running() as started:
        if any(how != "started" for how in started.values()):
            raise SystemExit("the local stack was already running: stop it first (nba-pipeline stack stop)")
        client = bigquery_client()
        seed_range = {"start": FIRST - dt.timedelta(days=7), "end": dates[-1] + dt.timedelta(days=1)}
        name = "emucache" if cache else "emuplain"
        with isolated_world(client, work / name, name=name, dataset_suffix=name, **seed_range):
            with StackSampler() as sampler:
                started_at = time.perf_counter()
                per_date, per_processor = plain_script(client, dates)
                wall = time.perf_counter() - started_at
        return {"wall": wall, "per_date": per_date, "per_processor": per_processor,
                "cpu": sampler.cpu_seconds().get("bigquery", 0.0), "peak_rss": sampler.peak_rss}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dates", type=int, default=3)
    args = parser.parse_args()
    dates = [FIRST + dt.timedelta(days=i) for i in range(args.dates)]
    work = Path(tempfile.mkdtemp(prefix="nba-emulator-bench-"))
    print(f"{len(dates)} game dates from {dates[0]}; load average at start {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores", flush=True)
    results = {}
    for cache in (False, True):
        result = results[cache] = run_variant(cache, dates, work)
        label = "with the memos" if cache else "bqemulator as shipped"
        print(f"\n{label}: plain script {result['wall']:.1f} s ({result['wall'] / len(dates):.1f} s per date; "
              f"first {result['per_date'][0]:.1f}, last {result['per_date'][-1]:.1f}); emulator CPU "
              f"{result['cpu']:.1f} s, stack peak RSS {result['peak_rss'] / 2**20:.0f} MiB", flush=True)
        print("  per processor, s per date: " + ", ".join(
            f"{name} {seconds / len(dates):.1f}"
            for name, seconds in sorted(result["per_processor"].items(), key=lambda kv: -kv[1])), flush=True)
    plain, memo = results[False], results[True]
    print("\nratios (as shipped = 1):")
    print(f"  plain script wall, memos / as shipped: {memo['wall'] / plain['wall']:.2f}")
    print(f"  emulator CPU, memos / as shipped:      {memo['cpu'] / plain['cpu']:.2f}")
    for name in sorted(plain["per_processor"], key=lambda n: -plain["per_processor"][n]):
        print(f"  {name:32s} {memo['per_processor'][name] / plain['per_processor'][name]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
