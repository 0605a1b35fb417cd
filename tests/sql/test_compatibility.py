"""docs/compatibility.md is generated from code and matches what the SQL does.

The columns the compatibility module calls NULL are exactly those the processors' source SELECTs
write as NULL literals (parsed with sqlglot), and the doc is the module's current rendering. The
game-day check (what a run really leaves NULL) is in test_phase3.py, on its seeded warehouse.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

from nba_pipeline import processors
from nba_pipeline.sql import load_sql
from nba_pipeline_dev import compatibility

from .test_rendered_merge import PLATFORM_NAMES

DOC = Path(__file__).resolve().parents[2] / "docs" / "compatibility.md"


def test_the_doc_is_generated_from_the_code():
    assert DOC.read_text() == compatibility.render(), (
        "docs/compatibility.md is stale: python -m nba_pipeline_dev.compatibility > docs/compatibility.md")


def source_projection(name: str) -> dict[str, exp.Expression]:
    """Each output column of a processor's source SELECT with the expression that computes it."""
    processor = processors.get(name)
    tree = sqlglot.parse_one(load_sql(processor.sql_path, PLATFORM_NAMES, fragments=processor.sql_fragments()),
                             read="bigquery")
    return {e.alias_or_name: (e.this if isinstance(e, exp.Alias) else e) for e in tree.expressions}


def is_null_literal(expression: exp.Expression) -> bool:
    while isinstance(expression, (exp.Cast, exp.Paren)):
        expression = expression.this
    return isinstance(expression, exp.Null)


@pytest.mark.parametrize("name", compatibility.TABLES)
def test_null_columns_are_exactly_those_the_sql_writes_as_null(name):
    written_null = {column for column, e in source_projection(name).items() if is_null_literal(e)}
    assert written_null == set(compatibility.NULL_REASONS.get(name, {})), (
        f"{name}: NULL in the SQL but not explained: {sorted(written_null - set(compatibility.NULL_REASONS.get(name, {})))}; "
        f"explained as NULL but computed: {sorted(set(compatibility.NULL_REASONS.get(name, {})) - written_null)}")


@pytest.mark.parametrize("name", compatibility.TABLES)
def test_every_annotated_column_is_a_contract_column_and_has_one_status(name):
    columns = {c.name for c in compatibility.contract_columns(name)}
    annotated = [compatibility.NULL_REASONS, compatibility.DIFFERENT, compatibility.NOTES, compatibility.CONDITIONAL]
    for mapping in annotated:
        unknown = set(mapping.get(name, {})) - columns
        assert not unknown, f"{name}: annotations of columns that do not exist: {sorted(unknown)}"
    assert not set(compatibility.NULL_REASONS.get(name, {})) & set(compatibility.DIFFERENT.get(name, {}))
    for column in columns:
        state, text = compatibility.status(name, column)
        assert state != "NULL" or len(text) > 20, (name, column)
