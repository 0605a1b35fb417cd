"""Driving the Airflow UI with Playwright and Debian's Chromium, and reading state through the REST API.

Playwright's own browser download cannot work on a closed network: the tests launch the system
Chromium (``apt-get install chromium``; ``bin/setup`` installs it) and fail saying so when it is missing.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking switches Chromium's own connections are refused on a closed
# network and slow every page down.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def chromium_path() -> str:
    found = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if not found:
        pytest.fail("Chromium is not installed: run bin/setup, or `apt-get install chromium` (Debian)", pytrace=False)
    return found


def launch(playwright, *, timezone: str = "America/New_York"):
    """A fresh Chromium profile; the browser's timezone is the person's (the dialogs read it)."""
    profile = tempfile.mkdtemp(prefix="nba-chromium-")
    return playwright.chromium.launch_persistent_context(
        profile, executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS,
        viewport={"width": 1440, "height": 1000}, timezone_id=timezone,
    )


def wait_until(what: str, check, *, timeout: float = 300.0, every: float = 2.0):
    """Poll ``check()`` until it returns something truthy; fail naming ``what`` and the last value."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}; last seen: {last!r}")


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
        return self.get(f"/dags/{dag_id}/dagRuns/{urllib.request.quote(run_id, safe='')}")

    def task_states(self, run_id: str, dag_id: str = "nba_pipeline") -> dict[str, str]:
        path = f"/dags/{dag_id}/dagRuns/{urllib.request.quote(run_id, safe='')}/taskInstances?limit=100"
        return {t["task_id"]: t["state"] for t in self.get(path)["task_instances"]}

    def task(self, run_id: str, task_id: str, dag_id: str = "nba_pipeline") -> dict:
        return self.get(f"/dags/{dag_id}/dagRuns/{urllib.request.quote(run_id, safe='')}/taskInstances/{task_id}")

    def xcom(self, run_id: str, task_id: str, dag_id: str = "nba_pipeline"):
        path = (f"/dags/{dag_id}/dagRuns/{urllib.request.quote(run_id, safe='')}/taskInstances/{task_id}"
                "/xcomEntries/return_value?deserialize=true")
        return self.get(path)["value"]


class ApiError(RuntimeError):
    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"HTTP {status}: {body[:2000]}")
        self.status = status
        self.body = body
