"""Finding an episode's case images on disk, for the viewer to serve or copy.

The log keeps which image ids a reply showed and the case itself (its snapshot), not the
image bytes: a file image lives beside the case file in the run's pack, a remote one in
the local image cache. Only images the case names are ever found, a file only inside its
pack's directory (links resolved), and only bytes that open as a common raster format, so
a page can never be made to serve another file, or an SVG that runs script.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path

from ..case_files import read_case_data
from ..image_cache import ImageCache
from ..loader import CASE_SUFFIXES, MAX_IMAGE_BYTES, case_files
from ..paths import bundled_dir
from ..scenario import CaseImage, Scenario

# Pillow's format name -> what the browser is told; anything else is refused.
MEDIA_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp",
               "BMP": "image/bmp"}
SUFFIXES = {"PNG": ".png", "JPEG": ".jpg", "GIF": ".gif", "WEBP": ".webp", "BMP": ".bmp"}


@dataclass(frozen=True)
class FoundImage:
    """A case image that may be shown: its file, and the type its bytes really are."""

    path: Path
    media_type: str
    suffix: str


@dataclass(frozen=True)
class ImageLookup:
    """The outcome of looking for one image: the file, or why there is none to show."""

    image: CaseImage | None
    found: FoundImage | None = None
    reason: str = ""


@dataclass(frozen=True)
class CaseFile:
    """Where a case lives on disk: its pack directory, its file, and the case as read there."""

    root: Path
    file: Path
    case: Scenario | None


def sniff(path: Path) -> FoundImage | str:
    """The file as a servable image, or why it is not one (too big, not a raster image)."""
    from PIL import Image, UnidentifiedImageError

    try:
        if path.stat().st_size > MAX_IMAGE_BYTES:
            return f"larger than {MAX_IMAGE_BYTES} bytes"
        with Image.open(path) as opened:
            kind = opened.format or ""
    except FileNotFoundError:
        return "the file is missing"
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        return f"not a readable image ({type(exc).__name__})"
    if kind not in MEDIA_TYPES:
        return f"{kind or 'unknown'} images are not shown"
    return FoundImage(path, MEDIA_TYPES[kind], SUFFIXES[kind])


def pack_path(source: str) -> Path | None:
    """The directory or file a run's ``scenarios`` names, as :func:`~agentclinic.loader.load_pack`
    finds it: a path, else a bundled pack's name."""
    path = Path(source)
    if path.exists():
        return path
    bundled = bundled_dir("scenarios") / source
    return bundled if bundled.is_dir() else None


def find_case_file(source: str, scenario_id: str) -> CaseFile | None:
    """The file of case ``scenario_id`` in the pack ``source``, reading only likely files.

    Parsing a whole pack's YAML takes seconds; a file whose text has the id on an ``id:``
    line is a candidate, and a candidate counts only if its parsed ``id`` really is that id.
    """
    path = pack_path(source)
    if path is None or (path.is_file() and path.suffix not in CASE_SUFFIXES):
        return None  # gone, or a JSONL dataset: its images are remote
    root, files = (path.parent, [path]) if path.is_file() else (path, case_files(path))
    line = re.compile(rf"^id:\s*[\"']?{re.escape(scenario_id)}[\"']?\s*(#.*)?$", re.MULTILINE)
    likely = [file for file in files if line.search(_text(file))]
    # Likely files first; an id written some other way (flow style) is found by reading the rest.
    for file in likely + [file for file in files if file not in likely]:
        data, _ = read_case_data(file)
        if isinstance(data, dict) and data.get("id") == scenario_id:
            return CaseFile(root, file, _validated(data))
    return None


def _text(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _validated(data: dict) -> Scenario | None:
    try:
        return Scenario.model_validate(data)
    except ValueError:  # pydantic's ValidationError: the file's images are still named in it
        return None


class ImageFinder:
    """Looks up case images; where each case lives is found once and shared across requests."""

    def __init__(self, cache: ImageCache | None = None):
        self.cache = cache or ImageCache()
        self._files: dict[tuple[str, str], CaseFile | None] = {}
        self._lock = threading.Lock()  # server requests run in a thread pool

    def case_file(self, source: str, scenario_id: str) -> CaseFile | None:
        key = (source, scenario_id)
        with self._lock:
            if key not in self._files:
                self._files[key] = find_case_file(source, scenario_id)
            return self._files[key]

    def lookup(self, source: str, scenario_id: str, case: Scenario | None, image_id: str) -> ImageLookup:
        """Image ``image_id`` of the case ``scenario_id`` as played (``case``, its snapshot) in
        a run over the pack ``source``."""
        if case is None:  # logs from before case snapshots: the case as the pack holds it now
            found = self.case_file(source, scenario_id)
            case = found.case if found else None
        image = next((i for i in case.images if i.id == image_id), None) if case else None
        if image is None:
            return ImageLookup(None, reason="not an image of this case")
        if image.file:
            return self._from_pack(source, scenario_id, image)
        return self._from_cache(image)

    def _from_pack(self, source: str, scenario_id: str, image: CaseImage) -> ImageLookup:
        found = self.case_file(source, scenario_id)
        if found is None:
            return ImageLookup(image, reason=f"case {scenario_id} is not in pack {source!r} as seen from here")
        try:
            root = found.root.resolve()
            target = (found.file.resolve().parent / str(image.file)).resolve()
        except (OSError, RuntimeError):  # RuntimeError: a symlink loop
            return ImageLookup(image, reason="the image path cannot be resolved")
        if not target.is_relative_to(root):
            return ImageLookup(image, reason="the image lies outside its pack")
        return _checked(image, target)

    def _from_cache(self, image: CaseImage) -> ImageLookup:
        # The viewer never downloads: a remote image shows only if a run already fetched it.
        target = self.cache.path_for(str(image.url))
        if not target.is_file():
            return ImageLookup(image, reason="remote image not in the local image cache")
        return _checked(image, target)


def _checked(image: CaseImage, target: Path) -> ImageLookup:
    found = sniff(target)
    if isinstance(found, str):
        return ImageLookup(image, reason=found)
    return ImageLookup(image, found)
