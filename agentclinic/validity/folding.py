"""Folding text into comparable word tokens that keep their place in the original (pure).

A term is looked for in folded text: accents and other combining marks gone, compatibility
forms (fullwidth letters, mathematical alphabets, ligatures) decomposed, look-alike letters
from other scripts (Cyrillic "а", Greek "ο") read as the Latin letters they imitate,
invisible characters (zero-width spaces, soft hyphens, joiners) skipped, possessives and
plurals dropped, and British spellings read as American ones. Every token remembers the
span of the original text it came from, so whatever the finder finds can be removed from
the text as it was written, not from a normalised copy.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

# Letters outside Unicode's decompositions that still read as Latin ones.
_EXTRA = {"æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d",
          "Đ": "D", "ı": "i", "ß": "ss", "þ": "th",
          # Arabic letters that Persian writes in its own form: the same word typed either way.
          "\u064a": "\u06cc", "\u0649": "\u06cc", "\u0643": "\u06a9", "\u0629": "\u0647"}
# Scripts of the languages AgentClinic's packs are written in: their letters are never read
# as Latin look-alikes (an Arabic alef is not an "l" in a Persian sentence).
_OWN_SCRIPTS = ("ARABIC", "DEVANAGARI", "CJK", "HANGUL", "HIRAGANA", "KATAKANA", "BOPOMOFO")
_APOSTROPHES = frozenset("'’ʼ`´′‘")
# British spellings of clinical words (whole tokens), beyond the generic ae/oe rule below.
_SPELLING = {"tumour": "tumor", "sulphate": "sulfate", "sulphur": "sulfur", "xray": "x ray", "fetus": "fetus",
             "grey": "gray", "labour": "labor", "behaviour": "behavior", "colour": "color", "litre": "liter",
             "centre": "center", "fibre": "fiber", "programme": "program"}
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4"}  # "type II" is "type 2"
_AE_OE = re.compile(r"(?<=[a-z])(?:ae|oe)|^(?:ae|oe)(?=[a-z]{3})")


@dataclass(frozen=True)
class Token:
    """One word of a text: folded for comparison, with its span in the original."""

    folded: str  # lower-case, spelling-folded: what terms are compared with
    cased: str  # look-alikes and accents folded, case kept: what abbreviations are compared with
    start: int
    end: int


def _ascii_glyphs(glyphs: list[dict]) -> list[str]:
    return [g["c"] for g in glyphs if len(g["c"]) == 1 and g["c"].isascii() and g["c"].isalnum()]


@lru_cache(maxsize=1)
def _lookalikes() -> dict[str, str]:
    """Non-Latin characters that imitate one Latin letter or digit, from Unicode's confusables."""
    data = json.loads(resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text("utf-8"))
    table: dict[str, str] = {}
    for char, glyphs in data.items():
        if len(char) != 1 or char.isascii() or not char.isalnum():
            continue
        name = unicodedata.name(char, "")
        if name.startswith(_OWN_SCRIPTS):
            continue
        latin = _ascii_glyphs(glyphs)
        if not any(c.isalpha() and c.isupper() == char.isupper() for c in latin):
            # One step further: Greek capital iota is listed beside "l", and "l" beside "I".
            latin += [c for first in latin for c in _ascii_glyphs(data.get(first, []))]
        # Keep the letter's case where the look-alike exists in both (Greek capital iota: "I").
        same_case = [c for c in latin if c.isalpha() and (c.isupper() == char.isupper())]
        choice = (same_case or [c for c in latin if c.isalpha()] or latin or [None])[0]
        if choice is not None:
            table[char] = choice
    return table


@lru_cache(maxsize=8192)
def _fold_char(char: str) -> str:
    """The Latin (or own-script) characters one input character reads as; '' when invisible."""
    if _in_word_script(char):
        return char  # Devanagari signs and Hangul syllables stay whole (NFKD would split them)
    category = unicodedata.category(char)
    if category in {"Cf", "Mn", "Me", "Cc"} and char not in "\n\t\r":
        return ""  # zero-width characters, soft hyphens, joiners, stray combining marks
    if char.isascii():
        return char
    if char in _EXTRA:
        return _EXTRA[char]
    decomposed = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    if len(decomposed) == 1 and not decomposed.isascii():
        decomposed = _lookalikes().get(decomposed, decomposed)
    return decomposed


def _fold_word(word: str) -> str:
    """A lower-case word with British spellings, plurals and Roman numerals folded."""
    word = word.casefold()
    if word in _ROMAN:
        return _ROMAN[word]
    word = _SPELLING.get(word, word)
    word = _AE_OE.sub("e", word)
    if word.endswith("our") and len(word) > 5:
        word = word[:-3] + "or"
    word = word.replace("sulph", "sulf")
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "os")):
        word = word[:-1]
    return word


def _in_word_script(char: str) -> bool:
    return ("\u0900" <= char <= "\u097f" and char not in "\u0964\u0965") or "\uac00" <= char <= "\ud7a3"


def is_ideograph(char: str) -> bool:
    # Scripts written without spaces, and Korean, whose particles are glued to the noun: each
    # character is a word of its own for matching.
    return len(char) == 1 and not char.isascii() and (unicodedata.name(char, "").startswith(("CJK", "HIRAGANA", "KATAKANA"))
                                   or "\uac00" <= char <= "\ud7a3")


def _is_word_char(piece: str) -> bool:
    return piece.isalnum() or ("\u0900" <= piece <= "\u097f" and unicodedata.category(piece).startswith("M"))


def fold_tokens(text: str) -> list[Token]:
    """The words of ``text``, folded, each with its span in ``text``."""
    tokens: list[Token] = []
    word: list[str] = []
    start = end = 0
    gap = gap_before_word = ""  # visible separators since the last word

    def emit() -> None:
        cased = "".join(word)
        # A possessive "'s" belongs to the word before it: Addison's -> addison.
        if cased.lower() == "s" and tokens and gap_before_word and set(gap_before_word) <= _APOSTROPHES:
            last = tokens[-1]
            tokens[-1] = Token(last.folded, last.cased, last.start, end)
        else:
            tokens.append(Token(_fold_word(cased), cased, start, end))

    for index, char in enumerate(text):
        for piece in _fold_char(char):  # invisible characters fold to nothing at all
            ideograph = is_ideograph(piece)
            if _is_word_char(piece) and not ideograph:
                if not word:
                    start, gap_before_word = index, gap
                word.append(piece)
                end = index + 1
                continue
            if word:
                emit()
                word, gap = [], ""
            if ideograph:
                tokens.append(Token(piece, piece, index, index + 1))
                gap = ""
            else:
                gap += piece
    if word:
        emit()
    return tokens


@lru_cache(maxsize=65_536)
def fold(text: str) -> str:
    """``text`` as space-separated folded words (for comparing short names; cached)."""
    return " ".join(token.folded for token in fold_tokens(text))
