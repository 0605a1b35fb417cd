"""Airflow operators of the package."""

from nba_pipeline.operators.firestore_lock import FirestoreLockOperator
from nba_pipeline.operators.guarded_bigquery import LeaseGuardedBigQueryInsertJobOperator

__all__ = ["FirestoreLockOperator", "LeaseGuardedBigQueryInsertJobOperator"]
