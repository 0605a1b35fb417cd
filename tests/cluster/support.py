"""The fault tests' cluster: one multi-worker Airflow per test module, in a world of its own.

The world (datasets, collections, topic, raw data) is made first, because every Airflow process
of the cluster reads those names from its environment when it starts. A reference warehouse,
seeded with the same raw data, is run processor by processor in date order: what a clean
sequential run writes, for the tables to be compared with.

Processor SQL for the cluster comes from a copy of ``include/sql`` in which one processor's
MERGE source also waits for ``merge_delays``: a test table of rounds per target date spent in a
recursive CTE before the MERGE can write. An empty table (the default) changes nothing; rounds
for one date make that one MERGE slow enough to be caught running.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.e2e.support import isolated_world, pipeline_hashes
from tests.sql.helpers import duplicate_keys, isolated_warehouse, run_phase, seed_dates, table_id

from environment import patched_environ
from nba_pipeline import processors
from nba_pipeline.clients import lease_store
from nba_pipeline_dev.local import airflow_env, cluster, stack
from nba_pipeline_dev.local.airflow_api import AirflowApi, wait_until

DAG_ID = "nba_pipeline"
SLOW_PROCESSOR = "team_defense_game_summary"
POLICY_DIR = Path(__file__).resolve().parent / "policy"
# Short lease timings and Airflow liveness checks, so lost leases and dead workers are judged
# within a minute; the production defaults are minutes. Self-fence after min(60, 600) - 5 = 55 s
# without a renewal; a retry takes over its older try after 55 + 5 = 60 s of silence.
FAULT_ENV = {
    "NBA_LEASE_SECONDS": "60",
    "NBA_LEASE_RENEW_SECONDS": "3",
    "NBA_LEASE_MARGIN_SECONDS": "5",
    "NBA_FIRESTORE_TIMEOUT_SECONDS": "3",
    "NBA_RAW_POKE_SECONDS": "2",
    "NBA_TEST_RETRY_DELAY_SECONDS": "5",
    # A task whose worker died is failed (and retried) after 30 s without a task heartbeat.
    "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "30",
    "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "5",
    # A task the killed worker had received but not started stays queued (no heartbeat to miss)
    # until the scheduler revokes and re-queues it: 120 s, not the default 600 s.
    "AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT": "120",
    "AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT_CHECK_INTERVAL": "10",
    "AIRFLOW__CORE__PARALLELISM": "8",
}
SELF_FENCE_SECONDS = 55
RETRY_TAKEOVER_SECONDS = 60


# The spin: each round re-reads its bound from ``merge_delays`` (that read is most of its cost).
SPIN = ("(WITH RECURSIVE spin AS (SELECT 0 AS i UNION ALL SELECT i + 1 FROM spin WHERE i < "
        "(SELECT IFNULL(MAX(rounds), 0) FROM `{merge_delays}` WHERE target_date = @target_date)) "
        "SELECT MAX(i) FROM spin)")
PROBE_DATE = dt.date(1900, 1, 1)


def slow_sql_root(target: Path, processor_name: str = SLOW_PROCESSOR) -> Path:
    """A copy of include/sql whose ``processor_name`` source SELECT first spins ``merge_delays`` rounds,
    and waits in the emulator while its hold file exists (``hold_merge``).

    The processor file holds only the source SELECT; the rendered, fenced MERGE around it (the
    template, the guard on the fence watermark) stays the shipped one.
    """
    from nba_pipeline.sql import sql_root

    shutil.copytree(sql_root(), target)
    path = target / processors.get(processor_name).sql_path
    source = path.read_text().rstrip().rstrip(";")
    spin = SPIN.replace("{merge_delays}", "${project}.${raw_dataset}.merge_delays")
    path.write_text(f"/* nba:hold={processor_name} */\nSELECT * FROM (\n{source}\n) WHERE {spin} >= 0\n")
    return target


def hold_merge(processor_name: str = SLOW_PROCESSOR) -> Path:
    """From now on the processor's MERGE waits in the emulator (its insert call stays out) until
    ``release_merge``: a job in flight for exactly as long as a test needs, whatever the machine's speed."""
    path = stack.bigquery_hold_dir() / processor_name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    return path


def release_merge(processor_name: str = SLOW_PROCESSOR) -> None:
    (stack.bigquery_hold_dir() / processor_name).unlink(missing_ok=True)


def create_delay_table(client) -> None:
    client.query(f"CREATE TABLE IF NOT EXISTS `{table_id('merge_delays', 'raw')}` "
                 "(target_date DATE, rounds INT64)").result()


def delay_merge(client, target_date: dt.date, rounds: int) -> None:
    """Make the slow processor's MERGE for ``target_date`` spin ``rounds`` rounds first."""
    client.query(f"INSERT INTO `{table_id('merge_delays', 'raw')}` (target_date, rounds) "
                 f"VALUES (DATE '{target_date.isoformat()}', {int(rounds)})").result()


@dataclass
class Reference:
    """A clean warehouse run one processor at a time: what the tables should be.

    Dates are run in the order the cluster ran them (each call's dates in date order, after
    the dates of earlier calls), because a date's history-reading steps see what ran before it.
    """

    client: object
    env: dict[str, str]
    done: list[dt.date] = field(default_factory=list)

    def hashes(self, dates: list[dt.date]) -> dict[str, str]:
        with patched_environ(self.env):
            for day in sorted(dates):
                if day not in self.done:
                    run_phase(self.client, 3, day)
                    run_phase(self.client, 4, day)
                    self.done.append(day)
            return pipeline_hashes(self.client, dates)


@dataclass
class ClusterWorld:
    client: object
    api: AirflowApi
    world: object
    reference: Reference
    env: dict[str, str]
    seconds_to_start: float

    def store(self):
        return lease_store()

    def hashes(self, dates: list[dt.date]) -> dict[str, str]:
        return pipeline_hashes(self.client, dates)

    def assert_tables_equal_reference(self, dates: list[dt.date]) -> None:
        expected = self.reference.hashes(dates)
        actual = self.hashes(dates)
        different = sorted(k for k in expected if expected[k] != actual.get(k))
        assert not different, f"tables differ from a clean sequential run: {different}"

    def assert_no_duplicates(self) -> None:
        for p in processors.PROCESSORS:
            assert duplicate_keys(self.client, p.name) == [], f"duplicate merge keys in {p.table}"

    def task_log(self, run_id: str, task_id: str, attempt: int) -> Path:
        home = Path(self.env["AIRFLOW_HOME"])
        return home / "logs" / f"dag_id={DAG_ID}" / f"run_id={run_id}" / f"task_id={task_id}" / f"attempt={attempt}.log"


def _at(event: dict) -> dt.datetime:
    return dt.datetime.fromisoformat(event["at"])


def lease_history(store, key: str) -> dict:
    """Grants, releases, renewals and refusals of ``key`` from the audit, checked for overlaps.

    Returns ``intervals`` (holder, fence, granted at, ended at, how it ended, last renewal),
    ``refusals`` and ``renewals``. Fails when a grant happens while another holder's lease is
    open (a takeover is a grant that ends the previous interval), when fences do not strictly
    increase, when a holder renews after its interval ended, or when the key is left held.
    A ``recover`` (the same try finding its own grant) continues its interval.
    """
    events = sorted(store.audit_log(key, limit=2000), key=_at)
    intervals, refusals, renewals, open_interval = [], [], 0, None
    for event in events:
        kind, holder = event["event"], event.get("execution_id")
        if kind in ("acquire", "takeover"):
            if open_interval is not None:
                assert kind == "takeover", f"{key}: {holder} acquired while {open_interval['holder']} held it"
                open_interval.update(ended=_at(event), how="taken over")
                intervals.append(open_interval)
            open_interval = {"holder": holder, "fence": event["fence"], "granted": _at(event),
                             "ended": None, "how": None, "kind": kind, "last_renewal": _at(event),
                             "renewals": 0}
        elif kind == "recover":
            assert open_interval is not None and open_interval["fence"] == event["fence"], (key, event)
        elif kind == "renew":
            renewals += 1
            assert open_interval is not None and open_interval["fence"] == event["fence"], (
                f"{key}: fence {event['fence']} renewed outside its interval")
            open_interval["last_renewal"] = _at(event)
            open_interval["renewals"] += 1
        elif kind in ("release", "force_release"):
            if open_interval is not None and (kind == "force_release" or open_interval["fence"] == event["fence"]):
                open_interval.update(ended=_at(event), how=kind)
                intervals.append(open_interval)
                open_interval = None
        elif kind in ("refusal", "lost_to_legacy"):
            refusals.append(event)
    assert open_interval is None, f"{key} left held by {open_interval['holder']}"
    fences = [i["fence"] for i in intervals]
    assert fences == sorted(fences) and len(set(fences)) == len(fences), (key, fences)
    for earlier, later in zip(intervals, intervals[1:]):
        assert earlier["ended"] <= later["granted"], f"{key}: lease intervals overlap: {earlier} {later}"
    return {"intervals": intervals, "refusals": refusals, "renewals": renewals}


def report_intervals(histories: dict[str, dict], keys) -> None:
    """Print each key's lease intervals: fence, how granted, holder, seconds held, renewals, how ended."""
    for key in keys:
        for i in histories[key]["intervals"]:
            held = (i["ended"] - i["granted"]).total_seconds()
            print(f"  {key} fence {i['fence']} {i['kind']} by {i['holder']}: held {held:.1f} s, "
                  f"{i['renewals']} renewals, ended by {i['how']}")


def wait_for(predicate, *, timeout: float, interval: float = 0.5, what: str):
    return wait_until(predicate, timeout=timeout, interval=interval, what=what)


@contextlib.contextmanager
def cluster_world(client, tmp: Path, *, start: dt.date, end: dt.date, name: str = "cluster",
                  extra_env: dict[str, str] | None = None):
    """Seeded world and reference, then the cluster started in it; stopped and cleaned up after."""
    with contextlib.ExitStack() as stack:
        world = stack.enter_context(isolated_world(client, tmp / "world", start=start, end=end, name=name))
        create_delay_table(client)
        world_env = dict(os.environ)
        # The reference: its own datasets with the same raw data (entered and left at once,
        # so the world's names are current again; its datasets live until the module ends).
        reference_env = stack.enter_context(_reference_warehouse(client, start, end))
        # Not under pytest's private temporary folder: Postgres runs as its own user.
        cluster_dir = Path(tempfile.mkdtemp(prefix="nba-cluster-"))
        cluster_dir.chmod(0o755)
        stack.callback(shutil.rmtree, cluster_dir, True)
        # Component and task logs outlive the cluster, beside the test's other files.
        stack.callback(shutil.copytree, cluster_dir, tmp / "cluster-logs", ignore=shutil.ignore_patterns("postgres"),
                       dirs_exist_ok=True)
        values = {
            **FAULT_ENV,
            "NBA_CLUSTER_DIR": str(cluster_dir),
            "NBA_SQL_ROOT": str(slow_sql_root(tmp / "sql")),
            "PYTHONPATH": os.pathsep.join(p for p in (str(POLICY_DIR), world_env.get("PYTHONPATH", "")) if p),
            **(extra_env or {}),
        }
        stack.enter_context(patched_environ(values))
        stack.callback(cluster.stop)
        began = time.monotonic()
        info = cluster.start()
        seconds = round(time.monotonic() - began, 1)
        api = AirflowApi(info["url"], info["user"], info["password"])
        wait_until(api.dag_parsed, timeout=180, what=f"{DAG_ID} parsed")
        yield ClusterWorld(client, api, world, Reference(client, reference_env), cluster.env(), seconds)


@contextlib.contextmanager
def _reference_warehouse(client, start: dt.date, end: dt.date):
    saved = dict(os.environ)
    with isolated_warehouse(client):
        seed_dates(client, start, end)
        reference = {name: os.environ[name] for name in os.environ if name.endswith("_DATASET")}
        os.environ.update({name: saved[name] for name in reference if name in saved})
        try:
            # The reference runs the shipped SQL, not the cluster's copy with the delay.
            from nba_pipeline.sql import sql_root

            yield {**reference, "NBA_SQL_ROOT": str(sql_root())}
        finally:
            os.environ.update(reference)


def run_ids(runs: list[dict]) -> list[str]:
    return [r["dag_run_id"] for r in runs]


def airflow_home() -> Path:
    return airflow_env.airflow_home(cluster=True)


def backfill_dates(backfill_id: int) -> dict[str, dict]:
    """What Airflow decided for each logical date of a backfill (its ``backfill_dag_run`` rows).

    ``exception_reason`` says why a date got no run (``in flight``: a run of that logical date
    was still running); the REST API does not show it.
    """
    import psycopg2

    connection = psycopg2.connect(
        host="127.0.0.1", port=airflow_env.cluster_ports()["postgres"], user=airflow_env.POSTGRES_USER,
        password=airflow_env.POSTGRES_PASSWORD, dbname=airflow_env.POSTGRES_DB, connect_timeout=5,
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT b.logical_date, b.exception_reason, r.run_id FROM backfill_dag_run b "
                "LEFT JOIN dag_run r ON r.id = b.dag_run_id WHERE b.backfill_id = %s ORDER BY b.sort_ordinal",
                (backfill_id,),
            )
            rows = cursor.fetchall()
    finally:
        connection.close()
    return {day.isoformat(): {"exception_reason": reason, "run_id": run_id} for day, reason, run_id in rows}


def _spin_seconds(client, rounds: int) -> float:
    """Seconds the MERGE's spin takes for ``rounds``, measured with the same SQL on a probe date."""
    from google.cloud import bigquery

    delays = table_id("merge_delays", "raw")
    client.query(f"DELETE FROM `{delays}` WHERE target_date = DATE '{PROBE_DATE}'").result()
    delay_merge(client, PROBE_DATE, rounds)
    config = bigquery.QueryJobConfig(query_parameters=[bigquery.ScalarQueryParameter("target_date", "DATE", PROBE_DATE)])
    job = client.query(f"SELECT {SPIN.replace('{merge_delays}', delays)} AS i", job_config=config)
    job.result()
    # The job's own times: the emulator runs one statement at a time, and a wall clock here
    # would count the wait behind other tasks' statements (the probe then sized the spin short).
    return (job.ended - job.started).total_seconds()


def merge_rounds_for(client, seconds: float) -> int:
    """Rounds of the slow-MERGE spin that take about ``seconds`` on this machine now.

    The probe runs the MERGE's own spin and grows until it takes a tenth of the target; the
    rest is extrapolated from there. Tests wait for observed states; this only sizes the window.
    """
    rounds = 1000
    while True:
        took = _spin_seconds(client, rounds)
        if took >= seconds / 10 or rounds >= 4_000_000:
            return max(1000, int(rounds * seconds / max(took, 0.05)))
        rounds *= 4


def clear_merge_delays(client) -> None:
    client.query(f"DELETE FROM `{table_id('merge_delays', 'raw')}` WHERE TRUE").result()


def rounds_of(client, target_date: dt.date) -> int:
    rows = list(client.query(f"SELECT IFNULL(MAX(rounds), 0) AS r FROM `{table_id('merge_delays', 'raw')}` "
                             f"WHERE target_date = DATE '{target_date}'").result())
    return int(rows[0]["r"])


def log_has(path: Path, text: str) -> bool:
    try:
        return text in path.read_text(errors="replace")
    except OSError:
        return False
