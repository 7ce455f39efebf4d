"""Per-language data files: ``agentclinic/data/languages/<code>/<name>.yaml``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ..paths import data_file
from ..yaml_cache import read_yaml
from .registry import LANGUAGES, base_code


def languages_dir() -> Path:
    return data_file("languages")


@lru_cache(maxsize=128)
def language_data(tag: str | None, name: str) -> dict:
    """The contents of one language's ``name``.yaml, or ``{}`` when it has none (cached)."""
    path = languages_dir() / base_code(tag) / f"{name}.yaml"
    if not path.is_file():
        return {}
    data = read_yaml(path) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping at the top level")
    return data


def languages_with(name: str) -> list[str]:
    """The codes of the supported languages that have a ``name``.yaml file, English first."""
    return [code for code in LANGUAGES if (languages_dir() / code / f"{name}.yaml").is_file()]


def merged_lists(tags: list[str], name: str, key: str) -> dict[str, list[str]]:
    """``key`` (a mapping of lists) of ``name``.yaml merged over ``tags``, first tag first."""
    merged: dict[str, list[str]] = {}
    for tag in dict.fromkeys(base_code(t) for t in tags):
        for item, values in (language_data(tag, name).get(key) or {}).items():
            merged.setdefault(item, [])
            merged[item] += [v for v in values or [] if v not in merged[item]]
    return merged
