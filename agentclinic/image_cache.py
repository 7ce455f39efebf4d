"""Remote case images (imported NEJM cases) fetched on first use into a local cache.

Downloads have a timeout and a size limit, and the bytes must open as an image in Pillow.
Failures raise :class:`ImageFetchError` with a message a person can act on; the episode then
goes on without the image and is flagged (``episode.images_unavailable``).
"""

from __future__ import annotations

import hashlib
import io
import os
import socket
import urllib.error
import urllib.request
from pathlib import Path

DEFAULT_CACHE_DIR = Path("runs") / "image-cache"
MAX_IMAGE_BYTES = 15 * 1024 * 1024


class ImageFetchError(Exception):
    """An image could not be fetched; the message says why and what to do."""


class ImageCache:
    def __init__(self, directory: Path | str | None = None, *, timeout_s: float = 15.0,
                 max_bytes: int = MAX_IMAGE_BYTES):
        self.directory = Path(directory or os.environ.get("AGENTCLINIC_IMAGE_CACHE") or DEFAULT_CACHE_DIR)
        self.timeout_s = timeout_s
        self.max_bytes = max_bytes

    def path_for(self, url: str) -> Path:
        return self.directory / (hashlib.sha256(url.encode()).hexdigest()[:32] + ".img")

    def fetch(self, url: str) -> Path:
        """The local file for ``url``, downloading it the first time."""
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
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:  # noqa: S310 - http(s) only
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > self.max_bytes:
                    raise ImageFetchError(f"{url}: image is {declared} bytes, over the {self.max_bytes} byte limit")
                data = response.read(self.max_bytes + 1)
        except ImageFetchError:
            raise
        except (TimeoutError, socket.timeout) as exc:
            raise ImageFetchError(f"{url}: timed out after {self.timeout_s:g} s") from exc
        except urllib.error.HTTPError as exc:
            raise ImageFetchError(f"{url}: the server answered HTTP {exc.code}") from exc
        except (urllib.error.URLError, OSError) as exc:
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
