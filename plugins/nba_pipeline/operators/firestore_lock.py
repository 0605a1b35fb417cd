"""Acquire, renew or release a Firestore lease lock as an Airflow task."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowException

from nba_pipeline.hooks.firestore_lock import LockHookMixin, LockSettings

if TYPE_CHECKING:
    from airflow.sdk import Context

LOCK_ACTIONS = ("acquire", "release", "renew")


class FirestoreLockOperator(LockHookMixin, BaseOperator):
    """
    Acquire, renew or release the Firestore lease lock ``lock_key``.

    ``acquire`` fails when someone else holds the lock and returns the lease (a dict, pushed to
    XCom). ``renew`` and ``release`` read that lease from the XCom of ``lease_task_id``. A release
    whose lease is missing (the acquire never ran) or no longer ours logs and succeeds, so the
    release task can be a teardown.

    :param lock_key: Lock document id, e.g. ``PlayerGameSummaryProcessor_2026-02-03``. (templated)
    :param action: ``acquire``, ``renew`` or ``release``.
    :param lease_task_id: Task whose XCom holds the lease, for ``renew`` and ``release``. (templated)
    :param lease_xcom_key: XCom key of the lease in ``lease_task_id``.
    :param processor: Legacy ``processor`` field written on acquire. (templated)
    :param lease_seconds: Lease length on acquire; defaults to the settings' policy.
    :param lock_settings: ``LockSettings`` (connection, Firestore project, collections, lease
        timings); ``None`` reads the ``NBA_*`` settings when the task runs.
    """

    template_fields: Sequence[str] = ("lock_key", "lease_task_id", "processor")
    ui_color = "#f4d58d"

    def __init__(
        self,
        *,
        lock_key: str,
        action: str = "acquire",
        lease_task_id: str | None = None,
        lease_xcom_key: str = "return_value",
        processor: str | None = None,
        lease_seconds: int | None = None,
        lock_settings: LockSettings | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if action not in LOCK_ACTIONS:
            raise ValueError(f"action must be one of {', '.join(LOCK_ACTIONS)}, not {action!r}")
        if action != "acquire" and not lease_task_id:
            raise ValueError(f"action {action!r} needs lease_task_id, the task whose XCom holds the lease")
        self.lock_key = lock_key
        self.action = action
        self.lease_task_id = lease_task_id
        self.lease_xcom_key = lease_xcom_key
        self.processor = processor
        self.lease_seconds = lease_seconds
        self.lock_settings = lock_settings



    def execute(self, context: Context) -> dict[str, Any] | None:
        if self.action == "acquire":
            return self._acquire(context)
        lease = self._lease_from_xcom(context)
        if self.action == "renew":
            return self._renew(lease)
        return self._release(lease)

    def _acquire(self, context: Context) -> dict[str, Any]:
        from nba_pipeline.lease import LeaseHeld, Owner

        owner = Owner.from_ti(context["ti"])
        try:
            lease = self.lease_store.acquire(self.lock_key, owner, processor=self.processor)
        except LeaseHeld as held:
            raise AirflowException(
                f"lock {held.state.describe()}; {owner.execution_id} did not get it"
            ) from held
        self.log.info("Acquired lock %s for %s with fence %s", lease.key, owner.execution_id, lease.fence)
        return lease.to_dict()

    def _lease_from_xcom(self, context: Context):
        from nba_pipeline.lease import Lease

        data = context["ti"].xcom_pull(task_ids=self.lease_task_id, key=self.lease_xcom_key)
        if not data:
            return None
        lease = Lease.from_dict(data)
        if lease.key != self.lock_key:
            raise AirflowException(
                f"the lease in XCom of {self.lease_task_id} is for {lease.key}, not {self.lock_key}"
            )
        return lease

    def _renew(self, lease) -> dict[str, Any]:
        if lease is None:
            raise AirflowException(f"no lease for {self.lock_key} in XCom of {self.lease_task_id}; nothing to renew")
        renewed = self.lease_store.renew(lease)
        self.log.info(
            "Renewed lock %s for %s, fence %s, now expires %s",
            renewed.key, renewed.owner.execution_id, renewed.fence, renewed.expires_at,
        )
        return renewed.to_dict()

    def _release(self, lease) -> None:
        if lease is None:
            self.log.info(
                "No lease for %s in XCom of %s (the acquire did not run or failed); nothing to release",
                self.lock_key, self.lease_task_id,
            )
            return None
        if self.lease_store.release(lease):
            self.log.info("Released lock %s held by %s, fence %s", lease.key, lease.owner.execution_id, lease.fence)
        else:
            self.log.warning(
                "Lock %s (fence %s) is no longer held by %s; left it untouched",
                lease.key, lease.fence, lease.owner.execution_id,
            )
        return None
