"""Text normalisation shared by the matcher, the resolver and the leak checks (pure)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

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
    text = _APOSTROPHE_S.sub(r"\1", text.casefold())
    text = text.replace("x-ray", "x ray").replace("'", "").replace("\u2019", "")
    tokens = _NON_WORD.sub(" ", text).split()
    return " ".join(_SPELLING.get(token, token) for token in tokens)


def tokens(text: str) -> list[str]:
    return normalize(text).split()


def _is_abbreviation(term: str) -> bool:
    stripped = term.strip()
    return len(stripped) <= 5 and stripped.isupper()


def contains_term(text: str, term: str) -> bool:
    """Whether ``term`` occurs in ``text`` as a whole phrase.

    Abbreviations ('MI', 'AF') are matched case-sensitively on word boundaries, so the
    ordinary word 'mi' or 'af' inside a sentence does not count; other terms are compared
    after :func:`normalize`.
    """
    if not term.strip():
        return False
    if _is_abbreviation(term):
        return re.search(rf"(?<![A-Za-z0-9]){re.escape(term.strip())}(?![A-Za-z0-9])", text) is not None
    needle = normalize(term)
    return bool(needle) and f" {needle} " in f" {normalize(text)} "


def find_terms(text: str, terms: Iterable[str]) -> list[str]:
    """The terms from ``terms`` that occur in ``text`` (see :func:`contains_term`)."""
    return [term for term in terms if contains_term(text, term)]
