"""Wait for a Firestore lease lock to be free, and optionally take it the moment it is."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseSensorOperator, PokeReturnValue
from airflow.sdk.exceptions import AirflowException, AirflowSensorTimeout, AirflowSkipException

from nba_pipeline.hooks.firestore_lock import FirestoreLockHook
from nba_pipeline.operators.firestore_lock import lock_hook_settings, task_owner
from nba_pipeline.triggers.firestore_lock import FirestoreLockTrigger, describe_holder

if TYPE_CHECKING:
    from airflow.sdk import Context

    from nba_pipeline.lease import LockState

SENSOR_TIMEOUT_ACTIONS = ("fail", "skip")


class FirestoreLockSensor(BaseSensorOperator):
    """
    Wait until the lease lock ``lock_key`` is free; with ``acquire_when_free``, take it atomically.

    Deferrable by default: ``FirestoreLockTrigger`` polls Firestore from the triggerer and the
    worker slot is free meanwhile. While waiting, the holder, the lock's age and its expiry are
    logged. With ``acquire_when_free`` the acquired lease is returned (XCom), ready for a
    ``FirestoreLockOperator(action="release")`` teardown. When ``timeout`` runs out the sensor
    fails, or with ``on_timeout="skip"`` skips with a reason naming the holder.

    :param lock_key: Lock document id, e.g. ``PlayerGameSummaryProcessor_2026-02-03``. (templated)
    :param acquire_when_free: Acquire the lock as soon as it is free, as this task instance.
    :param processor: Legacy ``processor`` field written on acquire. (templated)
    :param lease_seconds: Lease length on acquire; defaults to the settings.
    :param on_timeout: ``fail`` or ``skip`` when the sensor's ``timeout`` runs out.
    :param deferrable: Wait in the triggerer (default) instead of poking from the worker.
    :param gcp_conn_id: The connection ID used to reach Firestore; defaults to the settings. (templated)
    :param impersonation_chain: Optional service account to impersonate. (templated)
    :param firestore_project_id: Project of the Firestore database. (templated)
    :param lock_collection: Lock collection; defaults to the settings.
    :param lock_fence_collection: Fence counter collection; defaults to the settings.
    :param lock_audit_collection: Lock audit collection; defaults to the settings.
    """

    template_fields: Sequence[str] = (
        "lock_key",
        "processor",
        "gcp_conn_id",
        "impersonation_chain",
        "firestore_project_id",
    )
    ui_color = "#f4d58d"

    def __init__(
        self,
        *,
        lock_key: str,
        acquire_when_free: bool = False,
        processor: str | None = None,
        lease_seconds: int | None = None,
        on_timeout: str = "fail",
        deferrable: bool = True,
        gcp_conn_id: str | None = None,
        impersonation_chain: str | Sequence[str] | None = None,
        firestore_project_id: str | None = None,
        lock_collection: str | None = None,
        lock_fence_collection: str | None = None,
        lock_audit_collection: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if on_timeout not in SENSOR_TIMEOUT_ACTIONS:
            raise ValueError(f"on_timeout must be 'fail' or 'skip', not {on_timeout!r}")
        self.lock_key = lock_key
        self.acquire_when_free = acquire_when_free
        self.processor = processor
        self.lease_seconds = lease_seconds
        self.on_timeout = on_timeout
        self.deferrable = deferrable
        self.gcp_conn_id = gcp_conn_id
        self.impersonation_chain = impersonation_chain
        self.firestore_project_id = firestore_project_id
        self.lock_collection = lock_collection
        self.lock_fence_collection = lock_fence_collection
        self.lock_audit_collection = lock_audit_collection
        self._last_state: LockState | None = None

    def get_hook(self) -> FirestoreLockHook:
        if not hasattr(self, "_hook"):
            self._hook = FirestoreLockHook(**lock_hook_settings(self))
        return self._hook

    def poke(self, context: Context) -> PokeReturnValue:
        hook = self.get_hook()
        state = self._last_state = hook.inspect(self.lock_key)
        owner = task_owner(context)
        if self.acquire_when_free and (state.free or owner.same_task(state.holder)):
            lease = hook.try_acquire(self.lock_key, owner, processor=self.processor, lease_seconds=self.lease_seconds)
            if lease is not None:
                self.log.info("Acquired lock %s for %s with fence %s", lease.key, owner.execution_id, lease.fence)
                return PokeReturnValue(is_done=True, xcom_value=lease.to_dict())
        elif not self.acquire_when_free and state.free:
            self.log.info("Lock %s is free", self.lock_key)
            return PokeReturnValue(is_done=True, xcom_value=state.to_dict())
        self.log.info("Waiting for the lock: %s", describe_holder(state))
        return PokeReturnValue(is_done=False)

    def execute(self, context: Context) -> Any:
        if not self.deferrable:
            try:
                return super().execute(context)
            except AirflowSensorTimeout as timeout:
                self._time_out(self._last_state.to_dict() if self._last_state else None, timeout)
        # One look before deferring: a free lock costs no trip through the triggerer.
        first = self.poke(context)
        if first.is_done:
            return first.xcom_value
        state = self._last_state
        timeout = self.timeout.total_seconds() if isinstance(self.timeout, dt.timedelta) else self.timeout
        deadline = state.server_time + dt.timedelta(seconds=float(timeout)) if timeout is not None else None
        hook = self.get_hook()
        self.defer(
            trigger=FirestoreLockTrigger(
                lock_key=self.lock_key,
                owner=task_owner(context).to_dict() if self.acquire_when_free else None,
                acquire_when_free=self.acquire_when_free,
                processor=self.processor,
                lease_seconds=self.lease_seconds,
                poll_interval=self.poke_interval_seconds,
                deadline=deadline.isoformat() if deadline else None,
                gcp_conn_id=hook.gcp_conn_id,
                impersonation_chain=self.impersonation_chain,
                project_id=self.firestore_project_id,
                collection=hook.collection,
                fence_collection=hook.fence_collection,
                audit_collection=hook.audit_collection,
            ),
            method_name="execute_complete",
        )

    @property
    def poke_interval_seconds(self) -> float:
        interval = self.poke_interval
        return interval.total_seconds() if isinstance(interval, dt.timedelta) else float(interval)

    def _time_out(self, state: dict[str, Any] | None, cause: Exception | None = None) -> None:
        message = f"lock {self.lock_key} still taken at the sensor's timeout: {describe_holder(state)}"
        if self.on_timeout == "skip":
            raise AirflowSkipException(message) from cause
        raise AirflowSensorTimeout(message) from cause

    def execute_complete(self, context: Context, event: dict[str, Any]) -> dict[str, Any]:
        status = event.get("status")
        if status == "acquired":
            self.log.info("Acquired lock %s (fence %s)", self.lock_key, event["lease"]["fence"])
            return event["lease"]
        if status == "free":
            self.log.info("Lock %s is free", self.lock_key)
            return event["state"]
        if status == "timeout":
            self._time_out(event.get("state"))
        raise AirflowException(f"waiting for lock {self.lock_key} failed: {event.get('message', event)}")
