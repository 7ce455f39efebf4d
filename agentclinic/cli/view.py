"""``agentclinic view``: browse the episode log in a local web browser."""

from __future__ import annotations

import typer

from .common import DbOption, user_errors


def view(db: str = DbOption,
         port: int = typer.Option(8765, "--port", "-p", min=0, max=65535,
                                  help="Port to listen on; 0 picks a free one."),
         host: str = typer.Option("127.0.0.1", "--host",
                                  help="Address to listen on. The default serves this machine only."),
         no_open: bool = typer.Option(False, "--no-open", help="Do not open a browser.")) -> None:
    """Runs, filtered episode lists, transcripts with images, and each run's HTML report (read-only)."""
    from ..viewer.launch import serve

    with user_errors():
        serve(db, host=host, port=port, open_browser=not no_open)
