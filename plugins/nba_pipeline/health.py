"""The health check: do the completion records, the warehouse, the raw feeds and the locks agree?

The daily ``nba_health_check`` DAG and ``nba-pipeline health`` run the same functions. Facts
are gathered once per run into a ``HealthWindow`` (one query per output table for the whole
window, one for the raw feeds, one Firestore read per completion document, one lock listing);
each check is then one function of the window returning ``Issue`` objects:

* ``check_completion``: completion records against the warehouse (entries, counts, triggered);
* ``check_duplicates_window``: merge-key duplicates in all ten tables, with offending keys;
* ``check_raw_timeliness``: the first gamebook load of D before 10:00 America/New_York on D + 1;
* ``check_locks``: expired locks still present, locks held longer than any run should take;
* ``check_half_done``: days whose phases are partly recorded (phase 3 without phase 4, ...).

Dates are business dates D, as in the pipeline: phase 3 post-game tables are read on D, the
pre-game context and phase 4 tables on D + 1, ``phase3_completion/{D}`` and
``phase4_completion/{D + 1}``. A date without games passes.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property

from nba_pipeline import processors
from nba_pipeline.completion import COMPLETED_COUNT, TRIGGERED, CompletionStore, document_date, entries_of
from nba_pipeline.clients import lease_store  # noqa: F401  (also used by the CLI)
from nba_pipeline.config import Settings, settings
from nba_pipeline.lease.model import as_utc
from nba_pipeline.processors import Processor
from nba_pipeline.raw_readiness import fallback_deadline
from nba_pipeline.run_dates import EASTERN
from nba_pipeline.warehouse import run_query_file

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
GAMEBOOK_DUE_ET = dt.time(10)  # the first gamebook load of D is due before 10:00 ET on D + 1
KEY_COUNTS_SQL = "health/key_counts_by_date.sql"
RAW_ARRIVALS_SQL = "health/raw_arrivals.sql"
PROBE_TIMEOUT_SECONDS = 15

# Cell states of the calendar grid, worst first: a cell shows the worst state that applies.
STATES = ("duplicate", "locked", "missing", "late", "done", "no_games")


class CouldNotCheck(RuntimeError):
    """A service needed by the health check did not answer; the message names it."""


# --- dates ---------------------------------------------------------------------------------

def window_dates(days: int | None = None, date: dt.date | None = None,
                 now: dt.datetime | None = None, until: dt.date | None = None) -> list[dt.date]:
    """``date`` alone, or the ``days`` business dates ending ``until`` (default: yesterday in
    America/New_York at ``now``)."""
    if date is not None:
        return [date]
    days = 3 if days is None else int(days)
    if days < 1:
        raise ValueError(f"days must be at least 1, not {days}")
    if until is None:
        now = now or dt.datetime.now(dt.timezone.utc)
        until = now.astimezone(EASTERN).date() - dt.timedelta(days=1)
    return [until - dt.timedelta(days=offset) for offset in range(days - 1, -1, -1)]


def _day(value) -> dt.date:
    return value if isinstance(value, dt.date) and not isinstance(value, dt.datetime) else dt.date.fromisoformat(str(value))


def short_name(processor: Processor) -> str:
    """Grid column label: the initials of the processor's words (``player_game_summary`` -> pgs)."""
    return "".join(word[0] for word in processor.name.split("_"))


# --- facts ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class KeyCounts:
    row_count: int = 0
    distinct_keys: int = 0
    duplicated_keys: int = 0
    excess_rows: int = 0


@dataclass(frozen=True)
class RawArrival:
    games: int
    final_games: int
    gamebook_first_loaded: dt.datetime | None
    gamebook_games: int


def probe_bigquery(client) -> None:
    """One cheap query without retries; ``CouldNotCheck`` naming BigQuery when it fails.

    The clients' default retries would keep a person on call waiting for minutes.
    """
    try:
        client.query("SELECT 1", retry=None, job_retry=None,
                     timeout=PROBE_TIMEOUT_SECONDS).result(timeout=PROBE_TIMEOUT_SECONDS)
    except Exception as error:
        raise CouldNotCheck(f"BigQuery did not answer: {_brief(error)}") from error


def probe_firestore(client, config: Settings | None = None) -> None:
    """One small read without retries; ``CouldNotCheck`` naming Firestore when it fails."""
    config = config or settings()
    try:
        client.collection(config.lock_collection).limit(1).get(retry=None, timeout=PROBE_TIMEOUT_SECONDS)
    except Exception as error:
        raise CouldNotCheck(f"Firestore did not answer: {_brief(error)}") from error


class HealthWindow:
    """What the warehouse, Firestore and the raw feeds say about a set of business dates.

    Each fact is read on first use and kept, so every check (and reconcile) sees one snapshot.
    """

    def __init__(self, bigquery_client, firestore_client, dates: Iterable[dt.date], *,
                 config: Settings | None = None, now: dt.datetime | None = None):
        self.bigquery = bigquery_client
        self.firestore = firestore_client
        self.dates = sorted({_day(d) for d in dates})
        if not self.dates:
            raise ValueError("no dates to check")
        self.config = config or settings()
        self.now = now or dt.datetime.now(dt.timezone.utc)
        self.completion_store = CompletionStore(firestore_client, enabled=True)

    @property
    def first(self) -> dt.date:
        return self.dates[0]

    @property
    def last(self) -> dt.date:
        return self.dates[-1]

    def probe(self) -> None:
        """Fail fast, with the service's name, when BigQuery or Firestore does not answer."""
        probe_bigquery(self.bigquery)
        probe_firestore(self.firestore, self.config)

    @cached_property
    def key_counts(self) -> dict[tuple[str, dt.date], KeyCounts]:
        """Rows and duplicates of every processor's table, keyed by (processor, target date)."""
        counts = {}
        for processor in processors.PROCESSORS:
            rows = run_query_file(
                self.bigquery, KEY_COUNTS_SQL, self.config,
                extra={"dataset": self.config.dataset_for(processor.layer), "table": processor.table,
                       "date_column": processor.date_column, "key_columns": processor.key},
                start_date=processor.target_date(self.first), end_date=processor.target_date(self.last),
            )
            for row in rows:
                counts[(processor.name, _day(row["day"]))] = KeyCounts(
                    int(row["row_count"]), int(row["distinct_keys"]),
                    int(row["duplicated_keys"]), int(row["excess_rows"]),
                )
        return counts

    def counts(self, processor: Processor, business_date: dt.date) -> KeyCounts:
        return self.key_counts.get((processor.name, processor.target_date(business_date)), KeyCounts())

    def rows(self, processor: Processor, business_date: dt.date) -> int:
        return self.counts(processor, business_date).row_count

    @cached_property
    def raw(self) -> dict[dt.date, RawArrival]:
        """Games and first gamebook load per game date, for the window and the day after it."""
        rows = run_query_file(self.bigquery, RAW_ARRIVALS_SQL, self.config,
                              start_date=self.first, end_date=self.last + dt.timedelta(days=1))
        return {
            _day(row["game_date"]): RawArrival(
                int(row["games"]), int(row["final_games"]),
                as_utc(row["gamebook_first_loaded"]), int(row["gamebook_games"]),
            )
            for row in rows
        }

    def games_on(self, day: dt.date) -> int:
        arrival = self.raw.get(day)
        return arrival.games if arrival else 0

    @cached_property
    def completion(self) -> dict[tuple[int, dt.date], dict | None]:
        """The completion documents, keyed by (phase, business date D), read in one round trip."""
        references = {
            (phase, day): self.completion_store.document(phase, document_date(phase, day))
            for day in self.dates for phase in (3, 4)
        }
        found = {snapshot.reference.path: snapshot for snapshot in self.firestore.get_all(list(references.values()))}
        return {
            key: found[reference.path].to_dict() if found[reference.path].exists else None
            for key, reference in references.items()
        }

    def entries(self, phase: int, business_date: dt.date) -> dict[str, dict]:
        return entries_of(self.completion[(phase, business_date)])

    def document_path(self, phase: int, business_date: dt.date) -> str:
        return self.completion_store.document(phase, document_date(phase, business_date)).path

    @cached_property
    def locks(self):
        return lease_store(self.firestore, self.config).list()


def _brief(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}"[:300]


# --- issues --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Issue:
    """One problem found. ``date`` is the business date D (ISO) when the problem has one.

    ``fixable`` says whether ``reconcile --fix`` repairs it (records rewritten, runs triggered).
    """

    check: str
    kind: str
    message: str
    date: str | None = None
    processor: str | None = None
    fixable: bool = False
    details: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def sort_key(self) -> tuple:
        return (self.date or "", self.check, self.processor or "", self.kind, self.message)


def check_completion(window: HealthWindow) -> list[Issue]:
    """Completion records against the warehouse, for every date and phase.

    Every processor with rows on its date has an entry and every entry claiming rows has them;
    ``_completed_count`` equals the number of entries; ``_triggered`` is set once phase 3 is
    complete. An entry with ``record_count`` 0 and no rows is a recorded day without games.
    """
    issues = []
    for day in window.dates:
        for phase in (3, 4):
            document = window.completion[(phase, day)]
            path = window.document_path(phase, day)
            entries = entries_of(document)
            if document is not None and document.get(COMPLETED_COUNT) != len(entries):
                issues.append(Issue(
                    "completion", "wrong_count",
                    f"{path}: _completed_count is {document.get(COMPLETED_COUNT)} but it has {len(entries)} entries",
                    day.isoformat(), fixable=True,
                    details={"document": path, "completed_count": document.get(COMPLETED_COUNT),
                             "entries": len(entries)},
                ))
            for processor in processors.phase(phase):
                rows = window.rows(processor, day)
                entry = entries.get(processor.name)
                target = processor.target_date(day).isoformat()
                if rows > 0 and entry is None:
                    issues.append(Issue(
                        "completion", "missing_entry",
                        f"{path} has no {processor.name} entry, but the table has {rows} rows on {target}",
                        day.isoformat(), processor.name, fixable=True,
                        details={"document": path, "rows": rows, "target_date": target},
                    ))
                elif entry is not None and rows == 0 and int(entry.get("record_count") or 0) > 0:
                    issues.append(Issue(
                        "completion", "entry_without_rows",
                        f"{path} records {entry.get('record_count')} {processor.name} rows, "
                        f"the table has none on {target}",
                        day.isoformat(), processor.name, fixable=True,
                        details={"document": path, "record_count": entry.get("record_count"),
                                 "target_date": target},
                    ))
            if phase == 3 and document is not None and _complete(3, entries) and document.get(TRIGGERED) is not True:
                issues.append(Issue(
                    "completion", "untriggered",
                    f"{path}: phase 3 is complete but _triggered is not set",
                    day.isoformat(), fixable=True, details={"document": path},
                ))
    return issues


def check_duplicates_window(window: HealthWindow) -> list[Issue]:
    """Merge-key duplicates in all ten tables over the window, with up to 10 offending keys each.

    The window query finds the dates with duplicates; the pipeline's own check
    (``checks.check_duplicates``) then lists the offending keys of each.
    """
    from nba_pipeline.checks import check_duplicates

    issues = []
    for day in window.dates:
        for processor in processors.PROCESSORS:
            if window.counts(processor, day).duplicated_keys == 0:
                continue
            result = check_duplicates(window.bigquery, processor, day, window.config)
            if result.passed:  # changed since the window was read
                continue
            issues.append(Issue(
                "duplicates", "duplicate_keys", result.message(), day.isoformat(), processor.name,
                details={
                    "table": result.qualified_table,
                    "target_date": result.date.isoformat(),
                    "key_columns": list(result.key_columns),
                    "row_count": result.row_count,
                    "distinct_keys": result.distinct_keys,
                    "duplicated_keys": result.duplicated_keys,
                    "excess_rows": result.excess_rows,
                    # The audit row's form: keys with ISO dates, as the pipeline records them.
                    "offending_keys": json.loads(result.audit_row(run_id="health")["offending_keys"]),
                },
            ))
    return issues


def gamebook_deadline(business_date: dt.date) -> dt.datetime:
    """10:00 America/New_York on D + 1, as an aware datetime (EST or EDT as that day has it)."""
    return fallback_deadline(business_date, GAMEBOOK_DUE_ET)


def hours_late(business_date: dt.date, first_loaded: dt.datetime) -> float:
    """Elapsed hours between the deadline and the first load (negative: on time)."""
    return round((first_loaded - gamebook_deadline(business_date)).total_seconds() / 3600, 2)


def check_raw_timeliness(window: HealthWindow) -> list[Issue]:
    """The first gamebook load of each date with games, against 10:00 ET on D + 1."""
    issues = []
    for day in window.dates:
        arrival = window.raw.get(day)
        if arrival is None or arrival.games == 0:
            continue
        deadline = gamebook_deadline(day)
        details = {"deadline": deadline.isoformat(), "games": arrival.games,
                   "gamebook_games": arrival.gamebook_games}
        if arrival.gamebook_first_loaded is None:
            if window.now > deadline:
                late = round((window.now - deadline).total_seconds() / 3600, 2)
                issues.append(Issue(
                    "raw_timeliness", "missing_gamebook",
                    f"no gamebook rows for {day} ({arrival.games} games); due {deadline:%Y-%m-%d %H:%M %Z}, "
                    f"{late:.1f} h ago",
                    day.isoformat(), details={**details, "hours_late": late},
                ))
            continue
        first = arrival.gamebook_first_loaded
        late = hours_late(day, first)
        if late > 0:
            issues.append(Issue(
                "raw_timeliness", "late_gamebook",
                f"gamebook of {day} first loaded {first.astimezone(EASTERN):%Y-%m-%d %H:%M %Z}, "
                f"{late:.2f} h after the {deadline:%H:%M %Z} deadline",
                day.isoformat(),
                details={**details, "first_loaded": first.isoformat(), "hours_late": late},
            ))
    return issues


def _processor_of_lock(lock_key: str) -> tuple[Processor | None, dt.date | None]:
    """The registry processor and business date D of a lock key, when it is one of ours."""
    lock_class, _, suffix = lock_key.rpartition("_")
    try:
        target = dt.date.fromisoformat(suffix)
    except ValueError:
        return None, None
    for processor in processors.PROCESSORS:
        if processor.lock_class == lock_class:
            return processor, target - dt.timedelta(days=processor.date_offset)
    return None, target


def check_locks(window: HealthWindow) -> list[Issue]:
    """Locks that ran out but are still there, and locks held longer than any run should take.

    All locks are listed, not only the window's: a stuck lock blocks its date whatever it is.
    """
    limit = window.config.max_lock_hold_seconds
    issues = []
    for state in window.locks:
        processor, day = _processor_of_lock(state.key)
        holder = state.execution_id or (state.holder.execution_id if state.holder else "unknown holder")
        shown = ("key", "instance", "fence", "legacy", "acquired_at", "expires_at", "held_seconds", "age_seconds")
        details = {"holder": holder, **{name: value for name, value in state.to_dict().items() if name in shown}}
        common = {"date": day.isoformat() if day else None, "processor": processor.name if processor else None}
        if state.expired:
            ago = -(state.expires_in_seconds or 0)
            issues.append(Issue(
                "locks", "expired_lock",
                f"lock {state.key} expired {ago:.0f} s ago but is still present (holder {holder})",
                fixable=True, details={**details, "expired_seconds_ago": round(ago, 1)}, **common,
            ))
        elif state.held_seconds is not None and state.held_seconds > limit:
            issues.append(Issue(
                "locks", "long_held_lock",
                f"lock {state.key} held for {state.held_seconds / 60:.0f} min by {holder} "
                f"(longest expected run {limit / 60:.0f} min)",
                details={**details, "limit_seconds": limit}, **common,
            ))
    return issues


def _complete(phase: int, entries: dict) -> bool:
    return all(p.name in entries for p in processors.phase(phase))


def day_progress(entries3: dict, entries4: dict, *, has_work: bool) -> str | None:
    """What is left undone for a day, from its two completion records; None when nothing is.

    ``has_work`` says whether the day could have anything to do (games on D or D + 1, or rows):
    a day without games and without records passes.
    """
    full3, full4 = _complete(3, entries3), _complete(4, entries4)
    if full3 and full4:
        return None
    if not entries3 and not entries4:
        return "not_run" if has_work else None
    if full3:
        return "phase4_partial" if entries4 else "phase4_missing"
    return "phase3_partial"


def has_work(window: HealthWindow, day: dt.date) -> bool:
    return bool(window.games_on(day) or window.games_on(day + dt.timedelta(days=1))
                or any(window.rows(p, day) for p in processors.PROCESSORS))


def check_half_done(window: HealthWindow) -> list[Issue]:
    """Days left half-done: phase 3 recorded without (all of) phase 4, a partial phase 3, or
    games without any record at all."""
    messages = {
        "phase4_missing": "phase 3 is complete but phase 4 never ran",
        "phase4_partial": "phase 3 is complete but phase 4 is partial",
        "phase3_partial": "phase 3 is partial",
        "not_run": "games were played but neither phase is recorded",
    }
    issues = []
    for day in window.dates:
        entries3, entries4 = window.entries(3, day), window.entries(4, day)
        state = day_progress(entries3, entries4, has_work=has_work(window, day))
        if state is None:
            continue
        missing = [p.name for p in processors.PROCESSORS
                   if p.name not in (entries3 if p.phase == 3 else entries4)]
        issues.append(Issue(
            "half_done", state, f"{day}: {messages[state]}; missing: {', '.join(missing)}",
            day.isoformat(), fixable=True, details={"missing": missing},
        ))
    return issues


CHECKS = (check_completion, check_duplicates_window, check_raw_timeliness, check_locks, check_half_done)


# --- the report ----------------------------------------------------------------------------

@dataclass
class HealthReport:
    """The outcome of a health run: issues, a dates × columns grid of states, or an error."""

    dates: list[dt.date]
    issues: list[Issue] = field(default_factory=list)
    grid: dict[str, dict[str, str]] = field(default_factory=dict)
    checked_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))
    error: str | None = None

    @property
    def exit_code(self) -> int:
        """0 all good, 1 issues found, 2 could not check."""
        if self.error:
            return 2
        return 1 if self.issues else 0

    @property
    def status(self) -> str:
        return ("ok", "issues", "error")[self.exit_code]

    @property
    def columns(self) -> list[str]:
        return ["gamebook", *(p.name for p in processors.PROCESSORS)]

    def summary(self) -> str:
        span = (f"{self.dates[0]}" if len(self.dates) == 1 else f"{self.dates[0]}..{self.dates[-1]}") if self.dates else "-"
        if self.error:
            return f"health {span}: COULD NOT CHECK: {self.error}"
        if not self.issues:
            return f"health {span}: OK ({len(self.dates)} date(s), all checks passed)"
        counts = {}
        for issue in self.issues:
            counts[issue.check] = counts.get(issue.check, 0) + 1
        parts = ", ".join(f"{check} {n}" for check, n in sorted(counts.items()))
        return f"health {span}: {len(self.issues)} issue(s): {parts}"

    def to_dict(self) -> dict:
        counts = {check.__name__.removeprefix("check_").removesuffix("_window"): 0 for check in CHECKS}
        for issue in self.issues:
            counts[issue.check] = counts.get(issue.check, 0) + 1
        return {
            "schema_version": SCHEMA_VERSION,
            "status": self.status,
            "exit_code": self.exit_code,
            "error": self.error,
            "checked_at": self.checked_at.isoformat(),
            "dates": [d.isoformat() for d in self.dates],
            "issue_counts": counts,
            "issues": [issue.to_dict() for issue in self.issues],
            "grid": self.grid,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True, default=str)

    def to_table(self):
        """A rich renderable: the summary, the issues table and the compact grid."""
        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        style = "red" if self.exit_code else "green"
        parts = [Text(self.summary(), style=f"bold {style}")]
        if self.issues:
            table = Table(title="issues", title_justify="left", show_lines=False)
            for column in ("date", "check", "kind", "processor", "what"):
                table.add_column(column, overflow="fold")
            for issue in self.issues:
                first_line = issue.message.splitlines()[0]
                keys = issue.details.get("offending_keys")
                if keys:
                    shown = "; ".join(
                        ",".join(str(v) for v in item["key"].values()) + f" x{item['row_count']}"
                        for item in keys[:3])
                    first_line += f" [{shown}{' ...' if len(keys) > 3 else ''}]"
                table.add_row(issue.date or "-", issue.check, issue.kind, issue.processor or "-", first_line)
            parts.append(table)
        if self.grid:
            symbols = {"done": ("ok", "green"), "no_games": ("-", "dim"), "missing": ("MISS", "red"),
                       "duplicate": ("DUP", "red"), "late": ("LATE", "yellow"), "locked": ("LOCK", "magenta")}
            grid = Table(title="dates x processors", title_justify="left")
            grid.add_column("date")
            labels = {"gamebook": "gb", **{p.name: short_name(p) for p in processors.PROCESSORS}}
            for column in self.columns:
                grid.add_column(labels[column], justify="center")
            for day, cells in sorted(self.grid.items()):
                row = [day]
                for column in self.columns:
                    text, colour = symbols.get(cells.get(column, ""), ("?", ""))
                    row.append(Text(text, style=colour))
                grid.add_row(*row)
            parts.append(grid)
            legend = "  ".join(f"{label}={name}" for name, label in labels.items())
            parts.append(Text(legend, style="dim"))
        return Group(*parts)

    def to_text(self, width: int = 160) -> str:
        """The human table as plain text (for logs)."""
        from rich.console import Console

        console = Console(width=width, record=True, color_system=None, force_terminal=False)
        with console.capture() as capture:
            console.print(self.to_table())
        return capture.get()

    def to_html(self) -> str:
        """A one-page calendar grid (dates x processors) coloured by state, then the issues."""
        colours = {"done": "#c8e6c9", "no_games": "#eeeeee", "missing": "#ef9a9a", "duplicate": "#e57373",
                   "late": "#ffe082", "locked": "#ce93d8"}
        esc = html.escape
        head = "".join(f"<th title='{esc(c)}'>{esc(c.replace('_', ' '))}</th>" for c in self.columns)
        rows = []
        for day, cells in sorted(self.grid.items()):
            tds = "".join(
                f"<td style='background:{colours.get(cells.get(c, ''), '#fff')}' title='{esc(c)} on {esc(day)}'>"
                f"{esc(cells.get(c, '').replace('_', ' '))}</td>" for c in self.columns)
            rows.append(f"<tr><th>{esc(day)}</th>{tds}</tr>")
        legend = "".join(f"<span style='background:{colour};padding:2px 8px;margin-right:6px'>{esc(state.replace('_', ' '))}</span>"
                         for state, colour in colours.items())
        issues = "".join(
            f"<tr><td>{esc(i.date or '-')}</td><td>{esc(i.check)}</td><td>{esc(i.kind)}</td>"
            f"<td>{esc(i.processor or '-')}</td><td><pre>{esc(i.message)}</pre></td></tr>" for i in self.issues)
        return (
            "<!DOCTYPE html><html><head><meta charset='utf-8'><title>NBA pipeline health</title>"
            "<style>body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse;margin:1em 0}"
            "td,th{border:1px solid #999;padding:4px 6px;font-size:13px;text-align:center}"
            "th{background:#f5f5f5}pre{margin:0;text-align:left;white-space:pre-wrap}"
            "</style></head><body>"
            f"<h1>NBA pipeline health</h1><p><b>{esc(self.summary())}</b><br>checked at {esc(self.checked_at.isoformat())}</p>"
            f"<p>{legend}</p><table><tr><th>date</th>{head}</tr>{''.join(rows)}</table>"
            + (f"<h2>Issues</h2><table><tr><th>date</th><th>check</th><th>kind</th><th>processor</th>"
               f"<th>what</th></tr>{issues}</table>" if self.issues else "")
            + "</body></html>"
        )


def _issue_state(issue: Issue) -> str:
    return {"duplicates": "duplicate", "locks": "locked", "raw_timeliness": "late"}.get(issue.check, "missing")


def build_grid(window: HealthWindow, issues: Sequence[Issue]) -> dict[str, dict[str, str]]:
    """The state of every (date, column) cell: the worst issue on it, else done or no games."""
    grid: dict[str, dict[str, str]] = {}
    for day in window.dates:
        cells = {"gamebook": "done" if window.games_on(day) else "no_games"}
        entries = {3: window.entries(3, day), 4: window.entries(4, day)}
        for processor in processors.PROCESSORS:
            target = processor.target_date(day)
            idle = not window.games_on(target) and window.rows(processor, day) == 0
            recorded = processor.name in entries[processor.phase]
            cells[processor.name] = "no_games" if idle else ("done" if recorded else "missing")
        grid[day.isoformat()] = cells
    rank = {state: index for index, state in enumerate(STATES)}

    def worsen(day: str, column: str, state: str) -> None:
        cells = grid.get(day)
        if cells is not None and rank[state] < rank[cells[column]]:
            cells[column] = state

    for issue in issues:
        if issue.date is None:
            continue
        state = _issue_state(issue)
        if issue.check == "raw_timeliness":
            worsen(issue.date, "gamebook", state)
        elif issue.processor:
            worsen(issue.date, issue.processor, state)
        elif issue.check == "half_done":
            for name in issue.details.get("missing", []):
                worsen(issue.date, name, state)
        else:  # a record-level problem (count, trigger): mark the phase's processors
            phase = 4 if "phase4" in str(issue.details.get("document", "")) else 3
            for processor in processors.phase(phase):
                worsen(issue.date, processor.name, state)
    return grid


def run_health(bigquery_client, firestore_client, dates: Iterable[dt.date], *,
               config: Settings | None = None, now: dt.datetime | None = None,
               checks: Sequence = CHECKS) -> HealthReport:
    """Run every check over ``dates``; a service that does not answer gives exit code 2."""
    dates = sorted({_day(d) for d in dates})
    try:
        window = HealthWindow(bigquery_client, firestore_client, dates, config=config, now=now)
        window.probe()
        issues = [issue for check in checks for issue in check(window)]
        issues.sort(key=lambda issue: issue.sort_key)
        grid = build_grid(window, issues)
    except CouldNotCheck as error:
        log.info("health check could not run: %s", error)
        return HealthReport(dates=dates, error=str(error))
    except Exception as error:
        if not is_service_error(error):
            raise
        log.info("health check could not run: %s", error)
        return HealthReport(dates=dates, error=f"a service failed during the check: {_brief(error)}")
    return HealthReport(dates=dates, issues=issues, grid=grid)


def is_service_error(error: BaseException) -> bool:
    from google.api_core import exceptions as api_exceptions

    try:
        from requests.exceptions import RequestException
    except ImportError:  # pragma: no cover - requests comes with google-cloud-bigquery
        RequestException = OSError
    """Whether an error means a Google service (or the network to it) failed, not our code."""
    return isinstance(error, (api_exceptions.GoogleAPIError, RequestException, ConnectionError, TimeoutError))
