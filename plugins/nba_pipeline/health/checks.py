"""The five checks of a health run: each is one function of a ``HealthWindow`` returning ``Issue``s.

* completion records against the warehouse (entries, counts, triggered);
* merge-key duplicates in all ten tables, with offending keys;
* raw data on time: the first gamebook load of D before 10:00 America/New_York on D + 1;
* locks: expired locks still present, locks held longer than any run should take;
* half-done days: phases partly recorded (phase 3 without phase 4, ...).

A date without games passes.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field

from nba_pipeline import processors
from nba_pipeline.completion import COMPLETED_COUNT, TRIGGERED, entries_of
from nba_pipeline.health.window import HealthWindow
from nba_pipeline.processors import Processor
from nba_pipeline.raw_readiness import fallback_deadline
from nba_pipeline.run_dates import EASTERN

GAMEBOOK_DUE_ET = dt.time(10)  # the first gamebook load of D is due before 10:00 ET on D + 1

# The categories of issues, one per check: an issue's ``check`` and the keys of the report's
# ``issue_counts`` (a stable JSON contract, hence named here rather than derived).
COMPLETION = "completion"
DUPLICATES = "duplicates"
RAW_TIMELINESS = "raw_timeliness"
LOCKS = "locks"
HALF_DONE = "half_done"
CATEGORIES = (COMPLETION, DUPLICATES, RAW_TIMELINESS, LOCKS, HALF_DONE)

# The kinds ``reconcile --fix`` repairs: it rewrites completion records from the warehouse and
# re-runs incomplete dates (health/reconcile.py). Everything else is for a person: duplicate
# rows (find the writer), late raw data (upstream), and locks. An expired lock blocks nobody
# (the next acquire takes it over, fence raised) and a long-held one may be a live run, so
# releasing either is `nba-pipeline locks release KEY --reason ...`, audited, not a side
# effect of reconcile.
FIXED_BY_RECONCILE = frozenset({
    "wrong_count", "missing_entry", "entry_without_rows", "untriggered",  # completion
    "not_run", "phase3_partial", "phase4_missing", "phase4_partial",  # half_done
})


@dataclass(frozen=True)
class Issue:
    """One problem found. ``check`` is one of ``CATEGORIES``; ``date`` is the business date D
    (ISO) when the problem has one."""

    check: str
    kind: str
    message: str
    date: str | None = None
    processor: str | None = None
    details: dict = field(default_factory=dict)

    @property
    def fixable(self) -> bool:
        """Whether ``reconcile --fix`` repairs it."""
        return self.kind in FIXED_BY_RECONCILE

    def to_dict(self) -> dict:
        return {**asdict(self), "fixable": self.fixable}

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
                    COMPLETION, "wrong_count",
                    f"{path}: _completed_count is {document.get(COMPLETED_COUNT)} but it has {len(entries)} entries",
                    day.isoformat(),
                    details={"document": path, "completed_count": document.get(COMPLETED_COUNT),
                             "entries": len(entries)},
                ))
            for processor in processors.phase(phase):
                rows = window.rows(processor, day)
                entry = entries.get(processor.completion_key)
                target = processor.target_date(day).isoformat()
                if rows > 0 and entry is None:
                    issues.append(Issue(
                        COMPLETION, "missing_entry",
                        f"{path} has no {processor.name} entry, but the table has {rows} rows on {target}",
                        day.isoformat(), processor.name,
                        details={"document": path, "rows": rows, "target_date": target},
                    ))
                elif entry is not None and rows == 0 and int(entry.get("record_count") or 0) > 0:
                    issues.append(Issue(
                        COMPLETION, "entry_without_rows",
                        f"{path} records {entry.get('record_count')} {processor.name} rows, "
                        f"the table has none on {target}",
                        day.isoformat(), processor.name,
                        details={"document": path, "record_count": entry.get("record_count"),
                                 "target_date": target},
                    ))
            if phase == 3 and document is not None and phase_complete(3, entries) and document.get(TRIGGERED) is not True:
                issues.append(Issue(
                    COMPLETION, "untriggered",
                    f"{path}: phase 3 is complete but _triggered is not set",
                    day.isoformat(), details={"document": path},
                ))
    return issues


def check_duplicates(window: HealthWindow) -> list[Issue]:
    """Merge-key duplicates in all ten tables over the window, with up to 10 offending keys each.

    The window query finds the dates with duplicates; the pipeline's own check
    (``nba_pipeline.checks.check_duplicates``) then lists the offending keys of each.
    """
    from nba_pipeline.checks import check_duplicates as pipeline_check

    issues = []
    for day in window.dates:
        for processor in processors.PROCESSORS:
            if window.counts(processor, day).duplicated_keys == 0:
                continue
            result = pipeline_check(window.bigquery, processor, day, window.config)
            if result.passed:  # changed since the window was read
                continue
            issues.append(Issue(
                DUPLICATES, "duplicate_keys", result.message(), day.isoformat(), processor.name,
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
                    RAW_TIMELINESS, "missing_gamebook",
                    f"no gamebook rows for {day} ({arrival.games} games); due {deadline:%Y-%m-%d %H:%M %Z}, "
                    f"{late:.1f} h ago",
                    day.isoformat(), details={**details, "hours_late": late},
                ))
            continue
        first = arrival.gamebook_first_loaded
        late = hours_late(day, first)
        if late > 0:
            issues.append(Issue(
                RAW_TIMELINESS, "late_gamebook",
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
                LOCKS, "expired_lock",
                f"lock {state.key} expired {ago:.0f} s ago but is still present (holder {holder})",
                details={**details, "expired_seconds_ago": round(ago, 1)}, **common,
            ))
        elif state.held_seconds is not None and state.held_seconds > limit:
            issues.append(Issue(
                LOCKS, "long_held_lock",
                f"lock {state.key} held for {state.held_seconds / 60:.0f} min by {holder} "
                f"(longest expected run {limit / 60:.0f} min)",
                details={**details, "limit_seconds": limit}, **common,
            ))
    return issues


def phase_complete(phase: int, entries: dict) -> bool:
    return all(p.completion_key in entries for p in processors.phase(phase))


def day_progress(entries3: dict, entries4: dict, *, has_work: bool) -> str | None:
    """What is left undone for a day, from its two completion records; None when nothing is.

    ``has_work`` says whether the day could have anything to do (games on D or D + 1, or rows):
    a day without games and without records passes.
    """
    full3, full4 = phase_complete(3, entries3), phase_complete(4, entries4)
    if full3 and full4:
        return None
    if not entries3 and not entries4:
        return "not_run" if has_work else None
    if full3:
        return "phase4_partial" if entries4 else "phase4_missing"
    return "phase3_partial"


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
        state = day_progress(entries3, entries4, has_work=window.has_work(day))
        if state is None:
            continue
        missing = [p.name for p in processors.PROCESSORS
                   if p.completion_key not in (entries3 if p.phase == 3 else entries4)]
        issues.append(Issue(
            HALF_DONE, state, f"{day}: {messages[state]}; missing: {', '.join(missing)}",
            day.isoformat(), details={"missing": missing},
        ))
    return issues


# One check per category, in ``CATEGORIES`` order.
CHECKS = {
    COMPLETION: check_completion,
    DUPLICATES: check_duplicates,
    RAW_TIMELINESS: check_raw_timeliness,
    LOCKS: check_locks,
    HALF_DONE: check_half_done,
}


def find_issues(window: HealthWindow) -> list[Issue]:
    """Every check over the window, issues in a stable order (date, category, processor, kind)."""
    issues = [issue for check in CHECKS.values() for issue in check(window)]
    return sorted(issues, key=lambda issue: issue.sort_key)
