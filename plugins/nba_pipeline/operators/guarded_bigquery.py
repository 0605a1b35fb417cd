"""One task that takes a lease, runs a fenced BigQuery job under it, and always gives it back."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow.providers.google.cloud.links.bigquery import BigQueryJobDetailLink, BigQueryTableLink
from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowException, AirflowFailException, AirflowSkipException

from nba_pipeline.fencing import FENCE_PARAMETER, with_fence
from nba_pipeline.hooks.firestore_lock import LockHookMixin, LockSettings
from nba_pipeline.triggers.firestore_lock import FirestoreLockTrigger, LeaseGuardedBigQueryJobTrigger

if TYPE_CHECKING:
    from airflow.providers.google.cloud.hooks.bigquery import BigQueryHook
    from airflow.sdk import Context

    from nba_pipeline.lease import Lease, LeaseHeartbeat

LOCK_TIMEOUT_ACTIONS = ("fail", "skip")
# XCom keys that let a resumed or failed try find what the deferred one left running.
LEASE_XCOM_KEY = "lease"
JOB_XCOM_KEY = "bigquery_job_id"
# Kept in XCom, not in defer kwargs: ``dag.test()`` resumes a task with the event alone.
WAIT_XCOM_KEY = "lock_wait_started_at"
WAITED_XCOM_KEY = "lease_wait_seconds"
TRIGGER_FAIL = "__fail__"


def dml_affected_rows(job: Any) -> int:
    """Rows a DML job changed (``numDmlAffectedRows``), 0 when BigQuery did not report it."""
    return int(getattr(job, "num_dml_affected_rows", None) or 0)


def _seconds(value: dt.timedelta | float | int | None) -> float | None:
    if value is None:
        return None
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


class LeaseGuardedBigQueryInsertJobOperator(LockHookMixin, BaseOperator):
    """
    Run a BigQuery query job while holding the Firestore lease lock ``lock_key``.

    The task acquires the lease as its own task instance; when someone else holds it, the task
    defers on ``FirestoreLockTrigger`` and resumes holding it (an Airflow retry takes over its
    previous try's lease only once that try has stopped renewing and fenced itself). With a
    ``fence_sink`` the sink's fence watermark is read first (the grant must exceed it) and
    advanced to the lease's fence before the job runs. The fence goes into the query as the
    ``@fence`` parameter; the job runs through the Google provider's ``BigQueryHook`` while the
    lease is renewed (a heartbeat thread, or ``LeaseGuardedBigQueryJobTrigger`` when
    ``deferrable``). A lost lease, or any error while the job may still run, cancels the job
    before the lease is released; the lease is released on every way out.
    Returns (XCom) ``job_id``, ``fence``, ``lock_key``, ``num_dml_affected_rows`` and
    ``lease_wait_seconds``.

    :param lock_key: Lock document id, e.g. ``PlayerGameSummaryProcessor_2026-02-03``. (templated)
    :param configuration: BigQuery job configuration (REST form) with a ``query`` section; its
        ``@fence`` parameter is set from the lease. (templated)
    :param processor: Legacy ``processor`` field of the lock document. (templated)
    :param fence_sink: ``{"table": "dataset.table", "date": "YYYY-MM-DD"}`` whose fence watermark
        guards the write, or ``None``. (templated)
    :param project_id: Google Cloud project where the job runs. (templated)
    :param location: Location of the job. (templated)
    :param job_id: Prefix of the job id; a unique suffix is always added. (templated)
    :param lock_settings: ``LockSettings``: the connection (also used for BigQuery), Firestore
        project and database, collections and lease timings; ``None`` reads the ``NBA_*`` settings.
    :param lease_seconds: Lease length; defaults to the settings' policy.
    :param lock_poll_interval: Seconds between two looks at a held lock while deferred (a look is one
        Firestore document read in the triggerer, so the freed lock is taken at most this long after).
    :param lock_timeout: How long to wait for a held lock (seconds or timedelta); ``None`` waits forever.
    :param on_lock_timeout: ``fail`` or ``skip`` the task when ``lock_timeout`` runs out.
    :param deferrable: Wait for the job in the triggerer instead of on the worker.
    :param poll_interval: Seconds between two job status checks.
    :param cancel_on_kill: Cancel the job when the task is killed.
    """

    template_fields: Sequence[str] = (
        "lock_key",
        "configuration",
        "processor",
        "fence_sink",
        "project_id",
        "location",
        "job_id",
    )
    template_fields_renderers = {"configuration": "json", "configuration.query.query": "sql", "fence_sink": "json"}
    operator_extra_links = (BigQueryJobDetailLink(), BigQueryTableLink())
    ui_color = "#a8d5e2"

    def __init__(
        self,
        *,
        lock_key: str,
        configuration: dict[str, Any],
        processor: str | None = None,
        fence_sink: dict[str, str] | None = None,
        project_id: str | None = None,
        location: str | None = None,
        job_id: str | None = None,
        lock_settings: LockSettings | None = None,
        lease_seconds: int | None = None,
        lock_poll_interval: float = 2.0,
        lock_timeout: dt.timedelta | float | None = dt.timedelta(hours=2),
        on_lock_timeout: str = "fail",
        deferrable: bool = False,
        poll_interval: float = 4.0,
        cancel_on_kill: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if on_lock_timeout not in LOCK_TIMEOUT_ACTIONS:
            raise ValueError(f"on_lock_timeout must be 'fail' or 'skip', not {on_lock_timeout!r}")
        self.lock_key = lock_key
        self.configuration = configuration
        self.processor = processor
        self.fence_sink = fence_sink
        self.project_id = project_id
        self.location = location
        self.job_id = job_id
        self.lock_settings = lock_settings
        self.lease_seconds = lease_seconds
        self.lock_poll_interval = lock_poll_interval
        self.lock_timeout = lock_timeout
        self.on_lock_timeout = on_lock_timeout
        self.deferrable = deferrable
        self.poll_interval = poll_interval
        self.cancel_on_kill = cancel_on_kill
        self._lease: Lease | None = None
        self._running_job_id: str | None = None

    # -- hooks (built when the task runs, never at parse time) --------------------------------




    @cached_property
    def bigquery_hook(self) -> BigQueryHook:
        from airflow.providers.google.cloud.hooks.bigquery import BigQueryHook

        settings = self.resolved_lock_settings
        return BigQueryHook(gcp_conn_id=settings.gcp_conn_id, impersonation_chain=settings.impersonation_chain,
                            location=self.location, use_legacy_sql=False)

    # -- lock --------------------------------------------------------------------------------

    def _log_lease(self, event: str, lease: Lease) -> None:
        self.log.info(
            "Lock %s: %s by %s on %s, fence %s, expires %s",
            lease.key, event, lease.owner.execution_id, lease.owner.instance, lease.fence,
            lease.expires_at.isoformat(),
        )

    def _fence_floor(self) -> int:
        """The sink's fence watermark: a new grant must be above it."""
        from nba_pipeline.fencing import sink_watermark

        if not self.fence_sink:
            return 0
        return sink_watermark(self.bigquery_hook.get_client(project_id=self.project_id, location=self.location),
                              self.fence_sink["table"], self.fence_sink["date"])

    def _acquire(self, context: Context, owner, fence_floor: int):
        from nba_pipeline.lease import FenceCounterLost

        try:
            return self.lease_store.try_acquire(self.lock_key, owner, processor=self.processor,
                                                fence_floor=fence_floor)
        except FenceCounterLost as lost:
            # No retry can fix a counter behind the sink; the person on call reseeds it.
            raise AirflowFailException(str(lost)) from None

    def execute(self, context: Context) -> dict[str, Any]:
        from nba_pipeline.lease import Owner

        owner = Owner.from_ti(context["ti"])
        floor = self._fence_floor()
        started = time.monotonic()
        lease = self._acquire(context, owner, floor)
        if lease is not None:
            self._log_lease("acquired", lease)
            return self._run_under_lease(context, lease, lease_wait_seconds=0.0, renewed_at=started)
        state = self.lease_store.inspect(self.lock_key)
        context["ti"].xcom_push(key=WAIT_XCOM_KEY, value=state.server_time.isoformat())
        if state.exists:
            self.log.info("Waiting for lock %s held by another writer: %s", self.lock_key, state.describe())
        else:
            # Refused, then released by its holder before this second read: the trigger asks again.
            self.log.info("Waiting for lock %s: another writer held it when asked and has released it since",
                          self.lock_key)
        timeout = _seconds(self.lock_timeout)
        deadline = state.server_time + dt.timedelta(seconds=timeout) if timeout is not None else None
        self.defer(
            trigger=FirestoreLockTrigger(
                lock_key=self.lock_key,
                owner=owner.to_dict(),
                acquire_when_free=True,
                processor=self.processor,
                lease_seconds=self.lease_seconds,
                fence_floor=floor,
                poll_interval=self.lock_poll_interval,
                deadline=deadline.isoformat() if deadline else None,
                lock_settings=self.resolved_lock_settings.to_dict(),
            ),
            method_name="execute_lease_acquired",
        )

    def execute_lease_acquired(self, context: Context, event: dict[str, Any]) -> dict[str, Any]:
        """Resume after ``FirestoreLockTrigger``: run the job if the lease came, else fail or skip."""
        from nba_pipeline.lease import Lease, LeaseLost, LockState, Owner

        status = event.get("status")
        if status == "timeout":
            state = event.get("state")
            holder = LockState.from_dict(state).describe() if state else "unknown holder"
            message = f"gave up waiting for lock {self.lock_key}: {holder}"
            if self.on_lock_timeout == "skip":
                raise AirflowSkipException(message)
            raise AirflowException(message)
        if status != "acquired":
            raise AirflowException(f"waiting for lock {self.lock_key} failed: {event.get('message', event)}")
        lease = Lease.from_dict(event["lease"])
        waited = self._waited(context, lease)
        here = Owner.from_ti(context["ti"])
        started = time.monotonic()
        try:
            # Granted in the triggerer: renewing proves it is still ours, and names this process.
            lease = self.lease_store.renew(lease, moved_to=lease.owner.here() if here.same_try(lease.owner) else None)
        except LeaseLost as lost:
            self.log.warning("Lease granted in the triggerer is gone (%s); acquiring again", lost)
            lease = self._acquire(context, here, self._fence_floor())
            if lease is None:
                raise AirflowException(f"lock {self.lock_key} was taken again before this task could run") from lost
        self._log_lease("acquired after waiting", lease)
        return self._run_under_lease(context, lease, lease_wait_seconds=waited, renewed_at=started)

    def _waited(self, context: Context, lease: Lease) -> float:
        """Seconds from the first refused acquire to the grant of ``lease``, on Firestore server time."""
        from nba_pipeline.lease.model import as_utc

        since = context["ti"].xcom_pull(task_ids=self.task_id, key=WAIT_XCOM_KEY)
        if not since:
            return 0.0
        return max(0.0, (lease.acquired_at - as_utc(since)).total_seconds())

    def _release(self, lease: Lease | None) -> str | None:
        """Release ``lease``: "released", "lost" (no longer ours) or "unanswered" (the store failed)."""
        if lease is None:
            return None
        try:
            released = self.lease_store.release(lease)
        except Exception:
            # The lease will expire on its own; a release error must not hide the task's own error.
            self.log.exception("Could not release lock %s (fence %s); it expires at %s",
                               lease.key, lease.fence, lease.expires_at)
            return "unanswered"
        if released:
            self._log_lease("released", lease)
            return "released"
        self.log.warning("Lock %s was no longer held by %s (fence %s); left untouched",
                         lease.key, lease.owner.execution_id, lease.fence)
        return "lost"

    def _release_after_job(self, lease: Lease, job_id: str) -> None:
        """Release after the job finished; a release that is not confirmed fails the try."""
        outcome = self._release(lease)
        if outcome == "lost":
            raise AirflowException(
                f"lock {lease.key} (fence {lease.fence}) was taken from {lease.owner.execution_id} "
                f"before BigQuery job {job_id} finished"
            )
        if outcome == "unanswered":
            # The job ran inside the lease, but a retry (which waits out the lock) is what confirms the date.
            raise AirflowException(
                f"BigQuery job {job_id} finished under lock {lease.key} (fence {lease.fence}), but the lock "
                f"store did not answer its release; the lock expires at {lease.expires_at}"
            )

    # -- job ---------------------------------------------------------------------------------

    def _advance_sink(self, context: Context, lease: Lease) -> None:
        """Raise the sink's fence watermark to ours before writing; a newer one there fails closed."""
        from nba_pipeline.fencing import advance_watermark

        if not self.fence_sink:
            return
        current = advance_watermark(
            self.bigquery_hook.get_client(project_id=self.project_id, location=self.location),
            self.fence_sink["table"], self.fence_sink["date"], fence=lease.fence, lock_key=lease.key,
            run_id=context["run_id"],
        )
        if current > lease.fence:
            raise AirflowFailException(
                f"{self.fence_sink['table']} for {self.fence_sink['date']} already carries fence {current}, "
                f"newer than this lease's fence {lease.fence}: the fence counter for {lease.key} went back. "
                f"Nothing was written. Restore it with `nba-pipeline locks reseed {lease.key} --reason ...`"
            )

    def _run_under_lease(self, context: Context, lease: Lease, *, lease_wait_seconds: float,
                         renewed_at: float) -> dict[str, Any]:
        from airflow.sdk.exceptions import TaskDeferred

        self._lease = lease
        handed_over = False
        try:
            result = self._run_job(context, lease_wait_seconds, renewed_at)
            handed_over = True  # released (or found lost) once, right here
            self._release_after_job(self._lease, result["job_id"])
            return result
        except TaskDeferred:
            handed_over = True  # the trigger renews it now and execute_complete releases it
            raise
        finally:
            if not handed_over:
                self._release(self._lease)

    def _submit(self, context: Context, configuration: dict[str, Any]):
        hook = self.bigquery_hook
        job_id = hook.generate_job_id(
            job_id=self.job_id,
            dag_id=self.dag_id,
            task_id=self.task_id,
            logical_date=None,
            configuration=configuration,
            run_after=hook.get_run_after_or_logical_date(context),
            force_rerun=True,
        )
        self.log.info("Inserting BigQuery job %s under lock %s, fence %s", job_id, self.lock_key, self._lease.fence)
        job = hook.insert_job(
            configuration=configuration, job_id=job_id, project_id=self.project_id,
            location=self.location, nowait=True,
        )
        self._running_job_id = job.job_id
        BigQueryJobDetailLink.persist(context=context, project_id=job.project, location=job.location,
                                      job_id=job.job_id)
        if self.fence_sink:
            dataset_id, _, table_id = self.fence_sink["table"].partition(".")
            BigQueryTableLink.persist(context=context, project_id=job.project, dataset_id=dataset_id,
                                      table_id=table_id)
        return job

    def _cancel(self, job_id: str | None, project_id: str | None = None, location: str | None = None) -> None:
        """Best effort: a cancel that fails is logged; the sink's fence still refuses a stale write."""
        if not job_id:
            return
        try:
            self.log.warning("Cancelling BigQuery job %s", job_id)
            self.bigquery_hook.cancel_job(job_id=job_id, project_id=project_id or self.project_id,
                                          location=location or self.location)
        except Exception:
            self.log.exception("Could not cancel BigQuery job %s", job_id)

    def _labelled(self, configuration: dict[str, Any]) -> dict[str, Any]:
        """The provider's automatic ``airflow-dag`` / ``airflow-task`` job labels, added to ours."""
        labels = {"airflow-dag": self.dag_id.lower()[:63], "airflow-task": self.task_id.lower().replace(".", "-")[:63]}
        return {**configuration, "labels": {**labels, **configuration.get("labels", {})}}

    def _run_job(self, context: Context, lease_wait_seconds: float, renewed_at: float) -> dict[str, Any]:
        from airflow.sdk.exceptions import TaskDeferred

        from nba_pipeline.lease import LeaseHeartbeat

        configuration = self._labelled(with_fence(self.configuration, self._lease.fence, FENCE_PARAMETER))
        heartbeat = LeaseHeartbeat(self.lease_store, self._lease, renewed_at=renewed_at)
        job = None
        try:
            with heartbeat:
                # Renewed from here on: on a loaded emulator the watermark's MERGE alone has taken
                # longer than a short lease, which then expired before the job was submitted.
                try:
                    self._advance_sink(context, self._lease)
                finally:
                    # A lost lease explains a newer watermark better than a counter that went back.
                    if self._lease_lost(heartbeat):
                        raise AirflowException(
                            f"lease on {self.lock_key} (fence {self._lease.fence}) was lost before its BigQuery "
                            f"job was submitted ({heartbeat.error}); nothing was written"
                        )
                job = self._submit(context, configuration)
                while not self._lease_lost(heartbeat) and not job.done():
                    if self.deferrable:
                        heartbeat.stop()
                        self._lease = heartbeat.lease
                        self._defer_on_job(context, job, lease_wait_seconds)
                    heartbeat.lost.wait(self.poll_interval)
                if self._lease_lost(heartbeat):
                    raise AirflowException(
                        f"lease on {self.lock_key} (fence {self._lease.fence}) was lost while BigQuery job "
                        f"{job.job_id} ran ({heartbeat.error}); the job was cancelled"
                    )
            self._lease = heartbeat.lease
            # The insert response can predate the final statistics (numDmlAffectedRows).
            job.reload()
            return self._finish(job, lease_wait_seconds)
        except TaskDeferred:
            raise
        except BaseException:
            # Whatever went wrong (lease lost, a failed status call), the job must not outlive the
            # lease; cancelling a job that already finished is a no-op.
            if job is not None:
                self._cancel(job.job_id, job.project, job.location)
            raise

    def _lease_lost(self, heartbeat: LeaseHeartbeat) -> bool:
        self._lease = heartbeat.lease
        return heartbeat.lost.is_set()

    def _finish(self, job, lease_wait_seconds: float) -> dict[str, Any]:
        for error in job.errors or []:
            self.log.error("BigQuery job error: %s", error)
        if job.error_result:
            raise AirflowException(f"BigQuery job {job.job_id} failed: {job.error_result}")
        return {
            "job_id": job.job_id,
            "fence": self._lease.fence,
            "lock_key": self.lock_key,
            "num_dml_affected_rows": dml_affected_rows(job),
            "lease_wait_seconds": round(lease_wait_seconds, 3),
        }

    def _defer_on_job(self, context: Context, job, lease_wait_seconds: float) -> None:
        ti = context["ti"]
        # Renewed right before deferring: the trigger starts with the whole self-fence time.
        self._lease = self.lease_store.renew(self._lease)
        # Kept for the resumed try: a deferral timeout resumes without the trigger's event.
        ti.xcom_push(key=LEASE_XCOM_KEY, value=self._lease.to_dict())
        ti.xcom_push(key=JOB_XCOM_KEY, value=job.job_id)
        ti.xcom_push(key=WAITED_XCOM_KEY, value=lease_wait_seconds)
        self.defer(
            trigger=LeaseGuardedBigQueryJobTrigger(
                job_id=job.job_id,
                project_id=job.project,
                location=job.location or self.location,
                lease=self._lease.to_dict(),
                poll_interval=self.poll_interval,
                cancel_on_kill=self.cancel_on_kill,
                lock_settings=self.resolved_lock_settings.to_dict(),
            ),
            method_name="execute_complete",
        )

    def execute_complete(self, context: Context, event: dict[str, Any]) -> dict[str, Any]:
        """Resume after ``LeaseGuardedBigQueryJobTrigger``: release the lease, report the job."""
        from nba_pipeline.lease import Lease

        self._lease = Lease.from_dict(event["lease"])
        try:
            if event.get("status") != "success":
                # The trigger cancels on the ways it knows; cancelling again costs nothing.
                self._cancel(event.get("job_id"))
                raise AirflowException(event.get("message") or f"BigQuery job {event.get('job_id')} failed")
            job = self.bigquery_hook.get_job(job_id=event["job_id"], project_id=self.project_id,
                                             location=self.location)
            waited = context["ti"].xcom_pull(task_ids=self.task_id, key=WAITED_XCOM_KEY)
            result = self._finish(job, float(waited or 0.0))
        except Exception:
            self._release(self._lease)
            raise
        self._release_after_job(self._lease, event["job_id"])
        return result

    def resume_execution(self, next_method: str, next_kwargs: dict[str, Any] | None, context: Context):
        if next_method == TRIGGER_FAIL and not self._clean_up_after_trigger_failure(context):
            self.log.info("No lease or job of an earlier deferral to clean up")
        return super().resume_execution(next_method, next_kwargs, context)

    def _clean_up_after_trigger_failure(self, context: Context) -> bool:
        """After a trigger failure or deferral timeout: cancel the job we left, then release the lease."""
        from nba_pipeline.lease import Lease

        ti = context["ti"]
        lease_data = ti.xcom_pull(task_ids=self.task_id, key=LEASE_XCOM_KEY)
        job_id = ti.xcom_pull(task_ids=self.task_id, key=JOB_XCOM_KEY)
        self._cancel(job_id)
        if lease_data:
            self._release(Lease.from_dict(lease_data))
        return bool(job_id or lease_data)

    def on_kill(self) -> None:
        if self.cancel_on_kill:
            self._cancel(self._running_job_id)
        self._release(self._lease)
