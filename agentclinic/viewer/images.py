"""Finding an episode's case images on disk, for the viewer to serve or copy.

The log keeps which image ids a reply showed and the case itself (its snapshot), not the
image bytes: a file image lives beside the case file in the run's pack, a remote one in
the local image cache. Only images the case names are ever found; a file's path is the one
the case file on disk writes (never the log's copy, which a damaged or crafted log could
point anywhere), it must stay inside that case file's folder (links resolved), and only
bytes that open as a common raster format are served, so a page can never be made to serve
another file, or an SVG that runs script.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
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
    """Where a case lives on disk: its folder (resolved: the root its images must stay in), its
    file, the case as read there, and each image id's ``file`` exactly as that file writes it."""

    root: Path
    file: Path
    case: Scenario | None
    image_files: dict[str, str] = field(default_factory=dict)


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


def _unsafe_root(real: Path) -> str | None:
    """Why a resolved folder can never be a pack: the filesystem root or the home folder."""
    if real.parent == real:
        return "is the filesystem root"
    try:
        home = Path.home().resolve()
    except (RuntimeError, OSError):  # no home folder known
        home = None
    return "is the home folder" if real == home else None


def pack_path(source: str) -> Path | str:
    """The pack directory or case file a run's ``scenarios`` names (a path, else a bundled pack's
    name, as :func:`~agentclinic.loader.load_pack` finds it), or why it cannot be one.

    The log names the pack, so a damaged or hostile log may name ``/`` or the home folder: only
    a directory holding case files at its top level, or a case file, counts.
    """
    try:
        path = Path(source)
        if not source or not path.exists():
            path = bundled_dir("scenarios") / source
            if not source or not path.is_dir():
                return f"pack {source!r} is not found from here"
        real = path.resolve()
        unsafe = _unsafe_root(real)
        if unsafe:
            return f"{source!r} {unsafe}, not a pack"
        if real.is_file():
            if real.suffix in CASE_SUFFIXES:
                return path
            return f"{source!r} is not a pack of case files (a dataset's images are remote)"
        if not real.is_dir() or not any(p.suffix in CASE_SUFFIXES for p in real.iterdir()):
            return f"{source!r} is not a pack (no case files at its top level)"
    except (OSError, RuntimeError, ValueError) as exc:  # unreadable, a link loop, a NUL in the name
        return f"pack {source!r} cannot be read ({type(exc).__name__})"
    return path


def locate_case(source: str, scenario_id: str) -> CaseFile | str:
    """The file of case ``scenario_id`` in the pack ``source``, or why it cannot be found.

    Parsing a whole pack's YAML takes seconds; a file whose text has the id on an ``id:``
    line is a candidate, and a candidate counts only if its parsed ``id`` really is that id.
    """
    path = pack_path(source)
    if isinstance(path, str):
        return path
    pack_root, files = (path.parent, [path]) if path.is_file() else (path, case_files(path))
    line = re.compile(rf"^id:\s*[\"']?{re.escape(scenario_id)}[\"']?\s*(#.*)?$", re.MULTILINE)
    likely = [file for file in files if line.search(_text(file))]
    # Likely files first; an id written some other way (flow style) is found by reading the rest.
    for file in likely + [file for file in files if file not in likely]:
        data, _ = read_case_data(file)
        if isinstance(data, dict) and data.get("id") == scenario_id:
            return _case_file(file, pack_root, data)
    return f"case {scenario_id} is not in pack {source!r} as seen from here"


def find_case_file(source: str, scenario_id: str) -> CaseFile | None:
    """:func:`locate_case`, None where the case cannot be found."""
    found = locate_case(source, scenario_id)
    return None if isinstance(found, str) else found


def _case_file(file: Path, pack_root: Path, data: dict) -> CaseFile | str:
    """The case file with its images' root: its own folder, as the loader checks them, never
    above the pack (a case file linked from elsewhere is refused, as the loader refuses it)."""
    try:
        real, real_pack = file.resolve(), pack_root.resolve()
    except (OSError, RuntimeError):
        return f"the case file {file.name} cannot be resolved"
    if not real.is_relative_to(real_pack):
        return f"the case file {file.name} is a link outside its pack"
    unsafe = _unsafe_root(real.parent)
    if unsafe:
        return f"the case file's folder {unsafe}, not a pack"
    images = data.get("images") if isinstance(data.get("images"), list) else []
    files = {str(i["id"]): i["file"] for i in images
             if isinstance(i, dict) and "id" in i and isinstance(i.get("file"), str)}
    return CaseFile(real.parent, file, _validated(data), files)


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
        self._files: dict[tuple[str, str], CaseFile | str] = {}
        self._lock = threading.Lock()  # server requests run in a thread pool

    def case_file(self, source: str, scenario_id: str) -> CaseFile | str:
        """:func:`locate_case`, once per pack and case."""
        key = (source, scenario_id)
        with self._lock:
            if key not in self._files:
                self._files[key] = locate_case(source, scenario_id)
            return self._files[key]

    def lookup(self, source: str, scenario_id: str, case: Scenario | None, image_id: str) -> ImageLookup:
        """Image ``image_id`` of the case ``scenario_id`` as played (``case``, its snapshot) in
        a run over the pack ``source``.

        The snapshot comes from the log, which may be damaged or hostile: it only says which
        images exist. A file image's path is read from the case file on disk.
        """
        if case is None:  # logs from before case snapshots: the case as the pack holds it now
            found = self.case_file(source, scenario_id)
            case = found.case if isinstance(found, CaseFile) else None
        image = next((i for i in case.images if i.id == image_id), None) if case else None
        if image is None:
            return ImageLookup(None, reason="not an image of this case")
        if image.file:
            return self._from_pack(source, scenario_id, image)
        return self._from_cache(image)

    def _from_pack(self, source: str, scenario_id: str, image: CaseImage) -> ImageLookup:
        found = self.case_file(source, scenario_id)
        if isinstance(found, str):
            return ImageLookup(image, reason=f"images unavailable: {found}")
        file = found.image_files.get(image.id)
        if file is None:
            return ImageLookup(image, reason=f"the case file on disk names no file for image {image.id!r}")
        try:
            target = (found.root / file).resolve()
        except (OSError, RuntimeError, ValueError):  # RuntimeError: a symlink loop; ValueError: a NUL
            return ImageLookup(image, reason="the image path cannot be resolved")
        if not target.is_relative_to(found.root):
            return ImageLookup(image, reason="the image lies outside its case's folder")
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
