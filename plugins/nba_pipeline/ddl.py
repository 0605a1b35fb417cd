"""Our table definitions, read from the DDL files in ``include/sql/schema/``.

The DDL is the one description of every table's columns; this module parses the subset of
BigQuery DDL those files use (``CREATE TABLE [IF NOT EXISTS]`` with ``NOT NULL``, ``DEFAULT``,
``NUMERIC(p, s)``, ``ARRAY<...>``, ``STRUCT<...>``, ``PARTITION BY``, ``CLUSTER BY`` and
``OPTIONS``; ``CREATE [OR REPLACE] VIEW`` and ``TABLE FUNCTION``), so the rendered MERGE (its
column lists), the generator, the contract comparison, the pruning test and the docs all read
the same definitions. It ships with the package, which therefore needs no SQL parser.

Tables are named the platform's way, ``nba_raw.nbac_schedule``: a file's dataset placeholder
``${X_dataset}`` stands for the platform dataset ``nba_X``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from nba_pipeline.sql import sql_root


class DDLError(ValueError):
    """A DDL file this parser does not understand."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # GoogleSQL: INT64, NUMERIC, ARRAY<STRING>, STRUCT<a INT64, b ARRAY<DATE>>
    mode: str  # NULLABLE | REQUIRED | REPEATED
    precision: int | None = None
    scale: int | None = None
    default: str | None = None
    fields: tuple[Column, ...] = ()  # a STRUCT's (or ARRAY<STRUCT>'s) subfields


@dataclass(frozen=True)
class TableDefinition:
    name: str  # nba_raw.nbac_schedule
    kind: str  # table | view | table function
    path: str  # relative to include/sql, e.g. schema/raw/nbac_schedule.sql
    columns: tuple[Column, ...] = ()  # empty for a view (its columns come from its query)
    partition_column: str | None = None
    partition_type: str | None = None  # DAY
    cluster: tuple[str, ...] = ()
    require_partition_filter: bool = False
    expiration_days: int | None = None
    sources: tuple[str, ...] = field(default=())  # tables a view or table function reads
    arguments: tuple[str, ...] = ()  # a table function's argument names

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.name} has no column {name!r}")


_TOKEN = re.compile(
    r"\s+|--[^\n]*|/\*.*?\*/"  # whitespace and comments (skipped)
    r"|(?P<quoted>`[^`]*`|'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<number>[0-9]+(?:\.[0-9]+)?)"
    r"|(?P<symbol>[^\sA-Za-z0-9_])",
    re.DOTALL,
)


def _tokens(text: str) -> list[str]:
    tokens, at = [], 0
    while at < len(text):
        match = _TOKEN.match(text, at)
        if match is None:
            raise DDLError(f"unexpected character {text[at]!r} at offset {at}")
        at = match.end()
        if match.lastgroup:
            tokens.append(match.group(match.lastgroup))
    return tokens


class _Parser:
    def __init__(self, tokens: list[str], path: str):
        self.tokens, self.at, self.path = tokens, 0, path

    def peek(self, ahead: int = 0) -> str | None:
        index = self.at + ahead
        return self.tokens[index] if index < len(self.tokens) else None

    def is_(self, *words: str) -> bool:
        return all((self.peek(i) or "").upper() == w for i, w in enumerate(words))

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None:
            raise DDLError(f"{self.path}: unexpected end of file" + (f", expected {expected!r}" if expected else ""))
        if expected is not None and token.upper() != expected:
            raise DDLError(f"{self.path}: expected {expected!r}, found {token!r}")
        self.at += 1
        return token

    def skip_balanced(self) -> list[str]:
        """Tokens of a parenthesised group (the opening ``(`` is next); returns its inside."""
        self.take("(")
        depth, inside = 1, []
        while True:
            token = self.take()
            if token == "(":
                depth += 1
            elif token == ")":
                depth -= 1
                if depth == 0:
                    return inside
            inside.append(token)

    # -- types ------------------------------------------------------------------------------
    def type_(self) -> tuple[str, int | None, int | None, tuple[Column, ...]]:
        name = self.take().upper()
        if name == "ARRAY":
            self.take("<")
            element, _, _, fields = self.type_()
            self.take(">")
            return f"ARRAY<{element}>", None, None, fields
        if name == "STRUCT":
            self.take("<")
            fields = []
            while True:
                field_name = self.take()
                kind, precision, scale, subfields = self.type_()
                mode = "REPEATED" if kind.startswith("ARRAY<") else "NULLABLE"
                if self.is_("NOT", "NULL"):
                    self.take(), self.take()
                    mode = "REQUIRED"
                fields.append(Column(field_name, kind, mode, precision, scale, None, subfields))
                if self.peek() == ",":
                    self.take()
                    continue
                self.take(">")
                break
            inner = ", ".join(f"{f.name} {f.type}" for f in fields)
            return f"STRUCT<{inner}>", None, None, tuple(fields)
        precision = scale = None
        if self.peek() == "(":
            numbers = [t for t in self.skip_balanced() if t != ","]
            precision = int(numbers[0])
            scale = int(numbers[1]) if len(numbers) > 1 else None
        return {"INTEGER": "INT64", "BOOLEAN": "BOOL", "FLOAT": "FLOAT64"}.get(name, name), precision, scale, ()

    # -- statements ---------------------------------------------------------------------------
    def table_name(self) -> str:
        quoted = self.take()
        if not quoted.startswith("`"):
            raise DDLError(f"{self.path}: table names are written `${{project}}.${{X_dataset}}.name`, found {quoted}")
        parts = quoted.strip("`").split(".")
        dataset = re.fullmatch(r"\$\{([a-z]+)_dataset\}", parts[-2]) if len(parts) == 3 else None
        if dataset is None:
            raise DDLError(f"{self.path}: cannot tell the dataset of {quoted}")
        return f"nba_{dataset.group(1)}.{parts[-1]}"

    def column(self) -> Column:
        name = self.take()
        kind, precision, scale, fields = self.type_()
        mode = "REPEATED" if kind.startswith("ARRAY<") else "NULLABLE"
        default = None
        while self.peek() not in (",", ")"):
            if self.is_("NOT", "NULL"):
                self.take(), self.take()
                mode = "REQUIRED"
            elif self.is_("DEFAULT"):
                self.take()
                parts = []
                while self.peek() not in (",", ")") and not self.is_("NOT", "NULL") and not self.is_("OPTIONS"):
                    parts.append(self.take() if self.peek() != "(" else "(" + " ".join(self.skip_balanced()) + ")")
                default = "".join(parts)
            elif self.is_("OPTIONS"):
                self.take()
                self.skip_balanced()
            else:
                raise DDLError(f"{self.path}: column {name}: unexpected {self.peek()!r}")
        return Column(name, kind, mode, precision, scale, default, fields)

    def create_table(self, path: str) -> TableDefinition:
        name = self.table_name()
        self.take("(")
        columns = []
        while True:
            columns.append(self.column())
            if self.take() == ")":
                break
        partition_column = partition_type = None
        cluster: list[str] = []
        options: dict[str, str] = {}
        while self.peek() not in (None, ";"):
            if self.is_("PARTITION", "BY"):
                self.take(), self.take()
                if self.peek(1) == "(":  # DATE(ts), TIMESTAMP_TRUNC(ts, DAY)
                    function = self.take().upper()
                    inside = self.skip_balanced()
                    partition_column = inside[0]
                    partition_type = inside[2].upper() if function.endswith("_TRUNC") and len(inside) > 2 else "DAY"
                else:
                    partition_column, partition_type = self.take(), "DAY"
            elif self.is_("CLUSTER", "BY"):
                self.take(), self.take()
                cluster.append(self.take())
                while self.peek() == ",":
                    self.take()
                    cluster.append(self.take())
            elif self.is_("OPTIONS"):
                self.take()
                inside = self.skip_balanced()
                for i, token in enumerate(inside):
                    if token == "=" and i > 0:
                        options[inside[i - 1].lower()] = inside[i + 1] if i + 1 < len(inside) else ""
            else:
                raise DDLError(f"{path}: unexpected {self.peek()!r} after the columns of {name}")
        names = [c.name for c in columns]
        if len(set(names)) != len(names):
            raise DDLError(f"{path}: {name} declares a column twice")
        expiration = options.get("partition_expiration_days")
        return TableDefinition(
            name=name, kind="table", path=path, columns=tuple(columns),
            partition_column=partition_column, partition_type=partition_type, cluster=tuple(cluster),
            require_partition_filter=options.get("require_partition_filter", "FALSE").upper() == "TRUE",
            expiration_days=int(float(expiration)) if expiration else None,
        )

    def create_view(self, path: str, kind: str = "view") -> TableDefinition:
        name = self.table_name()
        arguments = []
        if kind == "table function":
            inside = self.skip_balanced()
            # (start_date DATE, end_date DATE): each argument's name starts the file or follows a comma.
            arguments = [inside[i] for i in range(len(inside)) if i == 0 or inside[i - 1] == ","]
        self.take("AS")
        sources = []
        while self.peek() not in (None, ";"):
            token = self.take()
            if token.upper() in ("FROM", "JOIN") and (self.peek() or "").startswith("`"):
                sources.append(self.table_name())
        return TableDefinition(name=name, kind=kind, path=path, sources=tuple(sources), arguments=tuple(arguments))

    def statements(self) -> list[TableDefinition]:
        found = []
        while self.peek() is not None:
            if self.peek() == ";":
                self.take()
                continue
            self.take("CREATE")
            if self.is_("OR", "REPLACE"):
                self.take(), self.take()
            kind = self.take().upper()
            if kind == "TABLE" and self.is_("FUNCTION"):
                self.take()
                kind = "TABLE FUNCTION"
            if self.is_("IF", "NOT", "EXISTS"):
                self.take(), self.take(), self.take()
            if kind == "TABLE":
                found.append(self.create_table(self.path))
            elif kind in ("VIEW", "TABLE FUNCTION"):
                found.append(self.create_view(self.path, kind.lower()))
            else:
                raise DDLError(f"{self.path}: CREATE {kind} is not a table, a view or a table function")
        return found


def parse(text: str, path: str = "<ddl>") -> list[TableDefinition]:
    """Every ``CREATE TABLE`` / ``CREATE VIEW`` statement of one DDL text."""
    return _Parser(_tokens(text), path).statements()


@lru_cache(maxsize=1)
def _definitions() -> dict[str, TableDefinition]:
    found: dict[str, TableDefinition] = {}
    root = sql_root()
    for path in sorted((root / "schema").glob("*/*.sql")):
        relative = str(path.relative_to(root))
        for definition in parse(path.read_text(), relative):
            if definition.name in found:
                raise DDLError(f"{definition.name} is defined in {found[definition.name].path} and {relative}")
            found[definition.name] = definition
    return found


def definitions() -> dict[str, TableDefinition]:
    """Every table, view and table function our DDL defines, by platform name (``nba_raw.nbac_schedule``)."""
    return dict(_definitions())


def definition(name: str) -> TableDefinition:
    """One table's definition; a KeyError names the tables there are."""
    try:
        return _definitions()[name]
    except KeyError:
        raise KeyError(f"no DDL for {name!r} under include/sql/schema/") from None
