"""The run note of every ``nba_pipeline`` run: the game date it processes, and what came of it.

An Airflow listener (registered by ``plugins/nba_pipeline_plugin.py``): when a run starts, its note
becomes ``Game date D``; when it ends, the outcome is added (``nothing ran: …`` when no processor
wrote). Listeners run in the scheduler inside the session that changes the run's state, so the
note is written with the state, without a connection of its own. A note a person wrote is never
replaced.
"""

from __future__ import annotations

import logging

from airflow.listeners import hookimpl

from nba_pipeline import processors

log = logging.getLogger(__name__)

DAG_IDS = frozenset({"nba_pipeline"})
NOTE_PREFIX = "Game date "


def game_date_line(conf: dict | None, logical_date, run_after, run_type) -> str:
    """``Game date D``, or why the request is refused (the same checks as the ``plan_run`` task)."""
    import datetime as dt

    from nba_pipeline.run_dates import InvalidRunRequest, business_date, plan_run

    conf = conf or {}
    try:
        day = business_date(conf.get("game_date"), logical_date, run_after, str(run_type or ""))
    except InvalidRunRequest as error:
        return f"{NOTE_PREFIX}? · refused: {error}"
    try:
        plan_run(game_date=conf.get("game_date"), processor_names=conf.get("processors") or [],
                 force=bool(conf.get("force")), logical_date=logical_date, run_after=run_after,
                 run_type=str(run_type or ""), now=dt.datetime.now(dt.timezone.utc))
    except InvalidRunRequest as error:
        return f"{NOTE_PREFIX}{day.isoformat()} · refused: {error}"
    return f"{NOTE_PREFIX}{day.isoformat()}"


def outcome_line(state: str, task_states: dict[str, str]) -> str:
    """What a finished run did, from its task states (task id → state)."""
    wrote = [p.name for p in processors.PROCESSORS if task_states.get(p.name) == "success"]
    failed = sorted(t for t, s in task_states.items() if s == "failed")
    if state == "failed":
        return "failed at " + (", ".join(failed) or "a task (see the grid)")
    if not wrote:
        return ("nothing ran: every processor was skipped (left out by the processors param, or already "
                "completed: trigger with force=true, or clear a processor task, to re-run)")
    if len(wrote) == len(processors.PROCESSORS):
        return "all 10 processors wrote"
    return f"{len(wrote)} of 10 processors wrote: {', '.join(wrote)}"


def _ours(dag_run) -> bool:
    note = dag_run.note
    return not note or note.startswith(NOTE_PREFIX)


def _set_note(dag_run, text: str) -> None:
    if dag_run.dag_id not in DAG_IDS or not _ours(dag_run):
        return
    dag_run.note = text


def _state(value) -> str:
    return str(getattr(value, "value", value) or "")


@hookimpl
def on_dag_run_running(dag_run, msg: str):
    if dag_run.dag_id in DAG_IDS:
        _set_note(dag_run, game_date_line(dag_run.conf, dag_run.logical_date, dag_run.run_after, dag_run.run_type))


def annotate_finished(dag_run, session) -> None:
    """Set the note of a finished run (attached to ``session``): game date and outcome."""
    if dag_run.dag_id not in DAG_IDS:
        return
    states = {ti.task_id: _state(ti.state) for ti in dag_run.get_task_instances(session=session)}
    head = game_date_line(dag_run.conf, dag_run.logical_date, dag_run.run_after, dag_run.run_type)
    if " · refused: " in head:
        _set_note(dag_run, head)  # the reason the run failed at plan_run
        return
    _set_note(dag_run, f"{head} · {outcome_line(_state(dag_run.state), states)}")


def _finished(dag_run) -> None:
    from sqlalchemy.orm import object_session

    session = object_session(dag_run)
    # dag.test() hands listeners a detached run; the local runner notes those runs itself.
    if session is not None:
        annotate_finished(dag_run, session)


@hookimpl
def on_dag_run_success(dag_run, msg: str):
    _finished(dag_run)


@hookimpl
def on_dag_run_failed(dag_run, msg: str):
    _finished(dag_run)
