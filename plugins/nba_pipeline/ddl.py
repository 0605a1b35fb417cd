"""Our DDL files (``include/sql/schema/<layer>/<name>.sql``) read as table definitions.

The schema files are the one source of truth for a table's columns: the rendered MERGE takes
its ``UPDATE SET`` and ``INSERT`` lists from here, the pruning test its partition columns, the
contract test its types. Deliberately a small reader of the subset of BigQuery DDL our files
use (``CREATE TABLE`` / ``CREATE VIEW`` / ``CREATE TABLE FUNCTION``, column types with
``<...>`` and ``(p, s)``, ``NOT NULL``, ``DEFAULT``, ``OPTIONS``, ``PARTITION BY``,
``CLUSTER BY``), so the deployed package needs no SQL parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from nba_pipeline.sql import schema_files, sql_root

_CREATE = re.compile(
    r"CREATE\s+(?:OR\s+REPLACE\s+)?(TABLE\s+FUNCTION|TABLE|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?`([^`]+)`",
    re.IGNORECASE,
)
_NUMERIC = re.compile(r"^(NUMERIC|BIGNUMERIC|DECIMAL|BIGDECIMAL)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)$", re.IGNORECASE)
_ALIASES = {"INTEGER": "INT64", "INT": "INT64", "BOOLEAN": "BOOL", "FLOAT": "FLOAT64", "DECIMAL": "NUMERIC",
            "BIGDECIMAL": "BIGNUMERIC"}


@dataclass(frozen=True)
class Column:
    name: str
    type: str                   # GoogleSQL name without parameters: INT64, NUMERIC, ARRAY<STRING>, ...
    precision: int | None = None
    scale: int | None = None
    mode: str = "NULLABLE"      # NULLABLE, REQUIRED (NOT NULL) or REPEATED (ARRAY)
    default: str | None = None

    @property
    def sql_type(self) -> str:
        """The type as DDL and ``CAST`` spell it, parameters included (``NUMERIC(6, 2)``)."""
        if self.precision is None:
            return self.type
        if self.scale is None:
            return f"{self.type}({self.precision})"
        return f"{self.type}({self.precision}, {self.scale})"


@dataclass(frozen=True)
class Table:
    """One DDL file: a table with its columns, a view or a table function."""

    name: str                   # the object's name without project and dataset
    layer: str                  # the schema folder: raw, analytics, precompute, audit
    kind: str                   # table, view, table function
    path: str                   # relative to include/sql
    columns: tuple[Column, ...] = ()
    partition_column: str | None = None
    partition_expression: str | None = None
    cluster: tuple[str, ...] = ()
    options: tuple[tuple[str, str], ...] = ()

    @property
    def require_partition_filter(self) -> bool:
        return dict(self.options).get("require_partition_filter", "").upper() == "TRUE"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.layer}.{self.name} has no column {name!r}")


def _strip_comments(text: str) -> str:
    """Drop ``--`` comments outside string literals and backquoted names."""
    out, i, quote = [], 0, None
    while i < len(text):
        ch = text[i]
        if quote:
            out.append(ch)
            if ch == "\\" and i + 1 < len(text):
                out.append(text[i + 1])
                i += 2
                continue
            if ch == quote:
                quote = None
        elif ch in "'\"`":
            quote = ch
            out.append(ch)
        elif text.startswith("--", i) or ch == "#":
            while i < len(text) and text[i] != "\n":
                i += 1
            continue
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def _split_top_level(text: str, separator: str = ",") -> list[str]:
    """Split at separators outside (), <>, [] and quotes."""
    parts, depth, quote, current = [], 0, None, []
    for ch in text:
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"`":
            quote = ch
        elif ch in "(<[":
            depth += 1
        elif ch in ")>]":
            depth -= 1
        elif ch == separator and depth == 0:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(ch)
    tail = "".join(current).strip()
    if tail:
        parts.append(tail)
    return parts


def _closing(text: str, start: int) -> int:
    """Index of the parenthesis closing the one at ``start``."""
    depth, quote = 0, None
    for i in range(start, len(text)):
        ch = text[i]
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"`":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i
    raise ValueError("unbalanced parentheses")


def _read_type(text: str) -> tuple[str, str]:
    """The column type at the start of ``text`` (balanced ``<>`` and ``()``) and what follows."""
    match = re.match(r"[A-Za-z0-9_]+", text)
    if not match:
        raise ValueError(f"no type in {text!r}")
    i = match.end()
    while i < len(text) and text[i] in " \t\n" and text[i:].lstrip()[:1] in "<(":
        i += 1
    if i < len(text) and text[i] in "<(":
        opening, closing_ch = text[i], ">" if text[i] == "<" else ")"
        depth = 0
        for j in range(i, len(text)):
            if text[j] == opening:
                depth += 1
            elif text[j] == closing_ch:
                depth -= 1
                if depth == 0:
                    i = j + 1
                    break
    return " ".join(text[:i].split()), text[i:].strip()


def _column(definition: str) -> Column:
    name, _, rest = definition.strip().partition(" ")
    name = name.strip("`")
    raw_type, rest = _read_type(rest.strip())
    precision = scale = None
    numeric = _NUMERIC.match(raw_type)
    if numeric:
        raw_type, precision = numeric.group(1), int(numeric.group(2))
        scale = int(numeric.group(3)) if numeric.group(3) is not None else None
    kind = raw_type.upper().replace(" ", "")
    kind = _ALIASES.get(kind, kind)
    mode = "REPEATED" if kind.startswith("ARRAY<") else "NULLABLE"
    if re.search(r"\bNOT\s+NULL\b", rest, re.IGNORECASE):
        mode = "REQUIRED"
    default = None
    found = re.search(r"\bDEFAULT\s+(.+?)(?:\s+OPTIONS\s*\(|\s+NOT\s+NULL\b|$)", rest, re.IGNORECASE | re.DOTALL)
    if found:
        default = found.group(1).strip()
    return Column(name=name, type=kind, precision=precision, scale=scale, mode=mode, default=default)


def _options(text: str) -> tuple[tuple[str, str], ...]:
    pairs = []
    for item in _split_top_level(text):
        key, _, value = item.partition("=")
        pairs.append((key.strip().lower(), value.strip()))
    return tuple(pairs)


def parse(text: str, *, layer: str, path: str) -> Table:
    """Read one DDL file's text (placeholders such as ``${project}`` may remain)."""
    body = _strip_comments(text)
    created = _CREATE.search(body)
    if not created:
        raise ValueError(f"{path}: no CREATE TABLE / VIEW / TABLE FUNCTION statement")
    kind = " ".join(created.group(1).lower().split())
    name = created.group(2).split(".")[-1]
    if kind != "table":
        return Table(name=name, layer=layer, kind=kind, path=path)
    start = body.index("(", created.end())
    end = _closing(body, start)
    columns = tuple(_column(part) for part in _split_top_level(body[start + 1:end]))
    tail = body[end + 1:].strip().rstrip(";")
    partition_expression = partition_column = None
    cluster: tuple[str, ...] = ()
    options: tuple[tuple[str, str], ...] = ()
    found = re.search(r"\bPARTITION\s+BY\s+(.+?)(?=\bCLUSTER\s+BY\b|\bOPTIONS\s*\(|$)", tail, re.IGNORECASE | re.DOTALL)
    if found:
        partition_expression = " ".join(found.group(1).split())
        names = re.findall(r"[A-Za-z_][A-Za-z0-9_]*", partition_expression)
        known = {c.name for c in columns}
        partition_column = next((n for n in names if n in known), None)
    found = re.search(r"\bCLUSTER\s+BY\s+(.+?)(?=\bOPTIONS\s*\(|$)", tail, re.IGNORECASE | re.DOTALL)
    if found:
        cluster = tuple(part.strip().strip("`") for part in found.group(1).split(","))
    found = re.search(r"\bOPTIONS\s*\(", tail, re.IGNORECASE)
    if found:
        opening = found.end() - 1
        options = _options(tail[opening + 1:_closing(tail, opening)])
    return Table(
        name=name, layer=layer, kind=kind, path=path, columns=columns,
        partition_column=partition_column, partition_expression=partition_expression,
        cluster=cluster, options=options,
    )


@lru_cache(maxsize=128)
def _load(path: str, layer: str) -> Table:
    return parse((sql_root() / path).read_text(), layer=layer, path=path)


def table(layer: str, name: str) -> Table:
    """The definition in ``include/sql/schema/<layer>/<name>.sql``."""
    path = f"schema/{layer}/{name}.sql"
    if not (sql_root() / path).is_file():
        raise FileNotFoundError(f"no DDL file {path} under {sql_root()}")
    return _load(path, layer)


def all_tables(layers: tuple[str, ...] = ("raw", "analytics", "precompute", "audit")) -> list[Table]:
    """Every DDL file of the given layers, read."""
    return [_load(path, layer) for layer in layers for path in schema_files(layer)]
