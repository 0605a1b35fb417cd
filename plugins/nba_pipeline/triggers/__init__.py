"""Airflow triggers of the package (imported by class path in the triggerer)."""

from nba_pipeline.triggers.firestore_lock import FirestoreLockTrigger, LeaseGuardedBigQueryJobTrigger

__all__ = ["FirestoreLockTrigger", "LeaseGuardedBigQueryJobTrigger"]
