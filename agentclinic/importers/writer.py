"""Writing scenarios as a native pack: one YAML file per case, images beside them."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from ..image_cache import ImageCache, ImageFetchError
from ..scenario import Scenario


def _image_suffix(path: Path) -> str:
    from PIL import Image

    with Image.open(path) as image:
        return "." + (image.format or "png").lower().replace("jpeg", "jpg")


def write_pack(scenarios: list[Scenario], out: Path, cache: ImageCache | None) -> tuple[int, list[str]]:
    """Write every case to ``out``; remote images are downloaded into ``out/images`` when a
    cache is given and reachable, else kept as URLs. Returns (cases written, image notes)."""
    out.mkdir(parents=True, exist_ok=True)
    notes: list[str] = []
    for scenario in scenarios:
        data = scenario.model_dump(mode="json", exclude_none=True, exclude_defaults=False)
        for image in data.get("images", []):
            if cache is None or "url" not in image or "file" in image:
                continue
            try:
                local = cache.fetch(image["url"])
            except ImageFetchError as exc:
                notes.append(f"{scenario.id}: kept the URL ({exc})")
                continue
            name = f"images/{scenario.id}-{image['id']}{_image_suffix(local)}"
            (out / "images").mkdir(exist_ok=True)
            shutil.copyfile(local, out / name)
            image["file"] = name
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
        header = f"# Imported from {scenario.source} ({scenario.license}).\n"
        (out / f"{scenario.id}.yaml").write_text(header + text, encoding="utf-8")
    return len(scenarios), notes
