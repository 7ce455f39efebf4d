"""What the scripted roles say, per language (``data/languages/<code>/phrases.yaml``)."""

from __future__ import annotations

import random
from functools import lru_cache

from ..text import normalize
from .data import language_data
from .registry import base_code


class Phrasebook:
    """One language's phrases for one role, falling back to English key by key."""

    def __init__(self, own: dict, english: dict):
        self._own = own
        self._english = english

    def raw(self, key: str):
        """The value for ``key``: this language's, else English's."""
        return self._own[key] if key in self._own else self._english[key]

    def say(self, key: str, rng: random.Random | None = None, **fields: object) -> str:
        """The phrase ``key`` with its placeholders filled (a variant picked by ``rng``)."""
        value = self.raw(key)
        if isinstance(value, list):
            value = rng.choice(value) if rng is not None else value[0]
        return str(value).format(**fields)

    def words(self, key: str) -> frozenset[str]:
        """A word list (space-separated text, or a list of phrases), this language's and English's
        together, normalised (questions and answers may mix the two)."""
        found: set[str] = set()
        for value in (self._own.get(key), self._english.get(key)):
            if isinstance(value, str):
                found.update(normalize(value).split())
            elif isinstance(value, list):
                found.update(filter(None, (normalize(str(item)) for item in value)))
        return frozenset(found)


@lru_cache(maxsize=64)
def phrasebook(tag: str | None, role: str) -> Phrasebook:
    """The phrases of ``role`` ('patient', 'doctor', 'measurement') in the language of ``tag``."""
    english = language_data("en", "phrases").get(role) or {}
    own = (language_data(base_code(tag), "phrases").get(role) or {}) if base_code(tag) != "en" else {}
    return Phrasebook(own, english)
