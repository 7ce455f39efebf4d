"""Where agentclinic keeps derived files on disk, and how it reads and writes them safely.

Two caches use it: parsed case files (:mod:`agentclinic.pack_cache`) and parsed bundled
vocabularies (:mod:`agentclinic.yaml_cache`). Entries are JSON, never pickles: a planted or
damaged file can at worst hold data the caller still checks, never run code. Writes go to
a temporary file and ``os.replace``, so a concurrent reader (shards, parallel tests) sees a
whole entry or none; an unreadable, damaged or missing entry is a miss, never an error, and
a read-only or full disk costs speed, never the load.

``AGENTCLINIC_CACHE_DIR`` moves the caches (default ``$XDG_CACHE_HOME/agentclinic``, else
``~/.cache/agentclinic``); ``AGENTCLINIC_CACHE_DIR=off`` turns them off.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

CACHE_ENV = "AGENTCLINIC_CACHE_DIR"
DISABLED = frozenset({"off", "0", "false", "no", "none", "disabled"})
KEEP_FINGERPRINTS = 4  # cache folders of other code versions kept beside the current one
_FINGERPRINT_SUFFIXES = {".py", ".yaml", ".yml", ".json", ".txt", ".tsv", ".csv"}
_fingerprint: str | None = None


def cache_root() -> Path | None:
    """Where on-disk caches live, or None when ``AGENTCLINIC_CACHE_DIR`` turns them off."""
    value = os.environ.get(CACHE_ENV, "").strip()
    if value.lower() in DISABLED:
        return None
    if value:
        return Path(value).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "agentclinic"


def package_fingerprint() -> str:
    """The package version and the size and mtime of every code and data file (computed once)."""
    global _fingerprint
    if _fingerprint is None:
        from . import __version__

        package = Path(__file__).resolve().parent
        digest = hashlib.sha256(f"{__version__}\0".encode())
        for directory, folders, files in os.walk(package):  # top-down: the pruning below is honoured
            folders[:] = sorted(f for f in folders if f != "__pycache__")
            for name in sorted(files):
                if os.path.splitext(name)[1] in _FINGERPRINT_SUFFIXES:
                    stat = os.stat(os.path.join(directory, name))
                    digest.update(f"{directory}/{name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
        _fingerprint = digest.hexdigest()[:24]
    return _fingerprint


def version_folder(kind: str) -> Path | None:
    """``<cache root>/<kind>/<package fingerprint>``: entries made by this code version only."""
    root = cache_root()
    return root / kind / package_fingerprint() if root is not None else None


def read_entry(folder: Path | None, key: str) -> dict[str, Any] | None:
    """The JSON object stored under ``key``, or None (off, missing, unreadable or damaged)."""
    if folder is None:
        return None
    try:
        entry = json.loads((folder / f"{key}.json").read_bytes())
    except (OSError, ValueError):
        return None
    return entry if isinstance(entry, dict) else None


def write_entry(folder: Path | None, key: str, entry: dict[str, Any]) -> None:
    """Store ``entry`` under ``key`` atomically; a disk that refuses it is ignored."""
    if folder is None:
        return
    try:
        if not folder.is_dir():
            folder.mkdir(parents=True, exist_ok=True)
            _prune(folder)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{key[:16]}-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
            os.replace(temporary, folder / f"{key}.json")  # atomic: readers see all of it or nothing
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
    except OSError:
        return


def _prune(current: Path) -> None:
    """Drop the folders of all but the newest few other code versions (their entries never match)."""
    with contextlib.suppress(OSError):  # another process may be pruning too
        others = sorted((p for p in current.parent.iterdir() if p.is_dir() and p != current),
                        key=lambda p: p.stat().st_mtime, reverse=True)
        for old in others[KEEP_FINGERPRINTS:]:
            shutil.rmtree(old, ignore_errors=True)
