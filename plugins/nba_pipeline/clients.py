"""Google Cloud clients for code that runs outside Airflow tasks (CLI, seeding, tests).

Inside Airflow, hooks build clients from the connection instead. When an ``*_EMULATOR_HOST``
variable is set the client talks to the local stand-in with anonymous credentials.
"""

from __future__ import annotations

import os

from nba_pipeline.config import Settings, settings


def _anonymous():
    from google.auth.credentials import AnonymousCredentials

    return AnonymousCredentials()


def bigquery_client(config: Settings | None = None):
    from google.cloud import bigquery

    config = config or settings()
    host = os.environ.get("BIGQUERY_EMULATOR_HOST")
    if host:
        if not host.startswith("http"):
            host = f"http://{host}"
        return bigquery.Client(
            project=config.project,
            credentials=_anonymous(),
            client_options={"api_endpoint": host},
            location=config.bigquery_location,
        )
    return bigquery.Client(project=config.project, location=config.bigquery_location)


def firestore_client(config: Settings | None = None):
    from google.cloud import firestore

    config = config or settings()
    if os.environ.get("FIRESTORE_EMULATOR_HOST"):
        return firestore.Client(project=config.project, credentials=_anonymous())
    return firestore.Client(project=config.project)


def publisher_client():
    from google.cloud import pubsub_v1

    return pubsub_v1.PublisherClient()


def lease_store(client=None, config: Settings | None = None):
    """The lease store on the configured lock collections (a new Firestore client when none is given)."""
    from nba_pipeline.lease import LeaseStore

    config = config or settings()
    return LeaseStore(client or firestore_client(config), config.lease_policy())
