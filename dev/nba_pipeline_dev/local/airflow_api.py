"""Airflow's public REST API (``/api/v2``) on the local standalone or cluster, with a token from the simple auth manager.

What the UI does, from Python: trigger a date, create a backfill as the dialog does, pause and
unpause, read runs, task instances and their tries. Writes to the metadata database go through
the API server (whose SQLite connection waits for the scheduler's writes) rather than through a
CLI process writing the same SQLite file beside it.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.error
import urllib.request

FINISHED = ("success", "failed")


class ApiError(RuntimeError):
    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"HTTP {status}: {body[:2000]}")
        self.status = status
        self.body = body


def _quote(value: str) -> str:
    return urllib.request.quote(value, safe="")


def wait_until(predicate, *, timeout: float, interval: float = 2.0, what: str = "a condition"):
    """Poll ``predicate()`` until it returns something truthy; ``TimeoutError`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not seen within {timeout:.0f} s")
        time.sleep(interval)


class AirflowApi:
    """The public REST API (``/api/v2``) with a token from the simple auth manager."""

    def __init__(self, base_url: str, user: str, password: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._login = {"username": user, "password": password}
        self.token = self._call("POST", "/auth/token", self._login, token=None)["access_token"]

    def _authorized(self, method: str, path: str, payload=None):
        try:
            return self._call(method, path, payload, token=self.token)
        except ApiError as error:
            if error.status != 401:
                raise
            # The token expired (a long test or backfill): log in again, once.
            self.token = self._call("POST", "/auth/token", self._login, token=None)["access_token"]
            return self._call(method, path, payload, token=self.token)

    def _call(self, method: str, path: str, payload=None, *, token: str | None):
        request = urllib.request.Request(
            f"{self.base_url}{path}", method=method,
            data=None if payload is None else json.dumps(payload).encode(),
            headers={"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                raw = response.read()
        except urllib.error.HTTPError as error:
            raise ApiError(error.code, error.read().decode(errors="replace")) from None
        return json.loads(raw) if raw else None

    def get(self, path: str):
        return self._authorized("GET", f"/api/v2{path}")

    def post(self, path: str, payload):
        return self._authorized("POST", f"/api/v2{path}", payload)

    def runs(self, dag_id: str = "nba_pipeline") -> list[dict]:
        return self.get(f"/dags/{dag_id}/dagRuns?limit=100&order_by=-run_after")["dag_runs"]

    def run(self, run_id: str, dag_id: str = "nba_pipeline") -> dict:
        return self.get(f"/dags/{dag_id}/dagRuns/{_quote(run_id)}")

    def task_states(self, run_id: str, dag_id: str = "nba_pipeline") -> dict[str, str]:
        path = f"/dags/{dag_id}/dagRuns/{_quote(run_id)}/taskInstances?limit=100"
        return {t["task_id"]: t["state"] for t in self.get(path)["task_instances"]}

    def task(self, run_id: str, task_id: str, dag_id: str = "nba_pipeline") -> dict:
        return self.get(f"/dags/{dag_id}/dagRuns/{_quote(run_id)}/taskInstances/{task_id}")

    def xcom(self, run_id: str, task_id: str, dag_id: str = "nba_pipeline"):
        path = (f"/dags/{dag_id}/dagRuns/{_quote(run_id)}/taskInstances/{task_id}"
                "/xcomEntries/return_value?deserialize=true")
        return self.get(path)["value"]

    def patch(self, path: str, payload):
        return self._authorized("PATCH", f"/api/v2{path}", payload)

    def task_instances(self, run_id: str, dag_id: str = "nba_pipeline") -> list[dict]:
        return self.get(f"/dags/{dag_id}/dagRuns/{_quote(run_id)}/taskInstances?limit=100")["task_instances"]

    def tries(self, run_id: str, task_id: str, dag_id: str = "nba_pipeline") -> list[dict]:
        """Every try of one task instance (hostname, state, start and end of each)."""
        return self.get(f"/dags/{dag_id}/dagRuns/{_quote(run_id)}/taskInstances/{task_id}/tries")["task_instances"]

    def dag_parsed(self, dag_id: str = "nba_pipeline") -> bool:
        """Whether the dag-processor has put ``dag_id`` into the metadata database."""
        try:
            self.get(f"/dags/{dag_id}")
        except ApiError as error:
            if error.status != 404:
                raise
            return False
        return True

    def set_paused(self, paused: bool, dag_id: str = "nba_pipeline") -> dict:
        """The pause toggle of the DAG list."""
        return self.patch(f"/dags/{dag_id}", {"is_paused": paused})

    def trigger(self, conf: dict | None = None, dag_id: str = "nba_pipeline") -> dict:
        """The trigger form: a manual run (no logical date; the date comes in ``conf``)."""
        return self.post(f"/dags/{dag_id}/dagRuns", {"conf": conf or {}, "logical_date": None})

    def backfill(self, first: dt.date, last: dt.date, *, max_active_runs: int = 3,
                 dag_id: str = "nba_pipeline") -> dict:
        """The backfill dialog over game days ``first``..``last`` (bare dates: each names its game day)."""
        return self.post("/backfills", {
            "dag_id": dag_id, "from_date": f"{first}T00:00:00Z", "to_date": f"{last}T00:00:00Z",
            "max_active_runs": max_active_runs, "reprocess_behavior": "none", "run_backwards": False,
        })

    def wait_for_runs(self, run_ids: list[str], *, timeout: float, dag_id: str = "nba_pipeline") -> dict[str, dict]:
        """Wait until every run has finished; their final records by run id."""
        def finished():
            found = {r["dag_run_id"]: r for r in self.runs(dag_id) if r["dag_run_id"] in run_ids}
            if len(found) == len(run_ids) and all(r["state"] in FINISHED for r in found.values()):
                return found
            return None
        return wait_until(finished, timeout=timeout, what=f"runs {run_ids} finished")

    @classmethod
    def local(cls) -> AirflowApi:
        """The API of ``bin/airflow-standalone`` (``standalone.start()``)."""
        from nba_pipeline_dev.local import standalone

        user, password = standalone.credentials()
        return cls(standalone.url(), user, password)
