"""``nba-pipeline``: the ops command line. The same code the DAGs run, for people on call.

Exit codes: 0 ok, 1 issues found or the command failed, 2 could not check (a service down,
bad arguments).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from rich.console import Console
from rich.table import Table
from rich_argparse import RichHelpFormatter

console = Console()
err = Console(stderr=True)


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (use YYYY-MM-DD)") from None


def _print_table(title: str, columns: list[str], rows: list[list]) -> None:
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    console.print(table)


# --- stack -------------------------------------------------------------------------------

def cmd_stack(args) -> int:
    from nba_pipeline.local import stack, standalone

    if args.action == "start":
        with console.status("starting the Firestore, Pub/Sub and BigQuery emulators"):
            result = stack.start()
        for name, how in result.items():
            console.print(f"{name}: {how} on {stack.services()[name].address}")
    elif args.action == "stop":
        console.print(f"airflow standalone: {standalone.stop()}")
        for name, how in stack.stop().items():
            console.print(f"{name}: {how}")
    else:
        status = stack.status()
        _print_table("local stack", ["service", "address", "answers", "pid"],
                     [[n, s["address"], s["answers"], s["pid"]] for n, s in status.items()])
    return 0


def cmd_standalone(args) -> int:
    from nba_pipeline.local import standalone

    if args.stop:
        console.print(f"airflow standalone: {standalone.stop()}")
        return 0
    with console.status("starting airflow standalone (UI, scheduler, triggerer, dag-processor)"):
        info = standalone.start()
    console.print(f"Airflow UI: [bold]{info['url']}[/]  user [bold]{info['user']}[/]  "
                  f"password [bold]{info['password']}[/]")
    console.print(f"log: {info['log']}   stop with: bin/stop")
    return 0


def cmd_airflow(args) -> int:
    from nba_pipeline.local import airflow_env

    env = airflow_env.airflow_env()
    airflow_env.ensure_db(env)
    return airflow_env.run_airflow(args.airflow_args, env=env, check=False).returncode


# --- seed --------------------------------------------------------------------------------

def cmd_seed(args) -> int:
    from rich.progress import Progress

    from nba_pipeline import seed, warehouse
    from nba_pipeline.clients import bigquery_client
    from nba_pipeline.local import stack

    if args.end < args.start:
        err.print(f"--to {args.end} is before --from {args.start}")
        return 2
    try:
        faults = [seed.parse_fault(spec) for spec in args.faults]
    except ValueError as error:
        err.print(f"bad --faults: {error}")
        return 2
    if args.local:
        stack.start()
    client = bigquery_client()
    warehouse.ensure_datasets(client)
    warehouse.ensure_tables(client)
    with Progress(console=console, transient=True) as progress:
        tasks: dict[str, int] = {}

        def report(done, total, label):
            if label not in tasks:
                tasks[label] = progress.add_task(label, total=total)
            progress.update(tasks[label], completed=done, total=total)

        data = seed.generate(args.start, args.end, seed=args.seed, faults=faults, progress=report)
        loaded = seed.load(client, data, replace=True, progress=report)
    _print_table(f"raw rows loaded for {args.start}..{args.end} (seed {args.seed})",
                 ["table", "rows"], [[t, n] for t, n in sorted(loaded.items())])
    return 0


# --- demo --------------------------------------------------------------------------------

def cmd_demo(args) -> int:
    from nba_pipeline.local import demo

    return demo.run(console, dates=args.dates, seed=args.seed)


# --- parser ------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nba-pipeline", description=__doc__, formatter_class=RichHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("stack", help="start, stop or show the local emulators", formatter_class=RichHelpFormatter)
    p.add_argument("action", choices=["start", "stop", "status"])
    p.set_defaults(func=cmd_stack)

    p = sub.add_parser("standalone", help="run the full local Airflow (UI) on the local stack",
                       formatter_class=RichHelpFormatter)
    p.add_argument("--stop", action="store_true", help="stop it instead")
    p.set_defaults(func=cmd_standalone)

    p = sub.add_parser("airflow", help="run an `airflow` command against the local stack",
                       formatter_class=RichHelpFormatter)
    p.add_argument("airflow_args", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_airflow)

    p = sub.add_parser("seed", help="generate and load raw data for a date range",
                       formatter_class=RichHelpFormatter)
    p.add_argument("--from", dest="start", type=_date, required=True, help="first game date")
    p.add_argument("--to", dest="end", type=_date, required=True, help="last game date")
    p.add_argument("--seed", type=int, default=7, help="random seed (same seed, same data)")
    p.add_argument("--faults", nargs="*", default=[], metavar="KIND:DATE[:WHAT]",
                   help="late_gamebook:D, missing_gamebook:D[:GAME], zero_team_row:D[:TEAM], duplicate_raw:D")
    p.add_argument("--local", action="store_true", help="start the local stack first")
    p.set_defaults(func=cmd_seed)

    p = sub.add_parser("demo", help="seed the local stack and run the pipeline for a few dates",
                       formatter_class=RichHelpFormatter)
    p.add_argument("--dates", nargs="*", type=_date, default=None, help="business dates to run")
    p.add_argument("--seed", type=int, default=7)
    p.set_defaults(func=cmd_demo)

    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # the last line of defence: one clear message, exit 2
        from nba_pipeline.local.stack import StackError

        if isinstance(error, StackError):
            err.print(f"[red]local stack:[/] {error}")
            return 2
        err.print(f"[red]{type(error).__name__}:[/] {error}")
        if "--debug" in (argv or sys.argv):
            raise
        return 2


if __name__ == "__main__":
    sys.exit(main())
