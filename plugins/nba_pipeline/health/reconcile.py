"""Reconciliation: make the completion records say what the warehouse holds, re-run what is missing.

``plan_reconcile`` compares Firestore with BigQuery (never Firestore with itself) through the
same ``HealthWindow`` the health check reads, and returns what it would change; it writes
nothing. ``apply`` rewrites the records of the plan and hands the dates whose phases are still
incomplete to a ``trigger`` (the CLI's local runs; the ``nba_reconcile`` DAG triggers them with
its TriggerDagRunOperator instead). ``run_reconcile`` is the two in order, what the DAG and
``nba-pipeline reconcile`` both call.

A processor's entry is kept when the warehouse agrees with it, rewritten with the warehouse's
count (distinct merge keys) when it disagrees, added when the table has rows but no entry, and
dropped when it claims rows the table does not have. An entry with ``record_count`` 0 and no
rows (a recorded day without games) is kept. Locks and duplicate rows are not touched (see
``checks.FIXED_BY_RECONCILE``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from nba_pipeline import processors
from nba_pipeline.completion import COMPLETED_COUNT, TRIGGERED, CompletionStore, document_date, entries_of
from nba_pipeline.config import Settings
from nba_pipeline.health.checks import day_progress
from nba_pipeline.health.window import CouldNotCheck, HealthWindow, as_date, open_window, service_errors

log = logging.getLogger(__name__)

RECONCILE_EXECUTION_ID = "nba-pipeline/reconcile"

Trigger = Callable[[list[dt.date]], list[dict]]


@dataclass(frozen=True)
class RecordChange:
    """A rewrite of one completion document: the entries it will hold and why."""

    phase: int
    business_date: dt.date
    document: str
    entries: dict[str, dict]
    triggered: bool | None
    reasons: tuple[str, ...]

    def to_dict(self) -> dict:
        return {
            "phase": self.phase,
            "business_date": self.business_date.isoformat(),
            "document": self.document,
            "entries": {name: {"status": e.get("status"), "record_count": e.get("record_count")}
                        for name, e in sorted(self.entries.items())},
            "triggered": self.triggered,
            "reasons": list(self.reasons),
        }


@dataclass
class ReconcilePlan:
    """What reconcile would do: record rewrites, then the dates to run again."""

    dates: list[dt.date]
    changes: list[RecordChange] = field(default_factory=list)
    reruns: list[dt.date] = field(default_factory=list)
    rerun_reasons: dict[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.changes and not self.reruns

    def to_dict(self) -> dict:
        return {
            "dates": [d.isoformat() for d in self.dates],
            "changes": [change.to_dict() for change in self.changes],
            "reruns": [d.isoformat() for d in self.reruns],
            "rerun_reasons": dict(self.rerun_reasons),
        }

    def describe(self) -> list[str]:
        """One line per change and per re-run, for people and logs."""
        if self.empty:
            return ["nothing to reconcile: the completion records match the warehouse"]
        lines = []
        for change in self.changes:
            lines.append(f"rewrite {change.document}: {'; '.join(change.reasons)}")
        for day in self.reruns:
            lines.append(f"run nba_pipeline for {day}: {self.rerun_reasons[day.isoformat()]}")
        return lines


def _entry_matches(entry: dict, rows: int) -> bool:
    try:
        return entry.get("status") == "success" and int(entry.get("record_count")) == rows
    except (TypeError, ValueError):
        return False


def _desired(window: HealthWindow, phase: int, day: dt.date) -> tuple[dict[str, dict], list[str]]:
    """The entries the warehouse supports for one document, and what differs from the current."""
    current = window.entries(phase, day)
    desired, reasons = {}, []
    for processor in processors.phase(phase):
        # Distinct keys, not rows: duplicated rows are the health check's business, and a
        # count inflated by them would hide what the processor really wrote.
        rows = window.counts(processor, day).distinct_keys
        entry = current.get(processor.completion_key)
        if rows > 0:
            if entry is not None and _entry_matches(entry, rows):
                desired[processor.completion_key] = entry
                continue
            desired[processor.completion_key] = {
                "status": "success",
                "record_count": rows,
                "execution_id": (entry or {}).get("execution_id") or RECONCILE_EXECUTION_ID,
            }
            if entry is None:
                reasons.append(f"add {processor.completion_key} ({rows} rows in the warehouse)")
            else:
                reasons.append(f"set {processor.completion_key} record_count {entry.get('record_count')} -> {rows}")
        elif entry is not None:
            if int(entry.get("record_count") or 0) == 0:
                desired[processor.completion_key] = entry  # a recorded day without rows
            else:
                reasons.append(f"drop {processor.completion_key} (records {entry.get('record_count')} rows, "
                               "the warehouse has none)")
    unknown = sorted(set(current) - {p.completion_key for p in processors.phase(phase)})
    reasons += [f"drop unknown entry {name}" for name in unknown]
    return desired, reasons


def plan_reconcile(window: HealthWindow) -> ReconcilePlan:
    """Compare the completion records of the window's dates with the warehouse; reads only."""
    plan = ReconcilePlan(dates=list(window.dates))
    for day in window.dates:
        desired = {}
        for phase in (3, 4):
            document = window.completion[(phase, day)]
            entries, reasons = _desired(window, phase, day)
            desired[phase] = entries
            if document is not None and document.get(COMPLETED_COUNT) != len(entries_of(document)):
                reasons.append(f"_completed_count {document.get(COMPLETED_COUNT)} -> {len(entries)}")
            triggered = None
            if phase == 3 and (document or {}).get(TRIGGERED) is not True:
                phase4_ran = bool(window.entries(4, day)) or any(
                    window.rows(p, day) for p in processors.phase(4))
                if phase4_ran and all(p.completion_key in entries for p in processors.phase(3)):
                    triggered = True
                    reasons.append("set _triggered (phase 3 complete and phase 4 ran)")
            if reasons:
                plan.changes.append(RecordChange(
                    phase, day, window.document_path(phase, day), entries, triggered, tuple(reasons)))
        state = day_progress(desired[3], desired[4], has_work=window.has_work(day))
        if state is not None:
            plan.reruns.append(day)
            missing = [p.name for p in processors.PROCESSORS if p.completion_key not in desired[p.phase]]
            plan.rerun_reasons[day.isoformat()] = f"{state}: {', '.join(missing)}"
    return plan


@dataclass
class ReconcileResult:
    rewritten: list[str] = field(default_factory=list)
    triggered: list[str] = field(default_factory=list)
    runs: list[dict] = field(default_factory=list)

    @property
    def failed_runs(self) -> list[dict]:
        return [run for run in self.runs if run.get("state") not in (None, "success", "queued", "running")]

    def to_dict(self) -> dict:
        return {"rewritten": self.rewritten, "triggered": self.triggered, "runs": self.runs}


def apply(plan: ReconcilePlan, store: CompletionStore, *, trigger: Trigger | None = None,
          reason: str = "reconcile --fix") -> ReconcileResult:
    """Rewrite the plan's completion records, then trigger ``nba_pipeline`` for its re-runs.

    ``trigger(dates)`` starts (and, if it wants, waits for) one run per date and returns one dict
    per run (``state`` when known). Without a trigger only the records are repaired.
    """
    result = ReconcileResult()
    for change in plan.changes:
        store.rewrite(change.phase, document_date(change.phase, change.business_date), change.entries,
                      triggered=change.triggered,
                      reason=f"{reason}: {'; '.join(change.reasons)}")
        result.rewritten.append(change.document)
    if plan.reruns and trigger is not None:
        log.warning("Running nba_pipeline again for %s", ", ".join(d.isoformat() for d in plan.reruns))
        result.triggered = [d.isoformat() for d in plan.reruns]
        result.runs = list(trigger(list(plan.reruns)))
    return result


@dataclass
class ReconcileReport:
    """The outcome of ``run_reconcile``: the plan and, with ``fix``, what was done; or an error."""

    dates: list[dt.date]
    fix: bool
    plan: ReconcilePlan | None = None
    result: ReconcileResult | None = None
    error: str | None = None

    @property
    def runs(self) -> list[dict]:
        return self.result.runs if self.result else []

    @property
    def failed_runs(self) -> list[dict]:
        return self.result.failed_runs if self.result else []

    @property
    def unreported_runs(self) -> int:
        """Triggered runs that did not report back."""
        return len(self.result.triggered) - len(self.result.runs) if self.result else 0

    @property
    def exit_code(self) -> int:
        """0 nothing to change, or all changed and run; 1 a dry run that would change something,
        or a re-run that failed or did not report back; 2 could not check."""
        if self.error:
            return 2
        if not self.fix:
            return 0 if self.plan.empty else 1
        return 1 if self.failed_runs or self.unreported_runs else 0

    def lines(self) -> list[str]:
        """For people and logs: what would change (dry run) or what was rewritten (fix)."""
        if self.plan.empty:
            return self.plan.describe()
        if not self.fix:
            return [f"would {line}" for line in self.plan.describe()]
        return [f"rewrote {change.document}: {'; '.join(change.reasons)}" for change in self.plan.changes]

    def to_dict(self) -> dict:
        data = {"fix": self.fix, "plan": self.plan.to_dict() if self.plan else None}
        if self.result is not None:
            data["result"] = self.result.to_dict()
        return data


def run_reconcile(bigquery_client, firestore_client, dates: Iterable[dt.date], *, fix: bool = False,
                  trigger: Trigger | None = None, reason: str = "reconcile --fix",
                  config: Settings | None = None) -> ReconcileReport:
    """Plan over ``dates``; with ``fix``, rewrite the records and hand the re-runs to ``trigger``.

    A service that does not answer while planning gives exit code 2 and changes nothing; one
    that fails while rewriting raises (some records may be rewritten: run it again).
    """
    dates = sorted({as_date(d) for d in dates})
    try:
        with service_errors():
            plan = plan_reconcile(open_window(bigquery_client, firestore_client, dates, config=config))
    except CouldNotCheck as error:
        log.info("reconcile could not run: %s", error)
        return ReconcileReport(dates, fix, error=str(error))
    if not fix:
        return ReconcileReport(dates, fix, plan)
    return ReconcileReport(dates, fix, plan, apply(plan, CompletionStore(firestore_client), trigger=trigger,
                                                   reason=reason))
