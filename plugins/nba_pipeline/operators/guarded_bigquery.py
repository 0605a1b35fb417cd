"""One task that takes a lease, runs a fenced BigQuery job under it, and always gives it back."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowException, AirflowSkipException

from nba_pipeline.hooks.firestore_lock import FirestoreLockHook
from nba_pipeline.operators.firestore_lock import lock_hook_settings, task_owner
from nba_pipeline.triggers.firestore_lock import (
    FirestoreLockTrigger,
    LeaseGuardedBigQueryJobTrigger,
    describe_holder,
)

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


def with_fence(configuration: dict[str, Any], fence: int, parameter: str = "fence") -> dict[str, Any]:
    """A copy of a query job configuration whose named INT64 parameter ``parameter`` is ``fence``.

    Any parameter of that name already there is replaced, so a stale value can never reach the SQL.
    """
    if "query" not in configuration:
        raise ValueError("the job configuration has no 'query' section; only query jobs can be fenced")
    fenced = copy.deepcopy(configuration)
    query = fenced["query"]
    if query.get("parameterMode", "NAMED").upper() != "NAMED":
        raise ValueError("the fence is a named parameter: the query must use parameterMode NAMED")
    query["parameterMode"] = "NAMED"
    kept = [p for p in query.get("queryParameters", []) if p.get("name") != parameter]
    kept.append(
        {"name": parameter, "parameterType": {"type": "INT64"}, "parameterValue": {"value": str(int(fence))}}
    )
    query["queryParameters"] = kept
    return fenced


def dml_affected_rows(job: Any) -> int:
    """Rows a DML job changed (``numDmlAffectedRows``), 0 when BigQuery did not report it."""
    return int(getattr(job, "num_dml_affected_rows", None) or 0)


def _seconds(value: dt.timedelta | float | int | None) -> float | None:
    if value is None:
        return None
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


class LeaseGuardedBigQueryInsertJobOperator(BaseOperator):
    """
    Run a BigQuery query job while holding the Firestore lease lock ``lock_key``.

    The task acquires the lease as its own task instance (a retry takes over its own lease at
    once); when someone else holds it, the task defers on ``FirestoreLockTrigger`` and resumes
    holding it. The lease's fencing token goes into the query as the ``fence_parameter``
    parameter, the job runs through the Google provider's ``BigQueryHook`` while the lease is
    renewed (a heartbeat thread, or ``LeaseGuardedBigQueryJobTrigger`` when ``deferrable``), a
    lost lease cancels the job and fails the task, and the lease is released on every way out.
    Returns (XCom) ``job_id``, ``fence``, ``lock_key``, ``num_dml_affected_rows`` and
    ``lease_wait_seconds``.

    :param lock_key: Lock document id, e.g. ``PlayerGameSummaryProcessor_2026-02-03``. (templated)
    :param configuration: BigQuery job configuration (REST form) with a ``query`` section. (templated)
    :param processor: Legacy ``processor`` field of the lock document. (templated)
    :param fence_parameter: Name of the INT64 query parameter that receives the fence.
    :param project_id: Google Cloud project where the job runs. (templated)
    :param location: Location of the job. (templated)
    :param job_id: Prefix of the job id; a unique suffix is always added. (templated)
    :param gcp_conn_id: The connection ID for BigQuery and Firestore; defaults to the settings. (templated)
    :param impersonation_chain: Optional service account to impersonate. (templated)
    :param firestore_project_id: Project of the Firestore database. (templated)
    :param lease_seconds: Lease length; defaults to the settings.
    :param heartbeat_interval: Seconds between lease renewals; defaults to a third of the lease.
    :param lock_poll_interval: Seconds between two looks at a held lock while deferred.
    :param lock_timeout: How long to wait for a held lock (seconds or timedelta); ``None`` waits forever.
    :param on_lock_timeout: ``fail`` or ``skip`` the task when ``lock_timeout`` runs out.
    :param deferrable: Wait for the job in the triggerer instead of on the worker.
    :param poll_interval: Seconds between two job status checks.
    :param cancel_on_kill: Cancel the job when the task is killed.
    :param lock_collection: Lock collection; defaults to the settings.
    :param lock_fence_collection: Fence counter collection; defaults to the settings.
    :param lock_audit_collection: Lock audit collection; defaults to the settings.
    """

    template_fields: Sequence[str] = (
        "lock_key",
        "configuration",
        "processor",
        "project_id",
        "location",
        "job_id",
        "gcp_conn_id",
        "impersonation_chain",
        "firestore_project_id",
    )
    template_fields_renderers = {"configuration": "json", "configuration.query.query": "sql"}
    ui_color = "#a8d5e2"

    def __init__(
        self,
        *,
        lock_key: str,
        configuration: dict[str, Any],
        processor: str | None = None,
        fence_parameter: str = "fence",
        project_id: str | None = None,
        location: str | None = None,
        job_id: str | None = None,
        gcp_conn_id: str | None = None,
        impersonation_chain: str | Sequence[str] | None = None,
        firestore_project_id: str | None = None,
        lease_seconds: int | None = None,
        heartbeat_interval: float | None = None,
        lock_poll_interval: float = 10.0,
        lock_timeout: dt.timedelta | float | None = dt.timedelta(hours=2),
        on_lock_timeout: str = "fail",
        deferrable: bool = False,
        poll_interval: float = 4.0,
        cancel_on_kill: bool = True,
        lock_collection: str | None = None,
        lock_fence_collection: str | None = None,
        lock_audit_collection: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if on_lock_timeout not in LOCK_TIMEOUT_ACTIONS:
            raise ValueError(f"on_lock_timeout must be 'fail' or 'skip', not {on_lock_timeout!r}")
        self.lock_key = lock_key
        self.configuration = configuration
        self.processor = processor
        self.fence_parameter = fence_parameter
        self.project_id = project_id
        self.location = location
        self.job_id = job_id
        self.gcp_conn_id = gcp_conn_id
        self.impersonation_chain = impersonation_chain
        self.firestore_project_id = firestore_project_id
        self.lease_seconds = lease_seconds
        self.heartbeat_interval = heartbeat_interval
        self.lock_poll_interval = lock_poll_interval
        self.lock_timeout = lock_timeout
        self.on_lock_timeout = on_lock_timeout
        self.deferrable = deferrable
        self.poll_interval = poll_interval
        self.cancel_on_kill = cancel_on_kill
        self.lock_collection = lock_collection
        self.lock_fence_collection = lock_fence_collection
        self.lock_audit_collection = lock_audit_collection
        self._lease: Lease | None = None
        self._running_job_id: str | None = None
        self._bigquery_hook: BigQueryHook | None = None

    # -- hooks -------------------------------------------------------------------------------

    def get_lock_hook(self) -> FirestoreLockHook:
        if not hasattr(self, "_lock_hook"):
            self._lock_hook = FirestoreLockHook(**lock_hook_settings(self))
        return self._lock_hook

    def get_bigquery_hook(self) -> BigQueryHook:
        from airflow.providers.google.cloud.hooks.bigquery import BigQueryHook

        if self._bigquery_hook is None:
            self._bigquery_hook = BigQueryHook(
                gcp_conn_id=self.get_lock_hook().gcp_conn_id,
                impersonation_chain=self.impersonation_chain,
                location=self.location,
                use_legacy_sql=False,
            )
        return self._bigquery_hook

    # -- lock --------------------------------------------------------------------------------

    def _log_lease(self, event: str, lease: Lease) -> None:
        self.log.info(
            "Lock %s: %s by %s, fence %s, expires %s",
            lease.key, event, lease.owner.execution_id, lease.fence, lease.expires_at.isoformat(),
        )

    def execute(self, context: Context) -> dict[str, Any]:
        owner = task_owner(context)
        hook = self.get_lock_hook()
        lease = hook.try_acquire(self.lock_key, owner, processor=self.processor, lease_seconds=self.lease_seconds)
        if lease is not None:
            self._log_lease("acquired", lease)
            return self._run_under_lease(context, lease, lease_wait_seconds=0.0)
        state = hook.inspect(self.lock_key)
        context["ti"].xcom_push(key=WAIT_XCOM_KEY, value=state.server_time.isoformat())
        self.log.info("Lock %s is taken (%s); %s waits for it", self.lock_key, describe_holder(state),
                      owner.execution_id)
        timeout = _seconds(self.lock_timeout)
        deadline = state.server_time + dt.timedelta(seconds=timeout) if timeout is not None else None
        self.defer(
            trigger=FirestoreLockTrigger(
                lock_key=self.lock_key,
                owner=owner.to_dict(),
                acquire_when_free=True,
                processor=self.processor,
                lease_seconds=self.lease_seconds,
                poll_interval=self.lock_poll_interval,
                deadline=deadline.isoformat() if deadline else None,
                **self._trigger_lock_settings(hook),
            ),
            method_name="execute_lease_acquired",
        )

    def _trigger_lock_settings(self, hook: FirestoreLockHook) -> dict[str, Any]:
        return {
            "gcp_conn_id": hook.gcp_conn_id,
            "impersonation_chain": self.impersonation_chain,
            "project_id": self.firestore_project_id,
            "collection": hook.collection,
            "fence_collection": hook.fence_collection,
            "audit_collection": hook.audit_collection,
        }

    def execute_lease_acquired(self, context: Context, event: dict[str, Any]) -> dict[str, Any]:
        """Resume after ``FirestoreLockTrigger``: run the job if the lease came, else fail or skip."""
        from nba_pipeline.lease import Lease, LeaseLost

        status = event.get("status")
        if status == "timeout":
            message = f"gave up waiting for lock {self.lock_key}: {describe_holder(event.get('state'))}"
            if self.on_lock_timeout == "skip":
                raise AirflowSkipException(message)
            raise AirflowException(message)
        if status != "acquired":
            raise AirflowException(f"waiting for lock {self.lock_key} failed: {event.get('message', event)}")
        lease = Lease.from_dict(event["lease"])
        waited = self._waited(context, lease)
        hook = self.get_lock_hook()
        try:
            # The lease was taken in the triggerer; renewing proves it is still ours here.
            lease = hook.renew(lease)
        except LeaseLost as lost:
            self.log.warning("Lease granted in the triggerer is gone (%s); acquiring again", lost)
            lease = hook.acquire(
                self.lock_key, task_owner(context), processor=self.processor, lease_seconds=self.lease_seconds
            )
        self._log_lease("acquired after waiting", lease)
        return self._run_under_lease(context, lease, lease_wait_seconds=waited)

    def _waited(self, context: Context, lease: Lease) -> float:
        """Seconds from the first refused acquire to the grant of ``lease``, on Firestore server time."""
        from nba_pipeline.lease.model import as_utc

        since = context["ti"].xcom_pull(task_ids=self.task_id, key=WAIT_XCOM_KEY)
        if not since:
            return 0.0
        return max(0.0, (lease.acquired_at - as_utc(since)).total_seconds())

    def _release(self, lease: Lease | None) -> bool:
        if lease is None:
            return False
        try:
            released = self.get_lock_hook().release(lease)
        except Exception:
            # The lease will expire on its own; a release error must not hide the task's own error.
            self.log.exception("Could not release lock %s (fence %s); it expires at %s",
                               lease.key, lease.fence, lease.expires_at)
            return False
        if released:
            self._log_lease("released", lease)
        else:
            self.log.warning("Lock %s was no longer held by %s (fence %s); left untouched",
                             lease.key, lease.owner.execution_id, lease.fence)
        return released

    # -- job ---------------------------------------------------------------------------------

    def _run_under_lease(self, context: Context, lease: Lease, *, lease_wait_seconds: float) -> dict[str, Any]:
        from airflow.sdk.exceptions import TaskDeferred

        self._lease = lease
        handed_over = False
        try:
            result = self._run_job(context, lease_wait_seconds)
            if not self._release(self._lease):
                raise AirflowException(
                    f"lock {self.lock_key} (fence {lease.fence}) was taken from "
                    f"{lease.owner.execution_id} before BigQuery job {result['job_id']} finished"
                )
            handed_over = True
            return result
        except TaskDeferred:
            handed_over = True  # the trigger renews it now and execute_complete releases it
            raise
        finally:
            if not handed_over:
                self._release(self._lease)

    def _submit(self, context: Context, configuration: dict[str, Any]):
        hook = self.get_bigquery_hook()
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
        return job

    def _cancel(self, job) -> None:
        self.log.warning("Cancelling BigQuery job %s", job.job_id)
        self.get_bigquery_hook().cancel_job(
            job_id=job.job_id, project_id=job.project, location=job.location or self.location
        )

    def _run_job(self, context: Context, lease_wait_seconds: float) -> dict[str, Any]:
        from nba_pipeline.lease import LeaseHeartbeat

        configuration = with_fence(self.configuration, self._lease.fence, self.fence_parameter)
        heartbeat = LeaseHeartbeat(self.get_lock_hook().store, self._lease, interval=self.heartbeat_interval)
        with heartbeat:
            job = self._submit(context, configuration)
            while not self._lease_lost(heartbeat) and not job.done():
                if self.deferrable:
                    heartbeat.stop()
                    self._lease = heartbeat.lease
                    self._defer_on_job(context, job, lease_wait_seconds)
                heartbeat.lost.wait(self.poll_interval)
            if self._lease_lost(heartbeat):
                self._cancel(job)
                raise AirflowException(
                    f"lease on {self.lock_key} (fence {self._lease.fence}) was lost while BigQuery job "
                    f"{job.job_id} ran ({heartbeat.error}); the job was cancelled"
                )
        self._lease = heartbeat.lease
        # The insert response can predate the final statistics (numDmlAffectedRows).
        job.reload()
        return self._finish(job, lease_wait_seconds)

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
        # Kept for the resumed try: a deferral timeout resumes without the trigger's event.
        ti.xcom_push(key=LEASE_XCOM_KEY, value=self._lease.to_dict())
        ti.xcom_push(key=JOB_XCOM_KEY, value=job.job_id)
        ti.xcom_push(key=WAITED_XCOM_KEY, value=lease_wait_seconds)
        hook = self.get_lock_hook()
        self.defer(
            trigger=LeaseGuardedBigQueryJobTrigger(
                conn_id=hook.gcp_conn_id,
                job_id=job.job_id,
                project_id=job.project,
                location=job.location or self.location,
                lease=self._lease.to_dict(),
                poll_interval=self.poll_interval,
                renew_interval=self.heartbeat_interval,
                impersonation_chain=self.impersonation_chain,
                cancel_on_kill=self.cancel_on_kill,
                firestore_project_id=self.firestore_project_id,
                collection=hook.collection,
                fence_collection=hook.fence_collection,
                audit_collection=hook.audit_collection,
            ),
            method_name="execute_complete",
        )

    def execute_complete(self, context: Context, event: dict[str, Any]) -> dict[str, Any]:
        """Resume after ``LeaseGuardedBigQueryJobTrigger``: release the lease, report the job."""
        from nba_pipeline.lease import Lease

        self._lease = Lease.from_dict(event["lease"])
        try:
            if event.get("status") != "success":
                raise AirflowException(event.get("message") or f"BigQuery job {event.get('job_id')} failed")
            job = self.get_bigquery_hook().get_job(
                job_id=event["job_id"], project_id=self.project_id, location=self.location
            )
            waited = context["ti"].xcom_pull(task_ids=self.task_id, key=WAITED_XCOM_KEY)
            result = self._finish(job, float(waited or 0.0))
        except Exception:
            self._release(self._lease)
            raise
        if not self._release(self._lease):
            raise AirflowException(f"lock {self.lock_key} (fence {self._lease.fence}) was taken before release")
        return result

    def resume_execution(self, next_method: str, next_kwargs: dict[str, Any] | None, context: Context):
        if next_method == TRIGGER_FAIL and not self._clean_up_after_trigger_failure(context):
            self.log.info("No lease or job of an earlier deferral to clean up")
        return super().resume_execution(next_method, next_kwargs, context)

    def _clean_up_after_trigger_failure(self, context: Context) -> bool:
        """After a trigger failure or deferral timeout: cancel the job we left and release the lease."""
        from nba_pipeline.lease import Lease

        ti = context["ti"]
        lease_data = ti.xcom_pull(task_ids=self.task_id, key=LEASE_XCOM_KEY)
        job_id = ti.xcom_pull(task_ids=self.task_id, key=JOB_XCOM_KEY)
        if job_id:
            try:
                self.get_bigquery_hook().cancel_job(job_id=job_id, project_id=self.project_id, location=self.location)
            except Exception:
                self.log.exception("Could not cancel BigQuery job %s", job_id)
        if lease_data:
            self._release(Lease.from_dict(lease_data))
        return bool(job_id or lease_data)

    def on_kill(self) -> None:
        if self.cancel_on_kill and self._running_job_id:
            self.get_bigquery_hook().cancel_job(
                job_id=self._running_job_id, project_id=self.project_id, location=self.location
            )
        self._release(self._lease)
