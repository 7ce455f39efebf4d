"""Remote case images (imported NEJM cases) fetched on first use into a local cache.

Downloads have a timeout and a size limit, and the bytes must open as an image in Pillow.
Every URL obeys :mod:`agentclinic.url_policy` (http/https to public hosts): checked before
the request, again for each redirect, and at each connection against the addresses actually
dialled, so a name that resolves differently the second time (DNS rebinding) gains nothing.
Failures raise :class:`ImageFetchError` with a message a person can act on; the episode then
goes on without the image and is flagged (``episode.images_unavailable``).
"""

from __future__ import annotations

import hashlib
import http.client
import io
import os
import socket
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from .url_policy import UrlRefused, check_addresses, check_url, resolve

DEFAULT_CACHE_DIR = Path("runs") / "image-cache"
MAX_IMAGE_BYTES = 15 * 1024 * 1024


class ImageFetchError(Exception):
    """An image could not be fetched; the message says why and what to do."""


def _checked_connection(address: tuple[str, int], timeout: float | None = None,
                        source_address: tuple[str, int] | None = None) -> socket.socket:
    """``socket.create_connection`` that dials only addresses the URL policy allows."""
    host, port = address
    addresses = resolve(host, port)
    check_addresses(host, addresses)
    error: OSError | None = None
    for ip in addresses:  # connect to the very addresses checked, never a fresh lookup
        try:
            return socket.create_connection((ip, port), timeout, source_address)
        except OSError as exc:
            error = exc
    raise error or OSError(f"no address for {host}")


class _CheckedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = _checked_connection  # http.client's hook for opening the socket


class _CheckedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = _checked_connection  # TLS still verifies the certificate for the name


def _proxied(request: urllib.request.Request) -> bool:
    # Through a proxy the socket goes to the proxy, which resolves the name itself: the
    # URL checks before the request and at each redirect are what applies then.
    return request.has_proxy() or getattr(request, "_tunnel_host", None) is not None


class _CheckedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(http.client.HTTPConnection if _proxied(req) else _CheckedHTTPConnection, req)


class _CheckedHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        connection = http.client.HTTPSConnection if _proxied(req) else _CheckedHTTPSConnection
        return self.do_open(connection, req, context=self._context)


class _CheckedRedirectHandler(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to a URL the policy allows (urllib alone would follow to ftp:)."""

    def http_error_302(self, req, fp, code, msg, headers):
        location = headers.get("location") or headers.get("uri")
        if location:
            target = urllib.parse.urljoin(req.full_url, location)
            try:
                check_url(target)
            except UrlRefused as exc:
                fp.close()
                raise UrlRefused(f"redirected to {target}: {exc}") from None
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def _opener() -> urllib.request.OpenerDirector:
    """http(s) only: no file:, ftp: or data: handler is installed at all."""
    opener = urllib.request.OpenerDirector()
    for handler in (urllib.request.ProxyHandler(), urllib.request.UnknownHandler(),
                    urllib.request.HTTPDefaultErrorHandler(), _CheckedRedirectHandler(),
                    urllib.request.HTTPErrorProcessor(), _CheckedHTTPHandler(), _CheckedHTTPSHandler()):
        opener.add_handler(handler)
    return opener


class ImageCache:
    """Remote images by URL, downloaded once into ``directory``."""

    def __init__(self, directory: Path | str | None = None, *, timeout_s: float = 15.0,
                 max_bytes: int = MAX_IMAGE_BYTES):
        self.directory = Path(directory or os.environ.get("AGENTCLINIC_IMAGE_CACHE") or DEFAULT_CACHE_DIR)
        self.timeout_s = timeout_s
        self.max_bytes = max_bytes

    def path_for(self, url: str) -> Path:
        """Where the image for ``url`` is (or will be) cached."""
        return self.directory / (hashlib.sha256(url.encode()).hexdigest()[:32] + ".img")

    def fetch(self, url: str) -> Path:
        """The local file for ``url``, downloading it the first time."""
        try:
            check_url(url, resolver=None)  # scheme and IP literals: even a cached copy is refused
        except UrlRefused as exc:
            raise ImageFetchError(f"{url}: refused: {exc}") from None
        target = self.path_for(url)
        if target.is_file():
            return target
        data = self._download(url)
        _check_image(data, url)
        self.directory.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(target)  # atomic: a crash never leaves a half image in the cache
        return target

    def _download(self, url: str) -> bytes:
        request = urllib.request.Request(url, headers={"User-Agent": "agentclinic image cache"})
        try:
            check_url(url)  # every address the name resolves to, before any request is sent
            with _opener().open(request, timeout=self.timeout_s) as response:
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > self.max_bytes:
                    raise ImageFetchError(f"{url}: image is {declared} bytes, over the {self.max_bytes} byte limit")
                data = response.read(self.max_bytes + 1)
        except ImageFetchError:
            raise
        except UrlRefused as exc:
            raise ImageFetchError(f"{url}: refused: {exc}") from None
        except TimeoutError as exc:
            raise ImageFetchError(f"{url}: timed out after {self.timeout_s:g} s") from exc
        except urllib.error.HTTPError as exc:
            raise ImageFetchError(f"{url}: the server answered HTTP {exc.code}") from exc
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", exc)
            raise ImageFetchError(f"{url}: cannot reach the server ({reason}); offline? The case runs without "
                                  f"the image. Fetch it later or place it in {self.directory}") from exc
        if len(data) > self.max_bytes:
            raise ImageFetchError(f"{url}: image is over the {self.max_bytes} byte limit")
        return data


def _check_image(data: bytes, url: str) -> None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ImageFetchError(f"{url}: the response is not an image Pillow can read") from exc
