"""Airflow sensors of the package."""

from nba_pipeline.sensors.firestore_lock import FirestoreLockSensor

__all__ = ["FirestoreLockSensor"]
