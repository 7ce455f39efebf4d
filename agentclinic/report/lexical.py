"""Word-level helpers shared by coverage and fault checks (pure, deterministic)."""

from __future__ import annotations

import re

from ..text import normalize

_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_NUMBER_WORDS = {word: str(value) for value, word in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty".split())}
_NUMBER_WORDS.update({"thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70",
                      "eighty": "80", "ninety": "90", "hundred": "100", "a couple": "2", "dozen": "12"})
_STOP = frozenset(
    "a an and are as at be been but by did do does for from had has have he her his how i if in into is it "
    "its me my no not of on or our she so than that the their them then there they this to too up was we "
    "were what when where which who why will with you your any ever over about after before since some "
    "very also just only more most much many other such".split())
_SUFFIXES = ("ations", "ation", "ings", "ing", "ness", "edly", "ers", "ies", "ied", "ed", "er", "es", "ly", "s")
_NEGATION = re.compile(r"\b(?:no|not|never|without|none|nor|denies|deny|haven t|hasn t|hadn t|don t|didn t|"
                       r"doesn t|isn t|wasn t|aren t|can t|cannot)\b(?:\s+\w+){0,4}\s*$")


def numbers_in(text: str) -> set[str]:
    """Numbers written as digits or as common words ('two days' -> '2'), canonicalised ('5.0' -> '5')."""
    found = {_canonical_number(n) for n in _NUMBER.findall(text)}
    padded = f" {normalize(text)} "
    found |= {digits for word, digits in _NUMBER_WORDS.items() if f" {word} " in padded}
    return found


def _canonical_number(value: str) -> str:
    return value.rstrip("0").rstrip(".") if "." in value else value.lstrip("0") or "0"


def stem(word: str) -> str:
    """A light suffix strip so word forms meet: 'legs' -> 'leg', 'smoker'/'smoking'/'smoke' -> 'smok'."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


def content_stems(text: str) -> set[str]:
    """Stems of the words that carry meaning: numbers, and words of three letters or more that are not stop words."""
    return {stem(word) for word in normalize(text).split()
            if word.isdigit() or (word not in _STOP and len(word) > 2)}


def negated_before(text: str, position: int) -> bool:
    """Whether a negation word governs the words just before ``position`` in normalised ``text``."""
    return _NEGATION.search(text[:position]) is not None
