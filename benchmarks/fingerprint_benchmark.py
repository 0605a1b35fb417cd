"""The tests' table fingerprints against the FARM_FINGERPRINT ones they replaced, in one run.

    .venv/bin/python benchmarks/fingerprint_benchmark.py [--rows N]

``tests/sql/helpers.py::table_hashes`` fingerprints each date of a table on the server. It used
FARM_FINGERPRINT of each row's JSON, which the BigQuery stand-in runs as a Python function row
by row; it now uses MD5, which runs natively. This makes one table of N rows over five dates and
times both queries twice each on the local stack (started if needed), printing the times and the
ratio.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from tests.sql.helpers import query, table_hashes  # noqa: E402

from environment import patched_environ  # noqa: E402
from nba_pipeline.clients import bigquery_client  # noqa: E402
from nba_pipeline_dev.local import stack  # noqa: E402

FIRST = dt.date(2026, 2, 1)
DAYS = [FIRST + dt.timedelta(days=i) for i in range(5)]
# The query table_hashes ran before (its FARM_FINGERPRINT form), over the same columns.
FARM_FINGERPRINTS = """
    SELECT day, COUNT(*) AS row_count, COUNT(DISTINCT fingerprint) AS distinct_rows,
           IFNULL(BIT_XOR(fingerprint), 0) AS xor
    FROM (SELECT game_date AS day, FARM_FINGERPRINT(TO_JSON_STRING(t)) AS fingerprint
          FROM (SELECT `game_date`, `n`, `name`, `x` FROM `{table}`
                WHERE game_date BETWEEN @first AND @last) t)
    GROUP BY day"""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()
    with stack.running():
        client = bigquery_client()
        dataset = f"{client.project}.fingerprint_bench_{uuid.uuid4().hex[:6]}"
        client.create_dataset(dataset)
        try:
            table = f"{dataset}.rows"
            client.query(f"""CREATE TABLE `{table}` AS
                SELECT DATE_ADD(DATE '{FIRST}', INTERVAL MOD(i, {len(DAYS)}) DAY) AS game_date, i AS n,
                       CONCAT('player_', CAST(i AS STRING)) AS name, i * 1.5 AS x
                FROM UNNEST(GENERATE_ARRAY(1, {args.rows})) AS i""").result()
            times = {"FARM_FINGERPRINT (before)": [], "MD5 (table_hashes)": []}
            with patched_environ({"NBA_ANALYTICS_DATASET": dataset.split(".", 1)[1]}):
                for _ in range(2):
                    started = time.perf_counter()
                    query(client, FARM_FINGERPRINTS.format(table=table), first=DAYS[0], last=DAYS[-1])
                    times["FARM_FINGERPRINT (before)"].append(time.perf_counter() - started)
                    started = time.perf_counter()
                    table_hashes(client, "rows", "game_date", DAYS, exclude=())
                    times["MD5 (table_hashes)"].append(time.perf_counter() - started)
        finally:
            client.delete_dataset(dataset, delete_contents=True, not_found_ok=True)
    print(f"fingerprints of {args.rows:,} rows over {len(DAYS)} dates, two runs each:")
    for name, seconds in times.items():
        print(f"  {name:28s} " + ", ".join(f"{s:.2f} s" for s in seconds))
    before, after = min(times["FARM_FINGERPRINT (before)"]), min(times["MD5 (table_hashes)"])
    print(f"  MD5 / FARM_FINGERPRINT (best of each): {after / before:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
