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
WRITE_CONTEXT = {
    "processed_at": "CURRENT_TIMESTAMP()",
    "created_at": "CURRENT_TIMESTAMP()",
    "first_processed_at": "CURRENT_TIMESTAMP()",
    "quality_calculated_at": "CURRENT_TIMESTAMP()",
    "quality_computed_at": "CURRENT_TIMESTAMP()",
    # The platform's daily | backfill | manual, from the kind of Airflow run that writes the row.
    "processing_context": (
        "CASE WHEN STARTS_WITH(@run_id, 'scheduled__') THEN 'daily' "
        "WHEN STARTS_WITH(@run_id, 'backfill__') THEN 'backfill' ELSE 'manual' END"
    ),
    "record_version": "1",
    "context_version": "1",
}
# The first write's value stays on later writes; a version counts every write.
KEPT_ON_UPDATE = ("created_at", "first_processed_at")
COUNTED_ON_UPDATE = ("record_version", "context_version")
# The row's content hash, over the processor's hash fields (see ``row_hash``).
DATA_HASH = "data_hash"
WRITE_HISTORY_COLUMNS = LINEAGE_COLUMNS + tuple(WRITE_CONTEXT) + (DATA_HASH,)


def target_table(processor: Processor) -> ddl.TableDefinition:
    """The DDL of the table a processor writes (``schema/{layer}/{name}.sql``)."""
    return ddl.definition(f"nba_{processor.layer}.{processor.table}")


def _filled_by_template(processor: Processor, column: str) -> bool:
    if column == DATA_HASH:
        return bool(processor.hash_fields)
    return column in LINEAGE_COLUMNS or column in WRITE_CONTEXT


def source_columns(processor: Processor) -> tuple[str, ...]:
    """The columns the processor's source SELECT must yield, in DDL order."""
    return tuple(c.name for c in target_table(processor).columns if not _filled_by_template(processor, c.name))


def _sql_type(column: ddl.Column) -> str:
    if column.scale is not None:
        return f"{column.type}({column.precision}, {column.scale})"
    return f"{column.type}({column.precision})"


def _typed_columns(table: ddl.TableDefinition, hashed: bool) -> str:
    """The source's columns with NUMERIC ones cast to the DDL's precision and scale (bqemulator
    and BigQuery both round to the scale, half away from zero), then the template's own columns."""
    casts = [f"CAST(source.{c.name} AS {_sql_type(c)}) AS {c.name}"
             for c in table.columns if c.precision is not None and c.name not in WRITE_CONTEXT]
    items = ["source.*" + (" REPLACE (\n        " + ",\n        ".join(casts) + "\n      )" if casts else "")]
    for column in table.columns:
        if column.name in LINEAGE_COLUMNS:
            items.append(f"@{column.name.lstrip('_')} AS {column.name}")
        elif column.name in WRITE_CONTEXT:
            items.append(f"{WRITE_CONTEXT[column.name]} AS {column.name}")
    return ",\n".join("      " + item for item in items)


def _float_text(value: str) -> str:
    """A FLOAT64 as Python's ``str`` prints it ('98.0', '0.15')."""
    return f"IF({value} = TRUNC({value}), FORMAT('%.1f', {value}), CAST({value} AS STRING))"


def _hash_value(column: ddl.Column) -> str:
    """A value as the platform's hash renders it (Python's ``str``), NULL as 'NULL'."""
    # The values as the typed SELECT cast them (a second CAST of the source there did not
    # always round the same way on bqemulator).
    value = f"typed.{column.name}"
    if column.type in ("ARRAY<FLOAT64>", "ARRAY<STRING>"):
        # A Python list: [1.0, 0.15] or ['a', 'b'].
        item = _float_text("item") if column.type == "ARRAY<FLOAT64>" else "CONCAT(\"'\", item, \"'\")"
        text = (f"CONCAT('[', ARRAY_TO_STRING(ARRAY(SELECT {item} FROM UNNEST({value}) AS item "
                f"WITH OFFSET AS position ORDER BY position), ', '), ']')")
    elif column.type == "STRING":
        text = f"TRIM({value})"
    elif column.type == "BOOL":
        text = f"IF({value}, 'True', 'False')"
    elif column.type in ("NUMERIC", "BIGNUMERIC") and column.scale:
        # str(float) of the value rounded to the scale: '98.0', '112.3', '112.35'.
        # (ROUND first: bqemulator may carry the cast value unrounded and round it only on write.)
        text = f"REGEXP_REPLACE(FORMAT('%.{column.scale}f', ROUND({value}, {column.scale})), r'(\\.\\d+?)0+$', r'\\1')"
    elif column.type == "FLOAT64":
        text = _float_text(value)
    elif column.type == "TIMESTAMP":
        text = f"FORMAT_TIMESTAMP('%Y-%m-%dT%H:%M:%S+00:00', {value}, 'UTC')"
    else:
        text = f"CAST({value} AS STRING)"
    return f"IFNULL({text}, 'NULL')"


def row_hash(processor: Processor, table: ddl.TableDefinition) -> str:
    """The data_hash expression: the tables.json convention (first 16 hex characters of SHA-256
    over 'name:value' pairs of the hash fields, sorted and joined with '|')."""
    by_name = {c.name: c for c in table.columns}
    unknown = [f for f in processor.hash_fields if f not in by_name]
    if unknown:
        raise ValueError(f"{processor.name}: hash field(s) {', '.join(unknown)} are not columns of {table.path}")
    # Sorting the names followed by ':' sorts the 'name:value' pairs exactly. (ARRAY_TO_STRING,
    # not one long CONCAT: bqemulator loses table function names in a CONCAT of many arguments.)
    pairs = [f"CONCAT('{name}:', {_hash_value(by_name[name])})"
             for name in sorted(processor.hash_fields, key=lambda n: n + ":")]
    body = ",\n      ".join(pairs)
    return f"SUBSTR(TO_HEX(SHA256(ARRAY_TO_STRING([\n      {body}\n    ], '|'))), 1, 16)"


def _updated(column: ddl.Column) -> str | None:
    if column.name in KEPT_ON_UPDATE:
        return None
    if column.name in COUNTED_ON_UPDATE:
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
    source = load_sql(processor.sql_path, config, fragments=processor.sql_fragments())
    columns = table.columns
    non_key = [c for c in columns if c.name not in processor.key]
    hashed = bool(processor.hash_fields)
    return Template((sql_root() / TEMPLATE).read_text()).substitute(
        names,
        description=" ".join(processor.description.split()),
        phase=processor.phase,
        layer=processor.layer,
        typed_columns=_typed_columns(table, hashed),
        row_hash=f",\n    {row_hash(processor, table)} AS {DATA_HASH}" if hashed else "",
        source=_indented(source, "      "),
        fence_guard=guard,
        key_match=" AND ".join(f"T.{k} = S.{k}" for k in processor.key),
        update_set=",\n".join("  " + u for u in (_updated(c) for c in non_key) if u),
        insert_columns=_wrap([c.name for c in columns], "  "),
        insert_values=_wrap([f"S.{c.name}" for c in columns], "  "),
    ).rstrip() + "\n"
