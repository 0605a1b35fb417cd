"""The health check and reconcile: do the completion records, the warehouse, the raw feeds and the
locks agree, and making the records agree again.

The ``nba_health_check`` and ``nba_reconcile`` DAGs and ``nba-pipeline health`` / ``reconcile``
call the same two functions, ``run_health`` and ``run_reconcile``. One room per step:

* ``window``: the business dates, the facts read once per run (``HealthWindow``), the probes;
* ``checks``: the five checks, each a function of the window returning ``Issue`` objects;
* ``report``: ``run_health``, the dates × columns grid and the text, rich, HTML and JSON forms;
* ``reconcile``: ``run_reconcile``, the plan from the warehouse and applying it.
"""

from __future__ import annotations

from nba_pipeline.health.checks import CATEGORIES, FIXED_BY_RECONCILE, Issue
from nba_pipeline.health.reconcile import ReconcilePlan, ReconcileReport, apply, plan_reconcile, run_reconcile
from nba_pipeline.health.report import HealthReport, run_health
from nba_pipeline.health.window import CouldNotCheck, HealthWindow, open_window, probe_firestore, window_dates

__all__ = [
    "CATEGORIES", "FIXED_BY_RECONCILE", "CouldNotCheck", "HealthReport", "HealthWindow", "Issue",
    "ReconcilePlan", "ReconcileReport", "apply", "open_window", "plan_reconcile", "probe_firestore",
    "run_health", "run_reconcile", "window_dates",
]
