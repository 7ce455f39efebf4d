"""Helpers shared by the dataset readers (pure)."""

from __future__ import annotations

import re
from typing import Any

from ..terminology import load_terminology

_AGE = re.compile(r"(\d+(?:\.\d+)?)\s*[- ]?\s*(year|yr|month|mo|week|wk|day)s?[- ]?old", re.IGNORECASE)
_FEMALE = re.compile(r"\b(female|woman|girl|lady|mother|she)\b", re.IGNORECASE)
_MALE = re.compile(r"\b(male|man|boy|gentleman|father|he)\b", re.IGNORECASE)
_UNIT_YEARS = {"year": 1.0, "yr": 1.0, "month": 1 / 12, "mo": 1 / 12, "week": 1 / 52, "wk": 1 / 52, "day": 1 / 365}


def parse_demographics(text: str) -> dict[str, Any]:
    """Age and sex from free text such as '55-year-old male' or 'you are a 3-month-old girl';
    the age is None when the text does not state it (never a guess)."""
    age: float | None = None
    if match := _AGE.search(text):
        age = round(float(match.group(1)) * _UNIT_YEARS[match.group(2).lower()], 3)
    elif re.search(r"\bnewborn|neonate\b", text, re.IGNORECASE):
        age = 0.01
    female, male = _FEMALE.search(text), _MALE.search(text)
    if female and (not male or female.start() < male.start()):
        sex = "female"
    elif male:
        sex = "male"
    else:
        sex = "unknown"
    return {"age_years": None if age is None else min(age, 125.0), "sex": sex}


def label(key: str) -> str:
    """'Chest_X-Ray' -> 'Chest X-Ray'."""
    return re.sub(r"\s+", " ", key.replace("_", " ")).strip()


def as_text(value: Any) -> str:
    """Any JSON value as readable text (nested keys become 'Key: value' lines)."""
    if isinstance(value, dict):
        return "; ".join(f"{label(k)}: {as_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(as_text(v) for v in value)
    return "" if value is None else str(value)


def as_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [as_text(v)[:300] for v in value if as_text(v)]
    return [as_text(value)[:300]]


def as_sections(value: Any) -> dict[str, str]:
    if value is None or value == "":
        return {}
    if isinstance(value, dict):
        return {label(k).lower().replace(" ", "_"): as_text(v) for k, v in value.items() if as_text(v)}
    return {"general": as_text(value)}


def as_findings(value: Any) -> Any:
    """JSON findings as a finding tree: dicts stay nested, everything else becomes text."""
    if isinstance(value, dict):
        tree = {label(k).lower().replace(" ", "_"): as_findings(v) for k, v in value.items()}
        return {k: v for k, v in tree.items() if v not in ("", {})}
    return as_text(value)


_IMAGING = re.compile(r"x.?ray|radiograph|\bct\b|mri|ultrasound|sonogra|echo|imaging|scan|angiogra|mammogra|"
                      r"fluoroscop|doppler|\bpet\b", re.IGNORECASE)
_PATHOLOGY = re.compile(r"biops|histolog|patholog|cytolog|aspirat", re.IGNORECASE)
_MICRO = re.compile(r"cultur|gram stain|pcr|swab|serolog|antigen", re.IGNORECASE)
_BEDSIDE = re.compile(r"\becg\b|\bekg\b|electrocardiogram|oximetr|spirometr|audiometr", re.IGNORECASE)


def test_category(name: str) -> str:
    """The category of an imported test: from the vocabulary when known, else from its words."""
    terms = load_terminology()
    if (concept := terms.concept(name)) is not None:
        return terms.info(concept).category
    for pattern, category in ((_BEDSIDE, "bedside"), (_IMAGING, "imaging"), (_PATHOLOGY, "pathology"),
                              (_MICRO, "microbiology")):
        if pattern.search(name):
            return category
    return "lab"
