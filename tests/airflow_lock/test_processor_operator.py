"""Unit tests of ProcessorOperator: what it renders and runs, what it skips."""

from __future__ import annotations

from unittest import mock

import pytest
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException
from tests.airflow_lock.test_operators_unit import FakeTI

from nba_pipeline import processors
from nba_pipeline.operators.processor import ProcessorOperator

PLAN = {"business_date": "2026-02-03", "next_date": "2026-02-04", "processors": [p.name for p in processors.PROCESSORS],
        "force": False, "mode": "manual"}
PARENT = "nba_pipeline.operators.guarded_bigquery.LeaseGuardedBigQueryInsertJobOperator"


def operator(name="player_game_summary", plan=None):
    return ProcessorOperator(task_id=name, processor_name=name, plan=plan or PLAN)


def context():
    return {"ti": FakeTI("player_game_summary"), "run_id": "manual__1"}


def rendered(op):
    """The operator after Airflow rendered its templates (as the task runner does before execute)."""
    op.render_template_fields(context())
    return op


def test_unknown_processor_is_refused_at_parse_time():
    with pytest.raises(ValueError, match="unknown processor"):
        operator("player_summary")


def test_plan_is_templated_and_lock_is_the_legacy_class():
    op = operator()
    assert "plan" in op.template_fields and "lock_key" in op.template_fields
    assert op.processor == "PlayerGameSummaryProcessor"


def test_rendering_shows_the_lock_key_the_sql_and_the_sink_before_execution():
    op = rendered(operator("upcoming_player_game_context"))
    assert op.lock_key == "UpcomingPlayerGameContextProcessor_2026-02-04"
    query = op.configuration["query"]
    assert query["query"].lstrip().startswith(("MERGE", "--"))
    assert "upcoming_player_game_context" in query["query"]
    params = {p["name"]: p["parameterValue"]["value"] for p in query["queryParameters"]}
    assert params["target_date"] == "2026-02-04" and params["business_date"] == "2026-02-03"
    assert params["run_id"] == "manual__1"
    # The fence is the lease's, added only once the lease is granted.
    assert "fence" not in params
    assert op.fence_sink == {"table": "nba_analytics.upcoming_player_game_context", "date": "2026-02-04"}


def test_not_selected_skips_without_touching_the_lock():
    op = rendered(operator(plan={**PLAN, "processors": ["team_offense_game_summary"]}))
    with mock.patch(f"{PARENT}.execute") as parent, pytest.raises(AirflowSkipException, match="not among"):
        op.execute(context())
    parent.assert_not_called()


def test_already_complete_skips_unless_forced():
    op = rendered(operator())
    with mock.patch.object(ProcessorOperator, "_already_complete", return_value=True), \
            mock.patch(f"{PARENT}.execute") as parent, pytest.raises(AirflowSkipException, match="force=true"):
        op.execute(context())
    parent.assert_not_called()
    forced = rendered(operator(plan={**PLAN, "force": True}))
    with mock.patch.object(ProcessorOperator, "_already_complete", return_value=True) as complete, \
            mock.patch(f"{PARENT}.execute", return_value={"fence": 3}), \
            mock.patch.object(ProcessorOperator, "_verified", side_effect=lambda r: r):
        assert forced.execute(context()) == {"fence": 3}
    complete.assert_not_called()


def test_completion_is_read_through_the_lock_hooks_connection():
    op = rendered(operator())
    with mock.patch("nba_pipeline.hooks.firestore_lock.FirestoreLockHook") as hook, \
            mock.patch("nba_pipeline.completion.CompletionStore") as store:
        store.return_value.has_succeeded.return_value = True
        assert op._already_complete() is True
    store.assert_called_once_with(hook.return_value.get_client.return_value)
    import datetime as dt

    store.return_value.has_succeeded.assert_called_once_with(3, dt.date(2026, 2, 3), "player_game_summary")


def test_a_newer_fence_on_the_rows_fails_at_once():
    op = rendered(operator())
    with mock.patch("airflow.providers.google.cloud.hooks.bigquery.BigQueryHook"), \
            mock.patch("nba_pipeline.warehouse.run_query_file", return_value=[{"max_fence": 9, "row_count": 190}]):
        with pytest.raises(AirflowFailException, match="newer than this run's fence 4.*locks reseed"):
            op._verified({"fence": 4})
    with mock.patch("airflow.providers.google.cloud.hooks.bigquery.BigQueryHook"), \
            mock.patch("nba_pipeline.warehouse.run_query_file", return_value=[{"max_fence": 4, "row_count": 190}]):
        verified = op._verified({"fence": 4})
    assert verified["row_count"] == 190 and verified["table"] == "nba_analytics.player_game_summary"
