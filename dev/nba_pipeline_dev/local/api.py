"""A small client of Airflow's REST API (``/api/v2``): what the UI does, from Python.

Used against the local cluster by the tests and the benchmark: trigger a date, create a
backfill as the backfill dialog does, read runs and task instances.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

FINISHED = ("success", "failed")


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


class AirflowApiError(RuntimeError):
    """The API answered with an error status; the message has the status and body."""


class AirflowApi:
    """Log in with the simple auth manager's user and password, then call ``/api/v2``."""

    def __init__(self, url: str, user: str, password: str, *, timeout: float = 30.0):
        self.url = url.rstrip("/")
        self.user = user
        self.password = password
        self.timeout = timeout
        self._token: str | None = None

    def _request(self, method: str, path: str, body: Any = None, *, auth: bool = True) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.url}{path}", data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if auth:
            request.add_header("Authorization", f"Bearer {self.token()}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                payload = response.read()
        except urllib.error.HTTPError as error:
            if error.code == 401 and auth and self._token is not None:
                self._token = None  # expired: log in again once
                return self._request(method, path, body, auth=auth)
            raise AirflowApiError(f"{method} {path}: HTTP {error.code} {error.read().decode(errors='replace')[:2000]}") from None
        return json.loads(payload) if payload else None

    def token(self) -> str:
        if self._token is None:
            answer = self._request("POST", "/auth/token", {"username": self.user, "password": self.password}, auth=False)
            self._token = answer["access_token"]
        return self._token

    def get(self, path: str, **query: Any) -> Any:
        suffix = f"?{urllib.parse.urlencode(query, doseq=True)}" if query else ""
        return self._request("GET", f"/api/v2{path}{suffix}")

    def post(self, path: str, body: Any) -> Any:
        return self._request("POST", f"/api/v2{path}", body)

    def patch(self, path: str, body: Any) -> Any:
        return self._request("PATCH", f"/api/v2{path}", body)

    # -- what the UI does ------------------------------------------------------------------

    def dag_parsed(self, dag_id: str) -> bool:
        try:
            self.get(f"/dags/{dag_id}")
        except AirflowApiError as error:
            if "HTTP 404" in str(error):
                return False
            raise
        return True

    def set_paused(self, dag_id: str, paused: bool) -> dict:
        """The pause toggle of the DAG list."""
        return self.patch(f"/dags/{dag_id}", {"is_paused": paused})

    def trigger(self, dag_id: str, *, conf: dict | None = None, logical_date: str | None = None,
                run_id: str | None = None) -> dict:
        """The trigger form: a manual run (no logical date unless given)."""
        body: dict[str, Any] = {"conf": conf or {}, "logical_date": logical_date}
        if run_id:
            body["dag_run_id"] = run_id
        return self.post(f"/dags/{dag_id}/dagRuns", body)

    def backfill(self, dag_id: str, from_date: str, to_date: str, *, max_active_runs: int = 3,
                 reprocess_behavior: str = "none", conf: dict | None = None) -> dict:
        """The backfill dialog."""
        return self.post("/backfills", {
            "dag_id": dag_id, "from_date": from_date, "to_date": to_date, "max_active_runs": max_active_runs,
            "reprocess_behavior": reprocess_behavior, "dag_run_conf": conf or {}, "run_backwards": False,
        })

    def runs(self, dag_id: str) -> list[dict]:
        return self.get(f"/dags/{dag_id}/dagRuns", limit=100, order_by="id")["dag_runs"]

    def run(self, dag_id: str, run_id: str) -> dict:
        return self.get(f"/dags/{dag_id}/dagRuns/{urllib.parse.quote(run_id, safe='')}")

    def task_instances(self, dag_id: str, run_id: str) -> list[dict]:
        return self.get(f"/dags/{dag_id}/dagRuns/{urllib.parse.quote(run_id, safe='')}/taskInstances",
                        limit=100)["task_instances"]

    def tries(self, dag_id: str, run_id: str, task_id: str) -> list[dict]:
        """Every try of one task instance (hostname, state, start and end of each)."""
        path = (f"/dags/{dag_id}/dagRuns/{urllib.parse.quote(run_id, safe='')}/taskInstances/"
                f"{task_id}/tries")
        return self.get(path)["task_instances"]

    def wait(self, predicate, *, timeout: float, interval: float = 2.0, what: str = "a condition"):
        return wait_until(predicate, timeout=timeout, interval=interval, what=what)

    def wait_for_runs(self, dag_id: str, run_ids: list[str], *, timeout: float) -> dict[str, dict]:
        """Wait until every run has finished; their final records by run id."""
        def finished():
            found = {r["dag_run_id"]: r for r in self.runs(dag_id) if r["dag_run_id"] in run_ids}
            if len(found) == len(run_ids) and all(r["state"] in FINISHED for r in found.values()):
                return found
            return None
        return self.wait(finished, timeout=timeout, what=f"runs {run_ids} finished")
