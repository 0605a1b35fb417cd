"""A hook for the Firestore lease lock: Firestore clients from a Google Cloud connection.

The Google provider has no Firestore document hook (``CloudFirestoreHook`` only exports), so
this one builds ``google.cloud.firestore`` clients from the same connection the provider's
hooks use, and hands them to the lease library in ``nba_pipeline.lease``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow.providers.google.common.hooks.base_google import GoogleBaseHook

from nba_pipeline.config import settings

if TYPE_CHECKING:
    from google.cloud import firestore

    from nba_pipeline.lease import AsyncLeaseStore, Lease, LeaseStore, LockState, Owner

class FirestoreLockHook(GoogleBaseHook):
    """
    Interact with the lease locks kept in Firestore (``processing_locks`` by default).

    Collection names and the lease length come from ``nba_pipeline.config`` settings unless
    given here.

    :param gcp_conn_id: The connection ID to use when fetching connection info.
    :param impersonation_chain: Optional service account to impersonate using short-term
        credentials, or chained list of accounts required to get the access token of the last one.
    :param project_id: Project holding the Firestore database; defaults to the connection's
        project, then to the ``NBA_GCP_PROJECT`` setting.
    :param database: Firestore database id; ``None`` means ``(default)``.
    :param collection: Collection of the lock documents.
    :param fence_collection: Collection of the per-key fencing counters.
    :param audit_collection: Collection of the lock audit records.
    :param lease_seconds: Default lease length in seconds.
    """

    conn_name_attr = "gcp_conn_id"
    default_conn_name = "google_cloud_default"
    conn_type = "google_cloud_platform"
    hook_name = "Firestore Lease Lock"

    def __init__(
        self,
        gcp_conn_id: str | None = None,
        impersonation_chain: str | Sequence[str] | None = None,
        *,
        project_id: str | None = None,
        database: str | None = None,
        collection: str | None = None,
        fence_collection: str | None = None,
        audit_collection: str | None = None,
        lease_seconds: int | None = None,
        **kwargs: Any,
    ) -> None:
        config = settings()
        super().__init__(
            gcp_conn_id=gcp_conn_id or config.gcp_conn_id,
            impersonation_chain=impersonation_chain,
            **kwargs,
        )
        self._project_id = project_id
        self.database = database
        self.collection = collection or config.lock_collection
        self.fence_collection = fence_collection or config.lock_fence_collection
        self.audit_collection = audit_collection or config.lock_audit_collection
        self.lease_seconds = int(lease_seconds or config.lease_seconds)

    @property
    def firestore_project(self) -> str:
        """The project of the Firestore database: argument, then connection, then settings."""
        if self._project_id:
            return self._project_id
        if self.uses_emulator:
            # The connection may be anonymous without a project; the emulator accepts any.
            return self._get_field("project", None) or settings().project
        return self.project_id or settings().project

    @property
    def uses_emulator(self) -> bool:
        return bool(os.environ.get("FIRESTORE_EMULATOR_HOST"))

    def prepare_credentials(self) -> None:
        """Resolve credentials and project now (blocking I/O), so async code can build clients."""
        self._client_credentials()
        _ = self.firestore_project

    def _client_credentials(self):
        if self.uses_emulator:
            from google.auth.credentials import AnonymousCredentials

            return AnonymousCredentials()
        return self.get_credentials()

    def get_client(self) -> firestore.Client:
        """A synchronous Firestore client for the connection's project."""
        from google.cloud import firestore

        return firestore.Client(
            project=self.firestore_project, credentials=self._client_credentials(), database=self.database
        )

    def get_async_client(self) -> firestore.AsyncClient:
        """An asyncio Firestore client; build it inside the event loop that will use it."""
        from google.cloud import firestore

        return firestore.AsyncClient(
            project=self.firestore_project, credentials=self._client_credentials(), database=self.database
        )

    def store_options(self) -> dict[str, Any]:
        """Keyword arguments shared by ``LeaseStore`` and ``AsyncLeaseStore``."""
        return {
            "collection": self.collection,
            "fence_collection": self.fence_collection,
            "audit_collection": self.audit_collection,
            "lease_seconds": self.lease_seconds,
        }

    @cached_property
    def store(self) -> LeaseStore:
        return self.get_store()

    def get_store(self) -> LeaseStore:
        """A new ``LeaseStore`` on a new synchronous client."""
        from nba_pipeline.lease import LeaseStore

        return LeaseStore(self.get_client(), **self.store_options())

    def get_async_store(self, client: firestore.AsyncClient | None = None) -> AsyncLeaseStore:
        """An ``AsyncLeaseStore`` on ``client`` or a new asyncio client (build it inside the running loop)."""
        from nba_pipeline.lease import AsyncLeaseStore

        return AsyncLeaseStore(client or self.get_async_client(), **self.store_options())

    def acquire(
        self, key: str, owner: Owner, *, processor: str | None = None, lease_seconds: int | None = None
    ) -> Lease:
        """Acquire ``key`` for ``owner``; raises ``LeaseHeld`` when someone else holds it."""
        return self.store.acquire(key, owner, processor=processor, lease_seconds=lease_seconds)

    def try_acquire(
        self, key: str, owner: Owner, *, processor: str | None = None, lease_seconds: int | None = None
    ) -> Lease | None:
        """Acquire ``key`` for ``owner``, or return ``None`` when someone else holds it."""
        return self.store.try_acquire(key, owner, processor=processor, lease_seconds=lease_seconds)

    def renew(self, lease: Lease) -> Lease:
        """Extend ``lease``; raises ``LeaseLost`` when it was taken over or removed."""
        return self.store.renew(lease)

    def release(self, lease: Lease) -> bool:
        """Release ``lease`` if it is still ours; ``False`` (and nothing deleted) otherwise."""
        return self.store.release(lease)

    def inspect(self, key: str) -> LockState:
        """The current state of ``key`` judged on Firestore server time."""
        return self.store.inspect(key)
