"""The one owner of the database schema: Alembic migrations, applied once, under a lock.

Any number of processes may open a fresh or an older database at the same moment: each
reads the schema's revision; one that finds it behind takes the database's lock (SQLite: a
``BEGIN IMMEDIATE`` transaction; PostgreSQL: an advisory lock), and Alembic, reading the
revision again under the lock, applies only what is still missing. Changes marked additive
(new tables, new columns) are applied automatically; others wait for ``agentclinic db
upgrade``. A database that is not agentclinic's is refused before anything is written.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from sqlalchemy.engine import Engine

from .errors import StoreError

MIGRATIONS = Path(__file__).with_name("migrations")
# Tables every agentclinic database has had since the first release.
_SIGNATURE = {"run", "episode", "turn"}
_PG_LOCK_KEY = 73160  # any constant: the key of the advisory lock migrations run under


def _config(connection: sa.Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


@lru_cache(maxsize=1)
def scripts() -> ScriptDirectory:
    """The migration scripts shipped with this version."""
    return ScriptDirectory.from_config(_config())


def head() -> str:
    """The revision this version of agentclinic writes."""
    return scripts().get_current_head()  # type: ignore[return-value]


@dataclass(frozen=True)
class SchemaState:
    """What a database holds before anything is changed."""

    tables: frozenset[str]
    revision: str | None

    @property
    def fresh(self) -> bool:
        return not self.tables

    def pending(self) -> list[Script]:
        """Migrations still to apply, oldest first."""
        if self.revision == head():
            return []
        return list(reversed(list(scripts().iterate_revisions(head(), self.revision))))


def read_state(url: str, engine: Engine) -> SchemaState:
    """The database's tables and revision, read without writing (a foreign file stays untouched)."""
    path = sqlite_path(engine)
    if path is not None:
        return _read_sqlite_state(url, path)
    with engine.connect() as connection:
        tables = frozenset(sa.inspect(connection).get_table_names())
        revision = MigrationContext.configure(connection).get_current_revision() \
            if "alembic_version" in tables else None
    return SchemaState(tables, revision)


def _read_sqlite_state(url: str, path: Path) -> SchemaState:
    if not path.exists() or path.stat().st_size == 0:
        return SchemaState(frozenset(), None)
    try:
        # Read-only: the engine's first connection would switch the file to WAL, a write.
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=60)
        try:
            tables = frozenset(row[0] for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"))
            revision = connection.execute("SELECT version_num FROM alembic_version").fetchone() \
                if "alembic_version" in tables else None
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"database {url} cannot be read ({exc}): it is not an agentclinic database or it is "
                         "damaged. Give --db a new path (or move the file aside).") from exc
    return SchemaState(tables, revision[0] if revision else None)


def sqlite_path(engine: Engine) -> Path | None:
    """The file behind a SQLite engine; None for other databases and in-memory ones."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return None
    return Path(engine.url.database)


def check_ours(url: str, state: SchemaState) -> None:
    """Refuse a database another program made, or a newer agentclinic wrote."""
    if state.fresh:
        return
    if state.revision is None and not _SIGNATURE <= state.tables:
        foreign = ", ".join(sorted(state.tables)[:5])
        raise StoreError(f"database {url} holds tables that are not agentclinic's ({foreign}); nothing was "
                         "written. Give --db a new path.")
    if state.revision is not None and state.revision not in {s.revision for s in scripts().walk_revisions()}:
        raise StoreError(f"database {url} is at schema revision {state.revision!r}, which this agentclinic "
                         f"(schema {head()}) does not know: it was written by a newer agentclinic. Upgrade "
                         "agentclinic, or give --db a new path.")


def ensure_schema(url: str, engine: Engine) -> None:
    """Bring the database to this version's schema, or explain why not (see the module doc)."""
    state = read_state(url, engine)
    check_ours(url, state)
    steps = state.pending()
    if not steps:
        return
    manual = [step.revision for step in steps if not getattr(step.module, "additive", False)]
    if manual:
        raise StoreError(f"database {url} needs schema changes that rewrite data ({', '.join(manual)}): back it "
                         f"up, then run `agentclinic db upgrade --db {url}`.")
    upgrade(engine)


def upgrade(engine: Engine) -> None:
    """Apply every pending migration, holding the database's lock while Alembic works."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            # Taken now, not at the first write: a second process waits here (busy timeout)
            # and then finds the revision current, instead of failing half-way.
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        elif engine.dialect.name == "postgresql":
            connection.execute(sa.text(f"SELECT pg_advisory_xact_lock({_PG_LOCK_KEY})"))
        command.upgrade(_config(connection), "head")
        connection.commit()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None: fresh, or made before migrations existed)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
