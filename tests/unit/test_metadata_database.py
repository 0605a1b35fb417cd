"""``airflow_env.ensure_db``: a new home's SQLite database is a copy of one migrated database.

Unit tests replace the migration with a stand-in that records its calls; the real migration
runs once in the integration test, which compares the copy with a database migrated in place.
"""

from __future__ import annotations

import sqlite3

import pytest

from nba_pipeline_dev.local import airflow_env


@pytest.fixture
def homes(tmp_path, monkeypatch):
    monkeypatch.setenv("NBA_LOCAL_DIR", str(tmp_path / "state"))
    return tmp_path


def _env(home):
    return {"AIRFLOW_HOME": str(home), "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}?timeout=30",
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False", "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs")}


@pytest.fixture
def migrations(monkeypatch):
    made = []

    def migrate(env):
        made.append(env["AIRFLOW_HOME"])
        if airflow_env._sqlite_file(env):
            airflow_env._sqlite_file(env).write_text(f"migrated in {env['AIRFLOW_HOME']}")

    monkeypatch.setattr(airflow_env, "_migrate", migrate)
    return made


def test_homes_with_the_same_settings_share_one_migration(homes, migrations):
    hows = [airflow_env.ensure_db(_env(homes / f"home{i}")) for i in range(3)]
    assert hows == ["copied"] * 3 and len(migrations) == 1
    # The migration ran in a scratch home, not in any world's.
    assert not migrations[0].startswith(str(homes / "home"))
    contents = {(homes / f"home{i}" / "airflow.db").read_text() for i in range(3)}
    assert len(contents) == 1
    assert airflow_env.ensure_db(_env(homes / "home0")) == "ready"


def test_other_settings_get_a_migration_of_their_own(homes, migrations):
    airflow_env.ensure_db(_env(homes / "a"))
    airflow_env.ensure_db({**_env(homes / "b"), "AIRFLOW__CORE__LOAD_EXAMPLES": "True"})
    assert len(migrations) == 2


def test_a_failed_migration_leaves_no_template_and_no_database(homes, monkeypatch):
    def fail(env):
        airflow_env._sqlite_file(env).write_text("half")
        raise RuntimeError("migration failed")

    monkeypatch.setattr(airflow_env, "_migrate", fail)
    with pytest.raises(RuntimeError):
        airflow_env.ensure_db(_env(homes / "a"))
    assert not (homes / "a" / "airflow.db").exists() and not (homes / "a" / ".db-stamp").exists()
    assert list((homes / "state" / "airflow-db-templates").iterdir()) == []


def test_a_non_sqlite_database_is_migrated_in_place(homes, migrations):
    env = {**_env(homes / "pg"), "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": "postgresql://airflow@127.0.0.1/airflow"}
    assert airflow_env.ensure_db(env) == "migrated"
    assert migrations == [str(homes / "pg")]


@pytest.mark.integration
def test_a_copied_database_equals_one_migrated_in_place(homes):
    copied_home, migrated_home = homes / "copied", homes / "migrated"
    base = {k: v for k, v in airflow_env.airflow_env().items() if not k.startswith("AIRFLOW__DATABASE__")}

    def env(home):
        return {**base, "AIRFLOW_HOME": str(home),
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}?timeout=30"}

    assert airflow_env.ensure_db(env(copied_home)) == "copied"
    migrated_home.mkdir()
    airflow_env._migrate(env(migrated_home))

    def schema_and_rows(path):
        db = sqlite3.connect(path)
        try:
            tables = db.execute("SELECT name, sql FROM sqlite_master ORDER BY name").fetchall()
            rows = {name: db.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0]
                    for name, sql in tables if sql and sql.startswith("CREATE TABLE")}
            return tables, rows, db.execute("SELECT version_num FROM alembic_version").fetchall()
        finally:
            db.close()

    assert schema_and_rows(copied_home / "airflow.db") == schema_and_rows(migrated_home / "airflow.db")
