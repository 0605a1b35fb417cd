"""Airflow hooks of the package."""

from nba_pipeline.hooks.firestore_lock import FirestoreLockHook

__all__ = ["FirestoreLockHook"]
