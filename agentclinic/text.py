"""Text normalisation shared by the matcher, the resolver and the leak checks (pure)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

# British and American spellings of the same clinical words; applied to whole tokens.
_SPELLING = {
    "oesophagus": "esophagus",
    "oesophageal": "esophageal",
    "oesophagitis": "esophagitis",
    "anaemia": "anemia",
    "haemorrhage": "hemorrhage",
    "haemoglobin": "hemoglobin",
    "haematoma": "hematoma",
    "haematuria": "hematuria",
    "leukaemia": "leukemia",
    "tumour": "tumor",
    "oedema": "edema",
    "paediatric": "pediatric",
    "ischaemic": "ischemic",
    "ischaemia": "ischemia",
    "diarrhoea": "diarrhea",
    "coeliac": "celiac",
    "foetal": "fetal",
    "xray": "x ray",
    "x-ray": "x ray",
}

_APOSTROPHE_S = re.compile(r"(\w)['\u2019]s\b")
_NON_WORD = re.compile(r"[^\w]+")


def normalize(text: str) -> str:
    """Lower-case, strip accents and punctuation, unify spellings: 'Graves' Disease' -> 'graves disease'."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    # Underscores separate words in imported keys ("Chest_X-Ray").
    text = _APOSTROPHE_S.sub(r"\1", text.casefold().replace("_", " "))
    text = text.replace("x-ray", "x ray").replace("'", "").replace("\u2019", "")
    tokens = _NON_WORD.sub(" ", text).split()
    return " ".join(_SPELLING.get(token, token) for token in tokens)


def tokens(text: str) -> list[str]:
    return normalize(text).split()


def _is_abbreviation(term: str) -> bool:
    stripped = term.strip()
    return len(stripped) <= 5 and stripped.isupper()


@lru_cache(maxsize=65_536)
def _padded_term(term: str) -> str:
    needle = normalize(term)
    return f" {needle} " if needle else ""


@lru_cache(maxsize=4096)
def _abbreviation_pattern(term: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(term.strip())}(?![A-Za-z0-9])")


class TextIndex:
    """A text normalised once, for asking whether many terms occur in it."""

    __slots__ = ("raw", "padded")

    def __init__(self, text: str):
        self.raw = text
        self.padded = f" {normalize(text)} "

    def contains(self, term: str) -> bool:
        """See :func:`contains_term`."""
        if not term.strip():
            return False
        if _is_abbreviation(term):
            return _abbreviation_pattern(term).search(self.raw) is not None
        needle = _padded_term(term)
        return bool(needle) and needle in self.padded


def contains_term(text: str, term: str) -> bool:
    """Whether ``term`` occurs in ``text`` as a whole phrase.

    Abbreviations ('MI', 'AF') are matched case-sensitively on word boundaries, so the
    ordinary word 'mi' or 'af' inside a sentence does not count; other terms are compared
    after :func:`normalize`.
    """
    return TextIndex(text).contains(term)


def find_terms(text: str, terms: Iterable[str]) -> list[str]:
    """The terms from ``terms`` that occur in ``text`` (see :func:`contains_term`)."""
    index = TextIndex(text)
    return [term for term in terms if index.contains(term)]
