"""SQL files from ``include/sql/``: located, read and given their dataset names.

Values always travel as BigQuery query parameters (``@game_date``). Only identifiers that
BigQuery cannot parameterise (project and dataset names from settings; table and column
names of a generic query such as the duplicate check) are substituted, after checking they are
plain identifiers.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
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
        "reference_dataset": config.reference_dataset,
        "analytics_dataset": config.analytics_dataset,
        "precompute_dataset": config.precompute_dataset,
        "predictions_dataset": config.predictions_dataset,
        "audit_dataset": config.audit_dataset,
    }
    for key, value in names.items():
        if not _IDENTIFIER.match(value):
            raise ValueError(f"{key}={value!r} is not a valid BigQuery identifier")
    return names


@lru_cache(maxsize=256)
def _read(path: Path) -> str:
    return path.read_text()


def _checked(key: str, name: object) -> str:
    if not isinstance(name, str) or not _IDENTIFIER.match(name):
        raise ValueError(f"{key}: {name!r} is not a valid BigQuery identifier")
    return name


def extra_identifiers(extra: Mapping[str, object]) -> dict[str, str]:
    """Check per-query identifiers (a table, a list of columns) and render them as SQL.

    A string must be one plain identifier; a list or tuple becomes ``a, b``; a mapping of
    alias to column becomes ``b AS a, d AS c``. Each name is checked, so one placeholder can
    stand for a column list in ``GROUP BY`` or for named ``STRUCT()`` fields.
    """
    rendered = {}
    for key, value in extra.items():
        if isinstance(value, str):
            rendered[key] = _checked(key, value)
            continue
        if isinstance(value, Mapping):
            items = [f"{_checked(key, column)} AS {_checked(key, alias)}" for alias, column in value.items()]
        else:
            items = [_checked(key, name) for name in value]
        if not items:
            raise ValueError(f"{key} is an empty list of identifiers")
        rendered[key] = ", ".join(items)
    return rendered


def load_sql(
    relative_path: str,
    config: Settings | None = None,
    extra: Mapping[str, object] | None = None,
    fragments: Mapping[str, str] | None = None,
) -> str:
    """Read ``include/sql/<relative_path>`` and fill in ``${project}``, ``${raw_dataset}``, ...

    ``extra`` adds identifiers of one query (``{"table": ..., "key_columns": [...]}``); they
    cannot replace the dataset names that come from settings. ``fragments`` are pieces of SQL
    the package renders from its own data (the feature store's feature list), never user input.
    """
    path = sql_root() / relative_path
    if not path.is_file():
        raise FileNotFoundError(f"no SQL file {relative_path} under {sql_root()}")
    names = identifiers(config)
    if extra:
        clashing = sorted(set(extra) & set(names))
        if clashing:
            raise ValueError(f"extra identifiers may not replace {', '.join(clashing)}")
        names.update(extra_identifiers(extra))
    if fragments:
        clashing = sorted(set(fragments) & set(names))
        if clashing:
            raise ValueError(f"SQL fragments may not replace {', '.join(clashing)}")
        names.update(fragments)
    return Template(_read(path)).substitute(names)


def schema_files(dataset_folder: str) -> list[str]:
    """Relative paths of the DDL files of one dataset folder under ``include/sql/schema/``."""
    folder = sql_root() / "schema" / dataset_folder
    return sorted(f"schema/{dataset_folder}/{p.name}" for p in folder.glob("*.sql"))
