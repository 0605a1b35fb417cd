"""The facts a health run reads: the window of business dates, and the probes that go first.

A ``HealthWindow`` reads each fact once (one query per output table for the whole window, one
for the raw feeds, one Firestore read per completion document, one lock listing) and keeps it,
so every check and reconcile see one snapshot. Before it reads, ``open_window`` probes
BigQuery and Firestore without retries: a service that does not answer gives ``CouldNotCheck``
naming it within seconds, not after the clients' minutes of retries.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

from nba_pipeline import processors
from nba_pipeline.clients import lease_store
from nba_pipeline.completion import CompletionStore, document_date, entries_of
from nba_pipeline.config import Settings, settings
from nba_pipeline.lease.model import as_utc
from nba_pipeline.processors import Processor
from nba_pipeline.run_dates import EASTERN
from nba_pipeline.warehouse import run_query_file

KEY_COUNTS_SQL = "health/key_counts_by_date.sql"
RAW_ARRIVALS_SQL = "health/raw_arrivals.sql"
PROBE_TIMEOUT_SECONDS = 15


class CouldNotCheck(RuntimeError):
    """A service needed by the health check did not answer; the message names it."""


# --- dates ---------------------------------------------------------------------------------

def window_dates(days: int | None = None, date: dt.date | str | None = None,
                 now: dt.datetime | None = None, until: dt.date | None = None) -> list[dt.date]:
    """``date`` alone, or the ``days`` business dates ending ``until`` (default: yesterday in
    America/New_York at ``now``)."""
    if date is not None:
        return [as_date(date)]
    days = 3 if days is None else int(days)
    if days < 1:
        raise ValueError(f"days must be at least 1, not {days}")
    if until is None:
        now = now or dt.datetime.now(dt.timezone.utc)
        until = now.astimezone(EASTERN).date() - dt.timedelta(days=1)
    return [until - dt.timedelta(days=offset) for offset in range(days - 1, -1, -1)]


def as_date(value) -> dt.date:
    """A date from a date or its ISO text (a datetime is not a business date)."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    return dt.date.fromisoformat(str(value))


# --- probes --------------------------------------------------------------------------------

def probe_bigquery(client) -> None:
    """One cheap query without retries; ``CouldNotCheck`` naming BigQuery when it fails.

    The clients' default retries would keep a person on call waiting for minutes.
    """
    try:
        client.query("SELECT 1", retry=None, job_retry=None,
                     timeout=PROBE_TIMEOUT_SECONDS).result(timeout=PROBE_TIMEOUT_SECONDS)
    except Exception as error:
        raise CouldNotCheck(f"BigQuery did not answer: {brief(error)}") from error


def probe_firestore(client, config: Settings | None = None) -> None:
    """One small read without retries; ``CouldNotCheck`` naming Firestore when it fails."""
    config = config or settings()
    try:
        client.collection(config.lock_collection).limit(1).get(retry=None, timeout=PROBE_TIMEOUT_SECONDS)
    except Exception as error:
        raise CouldNotCheck(f"Firestore did not answer: {brief(error)}") from error


def is_service_error(error: BaseException) -> bool:
    """Whether an error means a Google service (or the network to it) failed, not our code."""
    from google.api_core import exceptions as api_exceptions
    from requests.exceptions import RequestException  # comes with google-cloud-bigquery

    return isinstance(error, (api_exceptions.GoogleAPIError, RequestException, ConnectionError, TimeoutError))


@contextlib.contextmanager
def service_errors() -> Iterator[None]:
    """Inside: a service that fails becomes ``CouldNotCheck``; errors of our own code pass through."""
    try:
        yield
    except CouldNotCheck:
        raise
    except Exception as error:
        if not is_service_error(error):
            raise
        raise CouldNotCheck(f"a service failed during the check: {brief(error)}") from error


def brief(error: BaseException) -> str:
    """The error's type and first line, for one-line messages."""
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}"[:300]


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


class HealthWindow:
    """What the warehouse, Firestore and the raw feeds say about a set of business dates.

    Dates are business dates D, as in the pipeline: phase 3 post-game tables are read on D,
    the pre-game context and phase 4 tables on D + 1, ``phase3_completion/{D}`` and
    ``phase4_completion/{D + 1}``. Each fact is read on first use and kept.
    """

    def __init__(self, bigquery_client, firestore_client, dates: Iterable[dt.date], *,
                 config: Settings | None = None, now: dt.datetime | None = None):
        self.bigquery = bigquery_client
        self.firestore = firestore_client
        self.dates = sorted({as_date(d) for d in dates})
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
                counts[(processor.name, as_date(row["day"]))] = KeyCounts(
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
            as_date(row["game_date"]): RawArrival(
                int(row["games"]), int(row["final_games"]),
                as_utc(row["gamebook_first_loaded"]), int(row["gamebook_games"]),
            )
            for row in rows
        }

    def games_on(self, day: dt.date) -> int:
        arrival = self.raw.get(day)
        return arrival.games if arrival else 0

    def has_work(self, day: dt.date) -> bool:
        """Whether the day could have anything to do: games on D or D + 1, or rows."""
        return bool(self.games_on(day) or self.games_on(day + dt.timedelta(days=1))
                    or any(self.rows(p, day) for p in processors.PROCESSORS))

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


def open_window(bigquery_client, firestore_client, dates: Iterable[dt.date], *,
                config: Settings | None = None, now: dt.datetime | None = None) -> HealthWindow:
    """A window over ``dates`` whose services answered the probes."""
    window = HealthWindow(bigquery_client, firestore_client, dates, config=config, now=now)
    window.probe()
    return window
