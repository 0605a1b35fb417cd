"""The incident, replayed: two runs of one date at the same moment, from two separate Airflows.

Each run has its own Airflow metadata database (like a scheduled run on Composer and a second
environment, or a person's local run), and they share only Firestore and BigQuery. A third
party holds one lock first, so both runs are certain to queue for it and race when it frees.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from tests.e2e.support import isolated_world
from tests.e2e.test_pipeline_dag import lease_store
from tests.sql.helpers import duplicate_keys

from environment import patched_environ
from nba_pipeline import processors
from nba_pipeline.lease import Owner
from nba_pipeline_dev.local import airflow_env
from nba_pipeline_dev.local.runs import run_dates

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

DAY = dt.date(2026, 2, 5)


def wait_for_waiters(store, key: str, *, count: int, alive, timeout: float = 600.0) -> set[str]:
    """The processes whose acquire of ``key`` was refused, once ``count`` of them are seen (or the deadline)."""
    deadline = time.monotonic() + timeout
    waiters: set[str] = set()
    while time.monotonic() < deadline and alive():
        waiters = {e["instance"] for e in store.audit_log(key, limit=500)
                   if e["event"] == "refusal" and e.get("action") == "acquire"
                   and (e.get("owner") or {}).get("dag_id") == "nba_pipeline"}
        if len(waiters) >= count:
            break
        time.sleep(0.5)
    return waiters


def test_two_runs_of_one_date_never_overlap_and_write_no_duplicates(bigquery_client, tmp_path):
    with isolated_world(bigquery_client, tmp_path, start=dt.date(2026, 1, 27), end=dt.date(2026, 2, 7),
                        name="race"):
        store = lease_store()
        blocked = processors.get("team_offense_game_summary").lock_key(DAY)
        blocker = store.acquire(blocked, Owner("legacy_cloud_run", "manual", "TeamOffenseGameSummaryProcessor"),
                                lease_seconds=900)
        envs = []
        for name in ("first", "second"):
            with patched_environ({"NBA_AIRFLOW_HOME": str(tmp_path / name)}):
                envs.append(airflow_env.airflow_env())
                airflow_env.ensure_db(envs[-1])
        outcomes: dict[int, list] = {}
        threads = [threading.Thread(target=lambda i=i: outcomes.setdefault(i, run_dates([DAY], env=envs[i],
                                                                                       conf={"force": True})))
                   for i in range(2)]
        for thread in threads:
            thread.start()
        # Hold the lock until both runs are seen waiting for it (their refused acquires in the
        # audit), then free it: they race for it.
        waiters = wait_for_waiters(store, blocked, count=2, alive=lambda: any(t.is_alive() for t in threads))
        assert len(waiters) == 2, f"expected both runs to wait for {blocked}, saw {waiters}"
        assert store.release(blocker)
        for thread in threads:
            thread.join(timeout=900)
        states = [outcomes[i][0]["state"] for i in range(2)]
        assert states == ["success", "success"], [outcomes[i][0].get("log", "")[-3000:] for i in range(2)]

        for p in processors.PROCESSORS:
            assert duplicate_keys(bigquery_client, p.name) == [], p.name

        waited = 0
        for p in processors.PROCESSORS:
            key = p.lock_key(DAY)
            events = sorted(store.audit_log(key, limit=500), key=lambda e: e["at"])
            holder = None
            for event in events:
                who = event.get("execution_id")
                if event["event"] in ("acquire", "takeover"):
                    assert holder is None or event["event"] == "takeover", f"{key}: {who} acquired while {holder} held it"
                    holder = who
                elif event["event"] in ("release", "force_release"):
                    holder = None
                elif event["event"] == "refusal" and event.get("action") == "acquire":
                    waited += 1
            assert holder is None, f"{key} left held by {holder}"
            grants = [e for e in events if e["event"] in ("acquire", "takeover")]
            fences = [e["fence"] for e in grants]
            assert fences == sorted(fences) and len(set(fences)) == len(fences), (key, fences)
        assert waited >= 2, "both runs should have found the blocked lock held and waited"
