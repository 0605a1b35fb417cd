"""Driving the Airflow UI with Playwright and Debian's Chromium, and reading state through the REST API.

Playwright's own browser download cannot work on a closed network: the tests launch the system
Chromium (``apt-get install chromium``; ``bin/setup`` installs it) and fail saying so when it is missing.
"""

from __future__ import annotations

import shutil
import tempfile
import time
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
