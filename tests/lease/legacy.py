"""A legacy-style acquirer, as the Cloud Run processors still lock today.

Faithful to their behaviour (``acquire_processing_lock`` of the platform's analytics base),
holes included: a transaction that creates the lock when the document is absent, or takes it
when its ``acquired_at`` is older than 10 minutes *by the worker's clock* by *updating* the four
legacy fields (leaving every other field, ours included, in place), and a release that deletes
the document without looking at who holds it.
"""

from __future__ import annotations

import datetime as dt
import os
import socket

from google.cloud import firestore

STALE_AFTER = dt.timedelta(minutes=10)


class LegacyLock:
    def __init__(self, client: firestore.Client, collection: str = "processing_locks"):
        self.client = client
        self.collection = collection

    def acquire(self, key: str, execution_id: str, processor: str | None = None) -> bool:
        ref = self.client.collection(self.collection).document(key)

        @firestore.transactional
        def take(transaction) -> bool:
            snapshot = ref.get(transaction=transaction)
            if snapshot.exists:
                acquired_at = snapshot.get("acquired_at")
                if acquired_at and dt.datetime.now(dt.timezone.utc) - acquired_at < STALE_AFTER:
                    return False
            fields = {
                "acquired_at": firestore.SERVER_TIMESTAMP,
                "execution_id": execution_id,
                "instance": f"{socket.gethostname()}-{os.getpid()}",
                "processor": processor or key.rsplit("_", 1)[0],
            }
            if snapshot.exists:
                transaction.update(ref, fields)
            else:
                transaction.set(ref, fields)
            return True

        return take(self.client.transaction())

    def release(self, key: str) -> None:
        self.client.collection(self.collection).document(key).delete()
