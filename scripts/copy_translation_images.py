#!/usr/bin/env python3
"""Copy the image files a translated case refers to from the pack of the case it translates.

A translated case (``translated_from: <id>``) keeps its source's ``images`` entries; the
loader wants image files inside the case's own pack, so they are copied beside it (git stores
identical files once). Run after adding translations:

    python scripts/copy_translation_images.py [scenarios]
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import yaml


def _sources(root: Path) -> dict[str, Path]:
    """Every case id of the bundled packs -> its file."""
    found = {}
    for path in sorted(root.glob("*/*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "id" in data and not data.get("translated_from"):
            found[str(data["id"])] = path
    return found


def main(root: Path) -> int:
    sources = _sources(root)
    copied = 0
    for path in sorted(root.glob("*/*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        origin = sources.get(str(data.get("translated_from"))) if isinstance(data, dict) else None
        for image in (data.get("images") or []) if origin else []:
            source, target = origin.parent / image["file"], path.parent / image["file"]
            if source.resolve().is_relative_to(origin.parent.resolve()) and source.is_file() \
                    and target.resolve().is_relative_to(path.parent.resolve()) and not target.is_file():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
                copied += 1
    print(f"copied {copied} image file(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "scenarios")))
