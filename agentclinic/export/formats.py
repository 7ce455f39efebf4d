"""Writing exported records: JSON Lines (no extra needed), Parquet and a ``datasets`` folder.

Parquet and the folder are built by 🤗 ``datasets`` from the same records, so all three load
as the same table. Files are written beside the target and moved into place at the end: an
export that fails half-way leaves nothing behind, and an existing output is replaced only
when asked (``force``).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from ..llm.backends.base import require

FORMATS = ("jsonl", "parquet", "hf", "pairs")
# Characters a terminal or editor may act on even inside a JSON string: C1 controls (CSI),
# bidirectional overrides, line separators; lone surrogates cannot be encoded at all.
_UNSAFE = re.compile("[\u0080-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]")


class OutputError(ValueError):
    """The output cannot be written as asked (it exists, or a directory is missing)."""


def json_line(record: dict[str, Any]) -> str:
    """One record as a JSON line: readable text, with the characters above escaped."""
    text = json.dumps(record, ensure_ascii=False, default=str)
    return _UNSAFE.sub(lambda match: f"\\u{ord(match.group(0)):04x}", text) + "\n"


def write(records: list[dict[str, Any]], fmt: str, out: Path | None, *, force: bool = False,
          stream: IO[str] | None = None) -> None:
    """Write ``records`` as ``fmt`` to ``out`` (JSONL formats: to ``stream``, stdout by default, without it)."""
    if fmt not in FORMATS:
        raise OutputError(f"--format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    if fmt in ("jsonl", "pairs"):
        if out is None:
            _write_lines(records, stream or sys.stdout)
            return
        with _replacing_file(out, force) as handle:
            _write_lines(records, handle)
        return
    if out is None:
        raise OutputError(f"--format {fmt} writes {'a folder' if fmt == 'hf' else 'a file'}: give it with --out PATH")
    with _quiet_datasets() as datasets:
        dataset = datasets.Dataset.from_list(records)
        if fmt == "parquet":
            with _replacing_file(out, force, binary=True) as handle:
                dataset.to_parquet(handle)
        else:
            with _replacing_folder(out, force) as folder:
                dataset.save_to_disk(str(folder))


def _write_lines(records: Iterable[dict[str, Any]], handle: IO[str]) -> None:
    for record in records:
        handle.write(json_line(record))
    handle.flush()


@contextlib.contextmanager
def _quiet_datasets() -> Iterator[Any]:
    """The ``datasets`` module, its progress bars off meanwhile (the command prints one line)."""
    datasets = require("datasets", "export", "Parquet and `datasets` export")
    require("pyarrow", "export", "Parquet and `datasets` export")
    was_disabled = datasets.is_progress_bar_enabled() is False
    datasets.disable_progress_bars()
    try:
        yield datasets
    finally:
        if not was_disabled:
            datasets.enable_progress_bars()


def _check_target(out: Path, force: bool) -> None:
    if out.is_symlink():  # replacing would act on (or delete) whatever the link points at
        raise OutputError(f"{out} is a symbolic link; give the real path, or another --out")
    if out.exists() and not force:
        raise OutputError(f"{out} already exists; pass --force to replace it, or choose another --out")
    if not out.parent.is_dir():
        raise OutputError(f"the directory {out.parent} does not exist; create it first")


@contextlib.contextmanager
def _replacing_file(out: Path, force: bool, binary: bool = False) -> Iterator[IO]:
    _check_target(out, force)
    if out.is_dir():
        raise OutputError(f"{out} is a directory; --out for this format names a file")
    descriptor, temporary = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:
        with os.fdopen(descriptor, "wb" if binary else "w", **({} if binary else {"encoding": "utf-8"})) as handle:
            yield handle
        os.replace(temporary, out)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


@contextlib.contextmanager
def _replacing_folder(out: Path, force: bool) -> Iterator[Path]:
    _check_target(out, force)
    if out.exists() and not (out / "dataset_info.json").is_file():
        raise OutputError(f"{out} exists and is not a `datasets` folder; refusing to replace it")
    temporary = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        yield temporary / "dataset"
        if out.exists():
            shutil.rmtree(out)
        os.replace(temporary / "dataset", out)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
