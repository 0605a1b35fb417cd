"""What a person sees in Airflow, tried in a real browser against ``airflow standalone`` on the local stack.

One standalone (scheduler, triggerer, dag-processor, API server, LocalExecutor on SQLite) serves the
whole module, in a world of its own (datasets, collections, topic, metadata database). Chromium is
driven through the UI; state is read back through the REST API, never from timing. Writes go
through the UI or the API server (never a CLI writing SQLite beside the scheduler). A screenshot
of every step lands in ``.local/screenshots/``.

The tests run in file order and build on each other (log in first; the trigger test's run is
the one later tests inspect).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from tests.browser.support import launch, wait_until
from tests.e2e.support import isolated_world

from environment import patched_environ
from nba_pipeline import processors
from nba_pipeline.config import Settings
from nba_pipeline_dev.local import stack, standalone
from nba_pipeline_dev.local.airflow_api import AirflowApi, ApiError

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

TRIGGERED = dt.date(2026, 2, 3)
SUBSET_DATE = dt.date(2026, 2, 4)
BACKFILL = [dt.date(2026, 2, 7), dt.date(2026, 2, 8), dt.date(2026, 2, 9)]
LOCKED_DATE = dt.date(2026, 2, 5)
RUN_TIMEOUT = 600
# Three full runs, their history-reading halves one after another (the cross-date guard).
BACKFILL_TIMEOUT = 1800


def shots_dir() -> Path:
    folder = stack.state_dir() / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Ui:
    def __init__(self, world, info, page):
        self.world = world
        self.url = info["url"]
        self.user, self.password = info["user"], info["password"]
        self.page = page
        self.api = AirflowApi(self.url, self.user, self.password)
        self.logged_in = False
        self.runs: dict[str, str] = {}

    def shot(self, name: str) -> Path:
        path = shots_dir() / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def log_in(self) -> None:
        page = self.page
        page.goto(self.url)
        page.wait_for_selector("input[name=username]")
        self.shot("01-login")
        page.fill("input[name=username]", self.user)
        page.fill("input[name=password]", self.password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda address: "login" not in address)
        self.logged_in = True

    def ensure_logged_in(self) -> None:
        if not self.logged_in:
            self.log_in()

    def open_dag(self, dag_id: str = "nba_pipeline") -> None:
        self.ensure_logged_in()
        self.page.goto(f"{self.url}/dags/{dag_id}")
        self.page.get_by_role("button", name="Trigger").first.wait_for()

    def open_trigger_form(self) -> None:
        self.open_dag()
        self.page.get_by_role("button", name="Trigger").first.click()
        self.page.get_by_text("What to run").click()
        self.page.locator("#element_game_date").wait_for()

    def submit_trigger(self) -> None:
        dialog = self.page.get_by_role("dialog")
        dialog.get_by_role("button", name="Trigger").last.click()

    def new_run(self, before: set[str], what: str) -> dict:
        return wait_until(what, lambda: next((r for r in self.api.runs() if r["dag_run_id"] not in before), None),
                          timeout=60)

    def finished(self, run_id: str, timeout: float = RUN_TIMEOUT) -> dict:
        return wait_until(f"run {run_id} to finish", lambda: (
            (run := self.api.run(run_id))["state"] in ("success", "failed") and run), timeout=timeout)

    def open_run(self, run_id: str) -> None:
        self.page.goto(f"{self.url}/dags/nba_pipeline/runs/{run_id}")
        self.page.get_by_text(run_id).first.wait_for()


@pytest.fixture(scope="module")
def ui(bigquery_client, tmp_path_factory):
    from playwright.sync_api import sync_playwright

    with isolated_world(bigquery_client, tmp_path_factory.mktemp("ui"), start=dt.date(2026, 1, 27),
                        end=dt.date(2026, 2, 11), name="ui") as world, \
            patched_environ({"NBA_AIRFLOW_PORT": os.environ.get("NBA_TEST_AIRFLOW_PORT", "8093"),
                             "AIRFLOW__CORE__PARALLELISM": "6"}):
        info = standalone.start(timeout=300)
        try:
            with sync_playwright() as playwright:
                browser = launch(playwright)
                try:
                    yield Ui(world, info, browser.new_page())
                finally:
                    browser.close()
        finally:
            standalone.stop()


def test_log_in(ui):
    ui.log_in()
    ui.page.goto(f"{ui.url}/dags")
    ui.page.get_by_text("nba_pipeline", exact=True).first.wait_for()
    ui.shot("02-dags")


def test_standalone_started_with_nothing_run(ui):
    """Nothing ran at start-up, before the API server answered: no run of any DAG exists."""
    assert {d["dag_id"] for d in ui.api.get("/dags?limit=50")["dags"]} >= {"nba_pipeline", "nba_health_check"}
    assert ui.api.runs() == [] and ui.api.runs("nba_health_check") == []


def test_trigger_a_date_from_the_form_and_wait_for_success(ui):
    ui.open_trigger_form()
    ui.page.locator("#element_game_date").fill(TRIGGERED.isoformat())
    ui.shot("03-trigger-form")
    before = {r["dag_run_id"] for r in ui.api.runs()}
    ui.submit_trigger()
    run = ui.new_run(before, "the triggered run")
    assert run["conf"]["game_date"] == TRIGGERED.isoformat()
    done = ui.finished(run["dag_run_id"])
    assert done["state"] == "success", done
    ui.runs["triggered"] = run["dag_run_id"]
    assert done["note"] == f"Game date {TRIGGERED} · all 10 processors wrote"
    ui.open_run(run["dag_run_id"])
    ui.page.get_by_text(f"Game date {TRIGGERED}").first.wait_for()
    ui.shot("04-run-succeeded-with-its-game-date")


def test_invalid_and_future_dates_are_refused_with_a_readable_message(ui):
    # A malformed date cannot be picked; sent anyway (REST API), the trigger itself is refused.
    with pytest.raises(ApiError) as refused:
        ui.api.post("/dags/nba_pipeline/dagRuns", {"logical_date": None, "conf": {"game_date": "2026-13-45"}})
    assert refused.value.status == 400 and "'2026-13-45' is not a 'date'" in refused.value.body
    # A future date is picked in the form: the run fails at once and its note says why.
    ui.open_trigger_form()
    ui.page.locator("#element_game_date").fill("2031-01-01")
    before = {r["dag_run_id"] for r in ui.api.runs()}
    ui.submit_trigger()
    run = ui.finished(ui.new_run(before, "the future-date run")["dag_run_id"])
    assert run["state"] == "failed"
    assert "refused: game_date 2031-01-01 is not finished yet" in run["note"], run["note"]
    states = ui.api.task_states(run["dag_run_id"])
    assert states["plan_run"] == "failed"
    assert not any(states.get(p.name) == "success" for p in processors.PROCESSORS)
    ui.open_run(run["dag_run_id"])
    ui.page.get_by_text("is not finished yet").first.wait_for()
    ui.shot("05-future-date-refused")


def test_a_processor_subset_runs_exactly_that_subset(ui):
    chosen = ["team_defense_game_summary", "player_game_summary"]
    ui.open_trigger_form()
    ui.page.locator("#element_game_date").fill(SUBSET_DATE.isoformat())
    picker = ui.page.get_by_role("combobox", name="Select one or multiple values")
    for name in chosen:
        picker.click()
        picker.press_sequentially(name)
        ui.page.get_by_role("option", name=name, exact=True).click()
    ui.page.get_by_text("Processors", exact=True).click()  # close the list
    ui.shot("06-subset-form")
    before = {r["dag_run_id"] for r in ui.api.runs()}
    ui.submit_trigger()
    run = ui.new_run(before, "the subset run")
    assert sorted(run["conf"]["processors"]) == sorted(chosen)
    done = ui.finished(run["dag_run_id"])
    assert done["state"] == "success", done
    states = ui.api.task_states(run["dag_run_id"])
    ran = {p.name for p in processors.PROCESSORS if states[p.name] == "success"}
    # player_game_summary runs although team_offense_game_summary, before it, was left out.
    assert ran == set(chosen), states
    assert states["record_phase3"] == "success" and states["record_phase4"] == "skipped"
    assert ui.api.xcom(run["dag_run_id"], "record_phase3")["records"].keys() == set(chosen)
    ui.open_run(run["dag_run_id"])
    ui.shot("07-subset-run")


def test_a_cleared_processor_task_runs_again(ui):
    run_id = ui.runs["triggered"]
    task = "team_offense_game_summary"
    first = ui.api.task(run_id, task)
    page = ui.page
    page.goto(f"{ui.url}/dags/nba_pipeline/runs/{run_id}/tasks/{task}")
    page.locator('[aria-label="Press shift+c to clear"]').first.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="Downstream").click()  # on by default: clear this task alone
    dialog.get_by_text("Affected Tasks: 1").wait_for()
    ui.shot("08-clear-dialog")
    dialog.get_by_role("button", name="Confirm").click()
    again = wait_until("the cleared task to run again", lambda: (
        (t := ui.api.task(run_id, task))["try_number"] > first["try_number"] and t["state"] in ("success", "skipped",
                                                                                               "failed") and t),
        timeout=RUN_TIMEOUT)
    # It ran (wrote under a new lease), instead of skipping as "already completed".
    assert again["state"] == "success", again
    assert ui.api.xcom(run_id, task)["fence"] > 0
    page.reload()
    page.get_by_text("Try Number").first.wait_for()
    ui.shot("08-cleared-task-ran-again")


def test_the_backfill_dialog_over_three_game_dates_processes_exactly_those_dates(ui):
    ui.open_dag()
    page = ui.page
    page.get_by_role("button", name="Trigger").first.click()
    page.get_by_text("Backfill", exact=True).click()
    pickers = page.get_by_test_id("datetime-input")
    for index, (field, day) in enumerate((("From", BACKFILL[0]), ("To", BACKFILL[-1]))):
        pickers.nth(index).click()
        # By its name: on a loaded machine the first picker's field is still open when the
        # second opens, and both have the same placeholder.
        page.get_by_role("textbox", name=field).fill(day.strftime("%Y/%m/%d"))
        page.keyboard.press("Tab")
        page.keyboard.press("Escape")
    page.get_by_text(f"{len(BACKFILL)} runs will be triggered").wait_for()
    page.locator("input[name=max_active_runs]").fill("3")
    ui.shot("09-backfill-dialog")
    page.get_by_role("button", name="Run Backfill").click()
    backfill = wait_until("the backfill", lambda: next(iter(ui.api.get("/backfills?dag_id=nba_pipeline")["backfills"]),
                                                       None), timeout=60)
    replaced = []

    def finished_runs():
        # On SQLite, Airflow answers 503 to a backfill created while others write ("not supported
        # on SQLite under concurrent access"); its scheduler was once seen to exit on the runs that
        # request left. Composer restarts a crashed scheduler; airflow standalone does not.
        if not replaced and not standalone.scheduler_running():
            replaced.append(standalone.replace_scheduler())
            print(f"\nthe standalone scheduler had exited (its traceback is in standalone.log); started another, pid {replaced[0]}")
        rs = [r for r in ui.api.runs() if r["run_type"] == "backfill"]
        return len(rs) == len(BACKFILL) and all(r["state"] in ("success", "failed") for r in rs) and rs

    runs = wait_until("the backfill's runs to finish", finished_runs, timeout=BACKFILL_TIMEOUT)
    assert backfill["dag_id"] == "nba_pipeline"
    assert [r["state"] for r in runs] == ["success"] * len(BACKFILL), runs
    planned = sorted(ui.api.xcom(r["dag_run_id"], "plan_run")["business_date"] for r in runs)
    assert planned == [d.isoformat() for d in BACKFILL]
    for run in runs:
        day = ui.api.xcom(run["dag_run_id"], "plan_run")["business_date"]
        # Airflow 3.3 names backfill runs after run_after (06:00 ET the morning after), whatever
        # the timetable: the logical date and the note carry the game date.
        assert run["logical_date"].startswith(day), run
        assert run["note"] == f"Game date {day} · all 10 processors wrote"
    ui.open_dag()
    ui.shot("10-backfill-runs")


def test_rendered_templates_of_a_processor_show_its_lock_key_and_sql(ui):
    run_id = ui.runs["triggered"]
    task = "player_game_summary"
    ui.page.goto(f"{ui.url}/dags/nba_pipeline/runs/{run_id}/tasks/{task}/rendered_templates")
    key = processors.get(task).lock_key(TRIGGERED)
    ui.page.get_by_text(key).first.wait_for(timeout=30_000)
    ui.page.get_by_text(re.compile("MERGE", re.IGNORECASE)).first.wait_for(timeout=30_000)
    ui.shot("11-rendered-templates")


def test_a_task_waiting_on_a_held_lock_shows_the_holder(ui):
    from nba_pipeline.clients import lease_store
    from nba_pipeline.lease.model import Owner

    task = "team_offense_game_summary"
    key = processors.get(task).lock_key(LOCKED_DATE)
    store = lease_store()
    holder = Owner(dag_id="legacy", run_id="cloud-run-7", task_id="TeamOffenseGameSummaryProcessor",
                   host="legacy-host-7", pid=4242)
    lease = store.acquire(key, holder, processor="TeamOffenseGameSummaryProcessor")
    try:
        before = {r["dag_run_id"] for r in ui.api.runs()}
        ui.api.post("/dags/nba_pipeline/dagRuns", {"logical_date": None, "conf": {
            "game_date": LOCKED_DATE.isoformat(), "processors": [task]}})
        run_id = ui.new_run(before, "the run that waits for the lock")["dag_run_id"]
        wait_until("the processor to wait (deferred) for the lock",
                   lambda: ui.api.task(run_id, task)["state"] == "deferred", timeout=RUN_TIMEOUT)
        ui.page.goto(f"{ui.url}/dags/nba_pipeline/runs/{run_id}/tasks/{task}")
        # The waiting task's log names who holds the lock.
        ui.page.get_by_text(holder.execution_id).first.wait_for(timeout=60_000)
        ui.shot("12-waiting-for-the-lock-holder")
    finally:
        store.release(lease)
    # Once seen on a loaded machine: the trigger took the lease and fired before the scheduler
    # had handled the task's deferral, and the scheduler failed that try as "changed externally"
    # (apache/airflow#71580). The lease it took is then held by a try that can no longer run,
    # and the retry takes it over only after retry_takeover_seconds, as for any older try.
    takeover = Settings().lease_policy().retry_takeover_seconds
    run = ui.finished(run_id, timeout=RUN_TIMEOUT + takeover)
    tries = ui.api.task(run_id, task)["try_number"]
    if tries > 1:
        print(f"\n{task} needed try {tries}: see the scheduler's 'state changed externally' in standalone.log")
    assert run["state"] == "success"


def test_the_health_page_renders_its_grid(ui, bigquery_client, firestore_client):
    from nba_pipeline.health import run_health

    dates = [TRIGGERED, SUBSET_DATE, *BACKFILL]
    report = run_health(bigquery_client, firestore_client, dates)
    page_file = shots_dir() / "health.html"
    page_file.write_text(report.to_html())
    ui.page.goto(page_file.as_uri())
    grid = ui.page.locator("table").first
    grid.wait_for()
    text = grid.inner_text()
    for day in dates:
        assert day.isoformat() in text or day.strftime("%m-%d") in text, text[:2000]
    ui.shot("13-health-grid")


def test_nothing_was_scheduled_by_itself(ui):
    """After the DAG was turned on and backfilled, the local Airflow still ran only what was asked for."""
    from nba_pipeline.clients import firestore_client
    from nba_pipeline.completion import CompletionStore
    from nba_pipeline.run_dates import eastern_date

    kinds = {r["run_type"] for dag in ("nba_pipeline", "nba_health_check") for r in ui.api.runs(dag)}
    assert kinds <= {"manual", "backfill"}, kinds
    # No "no games" record for a real date the seeded data does not cover.
    yesterday = eastern_date(dt.datetime.now(dt.timezone.utc)) - dt.timedelta(days=1)
    assert CompletionStore(firestore_client()).get(3, yesterday) is None
