"""The ``agentclinic`` command line (typer).

Start-up is kept light: each command module imports its implementation inside the command,
so ``agentclinic --help`` (and shell completion, which runs this module on every TAB)
loads typer and rich, not SQLAlchemy, scipy or Textual. ``tests/test_startup.py`` holds it.
"""

from __future__ import annotations

import sys

import typer

from .audit import audit
from .common import is_database_error, say_database_failed
from .db import db_app
from .episodes import episodes_app, runs_app
from .export import export
from .help_format import hide_flag_types
from .personas import personas_app
from .play import browse, play
from .report import assess, report
from .run import run
from .scenarios import scenarios_app
from .serve import serve
from .view import view

hide_flag_types()
app = typer.Typer(
    name="agentclinic",
    help="Simulated clinical encounters: run doctors over case packs, inspect cases and logged episodes.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion (bash, zsh, fish, PowerShell)
    rich_markup_mode="rich",
)


def package_version() -> str:
    """The installed distribution's version ('unknown' when run from a tree that is not installed)."""
    # importlib.metadata is slow to import: only --version needs it.
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("agentclinic")
    except PackageNotFoundError:
        return "unknown"


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"agentclinic {package_version()}")
        raise typer.Exit()


@app.callback()
def _root(show_version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                            help="Print the version and exit.")) -> None:
    """Simulated clinical encounters: run doctors over case packs, inspect cases and logged episodes."""
app.command(help="Run a doctor over a case pack and record every episode.")(run)
app.command(help="Summarise logged runs: tables, --json, --csv, or an --html report (a page, or a folder "
                 "with every transcript).")(report)
app.command(help="Re-judge a logged run's diagnoses (matcher, model judges, panels) without re-running it.")(assess)
app.command(help="Play the doctor (or --as patient) in the terminal; games are logged like any episode.")(play)
app.command(help="Browse logged runs, episodes and transcripts in the terminal.")(browse)
app.command(help="Browse the log in a local web browser: runs, filtered episodes, transcripts with images, "
                 "reports.")(view)
app.command(help="Serve the embedded model (SmolLM2) as a local OpenAI-compatible server with the prompt cache "
                 "on; prints the URL for --base-url.")(serve)
app.command(help="Export a logged run's episodes as chat-message datasets (jsonl, parquet, hf) or DPO pairs.")(export)
app.command(help="Probe the simulated patient and measurement of a pack with questions built from each card "
                 "and check the replies (stores nothing).")(audit)
app.add_typer(scenarios_app, name="scenarios", help="List, show, validate and describe case files.")
app.add_typer(episodes_app, name="episodes", help="Browse logged episodes and their transcripts.")
app.add_typer(runs_app, name="runs", help="Browse logged runs.")
app.add_typer(personas_app, name="personas", help="List and show biases, temperaments, stacks and swaps.")
app.add_typer(db_app, name="db", help="The log database's schema: status and upgrades.")


def main() -> None:
    try:
        app()
    except Exception as exc:
        if not is_database_error(exc):  # tested without importing SQLAlchemy (see common.loaded_class)
            raise
        say_database_failed(exc)  # a database failing outside user_errors (e.g. while listing rows)
        sys.exit(2)
