"""The viewer's web application (Starlette): routes that render :mod:`.pages` from the log.

Imported only when serving (``agentclinic view``), since Starlette is an optional extra
(``pip install 'agentclinic[view]'``); :mod:`.launch` checks for it first.

Read-only and local: pages run no script (the Content-Security-Policy forbids any), the Host
header must name the address the server was started on (so a web page elsewhere cannot
reach the log through DNS rebinding), and images come only from :class:`~.images.ImageFinder`.
A damaged row gives the viewer's error page (:class:`ErrorPage`), never a bare traceback.
"""

from __future__ import annotations

import logging
import socket
from importlib import resources

from sqlalchemy.exc import SQLAlchemyError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..report.dataset import ReportError, load_dataset
from ..report.summary import build_summary
from ..store import Store
from ..store.engine import one_line
from .images import ImageFinder
from .pages import (
    ServerLinks,
    render_episodes,
    render_error,
    render_missing,
    render_report,
    render_runs,
    render_transcript,
)
from .queries import Filters, episode_list, report_version, run_rows
from .stored import stored_case
from .transcript import transcript

# No script at all; the report's inline style and its data: figures are allowed.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                               "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",  # the log changes while a run writes: always show it as it is now
}
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
REPORTS_KEPT = 8
LOG = logging.getLogger(__name__)  # one line per failure (Python prints it to stderr when unconfigured)


class Viewer:
    """The request handlers, over one open log."""

    def __init__(self, store: Store, finder: ImageFinder | None = None):
        self.store = store
        self.finder = finder or ImageFinder()
        self.links = ServerLinks()
        self.stylesheet = resources.files("agentclinic.viewer").joinpath("static/viewer.css").read_bytes()
        # A report of 1,000 episodes takes many seconds: keep the latest few while their runs are unchanged.
        self.reports: dict[int, tuple[tuple, str]] = {}

    def _html(self, text: str, status: int = 200) -> HTMLResponse:
        return HTMLResponse(text, status_code=status, headers=SECURITY_HEADERS)

    def _missing(self, what: str) -> HTMLResponse:
        return self._html(render_missing(what, self.links), status=404)

    def runs(self, request: Request) -> Response:
        return self._html(render_runs(run_rows(self.store), self.links))

    def episodes(self, request: Request) -> Response:
        run_id = request.path_params["run_id"]
        filters = Filters.parse(request.query_params.multi_items())
        if any(not value.strip() for value in request.query_params.values()):  # the form sends every select
            return RedirectResponse(self.links.run(run_id, filters), status_code=303, headers=SECURITY_HEADERS)
        listing = episode_list(self.store, run_id, filters)
        if listing is None:
            return self._missing(f"There is no run {run_id} in this log.")
        return self._html(render_episodes(listing, self.links))

    def report(self, request: Request) -> Response:
        run_id = request.path_params["run_id"]
        version = report_version(self.store, run_id)
        if version is None:
            return self._missing(f"There is no run {run_id} in this log.")
        cached = self.reports.get(run_id)
        if cached is not None and cached[0] == version:
            return self._html(cached[1])
        try:
            summary = build_summary(load_dataset(self.store, [run_id]))
        except ReportError as exc:
            return self._missing(str(exc))
        html = render_report(summary, self.links, f"AgentClinic report: run {run_id}")
        self._keep_report(run_id, version, html)
        return self._html(html)

    def _keep_report(self, run_id: int, version: tuple, html: str) -> None:
        self.reports.pop(run_id, None)
        self.reports[run_id] = (version, html)
        while len(self.reports) > REPORTS_KEPT:
            self.reports.pop(next(iter(self.reports)), None)

    def episode(self, request: Request) -> Response:
        episode_id = request.path_params["episode_id"]
        filters = Filters.parse(request.query_params.multi_items())
        page = transcript(self.store, episode_id, self.finder, filters)
        if page is None:
            return self._missing(f"There is no episode {episode_id} in this log.")
        return self._html(render_transcript(page, self.links, filters))

    def image(self, request: Request) -> Response:
        episode_id, image_id = request.path_params["episode_id"], request.path_params["image_id"]
        row = self.store.episode(episode_id)
        run = self.store.run(row.run_id) if row else None
        if row is None or run is None:
            return self._missing(f"There is no episode {episode_id} in this log.")
        case, _ = stored_case(self.store, row.case_digest)  # unreadable: images are looked up as for old logs
        found = self.finder.lookup(run.scenarios, row.scenario_id, case, image_id)
        if found.found is None:
            return self._missing(f"Image {image_id!r} of episode {episode_id} cannot be shown: {found.reason}.")
        return FileResponse(found.found.path, media_type=found.found.media_type, headers=SECURITY_HEADERS)

    def css(self, request: Request) -> Response:
        return Response(self.stylesheet, media_type="text/css", headers=SECURITY_HEADERS)

    def database_failed(self, request: Request, exc: Exception) -> Response:
        message = f"The database failed: {one_line(exc)}. Is the log still there?"
        return self._html(render_error(message, self.links), status=503)


def allowed_hosts(host: str) -> list[str]:
    """Host names a request may carry: loopback names, the bound address and this machine's name.

    Bound to every address (``0.0.0.0``) the check stays on: a browser reaching the viewer
    through a rebound DNS name sends that name, which is none of these.
    """
    names = {*LOCAL_HOSTS, socket.gethostname()}
    if host not in ("0.0.0.0", "::", ""):
        names |= {host, f"[{host}]" if ":" in host else host}  # a Host header brackets IPv6
    return sorted(name for name in names if name)


class ErrorPage:
    """ASGI middleware: an unexpected failure (a damaged row, a bug) becomes the viewer's error
    page, status 500, naming what failed in one line; the console gets one line, no traceback."""

    def __init__(self, app: ASGIApp, links: ServerLinks):
        self.app, self.links = app, links

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception as exc:  # noqa: BLE001 - the point: no request may end in a bare traceback
            what = f"{scope.get('method', 'GET')} {scope.get('path', '')}"
            LOG.error("viewer: %s failed: %s", what, one_line(exc))
            if started:  # a file half sent: nothing more can be said on this response
                return
            page = render_error(f"{what} failed: {one_line(exc)}", self.links)
            await HTMLResponse(page, status_code=500, headers=SECURITY_HEADERS)(scope, receive, send)


def create_app(store: Store, host: str = "127.0.0.1", finder: ImageFinder | None = None) -> Starlette:
    """The viewer as an ASGI application over ``store`` (served on ``host``)."""
    viewer = Viewer(store, finder)
    routes = [
        Route("/", viewer.runs),
        Route("/runs/{run_id:int}", viewer.episodes),
        Route("/runs/{run_id:int}/report", viewer.report),
        Route("/episodes/{episode_id:int}", viewer.episode),
        Route("/episodes/{episode_id:int}/images/{image_id}", viewer.image),
        Route("/static/viewer.css", viewer.css),
    ]
    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts(host)),
                  Middleware(ErrorPage, links=viewer.links)]
    return Starlette(routes=routes, middleware=middleware, exception_handlers={SQLAlchemyError: viewer.database_failed})
