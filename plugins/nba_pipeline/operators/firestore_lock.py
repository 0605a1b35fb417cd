"""Acquire, renew or release a Firestore lease lock as an Airflow task."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowException

from nba_pipeline.hooks.firestore_lock import FirestoreLockHook

if TYPE_CHECKING:
    from airflow.sdk import Context

    from nba_pipeline.lease import Owner

LOCK_ACTIONS = ("acquire", "release", "renew")


def task_owner(context: Context) -> Owner:
    """The lease owner of the running task instance: dag, run, task, map index and try.

    Host and process id default to this process's, so the lock document says where the work runs.
    """
    from nba_pipeline.lease import Owner

    ti = context["ti"]
    map_index = getattr(ti, "map_index", -1)
    return Owner(
        dag_id=ti.dag_id,
        run_id=ti.run_id,
        task_id=ti.task_id,
        map_index=-1 if map_index is None else int(map_index),
        try_number=int(ti.try_number or 1),
    )


def lock_hook_settings(operator: Any) -> dict[str, Any]:
    """The ``FirestoreLockHook`` arguments of an operator or sensor that has lock settings."""
    return {
        "gcp_conn_id": operator.gcp_conn_id,
        "impersonation_chain": operator.impersonation_chain,
        "project_id": operator.firestore_project_id,
        "collection": operator.lock_collection,
        "fence_collection": operator.lock_fence_collection,
        "audit_collection": operator.lock_audit_collection,
        "lease_seconds": operator.lease_seconds,
    }


class FirestoreLockOperator(BaseOperator):
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
    :param lease_seconds: Lease length on acquire; defaults to the settings.
    :param gcp_conn_id: The connection ID used to reach Firestore; defaults to the settings. (templated)
    :param impersonation_chain: Optional service account to impersonate. (templated)
    :param firestore_project_id: Project of the Firestore database. (templated)
    :param lock_collection: Lock collection; defaults to the settings.
    :param lock_fence_collection: Fence counter collection; defaults to the settings.
    :param lock_audit_collection: Lock audit collection; defaults to the settings.
    """

    template_fields: Sequence[str] = (
        "lock_key",
        "lease_task_id",
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
        action: str = "acquire",
        lease_task_id: str | None = None,
        lease_xcom_key: str = "return_value",
        processor: str | None = None,
        lease_seconds: int | None = None,
        gcp_conn_id: str | None = None,
        impersonation_chain: str | Sequence[str] | None = None,
        firestore_project_id: str | None = None,
        lock_collection: str | None = None,
        lock_fence_collection: str | None = None,
        lock_audit_collection: str | None = None,
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
        self.gcp_conn_id = gcp_conn_id
        self.impersonation_chain = impersonation_chain
        self.firestore_project_id = firestore_project_id
        self.lock_collection = lock_collection
        self.lock_fence_collection = lock_fence_collection
        self.lock_audit_collection = lock_audit_collection

    def get_hook(self) -> FirestoreLockHook:
        return FirestoreLockHook(**lock_hook_settings(self))

    def execute(self, context: Context) -> dict[str, Any] | None:
        if self.action == "acquire":
            return self._acquire(context)
        lease = self._lease_from_xcom(context)
        if self.action == "renew":
            return self._renew(lease)
        return self._release(lease)

    def _acquire(self, context: Context) -> dict[str, Any]:
        from nba_pipeline.lease import LeaseHeld

        owner = task_owner(context)
        try:
            lease = self.get_hook().acquire(
                self.lock_key, owner, processor=self.processor, lease_seconds=self.lease_seconds
            )
        except LeaseHeld as held:
            from nba_pipeline.triggers.firestore_lock import describe_holder

            raise AirflowException(
                f"lock {self.lock_key} is held by {describe_holder(held.state)}; {owner.execution_id} did not get it"
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
        renewed = self.get_hook().renew(lease)
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
        if self.get_hook().release(lease):
            self.log.info("Released lock %s held by %s, fence %s", lease.key, lease.owner.execution_id, lease.fence)
        else:
            self.log.warning(
                "Lock %s (fence %s) is no longer held by %s; left it untouched",
                lease.key, lease.fence, lease.owner.execution_id,
            )
        return None
