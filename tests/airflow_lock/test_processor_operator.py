"""Unit tests of ProcessorOperator: what it runs, what it skips, and that every resume re-plans."""

from __future__ import annotations

from unittest import mock

import pytest
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException, TaskDeferred

from nba_pipeline import processors
from nba_pipeline.operators.processor import ProcessorOperator
from tests.airflow_lock.test_operators_unit import FakeTI

PLAN = {"business_date": "2026-02-03", "next_date": "2026-02-04", "processors": [p.name for p in processors.PROCESSORS],
        "force": False, "mode": "manual"}
PARENT = "nba_pipeline.operators.guarded_bigquery.LeaseGuardedBigQueryInsertJobOperator"


def operator(name="player_game_summary", plan=None):
    return ProcessorOperator(task_id=name, processor_name=name, plan=plan or PLAN)


def context():
    return {"ti": FakeTI("player_game_summary"), "run_id": "manual__1"}


def test_unknown_processor_is_refused_at_parse_time():
    with pytest.raises(ValueError, match="unknown processor"):
        operator("player_summary")


def test_plan_is_templated_and_lock_is_the_legacy_class():
    op = operator()
    assert "plan" in op.template_fields and "lock_key" in op.template_fields
    assert op.processor == "PlayerGameSummaryProcessor"


def test_not_selected_skips_without_touching_the_lock():
    op = operator(plan={**PLAN, "processors": ["team_offense_game_summary"]})
    with mock.patch(f"{PARENT}.execute") as parent, pytest.raises(AirflowSkipException, match="not among"):
        op.execute(context())
    parent.assert_not_called()


def test_already_complete_skips_unless_forced():
    op = operator()
    with mock.patch("nba_pipeline.pipeline_tasks.already_complete", return_value=True), \
            mock.patch(f"{PARENT}.execute") as parent, pytest.raises(AirflowSkipException, match="force=true"):
        op.execute(context())
    parent.assert_not_called()
    forced = operator(plan={**PLAN, "force": True})
    with mock.patch("nba_pipeline.pipeline_tasks.already_complete", return_value=True) as complete, \
            mock.patch(f"{PARENT}.execute", return_value={"fence": 3}), \
            mock.patch.object(ProcessorOperator, "_verified", side_effect=lambda r: r):
        assert forced.execute(context()) == {"fence": 3}
    complete.assert_not_called()


def test_execute_fills_in_lock_key_and_job_for_the_date():
    op = operator("upcoming_player_game_context")
    with mock.patch("nba_pipeline.pipeline_tasks.already_complete", return_value=False), \
            mock.patch(f"{PARENT}.execute", side_effect=TaskDeferred(trigger=mock.Mock(), method_name="x")):
        with pytest.raises(TaskDeferred):
            op.execute(context())
    assert op.lock_key == "UpcomingPlayerGameContextProcessor_2026-02-04"
    params = {p["name"]: p["parameterValue"]["value"] for p in op.configuration["query"]["queryParameters"]}
    assert params["target_date"] == "2026-02-04" and params["business_date"] == "2026-02-03"


def test_resume_replans_before_the_parent_resumes():
    op = operator()
    seen = {}

    def parent_resume(self, next_method, next_kwargs, ctx):
        seen["lock_key"] = self.lock_key
        return {"fence": 7, "job_id": "j"}

    with mock.patch(f"{PARENT}.resume_execution", parent_resume), \
            mock.patch.object(ProcessorOperator, "_verified", side_effect=lambda r: r):
        assert op.resume_execution("execute_lease_acquired", {"event": {}}, context())["fence"] == 7
    assert seen["lock_key"] == "PlayerGameSummaryProcessor_2026-02-03"


def test_a_newer_fence_on_the_rows_fails_at_once():
    op = operator()
    op._prepare(context())
    hook = mock.Mock()
    hook.return_value.query_file.return_value = [{"max_fence": 9, "row_count": 190}]
    with mock.patch("nba_pipeline.hooks.warehouse.WarehouseHook", hook), \
            pytest.raises(AirflowFailException, match="newer than this run's fence 4"):
        op._verified({"fence": 4})
    hook.return_value.query_file.return_value = [{"max_fence": 4, "row_count": 190}]
    with mock.patch("nba_pipeline.hooks.warehouse.WarehouseHook", hook):
        assert op._verified({"fence": 4})["row_count"] == 190
