"""docs/raw_inputs.md says, per seeded table, which columns the generator leaves NULL: keep it true."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from nba_pipeline_dev.seed import SEEDED_TABLES, generate, platform_name

DOC = Path(__file__).resolve().parents[2] / "docs" / "raw_inputs.md"


def _documented_nulls() -> dict[str, set[str]]:
    text = DOC.read_text()
    found = {}
    for section in re.split(r"^### ", text, flags=re.M)[1:]:
        name = section.splitlines()[0].strip()
        match = re.search(r"^Left NULL: (.*)$", section, flags=re.M)
        assert match, f"{name}: no 'Left NULL:' line"
        columns = match.group(1).strip()
        found[name] = set() if columns == "-" else {c.strip() for c in columns.split(",")}
    return found


def test_every_seeded_table_is_documented_with_the_columns_it_leaves_null():
    documented = _documented_nulls()
    assert set(documented) == {platform_name(name) for name in SEEDED_TABLES}
    data = generate(dt.date(2026, 2, 1), dt.date(2026, 2, 7))
    for name in SEEDED_TABLES:
        table = data[name]
        null = {c for c in table.column_names if table[c].null_count == table.num_rows}
        print(f"{platform_name(name)}: {table.num_columns - len(null)} of {table.num_columns} columns generated")
        assert null == documented[platform_name(name)], (name, sorted(null ^ documented[platform_name(name)]))
