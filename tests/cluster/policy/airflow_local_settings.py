"""An Airflow cluster policy for the fault tests: retries after seconds, not the DAG's minute.

Put on the test cluster's PYTHONPATH only; the DAGs themselves are unchanged.
"""

from __future__ import annotations

import datetime as dt
import os


def task_policy(task) -> None:
    task.retry_delay = dt.timedelta(seconds=float(os.environ.get("NBA_TEST_RETRY_DELAY_SECONDS", "5")))
