"""Phase completion records in Firestore and the phase 3 "processor finished" messages.

Documents keep the shape the platform's consumers already read: ``phase3_completion/{D}`` and
``phase4_completion/{D + 1}`` hold one map per finished processor, keyed by table name
(``{completed_at, status, record_count, execution_id}``), plus ``_completed_count``,
``_triggered``, ``_triggered_at``, ``_trigger_reason`` and ``_mode``.

Every write that changes the entries rewrites ``_completed_count`` in the same compare-and-swap
update (precondition on the document's update time, retried on conflict), so the count always
equals the number of entries, however many processors finish at once. Transactions give the
same guarantee but were several times slower under contention on the emulator.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import random
import time
from collections.abc import Callable, Mapping

from nba_pipeline import processors
from nba_pipeline.config import settings

log = logging.getLogger(__name__)

MODES = ("scheduled", "backfill", "manual")
COMPLETED_COUNT = "_completed_count"
TRIGGERED = "_triggered"
TRIGGERED_AT = "_triggered_at"
TRIGGER_REASON = "_trigger_reason"
MODE = "_mode"


class CompletionConflict(RuntimeError):
    """A completion document kept changing under us for every allowed attempt."""


def document_date(phase: int, business_date: dt.date) -> dt.date:
    """The id date of a phase's completion document: D for phase 3, D + 1 for phase 4.

    Phase 4 is keyed by the date its processors write (the analysis date).
    """
    if phase == 3:
        return business_date
    if phase == 4:
        return business_date + dt.timedelta(days=1)
    raise ValueError(f"phase must be 3 or 4, not {phase!r}")


def entries_of(document: Mapping | None) -> dict[str, dict]:
    """The processor entries of a completion document (metadata fields start with ``_``)."""
    return {
        name: value
        for name, value in (document or {}).items()
        if not name.startswith("_") and isinstance(value, Mapping)
    }


def _check_processor(phase: int, name: str) -> None:
    """``name`` is an entry key: the processor's completion key (the platform's name for it)."""
    by_key = {p.completion_key: p for p in processors.PROCESSORS}
    processor = by_key.get(name)
    if processor is None:
        raise ValueError(f"unknown processor {name!r}; known: {', '.join(sorted(by_key))}")
    if processor.phase != phase:
        raise ValueError(f"{name} is a phase {processor.phase} processor, not phase {phase}")


def _resolve_server_timestamps(value, when: dt.datetime):
    """What Firestore stored: each SERVER_TIMESTAMP sentinel becomes the commit time."""
    from google.cloud.firestore import SERVER_TIMESTAMP

    if value is SERVER_TIMESTAMP:
        return when
    if isinstance(value, Mapping):
        return {key: _resolve_server_timestamps(item, when) for key, item in value.items()}
    return value


class _SinkSwitch:
    """Whether a sink writes; when it does not, says so once and then stays quiet."""

    def __init__(self, what: str, setting: str, enabled: bool):
        self.enabled = enabled
        self._what = what
        self._setting = setting
        self._logged = False

    def skipping(self) -> bool:
        if self.enabled:
            return False
        if not self._logged:
            log.info("%s are switched off (%s=false); nothing is written", self._what, self._setting)
            self._logged = True
        return True


class CompletionStore:
    """Reads and writes ``phase3_completion`` / ``phase4_completion`` documents.

    ``date`` is always the document's date: D for phase 3, D + 1 for phase 4
    (``document_date(phase, D)``). Collections default to
    ``Settings.phase3_completion_collection`` / ``phase4_completion_collection``.
    ``enabled`` defaults to ``Settings.completion_records``; when off, writes are no-ops that
    return ``{}`` and ``get`` returns ``None``.
    """

    def __init__(
        self,
        firestore_client,
        *,
        phase3_collection: str | None = None,
        phase4_collection: str | None = None,
        enabled: bool | None = None,
        max_attempts: int = 100,
    ):
        self.client = firestore_client
        config = settings()
        self.collections = {
            3: phase3_collection or config.phase3_completion_collection,
            4: phase4_collection or config.phase4_completion_collection,
        }
        self.max_attempts = max_attempts
        enabled = config.completion_records if enabled is None else enabled
        self._sink = _SinkSwitch("Completion records", "NBA_COMPLETION_RECORDS", enabled)

    def document(self, phase: int, date: dt.date | str):
        if phase not in self.collections:
            raise ValueError(f"phase must be 3 or 4, not {phase!r}")
        date_id = dt.date.fromisoformat(date).isoformat() if isinstance(date, str) else date.isoformat()
        return self.client.collection(self.collections[phase]).document(date_id)

    def get(self, phase: int, date: dt.date) -> dict | None:
        if self._sink.skipping():
            return None
        snapshot = self.document(phase, date).get()
        return snapshot.to_dict() if snapshot.exists else None

    def has_succeeded(self, phase: int, business_date: dt.date, processor_name: str) -> bool:
        """Whether the phase's record for business date D holds a successful entry for the
        processor (a registry name; its entry is under its completion key)."""
        record = self.get(phase, document_date(phase, business_date)) or {}
        entry = record.get(processors.get(processor_name).completion_key)
        return isinstance(entry, dict) and entry.get("status") == "success"

    def record_processor(
        self,
        phase: int,
        date: dt.date,
        processor_name: str,  # the entry key: the processor's completion key
        *,
        status: str,
        record_count: int,
        execution_id: str,
        mode: str = "scheduled",
    ) -> dict:
        """Add or replace one processor's entry and recount, in one atomic write.

        Returns the document as written; ``completed_at`` is the write's commit time (what
        Firestore stores; the emulator stores an instant a few milliseconds apart).
        """
        from google.cloud.firestore import SERVER_TIMESTAMP

        if self._sink.skipping():
            return {}
        _check_processor(phase, processor_name)
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        entry = {
            "completed_at": SERVER_TIMESTAMP,
            "status": status,
            "record_count": int(record_count),
            "execution_id": execution_id,
        }

        def change(current: dict | None) -> dict:
            entries = entries_of(current)
            entries[processor_name] = entry
            fields = {processor_name: entry, COMPLETED_COUNT: len(entries), MODE: mode}
            if current is None:
                fields[TRIGGERED] = False
            return fields

        document = self._compare_and_swap(phase, date, change)
        log.info(
            "Recorded %s in %s/%s: status=%s, %d rows, %d processor(s) complete",
            processor_name, self.collections[phase], date,
            status, int(record_count), document[COMPLETED_COUNT],
        )
        return document

    def mark_triggered(self, date: dt.date, *, reason: str) -> dict:
        """Note on ``phase3_completion/{D}`` that phase 4 has started (and why)."""
        from google.cloud.firestore import SERVER_TIMESTAMP

        if self._sink.skipping():
            return {}

        def change(current: dict | None) -> dict:
            fields = {TRIGGERED: True, TRIGGERED_AT: SERVER_TIMESTAMP, TRIGGER_REASON: reason}
            if current is None:
                fields[COMPLETED_COUNT] = 0
            return fields

        document = self._compare_and_swap(3, date, change)
        log.info("Marked %s/%s triggered: %s", self.collections[3], date, reason)
        return document

    def rewrite(
        self,
        phase: int,
        date: dt.date,
        entries: Mapping[str, Mapping],
        *,
        triggered: bool | None = None,
        reason: str,
    ) -> dict:
        """Replace all processor entries at once (reconcile ``--fix``); the count follows.

        Entries without ``completed_at`` get the server time. ``triggered`` True/False sets or
        clears the trigger fields (True records ``reason`` as the trigger reason); None keeps them.
        """
        from google.cloud.firestore import DELETE_FIELD, SERVER_TIMESTAMP

        if self._sink.skipping():
            return {}
        new_entries = {}
        for name, entry in entries.items():
            _check_processor(phase, name)
            new_entries[name] = {"completed_at": SERVER_TIMESTAMP, **entry}

        def change(current: dict | None) -> dict:
            fields = {name: DELETE_FIELD for name in entries_of(current) if name not in new_entries}
            fields.update(new_entries)
            fields[COMPLETED_COUNT] = len(new_entries)
            if triggered is True:
                fields.update({TRIGGERED: True, TRIGGERED_AT: SERVER_TIMESTAMP, TRIGGER_REASON: reason})
            elif triggered is False:
                fields.update({TRIGGERED: False, TRIGGERED_AT: DELETE_FIELD, TRIGGER_REASON: DELETE_FIELD})
            elif current is None:
                fields[TRIGGERED] = False
            if current is None:
                # A new document has nothing to delete.
                fields = {key: value for key, value in fields.items() if value is not DELETE_FIELD}
            return fields

        document = self._compare_and_swap(phase, date, change)
        log.warning(
            "Rewrote %s/%s with %d entries (%s): %s",
            self.collections[phase], date, len(new_entries),
            ", ".join(sorted(new_entries)) or "none", reason,
        )
        return document

    def _compare_and_swap(
        self, phase: int, date: dt.date, change: Callable[[dict | None], dict]
    ) -> dict:
        """Read, compute the changed fields, write only if nobody wrote in between; retry.

        ``change`` gets the current document (None when absent) and returns the top-level
        fields to set (a map value replaces the whole field; DELETE_FIELD removes it).
        """
        from google.api_core.exceptions import AlreadyExists, FailedPrecondition
        from google.cloud.firestore import DELETE_FIELD

        reference = self.document(phase, date)
        for attempt in range(1, self.max_attempts + 1):
            snapshot = reference.get()
            current = snapshot.to_dict() if snapshot.exists else None
            fields = change(current)
            try:
                if current is None:
                    result = reference.create(fields)
                else:
                    option = self.client.write_option(last_update_time=snapshot.update_time)
                    result = reference.update(fields, option=option)
            except (AlreadyExists, FailedPrecondition):
                # Another writer got in first: re-read and apply the change to its version.
                log.debug("%s changed under us (attempt %d); retrying", reference.path, attempt)
                time.sleep(random.uniform(0, 0.01 * min(attempt, 10)))
                continue
            written = dict(current or {})
            for key, value in fields.items():
                if value is DELETE_FIELD:
                    written.pop(key, None)
                else:
                    written[key] = value
            return _resolve_server_timestamps(written, result.update_time)
        raise CompletionConflict(
            f"{reference.path} changed on every one of {self.max_attempts} attempts; giving up"
        )


class PhaseCompletePublisher:
    """Publishes one message per finished phase 3 processor (the grading service listens).

    ``enabled`` defaults to ``Settings.pubsub_enabled``; when off, ``publish`` returns None.
    Against the Pub/Sub emulator the topic is created on first use.
    """

    def __init__(
        self,
        publisher_client,
        project: str,
        topic: str | None = None,
        *,
        enabled: bool | None = None,
        timeout: float = 60.0,
    ):
        config = settings()
        self.client = publisher_client
        self.project = project
        self.topic = topic or config.phase3_topic
        self.timeout = timeout
        self._topic_ready = False
        enabled = config.pubsub_enabled if enabled is None else enabled
        self._sink = _SinkSwitch("Phase 3 completion messages", "NBA_PUBSUB_ENABLED", enabled)

    @property
    def topic_path(self) -> str:
        return f"projects/{self.project}/topics/{self.topic}"

    @staticmethod
    def message_body(
        processor_name: str,
        output_table: str,
        game_date: dt.date | str,
        status: str,
        record_count: int,
        execution_id: str,
    ) -> dict:
        """The JSON body consumers parse, exactly these six fields."""
        return {
            "processor_name": processor_name,
            "output_table": output_table,
            "game_date": game_date.isoformat() if isinstance(game_date, dt.date) else str(game_date),
            "status": status,
            "record_count": int(record_count),
            "execution_id": execution_id,
        }

    def publish(
        self,
        processor_name: str,
        output_table: str,
        game_date: dt.date | str,
        status: str,
        record_count: int,
        execution_id: str,
    ) -> str | None:
        """Publish and wait for the server's message id."""
        if self._sink.skipping():
            return None
        body = self.message_body(processor_name, output_table, game_date, status, record_count, execution_id)
        self._ensure_topic()
        future = self.client.publish(
            self.topic_path,
            json.dumps(body).encode(),
            processor_name=body["processor_name"],
            game_date=body["game_date"],
        )
        message_id = future.result(timeout=self.timeout)
        log.info("Published %s for %s on %s: message %s", processor_name, body["game_date"], self.topic, message_id)
        return message_id

    def _ensure_topic(self) -> None:
        # In production the topic is infrastructure; only the emulator starts empty.
        if self._topic_ready or not os.environ.get("PUBSUB_EMULATOR_HOST"):
            return
        from google.api_core.exceptions import AlreadyExists

        try:
            self.client.create_topic(name=self.topic_path)
        except AlreadyExists:
            pass
        self._topic_ready = True
