"""A static check that every read of a partitioned table is pruned to the dates it needs.

Real BigQuery rejects a query on a ``require_partition_filter`` table unless it filters the
partition column, and scans every partition when nothing lets it prune. ``check(sql)`` parses a
statement (sqlglot, BigQuery dialect) and reports each reference to a partitioned object that is
not constrained in its own scope:

* a partitioned table (partition column from our DDL) must have a conjunct of its ``WHERE`` (or
  of its ``JOIN ... ON``, or of the ``MERGE ... ON`` for a MERGE target) that compares its
  partition column with a bound value: a query parameter, a literal, a table function argument,
  or an expression of those (``DATE_SUB(@target_date, INTERVAL 7 DAY)``). A comparison with
  another column, a subquery, or one under ``OR`` does not prune;
* a view that passes a partition column through unchanged (every window partitioned by it, every
  ``GROUP BY`` grouping by it) and leaves its base table unfiltered counts as that table: its
  reader must filter the column, which BigQuery then pushes onto the base table;
* a table function call must pass bound arguments; its body is checked with its arguments
  counting as bound values.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp

from nba_pipeline import ddl

_COMPARISONS = (exp.EQ, exp.LT, exp.LTE, exp.GT, exp.GTE)


@dataclass
class Reference:
    statement: str      # which statement (a file or a rendered processor)
    name: str           # platform name of the object read, e.g. nba_raw.nbac_schedule
    column: str         # the partition column that must be constrained
    constrained: bool
    why: str = ""


@dataclass
class Catalog:
    """What the checker knows about each object: partition columns, view pass-throughs, TVFs."""

    partitioned: dict[str, str] = field(default_factory=dict)        # table -> partition column
    transparent_views: dict[str, str] = field(default_factory=dict)  # view -> column its reader filters
    functions: dict[str, tuple[str, ...]] = field(default_factory=dict)  # TVF -> argument names


def platform_name(table: exp.Table) -> str | None:
    """``nba_raw.nbac_schedule`` for a reference to ``project.nba_raw.nbac_schedule``; None for a CTE."""
    if isinstance(table.this, exp.Anonymous):  # a table function call
        parts = table.this.name.split(".")
    else:
        parts = [p for p in (table.catalog, table.db, table.name) if p]
        if len(parts) == 1 and "." in parts[0]:
            parts = parts[0].split(".")
    if len(parts) < 2:
        return None
    return f"{parts[-2]}.{parts[-1]}"


def _conjuncts(condition: exp.Expression | None) -> list[exp.Expression]:
    if condition is None:
        return []
    if isinstance(condition, exp.Paren):
        return _conjuncts(condition.this)
    if isinstance(condition, exp.And):
        return _conjuncts(condition.left) + _conjuncts(condition.right)
    return [condition]


def _is_bound(node: exp.Expression, arguments: tuple[str, ...]) -> bool:
    """A value known before the query reads any table: parameters, literals, TVF arguments."""
    if node.find(exp.Subquery, exp.Select):
        return False
    for column in node.find_all(exp.Column):
        if column.table or column.name not in arguments:
            return False
    return True


def _refers_to(column: exp.Expression, alias: str, partition_column: str, sole_table: bool) -> bool:
    if not isinstance(column, exp.Column) or column.name != partition_column:
        return False
    return column.table == alias or (not column.table and sole_table)


def _constrains(conjunct, alias, partition_column, sole_table, arguments) -> bool:
    if isinstance(conjunct, _COMPARISONS):
        for mine, other in ((conjunct.this, conjunct.expression), (conjunct.expression, conjunct.this)):
            if _refers_to(mine, alias, partition_column, sole_table) and _is_bound(other, arguments):
                return True
        return False
    if isinstance(conjunct, exp.Between):
        return _refers_to(conjunct.this, alias, partition_column, sole_table) and all(
            _is_bound(conjunct.args[k], arguments) for k in ("low", "high"))
    if isinstance(conjunct, exp.In):
        values = conjunct.expressions
        return (_refers_to(conjunct.this, alias, partition_column, sole_table) and bool(values)
                and all(_is_bound(v, arguments) for v in values))
    return False


def _scope_conditions(table: exp.Table) -> tuple[list[exp.Expression], bool]:
    """The conjuncts that can constrain ``table``, and whether it is the only table of its FROM."""
    parent = table.parent
    if isinstance(parent, exp.Merge) and parent.this is table:
        return _conjuncts(parent.args.get("on")), True
    join = parent if isinstance(parent, exp.Join) else None
    select = table.find_ancestor(exp.Select)
    if select is None:
        return [], False
    conditions = _conjuncts(select.args.get("where") and select.args["where"].this)
    if join is not None:
        conditions += _conjuncts(join.args.get("on"))
    sole = not select.args.get("joins")
    return conditions, sole


def _alias(table: exp.Table) -> str:
    return table.alias_or_name if not isinstance(table.this, exp.Anonymous) else table.alias


def check(sql: str, catalog: Catalog, *, statement: str, arguments: tuple[str, ...] = ()) -> list[Reference]:
    """Every reference to a partitioned object in ``sql``, with whether it is constrained."""
    found = []
    for tree in sqlglot.parse(sql, read="bigquery"):
        if tree is None:
            continue
        created = tree.this if isinstance(tree, exp.Create) else None
        for table in tree.find_all(exp.Table):
            if created is not None and (table is created or table.parent is created):
                continue  # the object a DDL statement creates is not read
            name = platform_name(table)
            if name is None:
                continue
            if name in catalog.functions:
                call = table.this
                bad = [a.sql("bigquery") for a in call.expressions if not _is_bound(a, arguments)]
                found.append(Reference(statement, name, "arguments", not bad and bool(call.expressions),
                                       f"table function called with unbound argument(s) {bad}" if bad else ""))
                continue
            column = catalog.partitioned.get(name) or catalog.transparent_views.get(name)
            if column is None:
                continue
            conditions, sole = _scope_conditions(table)
            alias = _alias(table)
            ok = any(_constrains(c, alias, column, sole, arguments) for c in conditions)
            found.append(Reference(statement, name, column, ok,
                                   "" if ok else f"no bound filter on {alias}.{column} in its scope"))
    return found


def _transparent_column(body: exp.Expression, column: str) -> bool:
    """A view body that passes ``column`` through: every window and GROUP BY keeps it apart."""
    for window in body.find_all(exp.Window):
        names = {c.name for c in (window.args.get("partition_by") or []) if isinstance(c, exp.Column)}
        if column not in names:
            return False
    for group in body.find_all(exp.Group):
        if column not in {c.name for c in group.expressions if isinstance(c, exp.Column)}:
            return False
    return True


def catalog_from_ddl(render) -> Catalog:
    """The catalog of our DDL; ``render(path)`` gives a DDL file's SQL with names filled in."""
    catalog = Catalog()
    definitions = ddl.definitions()
    for name, definition in definitions.items():
        if definition.kind == "table" and definition.partition_column:
            catalog.partitioned[name] = definition.partition_column
        elif definition.kind == "table function":
            catalog.functions[name] = definition.arguments
    # A view over an unfiltered partitioned table (or transparent view) is transparent when it
    # keeps the column apart; repeat until views over views are settled.
    views = {name: d for name, d in definitions.items() if d.kind == "view"}
    changed = True
    while changed:
        changed = False
        for name, definition in views.items():
            if name in catalog.transparent_views:
                continue
            sql = render(definition.path)
            body = sqlglot.parse_one(sql, read="bigquery").expression
            for reference in check(sql, catalog, statement=definition.path):
                if not reference.constrained and _transparent_column(body, reference.column):
                    catalog.transparent_views[name] = reference.column
                    changed = True
    return catalog
