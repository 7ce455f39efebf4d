"""Engines for the episode log: SQLite tuned for several writers, any other SQLAlchemy URL as is."""

from __future__ import annotations

import os
import random
import sqlite3
import time
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlmodel import create_engine

from ..llm.redact import redact_url
from ..paths import DEFAULT_DB_URL
from .errors import StoreError


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers (reports, the browser) work while a run writes; FKs keep rows consistent.
    cursor = dbapi_connection.cursor()
    _switch_to_wal(cursor)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _switch_to_wal(cursor, patience_s: float = 60.0) -> None:
    """Switching a new file to WAL needs it to itself, and SQLite answers "database is locked"
    at once, without waiting, while another process (a shard starting together) does the same:
    try again until one has switched it, which every later one then sees."""
    deadline = time.monotonic() + patience_s
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(random.uniform(0.01, 0.1))


def make_engine(url: str = DEFAULT_DB_URL) -> Engine:
    """An engine for ``url``; SQLite files get their directory created and WAL + foreign keys."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"not a database URL: {url!r} (expected e.g. sqlite:///runs/agentclinic.db)") from exc
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        try:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the directory for {parsed.database}: {exc}") from exc
    # SQLite: several processes (shards) may write one file; wait for the lock instead of failing.
    options = {"connect_args": {"timeout": 60}} if parsed.get_backend_name() == "sqlite" else {"pool_pre_ping": True}
    try:
        engine = create_engine(url, **options)
    except (ModuleNotFoundError, NoSuchModuleError) as exc:
        raise StoreError(f"no database driver for {parsed.drivername!r} is installed ({exc})") from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def require_existing(url: str) -> None:
    """Read-only commands: a SQLite file that is not there is an error, not a new empty database."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"not a database URL: {url!r} (expected e.g. sqlite:///runs/agentclinic.db)") from exc
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return
    path = Path(parsed.database)
    if not path.is_file():
        where = "" if path.is_absolute() else f" (relative to the working directory {os.getcwd()})"
        raise StoreError(f"no database at {path}{where}. Run `agentclinic run` first, or point --db (or "
                         "AGENTCLINIC_DB) at an existing log.")


def one_line(exc: BaseException) -> str:
    """A driver error without its SQL dump and parameters: the first line of the driver's message."""
    original = getattr(exc, "orig", None) or exc
    text = str(original).strip().splitlines()
    return f"{type(original).__name__}: {text[0] if text else ''}".strip()


_ADVICE = (
    (("disk is full", "disk full", "no space", "file too large", "too big"),
     "free disk space (or raise the file size limit)"),
    (("malformed", "not a database", "corrupt"),
     "the file is damaged: recover it (`sqlite3 FILE .recover`) or move it aside"),
    (("readonly", "read-only", "permission"), "make the file and its directory writable"),
    (("i/o error",), "check free disk space and the file system"),
    (("locked",), "another program holds the database locked; close it"),
)


def advice_for(exc: BaseException) -> tuple[str, str]:
    """(the driver's reason in one line, what a person should do about it)."""
    reason = one_line(exc)
    advice = next((text for needles, text in _ADVICE if any(n in reason.lower() for n in needles)),
                  "check the database server and the URL")
    return reason, advice


def write_error(url: str, exc: BaseException) -> StoreError:
    """A database failure during a run, as one line naming the database and what to do."""
    reason, advice = advice_for(exc)
    # The URL may carry a PostgreSQL password; the message is printed.
    return StoreError(f"cannot write to database {redact_url(url)}: {reason}. To go on, {advice}, then run the same "
                      "command again: finished episodes are kept.")
