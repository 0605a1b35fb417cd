"""Wait for a Firestore lease lock to be free, and optionally take it the moment it is."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseSensorOperator, PokeReturnValue
from airflow.sdk.exceptions import AirflowException, AirflowSensorTimeout, AirflowSkipException

from nba_pipeline.hooks.firestore_lock import LockHookMixin, LockSettings
from nba_pipeline.triggers.firestore_lock import FirestoreLockTrigger

if TYPE_CHECKING:
    from airflow.sdk import Context

    from nba_pipeline.lease import LockState

SENSOR_TIMEOUT_ACTIONS = ("fail", "skip")


def _seconds(value: dt.timedelta | float | None) -> float | None:
    if value is None:
        return None
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


class FirestoreLockSensor(LockHookMixin, BaseSensorOperator):
    """
    Wait until the lease lock ``lock_key`` is free; with ``acquire_when_free``, take it atomically.

    Deferrable by default: ``FirestoreLockTrigger`` polls Firestore from the triggerer and the
    worker slot is free meanwhile. While waiting, the holder, the lock's age and its expiry are
    logged. When ``timeout`` runs out the sensor fails, or with ``on_timeout="skip"`` skips with
    a reason naming the holder.

    With ``acquire_when_free`` the acquired lease is returned (XCom) for downstream tasks and a
    ``FirestoreLockOperator(action="release")`` teardown. Nothing renews that lease, so the work
    it guards must end while the lease is still fresh for everyone, legacy readers included:
    ``work_timeout`` is required, must fit in the policy's ``self_fence_seconds``
    (``min(lease, legacy stale) - margin``), and every downstream task that is not a teardown
    must have an ``execution_timeout`` no longer than it (checked when the sensor runs). For
    longer work use ``LeaseGuardedBigQueryInsertJobOperator``, which renews while it works.

    :param lock_key: Lock document id, e.g. ``PlayerGameSummaryProcessor_2026-02-03``. (templated)
    :param acquire_when_free: Acquire the lock as soon as it is free, as this task instance.
    :param work_timeout: With ``acquire_when_free``: the longest the guarded downstream work may
        run (seconds or timedelta).
    :param processor: Legacy ``processor`` field written on acquire. (templated)
    :param lease_seconds: Lease length on acquire; defaults to the settings' policy.
    :param on_timeout: ``fail`` or ``skip`` when the sensor's ``timeout`` runs out.
    :param deferrable: Wait in the triggerer (default) instead of poking from the worker.
    :param lock_settings: ``LockSettings`` (connection, Firestore project, collections, lease
        timings); ``None`` reads the ``NBA_*`` settings when the task runs.
    """

    template_fields: Sequence[str] = ("lock_key", "processor")
    ui_color = "#f4d58d"

    def __init__(
        self,
        *,
        lock_key: str,
        acquire_when_free: bool = False,
        work_timeout: dt.timedelta | float | None = None,
        processor: str | None = None,
        lease_seconds: int | None = None,
        on_timeout: str = "fail",
        deferrable: bool = True,
        lock_settings: LockSettings | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if on_timeout not in SENSOR_TIMEOUT_ACTIONS:
            raise ValueError(f"on_timeout must be 'fail' or 'skip', not {on_timeout!r}")
        if acquire_when_free and work_timeout is None:
            raise ValueError(
                "acquire_when_free hands downstream tasks a lease that nothing renews: give work_timeout "
                "(the longest the guarded work may run), or use LeaseGuardedBigQueryInsertJobOperator"
            )
        self.lock_key = lock_key
        self.acquire_when_free = acquire_when_free
        self.work_timeout = work_timeout
        self.processor = processor
        self.lease_seconds = lease_seconds
        self.on_timeout = on_timeout
        self.deferrable = deferrable
        self.lock_settings = lock_settings
        self._last_state: LockState | None = None
        if acquire_when_free and lock_settings is not None:
            self._check_work_fits(self.resolved_lock_settings)




    def _check_work_fits(self, settings: LockSettings) -> None:
        budget = settings.policy.self_fence_seconds
        work = _seconds(self.work_timeout)
        if work > budget:
            raise ValueError(
                f"work_timeout {work:g} s is longer than the {budget:g} s an unrenewed lease stays fresh "
                f"(min(lease {settings.policy.lease_seconds} s, legacy stale {settings.policy.legacy_stale_seconds} s) "
                f"- margin {settings.policy.margin_seconds:g} s): shorten the work or use "
                "LeaseGuardedBigQueryInsertJobOperator, which renews its lease"
            )

    def _check_downstream_timeouts(self) -> None:
        work = _seconds(self.work_timeout)
        unbounded = []
        downstream = self.get_direct_relatives(upstream=False) if self.has_dag() else []
        for task in downstream:
            if getattr(task, "is_teardown", False):
                continue
            timeout = _seconds(task.execution_timeout)
            if timeout is None or timeout > work:
                unbounded.append(f"{task.task_id} (execution_timeout {task.execution_timeout})")
        if unbounded:
            raise AirflowException(
                f"the lease on {self.lock_key} is not renewed after this sensor: downstream tasks must have "
                f"an execution_timeout of at most work_timeout {work:g} s; not: {', '.join(unbounded)}"
            )

    def poke(self, context: Context) -> PokeReturnValue:
        from nba_pipeline.lease import Owner

        state = self._last_state = self.lease_store.inspect(self.lock_key)
        owner = Owner.from_ti(context["ti"])
        if self.acquire_when_free and (state.free or owner.same_task(state.holder)):
            lease = self.lease_store.try_acquire(self.lock_key, owner, processor=self.processor)
            if lease is not None:
                self.log.info("Acquired lock %s for %s with fence %s", lease.key, owner.execution_id, lease.fence)
                return PokeReturnValue(is_done=True, xcom_value=lease.to_dict())
        elif not self.acquire_when_free and state.free:
            self.log.info("Lock %s is free", self.lock_key)
            return PokeReturnValue(is_done=True, xcom_value=state.to_dict())
        self.log.info("Waiting for the lock: %s", state.describe())
        return PokeReturnValue(is_done=False)

    def execute(self, context: Context) -> Any:
        from nba_pipeline.lease import Owner

        if self.acquire_when_free:
            self._check_work_fits(self.resolved_lock_settings)
            self._check_downstream_timeouts()
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
        timeout = _seconds(self.timeout)
        deadline = state.server_time + dt.timedelta(seconds=timeout) if timeout is not None else None
        self.defer(
            trigger=FirestoreLockTrigger(
                lock_key=self.lock_key,
                owner=Owner.from_ti(context["ti"]).to_dict() if self.acquire_when_free else None,
                acquire_when_free=self.acquire_when_free,
                processor=self.processor,
                lease_seconds=self.lease_seconds,
                poll_interval=_seconds(self.poke_interval),
                deadline=deadline.isoformat() if deadline else None,
                lock_settings=self.resolved_lock_settings.to_dict(),
            ),
            method_name="execute_complete",
        )

    def _time_out(self, state: dict[str, Any] | None, cause: Exception | None = None) -> None:
        from nba_pipeline.lease import LockState

        holder = LockState.from_dict(state).describe() if state else "unknown holder"
        message = f"lock {self.lock_key} still taken at the sensor's timeout: {holder}"
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
