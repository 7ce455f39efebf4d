"""The schema has one owner: Alembic migrations, applied automatically when additive, never a refusal
of an older log, and a refusal (before any write) of a database that is not agentclinic's."""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel
from typer.testing import CliRunner

from agentclinic.cli import app
from agentclinic.store import Store, StoreError, make_engine, schema
from agentclinic.store.schema import MIGRATIONS, _config, current_revision, head


def _baseline():
    spec = importlib.util.spec_from_file_location("baseline", MIGRATIONS / "versions" / "0001_baseline.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.BASELINE


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_fresh_database_is_at_head_and_matches_the_models(db_url):
    store = Store(db_url)
    assert current_revision(store.engine) == head()
    with store.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), SQLModel.metadata) == []
    store.close()


def test_the_models_match_the_migrations_on_postgresql(postgres_url):
    store = Store(postgres_url)
    with store.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), SQLModel.metadata) == []
    store.close()


def test_a_current_database_is_opened_without_a_schema_write(tmp_path):
    path = tmp_path / "log.db"
    Store(f"sqlite:///{path}").close()
    before = _digest(path)
    Store(f"sqlite:///{path}").close()
    assert _digest(path) == before


def test_a_log_from_before_migrations_is_upgraded_in_place_keeping_its_rows(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = sa.create_engine(url)
    _baseline().create_all(engine)
    with engine.begin() as connection:  # an early 0.1 build: a column and an index were added later
        connection.exec_driver_sql("DROP INDEX ix_episode_status")
        connection.exec_driver_sql("ALTER TABLE episode DROP COLUMN survey_error")
        connection.exec_driver_sql("ALTER TABLE run DROP COLUMN episodes_planned")
        connection.exec_driver_sql(
            "INSERT INTO run (source, status, scenarios, max_turns, bindings, config, package_version, started_at) "
            "VALUES ('cli', 'completed', 'core', 5, '{}', '{}', '0.1.0', '2026-01-01 00:00:00')")
    engine.dispose()
    store = Store(url)
    assert current_revision(store.engine) == head()
    assert [(run.id, run.status, run.episodes_planned) for run in store.runs()] == [(1, "completed", None)]
    with store.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), SQLModel.metadata) == []
    store.close()


def test_a_database_at_an_older_revision_gets_the_additive_steps(tmp_path):
    url = f"sqlite:///{tmp_path / 'v1.db'}"
    engine = make_engine(url)
    with engine.connect() as connection:
        from alembic import command

        command.upgrade(_config(connection), "0001")
        connection.commit()
    assert current_revision(engine) == "0001"
    engine.dispose()
    store = Store(url)
    assert current_revision(store.engine) == head()
    assert "sanitised" in {c["name"] for c in sa.inspect(store.engine).get_columns("llm_call")}
    store.close()


def test_a_foreign_database_is_refused_before_anything_is_written(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    before = _digest(path)
    with pytest.raises(StoreError, match=r"not agentclinic's \(customers\); nothing was written"):
        Store(f"sqlite:///{path}")
    assert _digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.db"]  # no -wal, no -shm


def test_a_file_that_is_not_a_database_gets_one_line(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("just some notes\n" * 200)
    with pytest.raises(StoreError) as caught:
        Store(f"sqlite:///{path}")
    assert "\n" not in str(caught.value) and "notes.db" in str(caught.value)
    assert path.read_text() == "just some notes\n" * 200


def test_a_database_from_a_newer_agentclinic_is_refused(db_url):
    Store(db_url).close()
    engine = make_engine(db_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    engine.dispose()
    with pytest.raises(StoreError, match="'9999'.*newer agentclinic"):
        Store(db_url)


def test_a_step_that_rewrites_data_waits_for_db_upgrade(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'log.db'}"
    Store(url).close()  # at this version's head
    # A later version ships one more migration, which rewrites rows.
    directory = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, directory, ignore=shutil.ignore_patterns("__pycache__"))
    (directory / "versions" / "0099_rewrite.py").write_text(
        '"""Rewrite statuses."""\nfrom alembic import op\n'
        f'revision = "0099"\ndown_revision = "{head()}"\nbranch_labels = None\ndepends_on = None\n'
        'additive = False\n\n\ndef upgrade():\n    op.execute("UPDATE run SET status = \'completed\' '
        'WHERE status = \'partial\'")\n')
    scripts = ScriptDirectory(str(directory))
    monkeypatch.setattr(schema, "MIGRATIONS", directory)
    monkeypatch.setattr(schema, "scripts", lambda: scripts)
    with pytest.raises(StoreError, match=r"rewrite data \(0099\).*agentclinic db upgrade --db"):
        Store(url)
    runner = CliRunner()
    status = runner.invoke(app, ["db", "status", "--db", url])
    assert status.exit_code == 0 and "pending 0099" in status.output and "needs `agentclinic db upgrade`" \
        in status.output
    result = runner.invoke(app, ["db", "upgrade", "--db", url])
    assert result.exit_code == 0, result.output
    assert "applied 1 migration(s); schema 0099" in result.output
    store = Store(url)
    assert current_revision(store.engine) == "0099"
    store.close()


def test_db_commands_refuse_a_missing_file_without_creating_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["db", "status", "--db", "sqlite:///runs/none.db"])
    assert result.exit_code == 2
    assert "no database at runs/none.db (relative to the working directory" in result.output
    assert not (tmp_path / "runs").exists()
