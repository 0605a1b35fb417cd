"""The main job on the embedded stack: seed raw data, run ``nba_pipeline`` for real dates, report.

Re-running is cheap: the stack and the database are reused, seeding replaces the same rows, and
processors whose completion record already says success are skipped.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter

from rich.console import Console
from rich.table import Table

from nba_pipeline import processors
from nba_pipeline_dev.local import airflow_env, stack
from nba_pipeline_dev.local.runs import run_dates

DEFAULT_DATES = (dt.date(2026, 2, 3), dt.date(2026, 2, 4), dt.date(2026, 2, 5))
HISTORY_DAYS = 14  # raw data seeded before the first date, so rolling windows have games in them


def default_dates() -> list[dt.date]:
    """Three consecutive game dates and the first day of the All-Star break (no games)."""
    from nba_pipeline_dev.seed import SEASON_2025, all_star_break

    first_day_off, _ = all_star_break(SEASON_2025)
    return [*DEFAULT_DATES, first_day_off]


def _step(console: Console, message: str, started: float) -> None:
    console.print(f"[green]✓[/] {message} [dim]({time.perf_counter() - started:.1f} s)[/]")


def run(console: Console, *, dates: list[dt.date] | None = None, seed: int = 7) -> int:
    from nba_pipeline import warehouse
    from nba_pipeline.clients import bigquery_client
    from nba_pipeline_dev import seed as seeding

    total = time.perf_counter()
    started = time.perf_counter()
    with console.status("starting the Firestore, Pub/Sub and BigQuery emulators"):
        how = stack.start()
    _step(console, "local stack: " + ", ".join(f"{k} {v}" for k, v in how.items()), started)

    started = time.perf_counter()
    client = bigquery_client()
    warehouse.ensure_datasets(client)
    tables = warehouse.ensure_tables(client)
    _step(console, f"warehouse: {len(tables)} tables ready", started)

    dates = sorted(dates or default_dates())
    first, last = dates[0] - dt.timedelta(days=HISTORY_DAYS), dates[-1] + dt.timedelta(days=1)
    started = time.perf_counter()
    with console.status(f"generating and loading raw data {first}..{last}"):
        data = seeding.generate(first, last, seed=seed)
        loaded = seeding.load(client, data, replace=True)
    _step(console, f"raw data {first}..{last}: {sum(loaded.values()):,} rows in {len(loaded)} tables", started)

    started = time.perf_counter()
    with console.status("preparing the local Airflow database"):
        airflow_env.ensure_db()
    _step(console, "local Airflow ready", started)

    started = time.perf_counter()
    with console.status(f"running nba_pipeline through Airflow for {', '.join(map(str, dates))}"):
        outcomes = run_dates(dates)
    _step(console, f"nba_pipeline ran {len(outcomes)} date(s)", started)

    report(console, dates, outcomes)
    failed = [o for o in outcomes if o.get("state") != "success"]
    console.print(
        f"\n[bold]{'FAILED' if failed or len(outcomes) != len(dates) else 'done'}[/] in "
        f"{time.perf_counter() - total:.1f} s. Logs: {stack.state_dir() / 'logs'}; "
        "the full UI: bin/airflow-standalone; stop: bin/stop"
    )
    return 1 if failed or len(outcomes) != len(dates) else 0


def report(console: Console, dates: list[dt.date], outcomes: list[dict]) -> None:
    from nba_pipeline.checks import check_history
    from nba_pipeline.clients import bigquery_client, firestore_client, lease_store
    from nba_pipeline.completion import CompletionStore, entries_of
    from nba_pipeline.config import settings

    runs = Table(title="runs", title_justify="left")
    for column in ("game date", "state", "seconds", "run id"):
        runs.add_column(column)
    for outcome in outcomes:
        runs.add_row((outcome.get("conf") or {}).get("game_date", "?"), outcome.get("state", outcome.get("error")),
                     str(outcome.get("seconds", "")), outcome.get("run_id", ""))
    console.print(runs)

    history = check_history(bigquery_client(), dates[0], dates[-1] + dt.timedelta(days=1), latest_only=True)
    latest = {(row["table_name"], str(row["target_date"])): row for row in history}
    checks = Table(title="rows written per run (✓ no duplicate keys)", title_justify="left")
    checks.add_column("table (date written: D or D+1)", no_wrap=True)
    for date in dates:
        checks.add_column(f"D={date:%m-%d}", justify="right", no_wrap=True)
    for processor in processors.PROCESSORS:
        cells = []
        for date in dates:
            row = latest.get((processor.table, processor.target_date(date).isoformat()))
            if row is None:
                cells.append("–")
            else:
                cells.append(f"{row['row_count']} " + ("✓" if row["passed"] else f"✗{row['duplicated_keys']}"))
        offset = "D+1" if processor.date_offset else "D"
        checks.add_row(f"{processor.table} ({offset})", *cells)
    console.print(checks)

    fs = firestore_client()
    store = CompletionStore(fs)
    completion = Table(title="completion records", title_justify="left")
    for column in ("document", "_completed_count", "entries", "_triggered"):
        completion.add_column(column)
    for date in dates:
        for phase, day in ((3, date), (4, date + dt.timedelta(days=1))):
            record = store.get(phase, day) or {}
            entries = entries_of(record)
            triggered = str(record.get("_triggered", "")) if phase == 3 else "n/a"
            completion.add_row(f"phase{phase}_completion/{day}", str(record.get("_completed_count", "missing")),
                               str(len(entries)), triggered)
    console.print(completion)

    config = settings()
    store_of_leases = lease_store(fs, config)
    keys = [p.lock_key(date) for date in dates for p in processors.PROCESSORS]
    events: Counter = Counter()
    fences = {}
    for key in keys:
        for entry in store_of_leases.audit_log(key, limit=200):
            events[str(entry.get("event"))] += 1
            if entry.get("event") in ("acquire", "takeover"):
                fences[key] = max(fences.get(key, 0), int(entry.get("fence") or 0))
    locks = Table(title=f"lock events on the {len(keys)} keys of these runs", title_justify="left", min_width=48)
    locks.add_column("event")
    locks.add_column("count", justify="right")
    for event, count in sorted(events.items()):
        locks.add_row(event, str(count))
    console.print(locks)
    held = [state for state in (store_of_leases.inspect(key) for key in keys) if state.exists]
    console.print(f"latest fence per key: {min(fences.values(), default=0)}..{max(fences.values(), default=0)}; "
                  f"locks still held: {len(held)}" + "".join(f"\n  {s.describe()}" for s in held))
