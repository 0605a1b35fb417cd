"""Names of everything the package talks to, read from the environment when first needed.

Nothing here opens a connection, so importing it at DAG parse time costs nothing. On Cloud
Composer set the same names as environment variables (or leave the defaults).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name}={value!r} is not a boolean (use true/false)")


@dataclass(frozen=True)
class Settings:
    """Where the pipeline reads and writes; every field has an ``NBA_*`` environment variable."""

    project: str = field(default_factory=lambda: _env("NBA_GCP_PROJECT", "nba-props-local"))
    gcp_conn_id: str = field(default_factory=lambda: _env("NBA_GCP_CONN_ID", "google_cloud_default"))
    bigquery_location: str = field(default_factory=lambda: _env("NBA_BQ_LOCATION", "US"))
    raw_dataset: str = field(default_factory=lambda: _env("NBA_RAW_DATASET", "nba_raw"))
    reference_dataset: str = field(default_factory=lambda: _env("NBA_REFERENCE_DATASET", "nba_reference"))
    analytics_dataset: str = field(default_factory=lambda: _env("NBA_ANALYTICS_DATASET", "nba_analytics"))
    precompute_dataset: str = field(default_factory=lambda: _env("NBA_PRECOMPUTE_DATASET", "nba_precompute"))
    predictions_dataset: str = field(
        default_factory=lambda: _env("NBA_PREDICTIONS_DATASET", "nba_predictions")
    )
    audit_dataset: str = field(default_factory=lambda: _env("NBA_AUDIT_DATASET", "nba_pipeline_audit"))
    lock_collection: str = field(default_factory=lambda: _env("NBA_LOCK_COLLECTION", "processing_locks"))
    lock_audit_collection: str = field(
        default_factory=lambda: _env("NBA_LOCK_AUDIT_COLLECTION", "processing_lock_audit")
    )
    lock_fence_collection: str = field(
        default_factory=lambda: _env("NBA_LOCK_FENCE_COLLECTION", "processing_lock_fences")
    )
    # Well above Airflow's zombie threshold (300 s by default) and renewed while work runs;
    # see LeasePolicy for how these four timings relate (docs/lease.md, "Defaults").
    lease_seconds: int = field(default_factory=lambda: int(_env("NBA_LEASE_SECONDS", "900")))
    lease_renew_seconds: float = field(default_factory=lambda: float(_env("NBA_LEASE_RENEW_SECONDS", "60")))
    lease_margin_seconds: float = field(default_factory=lambda: float(_env("NBA_LEASE_MARGIN_SECONDS", "60")))
    legacy_stale_seconds: int = field(default_factory=lambda: int(_env("NBA_LEGACY_STALE_SECONDS", "600")))
    firestore_timeout_seconds: float = field(
        default_factory=lambda: float(_env("NBA_FIRESTORE_TIMEOUT_SECONDS", "10"))
    )
    phase3_completion_collection: str = field(
        default_factory=lambda: _env("NBA_PHASE3_COMPLETION_COLLECTION", "phase3_completion")
    )
    phase4_completion_collection: str = field(
        default_factory=lambda: _env("NBA_PHASE4_COMPLETION_COLLECTION", "phase4_completion")
    )
    # A lock held longer than this is reported by the health check (the slowest processor
    # takes minutes; an hour means a stuck worker renewing a lease it no longer uses).
    max_lock_hold_seconds: int = field(
        default_factory=lambda: int(_env("NBA_MAX_LOCK_HOLD_SECONDS", "3600"))
    )
    # How often the raw-data sensor looks again, and when live boxscores may stand in (ET, D + 1).
    raw_poke_seconds: int = field(default_factory=lambda: int(_env("NBA_RAW_POKE_SECONDS", "300")))
    gamebook_deadline_et: str = field(default_factory=lambda: _env("NBA_GAMEBOOK_DEADLINE_ET", "12:00"))
    completion_records: bool = field(default_factory=lambda: _env_bool("NBA_COMPLETION_RECORDS", True))
    pubsub_enabled: bool = field(default_factory=lambda: _env_bool("NBA_PUBSUB_ENABLED", True))
    phase3_topic: str = field(
        default_factory=lambda: _env("NBA_PHASE3_TOPIC", "nba-phase3-analytics-complete")
    )

    def lease_policy(self):
        """The ``LeasePolicy`` these settings describe (collections and timings)."""
        from nba_pipeline.lease.model import LeasePolicy

        return LeasePolicy(
            collection=self.lock_collection,
            fence_collection=self.lock_fence_collection,
            audit_collection=self.lock_audit_collection,
            lease_seconds=self.lease_seconds,
            renew_seconds=self.lease_renew_seconds,
            margin_seconds=self.lease_margin_seconds,
            legacy_stale_seconds=self.legacy_stale_seconds,
            rpc_timeout_seconds=self.firestore_timeout_seconds,
            rpc_budget_seconds=3 * self.firestore_timeout_seconds,
        )

    def dataset_for(self, layer: str) -> str:
        """The dataset of a layer: ``raw``, ``reference``, ``analytics``, ``precompute``,
        ``predictions`` or ``audit``."""
        try:
            return {
                "raw": self.raw_dataset,
                "reference": self.reference_dataset,
                "analytics": self.analytics_dataset,
                "precompute": self.precompute_dataset,
                "predictions": self.predictions_dataset,
                "audit": self.audit_dataset,
            }[layer]
        except KeyError:
            raise ValueError(f"unknown layer {layer!r}") from None


def settings() -> Settings:
    """Current settings (re-read each call so tests and CLI flags can change the environment)."""
    return Settings()
