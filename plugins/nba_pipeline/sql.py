"""SQL files from ``include/sql/``: located, read and given their dataset names.

Values always travel as BigQuery query parameters (``@game_date``). Only identifiers that
BigQuery cannot parameterise (project and dataset names) are substituted, from settings,
after checking they are plain identifiers.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from string import Template

from nba_pipeline.config import Settings, settings

_IDENTIFIER = re.compile(r"^[A-Za-z0-9_\-]{1,1024}$")


def sql_root() -> Path:
    """The ``include/sql`` folder: next to ``plugins/`` in the repo and on Composer's bucket."""
    configured = os.environ.get("NBA_SQL_ROOT")
    if configured:
        return Path(configured)
    package_dir = Path(__file__).resolve().parent
    for base in (package_dir.parent.parent, package_dir.parent):
        candidate = base / "include" / "sql"
        if candidate.is_dir():
            return candidate
    dags_folder = os.environ.get("AIRFLOW__CORE__DAGS_FOLDER")
    if dags_folder:
        candidate = Path(dags_folder).parent / "include" / "sql"
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        "cannot find include/sql; set NBA_SQL_ROOT to the folder that holds the SQL files"
    )


def identifiers(config: Settings | None = None) -> dict[str, str]:
    """The names substituted into SQL files, each checked to be a plain identifier."""
    config = config or settings()
    names = {
        "project": config.project,
        "raw_dataset": config.raw_dataset,
        "analytics_dataset": config.analytics_dataset,
        "precompute_dataset": config.precompute_dataset,
        "audit_dataset": config.audit_dataset,
    }
    for key, value in names.items():
        if not _IDENTIFIER.match(value):
            raise ValueError(f"{key}={value!r} is not a valid BigQuery identifier")
    return names


@lru_cache(maxsize=256)
def _read(path: Path) -> str:
    return path.read_text()


def load_sql(relative_path: str, config: Settings | None = None) -> str:
    """Read ``include/sql/<relative_path>`` and fill in ``${project}``, ``${raw_dataset}``, ..."""
    path = sql_root() / relative_path
    if not path.is_file():
        raise FileNotFoundError(f"no SQL file {relative_path} under {sql_root()}")
    return Template(_read(path)).substitute(identifiers(config))


def schema_files(dataset_folder: str) -> list[str]:
    """Relative paths of the DDL files of one dataset folder under ``include/sql/schema/``."""
    folder = sql_root() / "schema" / dataset_folder
    return sorted(f"schema/{dataset_folder}/{p.name}" for p in folder.glob("*.sql"))
