"""``agentclinic serve``: the embedded model behind a local OpenAI-compatible server, prompt cache on."""

from __future__ import annotations

import signal

import typer


def serve(port: int = typer.Option(0, "--port", "-p", min=0, max=65535, help="Port to listen on; 0 picks a free one."),
          host: str = typer.Option("127.0.0.1", "--host",
                                   help="Address to listen on. The default serves this machine only."),
          n_ctx: int = typer.Option(4096, "--n-ctx", min=512, help="Context window in tokens."),
          threads: int = typer.Option(2, "--threads", min=1, help="CPU threads for the model."),
          cache_mb: int = typer.Option(512, "--cache-mb", min=0,
                                       help="Prompt cache (MB of saved states, so each role's conversation resumes "
                                            "where it stopped); 0 turns it off."),
          verbose: bool = typer.Option(False, "--verbose", help="Log llama.cpp's timings for every request.")) -> None:
    """Serve the embedded SmolLM2 model until Ctrl-C; pass the printed URL to `agentclinic run --base-url`.

    The server keeps each role's conversation evaluated between calls (llama.cpp's prompt cache),
    so a turn costs only its new tokens; see agentclinic.llm.local_server."""
    from rich.markup import escape

    from ..llm.backends.base import MissingExtraError
    from ..llm.local_server import LocalServerError, local_server
    from .common import err_console

    try:
        server = local_server(port=port, host=host, n_ctx=n_ctx, threads=threads,
                              cache_mb=cache_mb, verbose=verbose)
    except MissingExtraError as exc:
        err_console.print(f"[bold red]Error:[/] {escape(str(exc))}")
        raise typer.Exit(2) from None
    # A shell starts background jobs with SIGINT ignored; `kill -INT` must still stop this one.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    err_console.print("Loading the embedded model ...")
    try:
        server.start()
        typer.echo(server.url)  # stdout carries only the URL, for scripts; the server logs to stderr
        err_console.print("Serving SmolLM2. Use it with: agentclinic run --model openai:smollm2 "
                          f"--base-url {server.url}")
        err_console.print("Ctrl-C stops it.")
        code = server.process.wait()  # type: ignore[union-attr]
    except LocalServerError as exc:
        err_console.print(f"[bold red]Error:[/] {escape(str(exc))}")
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        # Ctrl-C in a terminal reaches the server too; a signal to this process alone must be passed on.
        server.stop()
        err_console.print("Stopped.")
        return
    if code != 0:  # the server stopped on its own (0: someone interrupted it directly)
        err_console.print(f"[bold red]Error:[/] the llama.cpp server exited with {code}")
        raise typer.Exit(1)
