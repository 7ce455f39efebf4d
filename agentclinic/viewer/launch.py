"""Starting the local viewer: check the optional extra, bind the port, serve, print the URL.

The socket is bound here rather than by uvicorn so ``--port 0`` can pick a free port and
the URL printed is the one actually served; it is printed once the server listens.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import webbrowser
from collections.abc import Callable

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


def is_loopback(host: str) -> bool:
    """Whether ``host`` serves this machine only (a loopback name or address)."""
    if host.strip("[]").lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a name other than localhost: assume it reaches the network
        return False


def network_warning(host: str) -> str | None:
    """The line warning that ``host`` serves the log to the network; None on loopback."""
    if is_loopback(host):
        return None
    return (f"Warning: listening on {host or 'all addresses'}: the log is served to the network, to anyone "
            f"who can reach this machine (no password). Use the default --host 127.0.0.1 to keep it local.")


def _announce(url: str, host: str, open_browser: bool) -> None:
    # Printed only once uvicorn listens, so a script reading the line can connect at once.
    print(f"Viewer at {url}  (Ctrl+C to stop)", flush=True)
    warning = network_warning(host)
    if warning:
        print(warning, flush=True)
    if open_browser:  # a thread: a browser launcher can block, and this runs in the server's loop
        threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()


def _server(config, on_started: Callable[[], None]):
    """A uvicorn server calling ``on_started`` once its sockets listen (uvicorn has no hook for it
    with the lifespan off)."""
    import uvicorn

    class AnnouncingServer(uvicorn.Server):
        async def startup(self, sockets=None) -> None:
            await super().startup(sockets=sockets)
            if self.started and not self.should_exit:
                on_started()

    return AnnouncingServer(config)


def serve(db: str, host: str = "127.0.0.1", port: int = 8765, open_browser: bool = True) -> None:
    """Serve the log at ``db`` until interrupted (Ctrl+C)."""
    require_extra()
    import uvicorn

    from .server import create_app

    store = Store(db, create=False)  # reading never creates an empty log
    sock = bind(host, port)
    try:
        url = url_of(host, sock.getsockname()[1])
        config = uvicorn.Config(create_app(store, host), log_level="warning", access_log=False, lifespan="off")
        server = _server(config, lambda: _announce(url, host, open_browser))
        try:
            server.run(sockets=[sock])
        except KeyboardInterrupt:  # uvicorn stops gracefully, then passes the Ctrl+C on
            pass
    finally:
        sock.close()
        store.close()
    print("Viewer stopped.", flush=True)
