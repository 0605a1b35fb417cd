"""Waits until the raw data of the run's game date is ready (see ``nba_pipeline.raw_readiness``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from airflow.sdk import BaseSensorOperator, PokeReturnValue

from nba_pipeline.raw_readiness import assess


class GamebookReadySensor(BaseSensorOperator):
    """
    Wait until the official gamebook covers every final game of ``business_date``.

    :param business_date: The game date D (YYYY-MM-DD); templated.
    :param fallback_deadline_et: Time of day on D + 1 (America/New_York, HH:MM) after which a final
        game without gamebook rows may use the live boxscores; defaults to the settings.
    :param gcp_conn_id: The Google Cloud connection to BigQuery.
    """

    template_fields: Sequence[str] = ("business_date",)

    def __init__(
        self,
        *,
        business_date: str,
        fallback_deadline_et: str | None = None,
        gcp_conn_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        from nba_pipeline.config import settings

        config = settings()
        kwargs.setdefault("mode", "reschedule")
        kwargs.setdefault("poke_interval", config.raw_poke_seconds)
        kwargs.setdefault("timeout", 10 * 3600)
        super().__init__(**kwargs)
        self.business_date = business_date
        self.fallback_deadline_et = fallback_deadline_et or config.gamebook_deadline_et
        self.gcp_conn_id = gcp_conn_id

    def poke(self, context) -> PokeReturnValue:
        from nba_pipeline.hooks.warehouse import WarehouseHook

        business = dt.date.fromisoformat(self.business_date)
        games = WarehouseHook(gcp_conn_id=self.gcp_conn_id).query_file(
            "checks/gamebook_coverage.sql", business_date=business
        )
        readiness = assess(
            business, games, now=dt.datetime.now(dt.timezone.utc),
            deadline_et=dt.time.fromisoformat(self.fallback_deadline_et),
        )
        self.log.info("Raw data for %s: %s", self.business_date, readiness.reason)
        return PokeReturnValue(is_done=readiness.ready, xcom_value=readiness.to_dict())
