"""Airflow's public REST API (``/api/v2``) on the local standalone, with a token from the simple auth manager.

Writes to the metadata database go through the API server (whose SQLite connection waits for the
scheduler's writes) rather than through a CLI process writing the same SQLite file beside it.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request


class ApiError(RuntimeError):
    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"HTTP {status}: {body[:2000]}")
        self.status = status
        self.body = body


def _quote(value: str) -> str:
    return urllib.request.quote(value, safe="")


class AirflowApi:
    """The public REST API (``/api/v2``) with a token from the simple auth manager."""

    def __init__(self, base_url: str, user: str, password: str) -> None:
        self.base_url = base_url
        body = self._call("POST", "/auth/token", {"username": user, "password": password}, token=None)
        self.token = body["access_token"]

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
        return self._call("GET", f"/api/v2{path}", token=self.token)

    def post(self, path: str, payload):
        return self._call("POST", f"/api/v2{path}", payload, token=self.token)

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
        return self._call("PATCH", f"/api/v2{path}", payload, token=self.token)

    @classmethod
    def local(cls) -> AirflowApi:
        """The API of ``bin/airflow-standalone`` (``standalone.start()``)."""
        from nba_pipeline_dev.local import standalone

        user, password = standalone.credentials()
        return cls(standalone.url(), user, password)
