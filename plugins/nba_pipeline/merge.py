"""The fenced MERGE of a processor, rendered from one template.

Each processor file (``include/sql/phase{N}/{name}.sql``) holds only its source ``SELECT``;
``include/sql/templates/fenced_merge.sql`` puts the one fenced, date-scoped MERGE around it, with
the guard from ``include/sql/templates/fence_guard.sql`` and the column lists from the table's
DDL (``include/sql/schema/{layer}/{name}.sql``). The fence predicates therefore exist once.
"""

from __future__ import annotations

from string import Template

from nba_pipeline import ddl
from nba_pipeline.config import Settings, settings
from nba_pipeline.processors import Processor
from nba_pipeline.sql import identifiers, load_sql, sql_root

TEMPLATE = "templates/fenced_merge.sql"
GUARD = "templates/fence_guard.sql"

# Lineage: which lease and which run wrote the row. Not part of the platform's contracts.
LINEAGE_COLUMNS = ("_fence", "_run_id")
# Columns about a row's writing rather than its content, filled by the template (the source
# SELECT leaves them out). Content comparisons (re-runs, backfill = sequential) ignore them.
WRITE_TIME_COLUMNS = ("processed_at", "created_at", "first_processed_at", "quality_calculated_at")
WRITE_COUNT_COLUMNS = ("record_version", "context_version")
# The first write's value stays on later writes.
KEPT_ON_UPDATE = ("created_at", "first_processed_at")
WRITE_HISTORY_COLUMNS = LINEAGE_COLUMNS + WRITE_TIME_COLUMNS + WRITE_COUNT_COLUMNS


def target_table(processor: Processor) -> ddl.TableDefinition:
    """The DDL of the table a processor writes (``schema/{layer}/{name}.sql``)."""
    return ddl.definition(f"nba_{processor.layer}.{processor.table}")


def source_columns(processor: Processor) -> tuple[str, ...]:
    """The columns the processor's source SELECT must yield, in DDL order."""
    return tuple(c.name for c in target_table(processor).columns if c.name not in WRITE_HISTORY_COLUMNS)


def _sql_type(column: ddl.Column) -> str:
    if column.scale is not None:
        return f"{column.type}({column.precision}, {column.scale})"
    return f"{column.type}({column.precision})"


def _typed(column: ddl.Column) -> str:
    if column.name == "_fence":
        return "@fence AS _fence"
    if column.name == "_run_id":
        return "@run_id AS _run_id"
    if column.name in WRITE_TIME_COLUMNS:
        return f"CURRENT_TIMESTAMP() AS {column.name}"
    if column.name in WRITE_COUNT_COLUMNS:
        return f"1 AS {column.name}"
    if column.precision is not None:
        # bqemulator and BigQuery both round to the scale here (half away from zero).
        return f"CAST(source.{column.name} AS {_sql_type(column)}) AS {column.name}"
    return f"source.{column.name}"


def _updated(column: ddl.Column) -> str | None:
    if column.name in KEPT_ON_UPDATE:
        return None
    if column.name in WRITE_COUNT_COLUMNS:
        return f"{column.name} = IFNULL(T.{column.name}, 0) + 1"
    return f"{column.name} = S.{column.name}"


def _wrap(items: list[str], indent: str, width: int = 100) -> str:
    """``a, b, c`` over as few lines as fit ``width``."""
    lines, current = [], ""
    for i, item in enumerate(items):
        piece = item + ("," if i < len(items) - 1 else "")
        if current and len(indent) + len(current) + 1 + len(piece) > width:
            lines.append(indent + current)
            current = piece
        else:
            current = f"{current} {piece}" if current else piece
    if current:
        lines.append(indent + current)
    return "\n".join(lines)


def _indented(text: str, indent: str) -> str:
    return "\n".join(indent + line if line.strip() else "" for line in text.strip().splitlines())


def render(processor: Processor, config: Settings | None = None) -> str:
    """The processor's complete MERGE statement, identifiers filled in, parameters left as
    ``@target_date``, ``@business_date``, ``@fence`` and ``@run_id``."""
    config = config or settings()
    table = target_table(processor)
    missing = [c for c in (*processor.key, *LINEAGE_COLUMNS) if c not in {col.name for col in table.columns}]
    if missing:
        raise ValueError(f"{table.path} lacks column(s) {', '.join(missing)} that the MERGE needs")
    if table.partition_column not in (None, processor.date_column):
        raise ValueError(f"{table.path} is partitioned by {table.partition_column}, "
                         f"not by the processor's date column {processor.date_column}")
    names = {**identifiers(config), "dataset": config.dataset_for(processor.layer), "table": processor.table,
             "date_column": processor.date_column}
    guard = Template((sql_root() / GUARD).read_text()).substitute(names)
    guard = "\n".join(line for line in guard.splitlines() if not line.lstrip().startswith("--")).strip()
    source = load_sql(processor.sql_path, config)
    columns = table.columns
    non_key = [c for c in columns if c.name not in processor.key]
    return Template((sql_root() / TEMPLATE).read_text()).substitute(
        names,
        description=" ".join(processor.description.split()),
        phase=processor.phase,
        layer=processor.layer,
        typed_columns=",\n".join("    " + _typed(c) for c in columns),
        source=_indented(source, "    "),
        fence_guard=guard,
        key_match=" AND ".join(f"T.{k} = S.{k}" for k in processor.key),
        update_set=",\n".join("  " + u for u in (_updated(c) for c in non_key) if u),
        insert_columns=_wrap([c.name for c in columns], "  "),
        insert_values=_wrap([f"S.{c.name}" for c in columns], "  "),
    ).rstrip() + "\n"
