"""The nba_pipeline DAG's edges are exactly what the processor registry says they should be."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from nba_pipeline import processors

ROOT = Path(__file__).resolve().parents[2]
CHECKS = {3: "check_phase3", 4: "check_phase4"}
RECORDS = {3: "record_phase3", 4: "record_phase4"}
BOOKKEEPING = ("wait_for_gamebook", "wait_for_earlier_dates", *CHECKS.values(), *RECORDS.values())


@pytest.fixture(scope="module")
def dag():
    spec = importlib.util.spec_from_file_location("nba_pipeline_dag_under_test", ROOT / "dags" / "nba_pipeline.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    # The file declares the DAG with a context manager; every task knows it.
    return module.wait_for_gamebook.dag


def registry_edges() -> set[tuple[str, str]]:
    """The DAG the registry describes, edge by edge."""
    edges = {("plan_run", name) for name in (*(p.name for p in processors.PROCESSORS), *BOOKKEEPING)}
    for p in processors.PROCESSORS:
        edges |= {(upstream, p.name) for upstream in p.upstream}
        if p.phase == 3 and not p.upstream:
            edges.add(("wait_for_gamebook", p.name))
        if p.post_game:
            edges.add((p.name, "wait_for_earlier_dates"))
        if p.reads_earlier_dates:
            edges.add(("wait_for_earlier_dates", p.name))
        if p.phase == 4 and not p.upstream:
            edges.add((RECORDS[3], p.name))
        edges.add((p.name, CHECKS[p.phase]))
    edges |= {(CHECKS[phase], RECORDS[phase]) for phase in (3, 4)}
    return edges


def dag_edges(dag) -> set[tuple[str, str]]:
    return {(task.task_id, downstream) for task in dag.tasks for downstream in task.downstream_task_ids}


def test_the_edges_are_the_registrys(dag):
    edges, expected = dag_edges(dag), registry_edges()
    assert edges - expected == set(), "edges the registry does not ask for"
    assert expected - edges == set(), "edges the registry asks for that the DAG lacks"


def test_every_processor_is_one_task_and_nothing_else_is_a_processor(dag):
    from nba_pipeline.operators.processor import ProcessorOperator

    tasks = {t.task_id: t for t in dag.tasks}
    assert {t for t, task in tasks.items() if isinstance(task, ProcessorOperator)} == \
        {p.name for p in processors.PROCESSORS}
    assert set(tasks) == {p.name for p in processors.PROCESSORS} | {"plan_run", *BOOKKEEPING}


def test_the_order_that_once_produced_1275_percent_usage_is_enforced(dag):
    # player_game_summary reads team_offense_game_summary of the same date.
    assert "team_offense_game_summary" in dag.get_task("player_game_summary").upstream_task_ids
