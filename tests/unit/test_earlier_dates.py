"""The cross-date guard: which earlier runs it reads, and when it waits, passes or fails."""

from __future__ import annotations

import asyncio
import datetime as dt
from unittest import mock

from nba_pipeline.earlier_dates import classify, earlier_logical_dates, history_task_ids, season_start
from nba_pipeline.run_dates import business_date

POST_GAME = ["team_offense_game_summary", "team_defense_game_summary", "player_game_summary"]


def test_season_start():
    assert season_start(dt.date(2026, 2, 3)) == dt.date(2025, 10, 1)
    assert season_start(dt.date(2025, 10, 21)) == dt.date(2025, 10, 1)
    assert season_start(dt.date(2026, 6, 10)) == dt.date(2025, 10, 1)


def test_earlier_logical_dates_are_the_runs_of_every_earlier_date_of_the_season():
    dates = earlier_logical_dates(dt.date(2025, 10, 5))
    assert [business_date(None, d, None, "backfill") for d in dates] == [dt.date(2025, 10, d) for d in (1, 2, 3, 4)]


def test_the_guard_waits_on_the_post_game_processors():
    assert history_task_ids() == POST_GAME


def done(**overrides):
    return {task: overrides.get(task, "success") for task in POST_GAME}


def test_classify_waits_for_unwritten_post_game_rows_and_reports_failed_runs():
    states = {
        "backfill__1": done(),
        "backfill__2": done(player_game_summary="running"),
        "backfill__3": {},
        "backfill__4": done(team_defense_game_summary="upstream_failed"),
        "backfill__5": done(team_offense_game_summary="skipped", player_game_summary="skipped"),
        "self": done(player_game_summary="deferred"),
    }
    waiting, failed = classify(states, POST_GAME, "self")
    assert waiting == [
        "backfill__2 (player_game_summary running)",
        "backfill__3 (player_game_summary not started, team_defense_game_summary not started, "
        "team_offense_game_summary not started)",
    ]
    assert failed == ["backfill__4 (team_defense_game_summary upstream_failed)"]


def run_trigger(trigger):
    async def first_event():
        async for event in trigger.run():
            return event.payload

    return asyncio.run(first_event())


def test_the_trigger_waits_until_every_earlier_run_has_written_then_fires_once():
    from nba_pipeline.triggers.earlier_dates import EarlierDatesTrigger

    looks = iter([
        {"backfill__1": done(player_game_summary="running"), "self": {}},
        {"backfill__1": done(player_game_summary="deferred"), "self": {}},
        {"backfill__1": done(), "self": {}},
    ])
    trigger = EarlierDatesTrigger(dag_id="nba_pipeline", run_id="self", task_ids=POST_GAME,
                                  logical_dates=["2026-02-01T05:00:00+00:00"], poll_interval=0)
    with mock.patch("airflow.sdk.execution_time.task_runner.RuntimeTaskInstance.get_task_states",
                    side_effect=lambda **kwargs: next(looks)) as get_states:
        assert run_trigger(trigger) == {"status": "done"}
    assert get_states.call_count == 3
    assert get_states.call_args.kwargs["task_ids"] == POST_GAME
    assert get_states.call_args.kwargs["logical_dates"] == [dt.datetime(2026, 2, 1, 5, tzinfo=dt.timezone.utc)]


def test_the_trigger_reports_a_failed_earlier_run():
    from nba_pipeline.triggers.earlier_dates import EarlierDatesTrigger

    trigger = EarlierDatesTrigger(dag_id="nba_pipeline", run_id="self", task_ids=POST_GAME, logical_dates=[],
                                  poll_interval=0)
    with mock.patch("airflow.sdk.execution_time.task_runner.RuntimeTaskInstance.get_task_states",
                    return_value={"backfill__1": done(player_game_summary="failed")}):
        assert run_trigger(trigger) == {"status": "failed", "runs": ["backfill__1 (player_game_summary failed)"]}


def test_the_trigger_serializes_to_its_import_path_and_kwargs():
    from nba_pipeline.triggers.earlier_dates import EarlierDatesTrigger

    trigger = EarlierDatesTrigger(dag_id="d", run_id="r", task_ids=["a"], logical_dates=["x"], poll_interval=3)
    path, kwargs = trigger.serialize()
    assert path == "nba_pipeline.triggers.earlier_dates.EarlierDatesTrigger"
    assert EarlierDatesTrigger(**kwargs).serialize() == (path, kwargs)


def sensor_context(states):
    ti = mock.Mock(dag_id="nba_pipeline", run_id="self")
    ti.get_task_states.return_value = states
    return {"ti": ti}


def test_the_sensor_passes_without_deferring_when_earlier_runs_are_done_and_defers_otherwise():
    from airflow.sdk.exceptions import TaskDeferred

    from nba_pipeline.sensors.earlier_dates import EarlierDatesSettledSensor

    sensor = EarlierDatesSettledSensor(task_id="wait_for_earlier_dates", business_date="2025-10-03",
                                       task_ids=POST_GAME)
    assert sensor.execute(sensor_context({"backfill__1": done()})) is None
    try:
        sensor.execute(sensor_context({"backfill__1": done(player_game_summary="queued")}))
    except TaskDeferred as deferred:
        assert deferred.trigger.serialize()[1]["logical_dates"] == [d.isoformat() for d in earlier_logical_dates(dt.date(2025, 10, 3))]
        assert deferred.method_name == "execute_complete"
    else:
        raise AssertionError("the sensor did not defer while an earlier run was writing")


def test_the_sensor_fails_at_once_on_a_failed_earlier_run_and_on_a_failed_event():
    import pytest
    from airflow.sdk.exceptions import AirflowFailException

    from nba_pipeline.sensors.earlier_dates import EarlierDatesSettledSensor

    sensor = EarlierDatesSettledSensor(task_id="wait_for_earlier_dates", business_date="2025-10-03",
                                       task_ids=POST_GAME)
    with pytest.raises(AirflowFailException, match="backfill__1"):
        sensor.execute(sensor_context({"backfill__1": done(team_offense_game_summary="failed")}))
    with pytest.raises(AirflowFailException, match="backfill__2"):
        sensor.execute_complete({}, {"status": "failed", "runs": ["backfill__2 (player_game_summary failed)"]})
    sensor.execute_complete({}, {"status": "done"})


def test_the_sensor_does_not_look_when_waiting_is_switched_off():
    from nba_pipeline.sensors.earlier_dates import EarlierDatesSettledSensor

    sensor = EarlierDatesSettledSensor(task_id="wait_for_earlier_dates", business_date="2025-10-03",
                                       task_ids=POST_GAME, wait="False")
    context = sensor_context({"backfill__1": done(player_game_summary="running")})
    assert sensor.execute(context) is None
    context["ti"].get_task_states.assert_not_called()
