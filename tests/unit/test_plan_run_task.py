"""plan_run: planning and the raw-data wait in one task; a bad request fails at the first look."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from unittest import mock

import pytest

from nba_pipeline.run_dates import scheduled_logical_date


def sensor():
    from nba_pipeline.sensors.raw_data import PlannedGamebookSensor

    return PlannedGamebookSensor(task_id="plan_run")


def context(**params):
    run = SimpleNamespace(run_after=dt.datetime(2026, 2, 4, 11, tzinfo=dt.timezone.utc), run_type="manual")
    return {"params": params, "dag_run": run, "logical_date": scheduled_logical_date(dt.date(2026, 2, 3)),
            "ti": mock.Mock()}


def test_a_bad_request_fails_before_any_query():
    from airflow.sdk.exceptions import AirflowFailException

    with mock.patch("nba_pipeline.hooks.warehouse.WarehouseHook") as hook, \
            pytest.raises(AirflowFailException, match="invalid run request: game_date 'yesterday'"):
        sensor().poke(context(game_date="yesterday"))
    hook.assert_not_called()


def test_the_plan_comes_back_once_the_gamebook_is_ready_and_each_field_under_its_own_key():
    ready = SimpleNamespace(ready=True, reason="gamebook complete")
    waiting = SimpleNamespace(ready=False, reason="gamebook missing for 1 game")
    with mock.patch("nba_pipeline.hooks.warehouse.WarehouseHook"), \
            mock.patch("nba_pipeline.sensors.raw_data.assess", side_effect=[waiting, ready]):
        task, first, second = sensor(), context(game_date="2026-02-03"), context(game_date="2026-02-03")
        assert task.poke(first).is_done is False
        first["ti"].xcom_push.assert_not_called()
        result = task.poke(second)
    assert result.is_done and result.xcom_value["business_date"] == "2026-02-03"
    pushed = {call.kwargs["key"]: call.kwargs["value"] for call in second["ti"].xcom_push.call_args_list}
    assert pushed == result.xcom_value
