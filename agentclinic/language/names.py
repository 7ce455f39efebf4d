"""Test and diagnosis names in each language, mapped onto the English canonical concepts.

``data/languages/<code>/terminology.yaml``::

    tests:            # canonical test name (terminology.yaml) -> local names, the first is the label
      Complete blood count: [血常规, 全血细胞计数]
    exam_systems:     # canonical body system -> local words for it, the first is the label
      cardiovascular: [心血管系统, 心脏]

``data/languages/<code>/diagnoses.yaml``::

    names:            # canonical diagnosis (diagnoses.yaml or the baseline's knowledge) -> local names
      Atrial fibrillation: [心房颤动, 房颤]
"""

from __future__ import annotations

from .data import language_data, merged_lists
from .registry import LANGUAGES, base_code


def all_codes() -> list[str]:
    return list(LANGUAGES)


def test_aliases() -> dict[str, list[str]]:
    """Every language's names for each canonical test."""
    return merged_lists([c for c in all_codes() if c != "en"], "terminology", "tests")


def system_words() -> dict[str, list[str]]:
    """Every language's words for each canonical body system."""
    return merged_lists([c for c in all_codes() if c != "en"], "terminology", "exam_systems")


def diagnosis_names() -> dict[str, list[str]]:
    """Every language's names for each canonical diagnosis."""
    return merged_lists([c for c in all_codes() if c != "en"], "diagnoses", "names")


def _first(tag: str | None, name: str, key: str, canonical: str) -> str | None:
    if base_code(tag) == "en":
        return None
    names = (language_data(tag, name).get(key) or {}).get(canonical) or []
    return str(names[0]) if names else None


def test_label(canonical: str, tag: str | None) -> str:
    """How a clinician writing ``tag`` names a test ('Complete blood count' -> '血常规')."""
    return _first(tag, "terminology", "tests", canonical) or canonical


def system_label(canonical: str, tag: str | None) -> str | None:
    """The local name of a body system, or None where the language has none."""
    return _first(tag, "terminology", "exam_systems", canonical)


def diagnosis_label(canonical: str, tag: str | None) -> str:
    """The local name of a diagnosis, else the canonical (English) one."""
    return _first(tag, "diagnoses", "names", canonical) or canonical
