"""Shared CLI pieces: consoles, error reporting and options used by several commands."""

from __future__ import annotations

import contextlib
import csv
import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

import typer
from rich.console import Console
from rich.markup import escape

from ..paths import DEFAULT_DB_URL

console = Console()
# Messages name files and fields: never break them across lines, so they stay greppable.
err_console = Console(stderr=True, soft_wrap=True)

DbOption = typer.Option(DEFAULT_DB_URL, "--db", help="SQLAlchemy database URL.", envvar="AGENTCLINIC_DB")
JsonOption = typer.Option(False, "--json", help="Print JSON instead of a table.")
CSV_TO_STDOUT = "-"


def csv_option(rows: str) -> Any:
    """``--csv PATH``: also write ``rows`` as CSV to PATH; ``-`` writes them to stdout instead of the table."""
    return typer.Option(None, "--csv", metavar="PATH|-",
                        help=f"Also write {rows} as CSV to PATH; '-' prints the CSV instead of the table.")


def check_outputs(as_json: bool, csv_target: str | None) -> None:
    """Refuse two formats on stdout at once (a ValueError, for :func:`user_errors`)."""
    if as_json and csv_target == CSV_TO_STDOUT:
        raise ValueError("--json and --csv - both print to standard output; choose one (or --csv FILE)")


def write_csv(target: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """``rows`` as CSV (csv module, one header line) to the file ``target``, or stdout for ``-``.

    Cells: None -> empty, booleans -> true/false, lists and dicts -> JSON; text is made
    printable (no terminal controls, no credentials) as everywhere else the log is shown.
    A file that cannot be written is a ValueError naming it; a closed pipe ends quietly.
    """
    if target == CSV_TO_STDOUT:
        try:
            _write_rows(sys.stdout, header, rows)
            sys.stdout.flush()
        except BrokenPipeError:  # `... --csv - | head`: the reader has all it wanted
            raise typer.Exit(0) from None
        return
    path = Path(target)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="") as handle:
            _write_rows(handle, header, rows)
    except OSError as exc:
        raise ValueError(f"cannot write the CSV to {path}: {exc.strerror or exc}") from None


def _write_rows(handle: TextIO, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([_csv_cell(value) for value in row] for row in rows)


def _csv_cell(value: Any) -> str:
    from ..printable import printable

    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple, dict)):
        return printable(json.dumps(value, ensure_ascii=False, default=str))
    return printable(value)


def print_json(data: Any) -> None:
    """JSON on stdout, unformatted by rich so pipes get exactly what they parse."""
    sys.stdout.write(json.dumps(data, indent=2, default=str, ensure_ascii=False) + "\n")


def say_database_failed(exc: BaseException) -> None:
    """One line on stderr for a database error: the driver's reason and what to do."""
    from ..store.engine import advice_for

    reason, advice = advice_for(exc)
    err_console.print(f"[bold red]Error:[/] the database failed: {escape(reason)}; {escape(advice)}.")


def loaded_class(module: str, name: str) -> type | None:
    """The class ``module.name`` if ``module`` is already imported, else None.

    An exception cannot be an instance of a class whose module never loaded, so error
    handlers can test for SQLAlchemy's or the store's errors without importing either
    (which would cost every command, ``--help`` included, a second of start-up).
    """
    found = getattr(sys.modules.get(module), name, None)
    return found if isinstance(found, type) else None


def is_instance_of(exc: BaseException, module: str, name: str) -> bool:
    """Whether ``exc`` is a ``module.name``, without importing ``module`` (see :func:`loaded_class`)."""
    kind = loaded_class(module, name)
    return kind is not None and isinstance(exc, kind)


def is_database_error(exc: BaseException) -> bool:
    """Whether ``exc`` is one of SQLAlchemy's errors (a damaged page, a server gone)."""
    return is_instance_of(exc, "sqlalchemy.exc", "SQLAlchemyError")


def _is_user_mistake(exc: BaseException) -> bool:
    return isinstance(exc, (KeyError, ValueError)) or is_instance_of(exc, "agentclinic.store.errors", "StoreError") \
        or is_instance_of(exc, "agentclinic.agents.registry", "RoleSpecError")


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn expected mistakes (bad cases, bad URLs, unknown roles) into messages and exit code 2."""
    try:
        yield
    except Exception as exc:
        if is_instance_of(exc, "agentclinic.problems", "ScenarioError"):
            errors = [p for p in exc.problems if p.severity == "error"]  # type: ignore[attr-defined]
            err_console.print(f"[bold red]{len(errors)} problem(s) with the scenarios:[/]")
            for problem in errors:
                err_console.print(f"  {escape(str(problem))}")
            raise typer.Exit(2) from None
        if is_database_error(exc):  # a read failing part-way (a damaged page, a server gone)
            say_database_failed(exc)
            raise typer.Exit(2) from None
        if _is_user_mistake(exc):
            message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
            err_console.print(f"[bold red]Error:[/] {escape(str(message))}")
            raise typer.Exit(2) from None
        raise
