"""NBA props platform: phase 3 and phase 4 transforms for Airflow 3, guarded by Firestore leases."""

__version__ = "0.1.0"
