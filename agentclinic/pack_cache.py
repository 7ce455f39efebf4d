"""Parsed case files, cached by their bytes, so unchanged cases are not parsed and checked again.

Reading a case means YAML parsing, pydantic validation and the diagnosis-leak check: about
30 ms a file, 2–3 s for the bundled packs, paid by every run, ``gym.make`` and shard. The
result of those steps for one file (its validated data and its problems) is kept

* in this process, and
* on disk as JSON under :func:`cache_root` ``/cases/<fingerprint>/<key>.json``,

keyed by a digest of the file's bytes, its path (problems and ``Scenario.source_file`` name
it) and a fingerprint of the package (version, plus the size and mtime of its code and data
files, so an edited checkout never reads entries made by other code). Any change to a case
file's bytes is a new key. What depends on other files, the pack boundary and the images,
is checked again on every load (:func:`agentclinic.loader.check_case_file` does both).

Entries are JSON, not pickles, written atomically (see :mod:`agentclinic.disk_cache`); a
damaged or mismatched entry is a miss and is written again, never an error. Each load
validates the cached data afresh, so callers never share mutable scenarios.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .disk_cache import (  # noqa: F401 - CACHE_ENV, cache_root and KEEP_FINGERPRINTS are public here too
    CACHE_ENV,
    KEEP_FINGERPRINTS,
    cache_root,
    package_fingerprint,
    read_entry,
    version_folder,
    write_entry,
)
from .problems import Problem
from .scenario import Scenario

FORMAT = 1  # bump when the entry layout changes
MAX_MEMORY_ENTRIES = 4096  # ~10 KB each: bounds a long test session that loads many temporary packs

Entry = dict[str, Any]  # {"scenario": validated data or None, "problems": [Problem fields, ...]}
_memory: dict[str, Entry] = {}


def entry_key(path: Path, content: bytes) -> str:
    """The cache key of a case file at ``path`` holding ``content``."""
    digest = hashlib.sha256(f"{package_fingerprint()}\0{path}\0{path.resolve()}\0".encode())
    digest.update(content)
    return digest.hexdigest()


def cached_check(path: Path, content: bytes, check: Callable[[], tuple[Scenario | None, list[Problem]]],
                 ) -> tuple[Scenario | None, list[Problem]]:
    """``check()``'s result for the file ``path`` whose bytes are ``content``, from the cache if
    there; else computed, stored (when the file still holds ``content``) and returned."""
    key = entry_key(path, content)
    entry = _memory.get(key) or _read_disk(key)
    if entry is not None:
        found = _decode(entry, key, path)
        if found is not None:
            _remember(key, entry)
            return found
    scenario, problems = check()
    entry = _encode(key, scenario, problems)
    if _unchanged(path, content):  # never file a result under bytes the file no longer holds
        _remember(key, entry)
        _write_disk(key, entry)
    return scenario, problems


def clear_memory() -> None:
    """Forget the in-process entries (the on-disk cache stays)."""
    _memory.clear()


def _encode(key: str, scenario: Scenario | None, problems: list[Problem]) -> Entry:
    # exclude_unset: the validated copy then has the same fields_set as the parsed one.
    data = scenario.model_dump(mode="json", exclude_unset=True) if scenario is not None else None
    return {"format": FORMAT, "key": key, "scenario": data, "problems": [asdict(p) for p in problems]}


def _decode(entry: Entry, key: str, path: Path) -> tuple[Scenario | None, list[Problem]] | None:
    """A fresh Scenario and the problems from ``entry``; None when the entry is not usable."""
    try:
        if entry.get("format") != FORMAT or entry.get("key") != key:  # another file's entry copied here
            return None
        problems = [Problem(**fields) for fields in entry["problems"]]
        data = entry["scenario"]
        if data is None:  # a file without a case always has an error saying why
            return (None, problems) if any(p.severity == "error" for p in problems) else None
        return Scenario.model_validate(data).with_source(path), problems
    except Exception:  # a damaged or foreign entry (or a model that changed): recompute it
        return None


def _remember(key: str, entry: Entry) -> None:
    if key not in _memory and len(_memory) >= MAX_MEMORY_ENTRIES:
        with contextlib.suppress(KeyError, RuntimeError, StopIteration):  # another thread got there first
            del _memory[next(iter(_memory))]  # the oldest
    _memory[key] = entry


def _unchanged(path: Path, content: bytes) -> bool:
    try:
        return path.read_bytes() == content
    except OSError:
        return False


def _read_disk(key: str) -> Entry | None:
    return read_entry(version_folder("cases"), key)


def _write_disk(key: str, entry: Entry) -> None:
    write_entry(version_folder("cases"), key, entry)
