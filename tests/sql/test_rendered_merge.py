"""The one fenced MERGE template, rendered for every processor.

Each rendered statement is pinned by a snapshot in ``tests/sql/snapshots/{processor}.sql``
(rendered with the platform's project and dataset names). After a deliberate change, regenerate
them with ``NBA_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/sql/test_rendered_merge.py``
and review the diff.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from nba_pipeline import merge, processors
from nba_pipeline.config import Settings
from nba_pipeline.sql import sql_root

SNAPSHOTS = Path(__file__).with_name("snapshots")
PLATFORM_NAMES = Settings(
    project="nba-props-platform", raw_dataset="nba_raw", analytics_dataset="nba_analytics",
    precompute_dataset="nba_precompute", predictions_dataset="nba_predictions",
    audit_dataset="nba_pipeline_audit",
)
REPO = Path(__file__).resolve().parents[2]
# The fence predicates: the guard, the matched-row condition and the delete condition.
# (checks/date_fence.sql reads MAX(_fence) too, to report a refused write after the MERGE.)
FENCE_PREDICATES = ("@fence >=", "T._fence <= S._fence", "T._fence <= @fence")


@pytest.mark.parametrize("name", [p.name for p in processors.PROCESSORS])
def test_rendered_merge_matches_its_snapshot(name):
    rendered = merge.render(processors.get(name), PLATFORM_NAMES)
    snapshot = SNAPSHOTS / f"{name}.sql"
    if os.environ.get("NBA_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOTS.mkdir(exist_ok=True)
        snapshot.write_text(rendered)
    assert snapshot.is_file(), f"no snapshot {snapshot.name}: run with NBA_UPDATE_SNAPSHOTS=1 to write it"
    assert rendered == snapshot.read_text(), (
        f"the rendered MERGE of {name} changed; if on purpose, regenerate with NBA_UPDATE_SNAPSHOTS=1 "
        "and review the diff"
    )


def test_every_snapshot_belongs_to_a_processor():
    assert {p.stem for p in SNAPSHOTS.glob("*.sql")} == {p.name for p in processors.PROCESSORS}


def _shipped_text_files():
    for folder in ("include", "plugins", "dags"):
        for path in (REPO / folder).rglob("*"):
            if path.is_file() and path.suffix in (".sql", ".py"):
                yield path


def test_the_fence_predicates_exist_once_in_the_package():
    found = {predicate: [] for predicate in FENCE_PREDICATES}
    for path in _shipped_text_files():
        text = path.read_text()
        for predicate in FENCE_PREDICATES:
            found[predicate] += [str(path.relative_to(REPO))] * text.count(predicate)
    for predicate, places in found.items():
        assert len(places) == 1, f"{predicate!r} occurs {len(places)} times: {places}"
    guard = (sql_root() / merge.GUARD).read_text()
    assert "@fence >=" in guard and "fence_watermarks" in guard


@pytest.mark.parametrize("name", [p.name for p in processors.PROCESSORS])
def test_processor_files_hold_only_a_source_select(name):
    text = (sql_root() / processors.get(name).sql_path).read_text()
    code = "\n".join(line.split("--")[0] for line in text.splitlines())
    assert not re.search(r"\b(MERGE|INSERT|UPDATE|DELETE)\b", code, re.IGNORECASE), name
    assert "_fence" not in code and "@run_id" not in code, name


@pytest.mark.parametrize("name", [p.name for p in processors.PROCESSORS])
def test_the_merge_is_scoped_to_the_target_date(name):
    processor = processors.get(name)
    rendered = merge.render(processor, PLATFORM_NAMES)
    date = processor.date_column
    keys = " AND ".join(f"T.{k} = S.{k}" for k in processor.key)
    assert f"ON T.{date} = @target_date AND {keys}\n" in rendered
    delete = rendered.split("WHEN NOT MATCHED BY SOURCE", 1)[1]
    assert delete.startswith(f" AND T.{date} = @target_date AND T._fence <= @fence\n  AND @fence >= (")
    assert delete.rstrip().endswith("THEN DELETE") and "fence_watermarks" in delete
    assert f"WHERE source.{date} = @target_date" in rendered


@pytest.mark.parametrize("name", ["team_offense_game_summary", "player_game_summary", "player_daily_cache"])
def test_write_history_columns_are_filled_by_the_template_and_created_at_is_kept(name):
    processor = processors.get(name)
    names = [c.name for c in merge.target_table(processor).columns]
    rendered = merge.render(processor, PLATFORM_NAMES)
    using = rendered.split("USING (", 1)[1]
    typed = using.split("\n    FROM (", 1)[0] + using.split("\n  FROM (", 1)[0]
    update = rendered.split("THEN UPDATE SET", 1)[1].split("WHEN NOT MATCHED BY TARGET", 1)[0]
    for column in set(names) & set(merge.WRITE_HISTORY_COLUMNS):
        assert f"AS {column}" in typed, column
        assert column not in merge.source_columns(processor), column
    for column in set(names) & set(merge.KEPT_ON_UPDATE):
        assert f"{column} =" not in update, column
    for column in set(names) & set(merge.COUNTED_ON_UPDATE):
        assert f"{column} = IFNULL(T.{column}, 0) + 1" in update, column
    assert "_fence = S._fence" in update and "_run_id = S._run_id" in update
    assert ("AS data_hash" in typed) == bool(processor.hash_fields)


def test_the_row_hash_follows_the_platform_convention():
    # 'name:value' pairs sorted as strings (so 'a1:' sorts before 'a:'), NULL as 'NULL',
    # joined with '|', the first 16 hex characters of SHA-256.
    import hashlib

    from nba_pipeline.ddl import Column, TableDefinition

    class Fake:
        name, hash_fields = "fake", ("a", "a1", "flag", "rating")

    table = TableDefinition("nba_analytics.fake", "table", "fake.sql", columns=(
        Column("a", "STRING", "NULLABLE"), Column("a1", "INT64", "NULLABLE"),
        Column("flag", "BOOL", "NULLABLE"), Column("rating", "NUMERIC", "NULLABLE", 6, 2)))
    expression = merge.row_hash(Fake, table)
    assert expression.index("'a1:'") < expression.index("'a:'") < expression.index("'flag:'")
    assert "IF(typed.flag, 'True', 'False')" in expression
    assert "FORMAT('%.2f', ROUND(typed.rating, 2))" in expression
    canonical = "|".join(sorted(["a:x", "a1:NULL", "flag:True", "rating:98.0"]))
    assert hashlib.sha256(canonical.encode()).hexdigest()[:16] == "%s" % hashlib.sha256(
        b"a1:NULL|a:x|flag:True|rating:98.0").hexdigest()[:16]


def test_a_table_without_lineage_columns_cannot_be_rendered(tmp_path, monkeypatch):
    from nba_pipeline import ddl

    root = tmp_path / "sql"
    for relative in (merge.TEMPLATE, merge.GUARD, "phase3/team_offense_game_summary.sql"):
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text((sql_root() / relative).read_text())
    schema = root / "schema" / "analytics"
    schema.mkdir(parents=True)
    (schema / "team_offense_game_summary.sql").write_text(
        "CREATE TABLE IF NOT EXISTS `${project}.${analytics_dataset}.team_offense_game_summary` "
        "(game_date DATE NOT NULL, team_abbr STRING NOT NULL) PARTITION BY game_date"
    )
    monkeypatch.setenv("NBA_SQL_ROOT", str(root))
    ddl._definitions.cache_clear()
    try:
        with pytest.raises(ValueError, match="lacks column"):
            merge.render(processors.get("team_offense_game_summary"), PLATFORM_NAMES)
    finally:
        monkeypatch.delenv("NBA_SQL_ROOT")
        ddl._definitions.cache_clear()
