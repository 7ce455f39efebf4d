"""``agentclinic db``: the log's schema revision, and upgrades that are not applied automatically."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

import typer

from .common import DbOption, console, user_errors

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from ..store.schema import SchemaState

db_app = typer.Typer(no_args_is_help=True)


@contextlib.contextmanager
def _checked(db: str) -> Iterator[tuple[Engine, SchemaState]]:
    """An existing agentclinic database and its schema state, or a one-line error (exit 2)."""
    from ..store import make_engine
    from ..store.engine import require_existing
    from ..store.schema import check_ours, read_state

    with user_errors():
        require_existing(db)
        engine = make_engine(db)
        try:
            state = read_state(db, engine)
            check_ours(db, state)
            yield engine, state
        finally:
            engine.dispose()


@db_app.command("status", help="Show the database's schema revision and the migrations it still needs.")
def status(db: str = DbOption) -> None:
    from ..store.schema import head

    with _checked(db) as (_, state):
        steps = state.pending()
    console.print(f"{db}: schema {state.revision or 'none (made before migrations)'}; this agentclinic writes "
                  f"{head()}.")
    for step in steps:
        kind = "automatic" if getattr(step.module, "additive", False) else "needs `agentclinic db upgrade`"
        console.print(f"  pending {step.revision}: {step.doc} ({kind})")
    if not steps:
        console.print("  up to date.")


@db_app.command("upgrade", help="Apply every pending migration, including ones that rewrite data (back up first).")
def upgrade_command(db: str = DbOption) -> None:
    from ..store import StoreError
    from ..store.engine import one_line
    from ..store.schema import head, upgrade

    with _checked(db) as (engine, state):
        steps = state.pending()
        try:
            upgrade(engine)
        except StoreError:
            raise
        except Exception as exc:  # migrations run in one transaction: a failure leaves the database as it was
            raise StoreError(f"upgrading {db} failed and was rolled back: {one_line(exc)}") from exc
    console.print(f"{db}: applied {len(steps)} migration(s); schema {head()}.")
