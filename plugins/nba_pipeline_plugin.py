"""The package's one Airflow plugin: the game-day timetable, the run-note listener, warm task starts.

Airflow 3 deserializes a custom timetable only when a plugin registers it. This file is the only
module of ``plugins/`` that Airflow's plugin loader imports (``.airflowignore`` keeps it out of
the ``nba_pipeline`` package, whose files it would import as top-level modules).
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from nba_pipeline import run_notes, task_start
from nba_pipeline.timetables import GameDayTimetable


class NbaPipelinePlugin(AirflowPlugin):
    name = "nba_pipeline"
    timetables = [GameDayTimetable]
    listeners = [run_notes]

    @classmethod
    def on_load(cls, *args, **kwargs):
        # The processes that fork task processes import the tasks' modules once (task_start).
        task_start.preload_if_task_host()
