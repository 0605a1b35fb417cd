"""How long a whole season takes to generate and to load into the local BigQuery emulator.

    python benchmarks/seed_benchmark.py [--season 2025] [--seed 7]

Starts the local stack when it is not running (and stops what it started, unless
NBA_KEEP_STACK is set), then prints generation time, load time and rows per table.
"""

from __future__ import annotations

import argparse
import sys
import time

from nba_pipeline_dev.seed import SEASON_2025, generate, load, season_schedule


def _progress():
    last = [0.0]

    def report(done: int, total: int, label: str) -> None:
        now = time.monotonic()
        if done == total or now - last[0] > 1.0:
            last[0] = now
            print(f"  {label}: {done}/{total}", file=sys.stderr)

    return report


def _stored_rows(client, data) -> dict[str, int]:
    from google.cloud import bigquery

    from nba_pipeline.config import settings
    from nba_pipeline_dev.seed import RANGE_COLUMNS, SEEDED_TABLES, layer_of

    config = settings()
    sql = " UNION ALL ".join(
        f"SELECT '{name}' AS name, COUNT(*) AS n FROM `{config.project}.{config.dataset_for(layer_of(name))}.{name}` "
        + ("WHERE season IN UNNEST(@seasons)" if RANGE_COLUMNS[name] == "season"
           else f"WHERE {RANGE_COLUMNS[name]} BETWEEN @first AND @last")
        for name in SEEDED_TABLES
    )
    job_config = bigquery.QueryJobConfig(query_parameters=[
        bigquery.ScalarQueryParameter("first", "DATE", data.start),
        bigquery.ScalarQueryParameter("last", "DATE", data.end),
        bigquery.ArrayQueryParameter("seasons", "STRING", data.seasons),
    ])
    return {row["name"]: row["n"] for row in client.query(sql, job_config=job_config).result()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--season", type=int, default=SEASON_2025, help="season start year (2025 = 2025-26)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    from nba_pipeline import warehouse
    from nba_pipeline.clients import bigquery_client
    from nba_pipeline_dev.local import stack

    with stack.running(["bigquery"]):
        client = bigquery_client()
        warehouse.ensure_datasets(client)
        warehouse.ensure_tables(client, layers=("raw", "reference"))

        games = season_schedule(args.season, args.seed)
        first, last = games[0].game_date, games[-1].game_date
        began = time.perf_counter()
        data = generate(first, last, seed=args.seed, progress=_progress())
        generated = time.perf_counter() - began

        began = time.perf_counter()
        loaded = load(client, data, progress=_progress())
        load_time = time.perf_counter() - began

        stored = _stored_rows(client, data)
        if stored != loaded:
            print(f"rows in BigQuery differ from rows loaded: {stored} != {loaded}", file=sys.stderr)
            return 1

        print(f"season {args.season}-{(args.season + 1) % 100:02d}, seed {args.seed}: "
              f"{len(games)} games, {first} .. {last}")
        print(f"generate: {generated:6.2f} s")
        print(f"load:     {load_time:6.2f} s")
        print(f"total:    {generated + load_time:6.2f} s")
        width = max(len(name) for name in loaded)
        for name, rows in loaded.items():
            print(f"  {name:<{width}} {rows:>9,}")
        print(f"  {'all tables':<{width}} {sum(loaded.values()):>9,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
