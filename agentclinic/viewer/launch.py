"""Starting the local viewer: check the optional extra, bind the port, print the URL, serve.

The socket is bound here rather than by uvicorn so ``--port 0`` can pick a free port and
the URL printed is the one actually served.
"""

from __future__ import annotations

import socket
import threading
import time
import webbrowser

from ..store import Store

INSTALL_HINT = "pip install 'agentclinic[view]'"


class ViewerUnavailable(ValueError):
    """The web viewer's optional dependencies are not installed."""


def require_extra() -> None:
    """Raise :class:`ViewerUnavailable` naming the extra when Starlette or uvicorn is missing."""
    missing = []
    for module in ("starlette", "uvicorn"):
        try:
            __import__(module)
        except ImportError:
            missing.append(module)
    if missing:
        raise ViewerUnavailable(f"the log viewer needs {' and '.join(missing)}, which is not installed: "
                                f"{INSTALL_HINT}")


def bind(host: str, port: int) -> socket.socket:
    """A listening-ready socket on ``host``:``port`` (port 0: any free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        hint = " (try another --port, or --port 0 for any free one)" if port else ""
        raise ValueError(f"cannot listen on {host}:{port}: {exc.strerror or exc}{hint}") from None
    sock.set_inheritable(True)
    return sock


def url_of(host: str, port: int) -> str:
    """The address to open in a browser (an unspecified bind address opens on loopback)."""
    shown = {"0.0.0.0": "127.0.0.1", "::": "[::1]", "": "127.0.0.1"}.get(host, host)
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def _open_when_started(server, url: str, patience_s: float = 15.0) -> None:
    deadline = time.monotonic() + patience_s
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    if server.started:
        webbrowser.open(url)


def serve(db: str, host: str = "127.0.0.1", port: int = 8765, open_browser: bool = True) -> None:
    """Serve the log at ``db`` until interrupted (Ctrl+C)."""
    require_extra()
    import uvicorn

    from .server import create_app

    store = Store(db, create=False)  # reading never creates an empty log
    sock = bind(host, port)
    try:
        url = url_of(host, sock.getsockname()[1])
        server = uvicorn.Server(uvicorn.Config(create_app(store, host), log_level="warning", access_log=False,
                                               lifespan="off"))
        print(f"Viewer at {url}  (Ctrl+C to stop)", flush=True)
        if open_browser:
            threading.Thread(target=_open_when_started, args=(server, url), daemon=True).start()
        try:
            server.run(sockets=[sock])
        except KeyboardInterrupt:  # uvicorn stops gracefully, then passes the Ctrl+C on
            pass
    finally:
        sock.close()
        store.close()
    print("Viewer stopped.", flush=True)
