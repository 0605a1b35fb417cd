"""A health run and what it shows: issues, the dates × columns grid, text, rich, HTML and JSON.

``run_health`` is what the ``nba_health_check`` DAG and ``nba-pipeline health`` both call. The
text form (rich rendered without colour) is what the DAG logs; the CLI prints the rich form and
writes the HTML page.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from nba_pipeline import processors
from nba_pipeline.config import Settings
from nba_pipeline.health.checks import CATEGORIES, DUPLICATES, HALF_DONE, LOCKS, RAW_TIMELINESS, Issue, find_issues
from nba_pipeline.health.window import CouldNotCheck, HealthWindow, as_date, open_window, service_errors
from nba_pipeline.processors import Processor

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1

# Cell states of the calendar grid, worst first: a cell shows the worst state that applies.
STATES = ("duplicate", "locked", "missing", "late", "done", "no_games")
# The state an issue gives its cells; completion and half-done issues mean "missing".
ISSUE_STATES = {DUPLICATES: "duplicate", LOCKS: "locked", RAW_TIMELINESS: "late"}


def short_name(processor: Processor) -> str:
    """Grid column label: the initials of the processor's words (``player_game_summary`` -> pgs)."""
    return "".join(word[0] for word in processor.name.split("_"))


def build_grid(window: HealthWindow, issues: Sequence[Issue]) -> dict[str, dict[str, str]]:
    """The state of every (date, column) cell: the worst issue on it, else done or no games."""
    grid: dict[str, dict[str, str]] = {}
    for day in window.dates:
        cells = {"gamebook": "done" if window.games_on(day) else "no_games"}
        entries = {3: window.entries(3, day), 4: window.entries(4, day)}
        for processor in processors.PROCESSORS:
            target = processor.target_date(day)
            idle = not window.games_on(target) and window.rows(processor, day) == 0
            recorded = processor.completion_key in entries[processor.phase]
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
        state = ISSUE_STATES.get(issue.check, "missing")
        if issue.check == RAW_TIMELINESS:
            worsen(issue.date, "gamebook", state)
        elif issue.processor:
            worsen(issue.date, issue.processor, state)
        elif issue.check == HALF_DONE:
            for name in issue.details.get("missing", []):
                worsen(issue.date, name, state)
        else:  # a record-level problem (count, trigger): mark the phase's processors
            phase = 4 if "phase4" in str(issue.details.get("document", "")) else 3
            for processor in processors.phase(phase):
                worsen(issue.date, processor.name, state)
    return grid


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
        counts = dict.fromkeys(CATEGORIES, 0)
        for issue in self.issues:
            counts[issue.check] += 1
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


def run_health(bigquery_client, firestore_client, dates: Iterable[dt.date], *,
               config: Settings | None = None, now: dt.datetime | None = None) -> HealthReport:
    """Run every check over ``dates``; a service that does not answer gives exit code 2."""
    dates = sorted({as_date(d) for d in dates})
    try:
        with service_errors():
            window = open_window(bigquery_client, firestore_client, dates, config=config, now=now)
            issues = find_issues(window)
            grid = build_grid(window, issues)
    except CouldNotCheck as error:
        log.info("health check could not run: %s", error)
        return HealthReport(dates=dates, error=str(error))
    return HealthReport(dates=dates, issues=issues, grid=grid)
