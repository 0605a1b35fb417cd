"""Triggers that wait on a Firestore lease lock, and that keep a lease alive while BigQuery works.

Both run in the triggerer, where no worker process of the task is alive: they poll with the
asyncio ``AsyncLeaseStore`` and yield exactly one ``TriggerEvent``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any

from asgiref.sync import sync_to_async

from airflow.triggers.base import BaseTrigger, TriggerEvent

if TYPE_CHECKING:
    from nba_pipeline.hooks.firestore_lock import FirestoreLockHook
    from nba_pipeline.lease import AsyncLeaseStore, Lease, LockState


def describe_holder(state: LockState | dict[str, Any] | None) -> str:
    """Who holds a lock, since when and until when, from a ``LockState`` or its dict."""
    if state is None:
        return "unknown holder"
    if not isinstance(state, dict):
        return state.describe()
    if not state.get("exists"):
        return f"{state.get('key')}: free"
    who = state.get("execution_id") or "unknown holder"
    kind = "legacy lock" if state.get("legacy") else f"fence {state.get('fence')}"
    age, expires_in = state.get("age_seconds"), state.get("expires_in_seconds")
    return (
        f"{state.get('key')}: held by {who} ({kind}) on {state.get('instance')}, "
        f"age {age if age is None else round(age)} s, expires in {expires_in if expires_in is None else round(expires_in)} s"
    )


class _LeaseStoreTriggerMixin:
    """Builds the lock hook and an ``AsyncLeaseStore`` from serialisable settings."""

    gcp_conn_id: str | None
    impersonation_chain: str | Sequence[str] | None
    project_id: str | None
    collection: str | None
    fence_collection: str | None
    audit_collection: str | None
    lease_seconds: int | None

    def _lock_settings(self) -> dict[str, Any]:
        return {
            "gcp_conn_id": self.gcp_conn_id,
            "impersonation_chain": self.impersonation_chain,
            "project_id": self.project_id,
            "collection": self.collection,
            "fence_collection": self.fence_collection,
            "audit_collection": self.audit_collection,
            "lease_seconds": self.lease_seconds,
        }

    def get_lock_hook(self) -> FirestoreLockHook:
        from nba_pipeline.hooks.firestore_lock import FirestoreLockHook

        return FirestoreLockHook(**self._lock_settings())

    async def open_store(self) -> tuple[Any, AsyncLeaseStore]:
        """An asyncio Firestore client and its store; close the client when done."""
        # Reading the connection and credentials blocks: do it off the event loop.
        hook = await sync_to_async(self.get_lock_hook)()
        await sync_to_async(hook.prepare_credentials)()
        client = hook.get_async_client()
        return client, hook.get_async_store(client)


async def _close(client: Any) -> None:
    if client is None:
        return
    try:
        result = client.close()
        if asyncio.iscoroutine(result):
            await result
    except Exception:  # closing is best effort; the event already went out
        pass


class FirestoreLockTrigger(_LeaseStoreTriggerMixin, BaseTrigger):
    """
    Wait until a Firestore lease lock is free, or take it as soon as it is free.

    Yields one event: ``{"status": "free", "state": ...}``, ``{"status": "acquired", "lease": ...}``,
    ``{"status": "timeout", "state": ...}`` or ``{"status": "error", "message": ...}``.

    A duplicate instance of this trigger (the triggerer may run one twice) acquires with the
    same ``owner``, so it is the same task taking over its own lease, never a second grant.

    :param lock_key: Lock document id, e.g. ``PlayerGameSummaryProcessor_2026-02-03``.
    :param owner: The waiting task's ``Owner`` as a dict; required with ``acquire_when_free``.
    :param acquire_when_free: Acquire the lock atomically as soon as it is free.
    :param processor: Legacy ``processor`` field written into the lock document on acquire.
    :param lease_seconds: Lease length on acquire; defaults to the settings.
    :param poll_interval: Seconds between two looks at the lock.
    :param deadline: ISO timestamp, judged on Firestore server time, at which waiting stops.
    :param gcp_conn_id: The connection ID used to reach Firestore.
    :param impersonation_chain: Optional service account to impersonate.
    :param project_id: Project of the Firestore database.
    :param collection: Lock collection; defaults to the settings.
    :param fence_collection: Fence counter collection; defaults to the settings.
    :param audit_collection: Lock audit collection; defaults to the settings.
    """

    def __init__(
        self,
        *,
        lock_key: str,
        owner: dict[str, Any] | None = None,
        acquire_when_free: bool = False,
        processor: str | None = None,
        lease_seconds: int | None = None,
        poll_interval: float = 10.0,
        deadline: str | None = None,
        gcp_conn_id: str | None = None,
        impersonation_chain: str | Sequence[str] | None = None,
        project_id: str | None = None,
        collection: str | None = None,
        fence_collection: str | None = None,
        audit_collection: str | None = None,
    ) -> None:
        super().__init__()
        if acquire_when_free and not owner:
            raise ValueError("acquire_when_free needs the owner of the task that waits")
        self.lock_key = lock_key
        self.owner = owner
        self.acquire_when_free = acquire_when_free
        self.processor = processor
        self.lease_seconds = lease_seconds
        self.poll_interval = poll_interval
        self.deadline = deadline
        self.gcp_conn_id = gcp_conn_id
        self.impersonation_chain = impersonation_chain
        self.project_id = project_id
        self.collection = collection
        self.fence_collection = fence_collection
        self.audit_collection = audit_collection

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            "nba_pipeline.triggers.firestore_lock.FirestoreLockTrigger",
            {
                "lock_key": self.lock_key,
                "owner": self.owner,
                "acquire_when_free": self.acquire_when_free,
                "processor": self.processor,
                "lease_seconds": self.lease_seconds,
                "poll_interval": self.poll_interval,
                "deadline": self.deadline,
                "gcp_conn_id": self.gcp_conn_id,
                "impersonation_chain": self.impersonation_chain,
                "project_id": self.project_id,
                "collection": self.collection,
                "fence_collection": self.fence_collection,
                "audit_collection": self.audit_collection,
            },
        )

    def _past_deadline(self, state: LockState) -> bool:
        from nba_pipeline.lease.model import as_utc

        deadline = as_utc(self.deadline)
        return deadline is not None and state.server_time is not None and state.server_time >= deadline

    async def _try_acquire(self, store: AsyncLeaseStore, state: LockState) -> Lease | None:
        from nba_pipeline.lease import Owner

        owner = Owner.from_dict(self.owner)
        if not (state.free or owner.same_task(state.holder)):
            return None
        return await store.try_acquire(
            self.lock_key, owner, processor=self.processor, lease_seconds=self.lease_seconds
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        client = None
        try:
            client, store = await self.open_store()
            while True:
                state = await store.inspect(self.lock_key)
                if self.acquire_when_free:
                    lease = await self._try_acquire(store, state)
                    if lease is not None:
                        self.log.info(
                            "Acquired lock %s for %s with fence %s", self.lock_key,
                            lease.owner.execution_id, lease.fence,
                        )
                        yield TriggerEvent(
                            {"status": "acquired", "lock_key": self.lock_key, "lease": lease.to_dict()}
                        )
                        return
                elif state.free:
                    self.log.info("Lock %s is free", self.lock_key)
                    yield TriggerEvent({"status": "free", "lock_key": self.lock_key, "state": state.to_dict()})
                    return
                if self._past_deadline(state):
                    self.log.info("Gave up waiting for the lock: %s", describe_holder(state))
                    yield TriggerEvent({"status": "timeout", "lock_key": self.lock_key, "state": state.to_dict()})
                    return
                self.log.info("Waiting for the lock: %s; next look in %s s", describe_holder(state), self.poll_interval)
                await asyncio.sleep(self.poll_interval)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            self.log.exception("Waiting for lock %s failed", self.lock_key)
            yield TriggerEvent({"status": "error", "lock_key": self.lock_key, "message": str(error)})
        finally:
            await _close(client)


class LeaseGuardedBigQueryJobTrigger(_LeaseStoreTriggerMixin, BaseTrigger):
    """
    Poll a BigQuery job and renew the lease that guards it, in one loop.

    When a renewal finds the lease lost (taken over, removed, or Firestore refuses), the job is
    cancelled and an error event is yielded. Events: ``{"status": "success", "job_id", "lease"}``
    or ``{"status": "error", "message", "job_id", "lease", "lease_lost"}``.

    :param conn_id: The connection ID used for BigQuery and Firestore.
    :param job_id: The BigQuery job to watch.
    :param project_id: Google Cloud project where the job runs.
    :param location: Location of the job.
    :param lease: The guarding ``Lease`` as a dict (``Lease.to_dict()``).
    :param poll_interval: Seconds between two job status checks.
    :param renew_interval: Seconds between two lease renewals; defaults to a third of the lease.
    :param impersonation_chain: Optional service account to impersonate.
    :param cancel_on_kill: Cancel the job (and release the lease) when the task is killed.
    :param firestore_project_id: Project of the Firestore database.
    :param collection: Lock collection; defaults to the settings.
    :param fence_collection: Fence counter collection; defaults to the settings.
    :param audit_collection: Lock audit collection; defaults to the settings.
    """

    def __init__(
        self,
        *,
        conn_id: str | None,
        job_id: str,
        project_id: str | None,
        location: str | None,
        lease: dict[str, Any],
        poll_interval: float = 4.0,
        renew_interval: float | None = None,
        impersonation_chain: str | Sequence[str] | None = None,
        cancel_on_kill: bool = True,
        firestore_project_id: str | None = None,
        collection: str | None = None,
        fence_collection: str | None = None,
        audit_collection: str | None = None,
    ) -> None:
        super().__init__()
        self.conn_id = conn_id
        self.job_id = job_id
        self.job_project_id = project_id
        self.location = location
        self.lease = lease
        self.poll_interval = poll_interval
        self.renew_interval = renew_interval
        self.impersonation_chain = impersonation_chain
        self.cancel_on_kill = cancel_on_kill
        self.firestore_project_id = firestore_project_id
        self.collection = collection
        self.fence_collection = fence_collection
        self.audit_collection = audit_collection
        self._current_lease: Lease | None = None

    # Settings the mixin reads, named after this trigger's own arguments.
    @property
    def gcp_conn_id(self) -> str | None:
        return self.conn_id

    @property
    def project_id(self) -> str | None:
        return self.firestore_project_id

    @property
    def lease_seconds(self) -> int | None:
        return int(self.lease["lease_seconds"])

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            "nba_pipeline.triggers.firestore_lock.LeaseGuardedBigQueryJobTrigger",
            {
                "conn_id": self.conn_id,
                "job_id": self.job_id,
                "project_id": self.job_project_id,
                "location": self.location,
                "lease": self.lease,
                "poll_interval": self.poll_interval,
                "renew_interval": self.renew_interval,
                "impersonation_chain": self.impersonation_chain,
                "cancel_on_kill": self.cancel_on_kill,
                "firestore_project_id": self.firestore_project_id,
                "collection": self.collection,
                "fence_collection": self.fence_collection,
                "audit_collection": self.audit_collection,
            },
        )

    def _get_async_hook(self):
        from airflow.providers.google.cloud.hooks.bigquery import BigQueryAsyncHook

        return BigQueryAsyncHook(
            gcp_conn_id=self.conn_id, impersonation_chain=self.impersonation_chain, use_legacy_sql=False
        )

    def _renew_every(self, lease: Lease) -> float:
        if self.renew_interval:
            return float(self.renew_interval)
        return max(1.0, lease.lease_seconds / 3)

    async def cancel_job(self, hook) -> None:
        """Ask BigQuery to cancel the job; its state is read back by the next status check."""
        # The synchronous client honours BIGQUERY_EMULATOR_HOST and anonymous connections;
        # the provider's gcloud-aio cancel builds its own URL and token.
        sync_hook = await hook.get_sync_hook()
        client = await sync_to_async(sync_hook.get_client)(project_id=self.job_project_id, location=self.location)
        self.log.info("Cancelling BigQuery job %s", self.job_id)
        await sync_to_async(client.cancel_job)(self.job_id, project=self.job_project_id, location=self.location)

    def _event(self, status: str, lease: Lease, **extra: Any) -> TriggerEvent:
        return TriggerEvent({"status": status, "job_id": self.job_id, "lease": lease.to_dict(), **extra})

    async def run(self) -> AsyncIterator[TriggerEvent]:
        from nba_pipeline.lease import Lease, LeaseLost

        loop = asyncio.get_running_loop()
        lease = self._current_lease = Lease.from_dict(self.lease)
        hook = self._get_async_hook()
        client = None
        try:
            client, store = await self.open_store()
            # Renew at once: this also proves, after the hand-over from the worker, that the lease is ours.
            next_renewal = loop.time()
            while True:
                if loop.time() >= next_renewal:
                    try:
                        lease = self._current_lease = await store.renew(lease)
                    except Exception as error:
                        # Firestore unreachable counts as lost: nobody can prove the lease is ours.
                        lost = error if isinstance(error, LeaseLost) else LeaseLost(
                            lease.key, f"renewal failed: {error!r}"
                        )
                        self.log.error(
                            "Lease on %s (fence %s, %s) lost: %s; cancelling BigQuery job %s",
                            lease.key, lease.fence, lease.owner.execution_id, lost, self.job_id,
                        )
                        await self.cancel_job(hook)
                        yield self._event(
                            "error", lease, lease_lost=True,
                            message=(
                                f"lease on {lease.key} (fence {lease.fence}) was lost while BigQuery job "
                                f"{self.job_id} ran ({lost}); the job was cancelled"
                            ),
                        )
                        return
                    self.log.info(
                        "Renewed lease on %s for %s, fence %s, expires %s",
                        lease.key, lease.owner.execution_id, lease.fence, lease.expires_at,
                    )
                    next_renewal = loop.time() + self._renew_every(lease)
                job_status = await hook.get_job_status(
                    job_id=self.job_id, project_id=self.job_project_id, location=self.location
                )
                if job_status["status"] == "success":
                    yield self._event("success", lease, message=job_status["message"])
                    return
                if job_status["status"] == "error":
                    yield self._event("error", lease, lease_lost=False, message=job_status["message"])
                    return
                self.log.info("BigQuery job %s is %s", self.job_id, job_status["status"])
                await asyncio.sleep(max(0.0, min(self.poll_interval, next_renewal - loop.time())))
        except asyncio.CancelledError:
            raise
        except Exception as error:
            self.log.exception("Watching BigQuery job %s under lease %s failed", self.job_id, lease.key)
            yield self._event("error", lease, lease_lost=False, message=str(error))
        finally:
            await _close(client)

    async def on_kill(self) -> None:
        """Cancel the job and give the lease back when a person kills the task."""
        if not self.cancel_on_kill:
            return
        await self.cancel_job(self._get_async_hook())
        client = None
        try:
            client, store = await self.open_store()
            lease = self._current_lease
            if lease is None:
                from nba_pipeline.lease import Lease

                lease = Lease.from_dict(self.lease)
            await store.release(lease)
        finally:
            await _close(client)
