"""Shared CLI pieces: consoles, error reporting and options used by several commands."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from typing import Any

import typer
from sqlalchemy.exc import SQLAlchemyError
from rich.console import Console
from rich.markup import escape

from ..agents.registry import RoleSpecError
from ..loader import ScenarioError
from ..paths import DEFAULT_DB_URL
from ..store import StoreError
from ..store.engine import advice_for

console = Console()
# Messages name files and fields: never break them across lines, so they stay greppable.
err_console = Console(stderr=True, soft_wrap=True)

DbOption = typer.Option(DEFAULT_DB_URL, "--db", help="SQLAlchemy database URL.", envvar="AGENTCLINIC_DB")
JsonOption = typer.Option(False, "--json", help="Print JSON instead of a table.")


def print_json(data: Any) -> None:
    """JSON on stdout, unformatted by rich so pipes get exactly what they parse."""
    sys.stdout.write(json.dumps(data, indent=2, default=str, ensure_ascii=False) + "\n")


def say_database_failed(exc: BaseException) -> None:
    """One line on stderr for a database error: the driver's reason and what to do."""
    reason, advice = advice_for(exc)
    err_console.print(f"[bold red]Error:[/] the database failed: {escape(reason)}; {escape(advice)}.")


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn expected mistakes (bad cases, bad URLs, unknown roles) into messages and exit code 2."""
    try:
        yield
    except ScenarioError as exc:
        errors = [p for p in exc.problems if p.severity == "error"]
        err_console.print(f"[bold red]{len(errors)} problem(s) with the scenarios:[/]")
        for problem in errors:
            err_console.print(f"  {escape(str(problem))}")
        raise typer.Exit(2) from None
    except SQLAlchemyError as exc:  # a read failing part-way (a damaged page, a server gone)
        say_database_failed(exc)
        raise typer.Exit(2) from None
    except (StoreError, RoleSpecError, KeyError, ValueError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        err_console.print(f"[bold red]Error:[/] {escape(str(message))}")
        raise typer.Exit(2) from None
