"""``nba-pipeline``: the ops command line. The same code the DAGs run, for people on call.

Exit codes: 0 ok, 1 issues found or the command failed, 2 could not check (a service down,
bad arguments). ``--debug`` (before or after the command) adds full tracebacks and debug logging.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import logging
import sys
import traceback

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
    from nba_pipeline_dev.local import stack, standalone

    if args.action == "start":
        with console.status("starting the Firestore, Pub/Sub and BigQuery emulators"):
            result = stack.start()
        for name, how in result.items():
            console.print(f"{name}: {how} on {stack.services()[name].address}")
    elif args.action == "env":
        import shlex

        # For `eval "$(nba-pipeline stack env)"`: point this shell's commands at the local stack.
        for name, value in stack.client_env().items():
            print(f"export {name}={shlex.quote(value)}")
    elif args.action == "stop":
        from nba_pipeline_dev.local import cluster

        console.print(f"airflow standalone: {standalone.stop()}")
        for name, how in cluster.stop().items():
            console.print(f"cluster {name}: {how}")
        for name, how in stack.stop().items():
            console.print(f"{name}: {how}")
    else:
        status = stack.status()
        _print_table("local stack", ["service", "address", "answers", "pid"],
                     [[n, s["address"], s["answers"], s["pid"]] for n, s in status.items()])
    return 0


def cmd_standalone(args) -> int:
    from nba_pipeline_dev.local import standalone

    if args.stop:
        console.print(f"airflow standalone: {standalone.stop()}")
        return 0
    with console.status("starting airflow standalone (UI, scheduler, triggerer, dag-processor)"):
        info = standalone.start()
    console.print(f"Airflow UI: [bold]{info['url']}[/]  user [bold]{info['user']}[/]  "
                  f"password [bold]{info['password']}[/]")
    console.print(f"log: {info['log']}   stop with: bin/stop")
    return 0


def cmd_cluster(args) -> int:
    from nba_pipeline_dev.local import cluster

    if args.action == "stop":
        for name, how in cluster.stop().items():
            console.print(f"{name}: {how}")
        return 0
    if args.action == "status":
        components = cluster.status()
        _print_table("local cluster", ["component", "pid", "running", "RSS MiB", "log"],
                     [[n, s["pid"], s["running"], s["rss_mib"], s["log"]] for n, s in components.items()])
        console.print(f"{len(cluster.pids())} processes, {sum(s['rss_mib'] for s in components.values())} MiB RSS in all")
        return 0
    with console.status("starting the cluster (Postgres, Redis, emulators, API server, scheduler, "
                        "dag-processor, triggerer, two Celery workers)"):
        info = cluster.start()
    for name, how in info["components"].items():
        console.print(f"{name}: {how}")
    console.print(f"Airflow UI: [bold]{info['url']}[/]  user [bold]{info['user']}[/]  "
                  f"password [bold]{info['password']}[/]  (ready in {info['seconds']} s)")
    console.print(f"logs: {info['logs']}   stop with: bin/stop")
    return 0


def cmd_airflow(args) -> int:
    from nba_pipeline_dev.local import airflow_env

    env = airflow_env.airflow_env(cluster=args.cluster)
    airflow_env.ensure_db(env)
    return airflow_env.run_airflow(args.airflow_args, env=env, check=False).returncode


# --- seed --------------------------------------------------------------------------------

def cmd_seed(args) -> int:
    from rich.progress import Progress

    from nba_pipeline import warehouse
    from nba_pipeline.clients import bigquery_client
    from nba_pipeline_dev import seed
    from nba_pipeline_dev.local import stack

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


# --- sql -------------------------------------------------------------------------------

def cmd_sql(args) -> int:
    from nba_pipeline import merge, processors

    if args.all == (args.processor is not None):
        err.print("sql render needs one PROCESSOR or --all")
        return 2
    try:
        chosen = processors.PROCESSORS if args.all else [processors.get(args.processor)]
    except ValueError as error:
        err.print(str(error))
        return 2
    # Plain stdout, so the statement can be piped or pasted into the BigQuery console.
    sys.stdout.write("\n".join(merge.render(p).rstrip() + ";\n" for p in chosen))
    return 0


# --- demo --------------------------------------------------------------------------------

def cmd_demo(args) -> int:
    from nba_pipeline_dev.local import demo

    return demo.run(console, dates=args.dates, seed=args.seed)


# --- health, reconcile, locks --------------------------------------------------------------

def _window_dates(args) -> list[dt.date]:
    from nba_pipeline.health import window_dates

    if args.until is not None and args.date is not None:
        raise argparse.ArgumentTypeError("--until goes with --days, not --date")
    return window_dates(days=args.days, date=args.date, until=args.until)


def _print_json(data) -> None:
    # Plain stdout: rich would reflow or highlight what machines parse.
    sys.stdout.write((data if isinstance(data, str) else json.dumps(data, indent=2, sort_keys=True, default=str)) + "\n")


def cmd_health(args) -> int:
    from pathlib import Path

    from nba_pipeline.clients import bigquery_client, firestore_client
    from nba_pipeline.health import run_health

    report = run_health(bigquery_client(), firestore_client(), _window_dates(args))
    if args.html:
        Path(args.html).write_text(report.to_html())
    if args.json:
        _print_json(report.to_json())
    else:
        console.print(report.to_table())
        if args.html:
            console.print(f"calendar grid written to {args.html}")
    if report.error:
        err.print(f"[red]could not check:[/] {report.error}")
    return report.exit_code


def cmd_reconcile(args) -> int:
    from nba_pipeline.clients import bigquery_client, firestore_client
    from nba_pipeline.health import run_reconcile
    from nba_pipeline_dev.local.runs import run_dates

    def run_locally(dates):
        if not args.json:
            console.print("running nba_pipeline for " + ", ".join(d.isoformat() for d in dates)
                          + " after the record fixes (this waits for the runs)")
        return run_dates(dates)

    # The store logs each rewrite; the lines printed here say the same.
    logging.getLogger("nba_pipeline.completion").addHandler(logging.NullHandler())
    report = run_reconcile(bigquery_client(), firestore_client(), _window_dates(args), fix=args.fix,
                           trigger=None if args.records_only else run_locally)
    if report.error:
        err.print(f"[red]could not check:[/] {report.error}")
        return report.exit_code
    if args.json:
        _print_json(report.to_dict())
    else:
        for line in report.lines():
            console.print(line, markup=False)
        if not args.fix and not report.plan.empty:
            console.print("dry run: nothing was changed; run again with --fix to apply")
        if args.fix and args.records_only and report.plan.reruns:
            console.print("records only: not running nba_pipeline for "
                          + ", ".join(d.isoformat() for d in report.plan.reruns))
        if report.runs:
            _print_table("nba_pipeline runs", ["game_date", "run_id", "state", "seconds"],
                         [[(r.get("conf") or {}).get("game_date"), r.get("run_id"), r.get("state") or r.get("error"),
                           r.get("seconds")] for r in report.runs])
    for run in report.failed_runs:
        tail = "\n".join((run.get("log") or "").splitlines()[-20:])
        err.print(f"[red]nba_pipeline for {(run.get('conf') or {}).get('game_date')}: {run.get('state')}[/]")
        if tail:
            err.print(tail, markup=False, highlight=False)
    if report.unreported_runs:
        err.print(f"[red]{report.unreported_runs} run(s) did not report back[/]")
    return report.exit_code


def _lock_rows(states) -> list[list]:
    rows = []
    for state in states:
        holder = state.execution_id or (state.holder.execution_id if state.holder else "")
        status = "expired" if state.expired else ("legacy" if state.legacy else "held")
        expires = "" if state.expires_in_seconds is None else f"{state.expires_in_seconds:.0f}"
        held = "" if state.held_seconds is None else f"{state.held_seconds:.0f}"
        rows.append([state.key, status, holder, state.fence, held, expires])
    return rows


def cmd_locks(args) -> int:
    import getpass

    from nba_pipeline.clients import firestore_client, lease_store
    from nba_pipeline.health import CouldNotCheck, probe_firestore

    client = firestore_client()
    try:
        probe_firestore(client)
    except CouldNotCheck as error:
        err.print(f"[red]could not check:[/] {error}")
        return 2
    store = lease_store(client)
    # The lease library logs each release; the lines printed here say the same.
    logging.getLogger("nba_pipeline.lease").addHandler(logging.NullHandler())
    columns = ["key", "state", "holder", "fence", "held s", "expires in s"]
    if args.action == "list":
        states = store.list(args.prefix)
        if args.json:
            _print_json([state.to_dict() for state in states])
        elif states:
            _print_table(f"locks in {store.collection}", columns, _lock_rows(states))
        else:
            console.print(f"no locks in {store.collection}")
        return 0
    if not args.key:
        err.print(f"locks {args.action} needs a KEY (see `nba-pipeline locks list`)")
        return 2
    if args.action == "show":
        state = store.inspect(args.key)
        history = store.audit_log(args.key, limit=args.limit)
        if args.json:
            _print_json({"lock": state.to_dict(), "audit": history})
            return 0
        console.print(state.describe(), markup=False)
        if state.exists:
            _print_table("lock", columns, _lock_rows([state]))
        _print_table(f"last {len(history)} audit record(s)", ["at", "event", "execution_id", "fence", "reason"],
                     [[r.get("at"), r.get("event"), r.get("execution_id"), r.get("fence"),
                       r.get("reason") or ""] for r in history])
        return 0
    if not args.reason or not args.reason.strip():
        err.print(f"locks {args.action} needs --reason (it is kept in the audit log)")
        return 2
    actor = args.actor or getpass.getuser()
    if args.action == "reseed":
        from nba_pipeline.clients import bigquery_client
        from nba_pipeline.fencing import fence_evidence

        seen = fence_evidence(bigquery_client(), store, args.key)
        restored = store.reseed(args.key, max(seen.values()), reason=args.reason.strip(), actor=actor)
        if args.json:
            _print_json({"key": args.key, "seen": seen, "counter": restored})
        else:
            _print_table(f"fences seen for {args.key}", ["where", "highest fence"], [[k, v] for k, v in seen.items()])
            console.print(f"{args.key}: fence counter now {restored}; the next grant gets {restored + 1} "
                          f"(audited as {actor})", markup=False)
        return 0
    # release
    state = store.inspect(args.key)
    if not state.exists:
        console.print(f"{args.key}: no lock to release")
        return 1
    if store.force_release(args.key, reason=args.reason.strip(), actor=actor):
        console.print(f"released {state.describe()}; audited as {actor}: {args.reason.strip()}", markup=False)
        return 0
    err.print(f"{args.key}: the lock kept changing; nothing released, try again")
    return 1


def _add_window(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--days", type=int, default=None, metavar="N",
                       help="the N business dates ending yesterday (America/New_York); default 3")
    group.add_argument("--date", type=_date, default=None, metavar="D", help="one business date")
    parser.add_argument("--until", type=_date, default=None, metavar="D",
                        help="with --days: the last date of the window instead of yesterday")


# --- parser ------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nba-pipeline", description=__doc__, formatter_class=RichHelpFormatter
    )
    parser.add_argument("--debug", action="store_true", help="full tracebacks and debug logging")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("stack", help="start, stop or show the local emulators", formatter_class=RichHelpFormatter)
    p.add_argument("action", choices=["start", "stop", "status", "env"],
                   help="env prints the export lines that point other commands at the local stack")
    p.set_defaults(func=cmd_stack)

    p = sub.add_parser("standalone", help="run the full local Airflow (UI) on the local stack",
                       formatter_class=RichHelpFormatter)
    p.add_argument("--stop", action="store_true", help="stop it instead")
    p.set_defaults(func=cmd_standalone)

    p = sub.add_parser("cluster", help="run the multi-worker local Airflow (CeleryExecutor, Postgres, Redis)",
                       formatter_class=RichHelpFormatter)
    p.add_argument("action", nargs="?", default="start", choices=["start", "stop", "status"])
    p.set_defaults(func=cmd_cluster)

    p = sub.add_parser("airflow", help="run an `airflow` command against the local stack",
                       formatter_class=RichHelpFormatter)
    p.add_argument("--cluster", action="store_true", help="against the multi-worker cluster's database")
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

    p = sub.add_parser("sql", help="print the SQL a processor runs (its rendered, fenced MERGE)",
                       formatter_class=RichHelpFormatter,
                       description="Datasets and project come from the NBA_* settings; parameters stay "
                                   "@target_date, @business_date, @fence, @run_id.")
    p.add_argument("action", choices=["render"])
    p.add_argument("processor", nargs="?", help="processor name, e.g. player_game_summary")
    p.add_argument("--all", action="store_true", help="every processor, in registry order")
    p.set_defaults(func=cmd_sql)

    p = sub.add_parser("demo", help="seed the local stack and run the pipeline for a few dates",
                       formatter_class=RichHelpFormatter)
    p.add_argument("--dates", nargs="*", type=_date, default=None, help="business dates to run")
    p.add_argument("--seed", type=int, default=7)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("health", help="check completion records, duplicates, raw data timeliness and locks",
                       formatter_class=RichHelpFormatter,
                       description="Exit 0 all good, 1 issues found, 2 could not check.")
    _add_window(p)
    p.add_argument("--json", action="store_true", help="machine-readable report on stdout")
    p.add_argument("--html", metavar="FILE", help="also write a one-page calendar grid to FILE")
    p.set_defaults(func=cmd_health)

    p = sub.add_parser("reconcile", help="make completion records match the warehouse; re-run incomplete dates",
                       formatter_class=RichHelpFormatter,
                       description="Dry run by default (exit 1 when something would change). --fix rewrites "
                                   "the records and runs nba_pipeline for dates whose phases are incomplete.")
    _add_window(p)
    p.add_argument("--fix", action="store_true", help="apply the changes and run the incomplete dates")
    p.add_argument("--records-only", action="store_true", help="with --fix: rewrite records, run nothing")
    p.add_argument("--json", action="store_true", help="machine-readable plan (and result) on stdout")
    p.set_defaults(func=cmd_reconcile)

    p = sub.add_parser("locks", help="list, show, release processor locks, or reseed a lost fence counter",
                       formatter_class=RichHelpFormatter)
    p.add_argument("action", choices=["list", "show", "release", "reseed"])
    p.add_argument("key", nargs="?", help="lock key, e.g. PlayerGameSummaryProcessor_2026-02-03")
    p.add_argument("--prefix", help="list: only keys starting with this")
    p.add_argument("--reason", help="release, reseed: why (required, audited)")
    p.add_argument("--actor", help="release, reseed: who (default: the login name)")
    p.add_argument("--limit", type=int, default=10, help="show: audit records to list")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_locks)

    # --debug after the command too (not airflow's: those arguments are airflow's own). SUPPRESS:
    # a command given without it leaves the value of `nba-pipeline --debug COMMAND` alone.
    for name, command in sub.choices.items():
        if name != "airflow":
            command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                                 help="full tracebacks and debug logging")
    return parser


@contextlib.contextmanager
def _debug_logging(enabled: bool):
    """Every logger's debug records on stderr while the command runs (``--debug``)."""
    if not enabled:
        yield
        return
    root = logging.getLogger()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    with _debug_logging(args.debug):
        try:
            return args.func(args)
        except KeyboardInterrupt:
            return 130
        except Exception as error:  # the last line of defence: one clear message, exit 2
            from nba_pipeline_dev.local.stack import StackError

            if args.debug:
                sys.stderr.write(traceback.format_exc())
            if isinstance(error, StackError):
                err.print(f"[red]local stack:[/] {error}")
            else:
                err.print(f"[red]{type(error).__name__}:[/] {error}")
            return 2


if __name__ == "__main__":
    sys.exit(main())
