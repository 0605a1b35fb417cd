"""The nba_pipeline DAG's edges are exactly what the processor registry says they should be."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from nba_pipeline import processors
from nba_pipeline.sql import sql_root

ROOT = Path(__file__).resolve().parents[2]
# Each phase ends in one task: its duplicate checks, then its completion record.
RECORDS = {3: "record_phase3", 4: "record_phase4"}
BOOKKEEPING = ("wait_for_earlier_dates", *RECORDS.values())


@pytest.fixture(scope="module")
def dag():
    spec = importlib.util.spec_from_file_location("nba_pipeline_dag_under_test", ROOT / "dags" / "nba_pipeline.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    # The file declares the DAG with a context manager; every task knows it.
    return module.wait_for_earlier_dates.dag


def registry_edges() -> set[tuple[str, str]]:
    """The DAG the registry describes, edge by edge."""
    edges = {("plan_run", name) for name in (*(p.name for p in processors.PROCESSORS), *BOOKKEEPING)}
    for p in processors.PROCESSORS:
        edges |= {(upstream, p.name) for upstream in p.upstream}
        if p.reads_earlier_dates:
            edges.add(("wait_for_earlier_dates", p.name))
        if p.phase == 4 and not p.upstream:
            edges.add((RECORDS[3], p.name))
        edges.add((p.name, RECORDS[p.phase]))
    # The guard waits on earlier dates only (their post-game processors), so it starts with the
    # run; phase 4 starts after it through the phase 3 record.
    edges.add(("wait_for_earlier_dates", RECORDS[3]))
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


def _ancestors(name: str) -> set[str]:
    found, todo = set(), list(processors.get(name).upstream)
    while todo:
        upstream = todo.pop()
        if upstream not in found:
            found.add(upstream)
            todo.extend(processors.get(upstream).upstream)
    return found


def test_every_table_a_processor_reads_from_its_own_phase_is_written_before_it():
    """Read from the SQL itself: a same-phase table a processor reads (any date up to D) must be
    an upstream, or whether it sees that table's rows of D depends on which task ran first."""
    writers = {p.table: p for p in processors.PROCESSORS}
    unordered = {}
    for p in processors.PROCESSORS:
        text = (sql_root() / p.sql_path).read_text()
        read = set(re.findall(r"\$\{[a-z]+_dataset\}\.([a-z0-9_]+)", text))
        same_phase = {writers[t].name for t in read if t in writers and writers[t].phase == p.phase} - {p.name}
        if same_phase - _ancestors(p.name):
            unordered[p.name] = sorted(same_phase - _ancestors(p.name))
    assert unordered == {}, f"reads a same-phase table without waiting for its writer: {unordered}"


def test_registry_order_lists_every_upstream_first():
    """Plain runs (the reference runs of the tests, the benchmarks' script) go in registry order."""
    seen = set()
    for p in processors.PROCESSORS:
        assert set(p.upstream) <= seen, f"{p.name} is listed before its upstream {set(p.upstream) - seen}"
        seen.add(p.name)
