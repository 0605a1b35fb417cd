"""Datasets and tables of the warehouse, created from the DDL files in ``include/sql/schema/``."""

from __future__ import annotations

from nba_pipeline.config import Settings, settings
from nba_pipeline.sql import load_sql, schema_files

LAYERS = ("raw", "analytics", "precompute", "audit")


def ensure_datasets(client, config: Settings | None = None) -> list[str]:
    config = config or settings()
    created = []
    for layer in LAYERS:
        dataset_id = f"{config.project}.{config.dataset_for(layer)}"
        client.create_dataset(dataset_id, exists_ok=True)
        created.append(dataset_id)
    return created


def ensure_tables(client, config: Settings | None = None, layers: tuple[str, ...] = LAYERS) -> list[str]:
    """Run every ``CREATE TABLE IF NOT EXISTS`` file of the given layers; returns the files run."""
    config = config or settings()
    ran = []
    for layer in layers:
        for path in schema_files(layer):
            client.query(load_sql(path, config)).result()
            ran.append(path)
    return ran
