"""A hook for the Firestore lease lock: Firestore clients from a Google Cloud connection.

The Google provider has no Firestore document hook (``CloudFirestoreHook`` only exports), so
this one builds ``google.cloud.firestore`` clients from the same connection the provider's
hooks use, and hands them to the lease library in ``nba_pipeline.lease``.

Everything a lock user needs to know (connection, impersonation, Firestore project and
database, collections and lease timings) is one frozen value, ``LockSettings``: operators and
sensors take it as one argument and hand ``to_dict()`` to their triggers, in the way the
provider's sensors hand ``hook_params`` to theirs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow.providers.google.common.hooks.base_google import GoogleBaseHook

from nba_pipeline.lease.model import LeasePolicy

if TYPE_CHECKING:
    from google.cloud import firestore

    from nba_pipeline.lease import AsyncLeaseStore, LeaseStore


@dataclass(frozen=True)
class LockSettings:
    """Where the lease locks live and how they behave; JSON-safe through ``to_dict``.

    ``project_id`` is the project of the Firestore database (``None``: the connection's, then
    the ``NBA_GCP_PROJECT`` setting); ``database`` its id (``None``: ``(default)``).
    """

    gcp_conn_id: str = "google_cloud_default"
    impersonation_chain: str | tuple[str, ...] | None = None
    project_id: str | None = None
    database: str | None = None
    policy: LeasePolicy = field(default_factory=LeasePolicy)

    def __post_init__(self):
        if isinstance(self.impersonation_chain, list):
            object.__setattr__(self, "impersonation_chain", tuple(self.impersonation_chain))

    @classmethod
    def from_env(cls, **overrides: Any) -> LockSettings:
        """The settings of this deployment (``NBA_*`` variables), with ``overrides`` applied."""
        from nba_pipeline.config import settings

        config = settings()
        values: dict[str, Any] = {"gcp_conn_id": config.gcp_conn_id, "policy": config.lease_policy()}
        values.update({name: value for name, value in overrides.items() if value is not None})
        return cls(**values)

    def with_lease(self, lease_seconds: int | None) -> LockSettings:
        return replace(self, policy=self.policy.with_lease(lease_seconds))

    def to_dict(self) -> dict[str, Any]:
        chain = self.impersonation_chain
        return {
            "gcp_conn_id": self.gcp_conn_id,
            "impersonation_chain": list(chain) if isinstance(chain, tuple) else chain,
            "project_id": self.project_id,
            "database": self.database,
            "policy": self.policy.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LockSettings:
        return cls(
            gcp_conn_id=data.get("gcp_conn_id") or "google_cloud_default",
            impersonation_chain=data.get("impersonation_chain"),
            project_id=data.get("project_id"),
            database=data.get("database"),
            policy=LeasePolicy.from_dict(data.get("policy")),
        )


def resolve_lock_settings(value: LockSettings | Mapping[str, Any] | None) -> LockSettings:
    """``None`` means this deployment's settings, read when the task runs (not at parse time)."""
    if value is None:
        return LockSettings.from_env()
    return value if isinstance(value, LockSettings) else LockSettings.from_dict(value)


class FirestoreLockHook(GoogleBaseHook):
    """
    Interact with the lease locks kept in Firestore (``processing_locks`` by default).

    :param lock_settings: Connection, Firestore project and database, collections and lease
        timings; ``None`` reads this deployment's ``NBA_*`` settings.
    """

    conn_name_attr = "gcp_conn_id"
    default_conn_name = "google_cloud_default"
    conn_type = "google_cloud_platform"
    hook_name = "Firestore Lease Lock"

    def __init__(self, *, lock_settings: LockSettings | None = None, **kwargs: Any) -> None:
        self.lock_settings = resolve_lock_settings(lock_settings)
        super().__init__(
            gcp_conn_id=self.lock_settings.gcp_conn_id,
            impersonation_chain=self.lock_settings.impersonation_chain,
            **kwargs,
        )

    @property
    def policy(self) -> LeasePolicy:
        return self.lock_settings.policy

    @property
    def firestore_project(self) -> str:
        """The project of the Firestore database: settings, then connection, then ``NBA_GCP_PROJECT``."""
        from nba_pipeline.config import settings

        if self.lock_settings.project_id:
            return self.lock_settings.project_id
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
        """A synchronous Firestore client for the settings' project and database."""
        from google.cloud import firestore

        return firestore.Client(project=self.firestore_project, credentials=self._client_credentials(),
                                database=self.lock_settings.database)

    def get_async_client(self) -> firestore.AsyncClient:
        """An asyncio Firestore client; build it inside the event loop that will use it."""
        from google.cloud import firestore

        return firestore.AsyncClient(project=self.firestore_project, credentials=self._client_credentials(),
                                     database=self.lock_settings.database)

    def get_store(self) -> LeaseStore:
        """A ``LeaseStore`` on a new synchronous client."""
        from nba_pipeline.lease import LeaseStore

        return LeaseStore(self.get_client(), self.policy)

    def get_async_store(self, client: firestore.AsyncClient | None = None) -> AsyncLeaseStore:
        """An ``AsyncLeaseStore`` on ``client`` or a new asyncio client (build it inside the running loop)."""
        from nba_pipeline.lease import AsyncLeaseStore

        return AsyncLeaseStore(client or self.get_async_client(), self.policy)


class LockHookMixin:
    """The one way a task gets its lock hook and lease store: built when first used at run time.

    The task keeps ``lock_settings`` (``None``: the ``NBA_*`` settings) and ``lease_seconds``
    (``None``: the policy's) as given; nothing is resolved or built at parse time.
    """

    lock_settings: LockSettings | None
    lease_seconds: int | None

    @cached_property
    def resolved_lock_settings(self) -> LockSettings:
        return resolve_lock_settings(self.lock_settings).with_lease(self.lease_seconds)

    @cached_property
    def lock_hook(self) -> FirestoreLockHook:
        return FirestoreLockHook(lock_settings=self.resolved_lock_settings)

    @cached_property
    def lease_store(self) -> LeaseStore:
        return self.lock_hook.get_store()


__all__ = ["FirestoreLockHook", "LockHookMixin", "LockSettings", "resolve_lock_settings"]
