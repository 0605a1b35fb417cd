"""Triggers that wait on a Firestore lease lock, and that keep a lease alive while BigQuery works.

Both run in the triggerer, where no worker process of the task is alive: they poll with the
asyncio ``AsyncLeaseStore`` and yield exactly one ``TriggerEvent``. Both take the lock
settings as one JSON-safe dict (``LockSettings.to_dict()``), as the provider's triggers take
``hook_params``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from airflow.triggers.base import BaseTrigger, TriggerEvent
from asgiref.sync import sync_to_async

if TYPE_CHECKING:
    from nba_pipeline.hooks.firestore_lock import FirestoreLockHook, LockSettings
    from nba_pipeline.lease import AsyncLeaseStore, Lease, LockState


class _LeaseStoreTrigger(BaseTrigger):
    """Builds the lock hook and an ``AsyncLeaseStore`` from the serialised lock settings."""

    lock_settings: dict[str, Any]

    @property
    def settings(self) -> LockSettings:
        """The task's lock settings; none given means the triggerer's ``NBA_*`` settings."""
        from nba_pipeline.hooks.firestore_lock import resolve_lock_settings

        return resolve_lock_settings(self.lock_settings or None)

    def get_lock_hook(self) -> FirestoreLockHook:
        from nba_pipeline.hooks.firestore_lock import FirestoreLockHook

        return FirestoreLockHook(lock_settings=self.settings)

    async def open_store(self) -> tuple[Any, AsyncLeaseStore]:
        """An asyncio Firestore client and its store; close the client when done."""
        # Reading the connection and credentials blocks: do it off the event loop.
        hook = await sync_to_async(self.get_lock_hook)()
        await sync_to_async(hook.prepare_credentials)()
        client = hook.get_async_client()
        return client, hook.get_async_store(client)

    async def call(self, awaitable):
        """One lease call, bounded: a hung Firestore call must not stall the trigger."""
        policy = self.settings.policy
        return await asyncio.wait_for(awaitable, timeout=policy.rpc_budget_seconds + policy.rpc_timeout_seconds)


async def _close(client: Any) -> None:
    if client is None:
        return
    try:
        result = client.close()
        if asyncio.iscoroutine(result):
            await result
    except Exception:  # closing is best effort; the event already went out
        pass


class FirestoreLockTrigger(_LeaseStoreTrigger):
    """
    Wait until a Firestore lease lock is free, or take it as soon as it is free.

    Yields one event: ``{"status": "free", "state": ...}``, ``{"status": "acquired", "lease": ...}``,
    ``{"status": "timeout", "state": ...}`` or ``{"status": "error", "message": ...}``.

    A duplicate instance of this trigger (the triggerer may run one twice) acquires as the same
    try of the same task: it finds the lock held by exactly this owner and recovers that very
    lease (same fence), so there is never a second grant.

    :param lock_key: Lock document id, e.g. ``PlayerGameSummaryProcessor_2026-02-03``.
    :param owner: The waiting task's ``Owner`` as a dict; required with ``acquire_when_free``.
    :param acquire_when_free: Acquire the lock atomically as soon as it is free.
    :param processor: Legacy ``processor`` field written into the lock document on acquire.
    :param lease_seconds: Lease length on acquire; defaults to the settings' policy.
    :param fence_floor: The highest fence the sink already holds; a grant must exceed it.
    :param poll_interval: Seconds between two looks at the lock (a look is one document read).
    :param deadline: ISO timestamp, judged on Firestore server time, at which waiting stops.
    :param lock_settings: ``LockSettings.to_dict()`` of the task.
    """

    def __init__(
        self,
        *,
        lock_key: str,
        owner: dict[str, Any] | None = None,
        acquire_when_free: bool = False,
        processor: str | None = None,
        lease_seconds: int | None = None,
        fence_floor: int = 0,
        poll_interval: float = 2.0,
        deadline: str | None = None,
        lock_settings: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        if acquire_when_free and not owner:
            raise ValueError("acquire_when_free needs the owner of the task that waits")
        self.lock_key = lock_key
        self.owner = owner
        self.acquire_when_free = acquire_when_free
        self.processor = processor
        self.lease_seconds = lease_seconds
        self.fence_floor = int(fence_floor or 0)
        self.poll_interval = poll_interval
        self.deadline = deadline
        self.lock_settings = dict(lock_settings or {})

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            "nba_pipeline.triggers.firestore_lock.FirestoreLockTrigger",
            {
                "lock_key": self.lock_key,
                "owner": self.owner,
                "acquire_when_free": self.acquire_when_free,
                "processor": self.processor,
                "lease_seconds": self.lease_seconds,
                "fence_floor": self.fence_floor,
                "poll_interval": self.poll_interval,
                "deadline": self.deadline,
                "lock_settings": self.lock_settings,
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
        # The rules decide: a grant, this try's own lease recovered, or a retry's takeover.
        return await self.call(store.try_acquire(
            self.lock_key, owner, processor=self.processor, lease_seconds=self.lease_seconds,
            fence_floor=self.fence_floor,
        ))

    async def run(self) -> AsyncIterator[TriggerEvent]:
        client = None
        try:
            client, store = await self.open_store()
            while True:
                state = await self.call(store.inspect(self.lock_key))
                if self.acquire_when_free:
                    lease = await self._try_acquire(store, state)
                    if lease is not None:
                        self.log.info("Acquired lock %s for %s with fence %s", self.lock_key,
                                      lease.owner.execution_id, lease.fence)
                        yield TriggerEvent(
                            {"status": "acquired", "lock_key": self.lock_key, "lease": lease.to_dict()}
                        )
                        return
                elif state.free:
                    self.log.info("Lock %s is free", self.lock_key)
                    yield TriggerEvent({"status": "free", "lock_key": self.lock_key, "state": state.to_dict()})
                    return
                if self._past_deadline(state):
                    self.log.info("Gave up waiting for the lock: %s", state.describe())
                    yield TriggerEvent({"status": "timeout", "lock_key": self.lock_key, "state": state.to_dict()})
                    return
                self.log.info("Waiting for the lock: %s; next look in %s s", state.describe(), self.poll_interval)
                await asyncio.sleep(self.poll_interval)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            self.log.exception("Waiting for lock %s failed", self.lock_key)
            yield TriggerEvent({"status": "error", "lock_key": self.lock_key, "message": str(error)})
        finally:
            await _close(client)


class LeaseGuardedBigQueryJobTrigger(_LeaseStoreTrigger):
    """
    Poll a BigQuery job and renew the lease that guards it, in one loop.

    The lease is lost when a renewal is refused (taken over, removed, a legacy writer took it),
    or when no renewal succeeded for the policy's ``self_fence_seconds`` on the triggerer's
    monotonic clock (Firestore down, hung calls): the job is then cancelled and an error event
    yielded. Any other failure (a job status call that fails) cancels the job too before the
    error event, so the task never releases the lease while its job may still write.
    Events: ``{"status": "success", "job_id", "lease"}`` or
    ``{"status": "error", "message", "job_id", "lease", "lease_lost"}``.

    :param job_id: The BigQuery job to watch.
    :param project_id: Google Cloud project where the job runs.
    :param location: Location of the job.
    :param lease: The guarding ``Lease`` as a dict (``Lease.to_dict()``).
    :param poll_interval: Seconds between two job status checks.
    :param cancel_on_kill: Cancel the job (and release the lease) when the task is killed.
    :param lock_settings: ``LockSettings.to_dict()`` of the task; its connection serves BigQuery too.
    """

    def __init__(
        self,
        *,
        job_id: str,
        project_id: str | None,
        location: str | None,
        lease: dict[str, Any],
        poll_interval: float = 4.0,
        cancel_on_kill: bool = True,
        lock_settings: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self.job_id = job_id
        self.project_id = project_id
        self.location = location
        self.lease = lease
        self.poll_interval = poll_interval
        self.cancel_on_kill = cancel_on_kill
        self.lock_settings = dict(lock_settings or {})
        self._current_lease: Lease | None = None

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            "nba_pipeline.triggers.firestore_lock.LeaseGuardedBigQueryJobTrigger",
            {
                "job_id": self.job_id,
                "project_id": self.project_id,
                "location": self.location,
                "lease": self.lease,
                "poll_interval": self.poll_interval,
                "cancel_on_kill": self.cancel_on_kill,
                "lock_settings": self.lock_settings,
            },
        )

    def _get_async_hook(self):
        from airflow.providers.google.cloud.hooks.bigquery import BigQueryAsyncHook

        settings = self.settings
        return BigQueryAsyncHook(gcp_conn_id=settings.gcp_conn_id,
                                 impersonation_chain=settings.impersonation_chain, use_legacy_sql=False)

    async def cancel_job(self, hook) -> None:
        """Ask BigQuery to cancel the job (best effort, logged); its state is read back later."""
        try:
            # The synchronous client honours BIGQUERY_EMULATOR_HOST and anonymous connections;
            # the provider's gcloud-aio cancel builds its own URL and token.
            sync_hook = await hook.get_sync_hook()
            client = await sync_to_async(sync_hook.get_client)(project_id=self.project_id, location=self.location)
            self.log.info("Cancelling BigQuery job %s", self.job_id)
            await sync_to_async(client.cancel_job)(self.job_id, project=self.project_id, location=self.location)
        except Exception:
            self.log.exception("Could not cancel BigQuery job %s; the sink's fence still refuses its write "
                               "once a newer lease writes", self.job_id)

    def _event(self, status: str, lease: Lease, **extra: Any) -> TriggerEvent:
        return TriggerEvent({"status": status, "job_id": self.job_id, "lease": lease.to_dict(), **extra})

    async def _renew(self, store: AsyncLeaseStore, lease: Lease, last_ok: float) -> tuple[Lease, float, str | None]:
        """Renew once: (lease, time of the last success, why the lease is lost or ``None``)."""
        from nba_pipeline.lease import LeaseLost

        loop = asyncio.get_running_loop()
        policy = self.settings.policy
        started = loop.time()
        if started - last_ok > policy.self_fence_seconds:
            return lease, last_ok, (f"no renewal succeeded for {started - last_ok:.1f} s (self-fence after "
                                    f"{policy.self_fence_seconds:g} s)")
        try:
            renewed = await self.call(store.renew(lease))
        except LeaseLost as lost:
            return lease, last_ok, str(lost)
        except Exception as error:
            # Firestore unreachable is not proof of loss yet: retry until the self-fence deadline.
            self.log.warning("Renewing lease on %s failed (%r); self-fence in %.0f s", lease.key, error,
                             policy.self_fence_seconds - (loop.time() - last_ok))
            return lease, last_ok, None
        self.log.info("Renewed lease on %s for %s, fence %s, expires %s", renewed.key,
                      renewed.owner.execution_id, renewed.fence, renewed.expires_at)
        return renewed, started, None

    async def run(self) -> AsyncIterator[TriggerEvent]:
        from nba_pipeline.lease import Lease

        loop = asyncio.get_running_loop()
        policy = self.settings.policy
        lease = self._current_lease = Lease.from_dict(self.lease)
        hook = self._get_async_hook()
        client = None
        # The worker renewed right before deferring; count from the lease's own grant time at worst.
        last_ok = loop.time()
        try:
            client, store = await self.open_store()
            # Renew at once: this also proves, after the hand-over from the worker, that the lease is ours.
            next_renewal = loop.time()
            while True:
                if loop.time() >= next_renewal:
                    lease, renewed_at, lost = await self._renew(store, lease, last_ok)
                    self._current_lease = lease
                    if lost:
                        self.log.error("Lease on %s (fence %s, %s) lost: %s; cancelling BigQuery job %s",
                                       lease.key, lease.fence, lease.owner.execution_id, lost, self.job_id)
                        await self.cancel_job(hook)
                        yield self._event(
                            "error", lease, lease_lost=True,
                            message=(f"lease on {lease.key} (fence {lease.fence}) was lost while BigQuery job "
                                     f"{self.job_id} ran ({lost}); the job was cancelled"),
                        )
                        return
                    succeeded = renewed_at != last_ok
                    last_ok = renewed_at
                    next_renewal = loop.time() + (policy.renew_seconds if succeeded
                                                  else max(0.2, policy.renew_seconds / 4))
                job_status = await hook.get_job_status(job_id=self.job_id, project_id=self.project_id,
                                                       location=self.location)
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
            # Cancel before the task gets the event and releases: no write may outlive the lease.
            await self.cancel_job(hook)
            yield self._event("error", lease, lease_lost=False,
                              message=f"{error}; BigQuery job {self.job_id} was cancelled")
        finally:
            await _close(client)

    async def on_kill(self) -> None:
        """Cancel the job, then give the lease back, when a person kills the task."""
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
            await self.call(store.release(lease))
        finally:
            await _close(client)
