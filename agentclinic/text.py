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
# French elision: "d'embolie" is "d embolie", so the word after it is found ("embolie").
_ELISION = re.compile(r"\b(l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu)['\u2019](?=\w)")
# Devanagari vowel signs and viramas are marks, not letters, yet belong inside the word.
_INDIC = "\u0900-\u0963\u0966-\u097f"  # without the dandas (sentence ends)
_NON_WORD = re.compile(rf"[^\w{_INDIC}]+")
_INDIC_CHAR = re.compile(rf"[{_INDIC}]")
# Scripts written without spaces between words (Chinese, Japanese kana) and Korean, whose
# particles are glued to the noun ("두통이" is "headache" + subject particle): every character
# is a token of its own, so a phrase is found as a run of characters inside a longer word.
_PER_CHARACTER = re.compile("([\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff"
                            "\uac00-\ud7a3\uf900-\ufaff])")
# Arabic letters Persian writes in its own form, and the zero-width non-joiner Persian puts
# inside words ("می‌خواهم"): the same word is typed both ways.
_PERSIAN = str.maketrans({"\u064a": "\u06cc", "\u0649": "\u06cc", "\u0643": "\u06a9", "\u0629": "\u0647",
                          "\u200c": "", "\u0640": ""})


def _ascii_digits(text: str) -> str:
    """Persian, Arabic-Indic and Devanagari digits as ASCII ones ('۳۸' -> '38')."""
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() and not ch.isascii() else ch for ch in text)


@lru_cache(maxsize=32_768)  # the same phrases (card lines, questions, terms) are read many times
def normalize(text: str) -> str:
    """Lower-case, strip accents and punctuation, unify spellings: 'Graves' Disease' -> 'graves disease'.

    Chinese, Japanese and Korean text comes back one character per token ('胸痛' -> '胸 痛'),
    Persian with one form of each letter, and any script's digits as ASCII digits.
    """
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch) or _INDIC_CHAR.match(ch))
    if not text.isascii():
        text = _PER_CHARACTER.sub(r" \1 ", _ascii_digits(unicodedata.normalize("NFC", text).translate(_PERSIAN)))
    # Underscores separate words in imported keys ("Chest_X-Ray").
    text = _APOSTROPHE_S.sub(r"\1", text.casefold().replace("_", " "))
    text = _ELISION.sub(r"\1 ", text)
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


class TermIndex:
    """Many terms, indexed by their first normalised word, to ask which may occur in a text.

    A term other than an abbreviation occurs only where its padded words do, so its first
    word is one of the text's words; abbreviations are always candidates. The candidates are
    a superset of the terms :meth:`TextIndex.contains` accepts, so checking only them gives
    the same answers while skipping the hundreds of cue words a question cannot contain."""

    def __init__(self, terms: Iterable[str]):
        self._always: set[str] = set()
        self._by_first: dict[str, list[str]] = {}
        for term in terms:
            if not term.strip():
                continue
            if _is_abbreviation(term):
                self._always.add(term)
            elif needle := _padded_term(term):
                self._by_first.setdefault(needle.split(" ", 2)[1], []).append(term)

    def candidates(self, index: TextIndex) -> set[str]:
        """The terms worth asking ``index.contains`` about."""
        found = set(self._always)
        for word in set(index.padded.split()):
            found.update(self._by_first.get(word, ()))
        return found


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


def is_content_token(word: str) -> bool:
    """Whether a normalised token can carry meaning: three letters or more, or one character
    of a script written a character per word (Chinese, Korean syllables)."""
    return len(word) > 2 or bool(_PER_CHARACTER.fullmatch(word))


def per_character(text: str) -> bool:
    """Whether ``text`` holds a character of a script matched a character at a time."""
    return bool(_PER_CHARACTER.search(text))
