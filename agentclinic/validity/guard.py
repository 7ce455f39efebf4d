"""The redaction guard: whatever a role says passes here on its way to the doctor (pure).

:class:`TermFinder` finds a set of terms in any text through :mod:`.folding`, so spelling
variants, accents, possessives, punctuation or invisible characters inside a term, fullwidth
forms and look-alike letters are all found, and :meth:`TermFinder.redact` removes exactly
the original characters of what it found. :func:`protected_terms` lists what the guard
protects for one case: the diagnosis, the case's synonyms, every equivalent name in the
diagnosis graph and every narrower form ("STEMI" reveals "myocardial infarction").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from .folding import Token, is_ideograph, fold_tokens
from .prefix_index import PrefixIndex

PLACEHOLDER = "[withheld]"  # what replaces a diagnosis mention in a reply

# Upper-case abbreviations of three letters or more are also found in lower case ("dka"),
# except where the lower-case form is an everyday word or unit ("all", "aids", "sad").
_COMMON_WORDS = frozenset(
    "all aids sad mad cat can cad bed fat dim ads aid add arm art ask bad bag bat big bit bot bud bug bus "
    "car cut day did dog dot dry due ear eat end era eye far fit fix flu fun gas get got gum gut had has "
    "hat her him hip his hit hot how ice ill its jaw job kid lab lap law lay leg let lid lie lip lot low "
    "man map may men met mid mix mom mum net new nor not now nut odd off oil old one our out own pad pan "
    "pat pay pen per pet pin pit pop pot put ran rat raw red rib rid rim rot row rub run saw say sea see "
    "set sex she shy sip sit six ski sky son spa sun tab tan tap tar tea ten the tie tip toe ton too top "
    "toy try tub two use van vet via war was way web wet who why win yes yet you zip care cold cure dose "
    "fall feel fine gain hope last less lift live long mass mild mood more pale pain pass rest safe sick "
    "sore stay term test tired well wide mmhg".split())


def _is_abbreviation(term: str) -> bool:
    stripped = term.strip()
    return 1 < len(stripped) <= 6 and stripped.isupper() and " " not in stripped


# Below this many letters a term is found only as its own words: joined-up pieces of short
# words ("to a" for "TOA", "go ut" for "gout") are ordinary text, not an evasion.
_SPLIT_MIN_LETTERS = 6


@dataclass(frozen=True)
class _Pattern:
    term: str
    folded: str  # the term's folded words joined without separators
    words: tuple[str, ...]  # the term's folded words, for short terms that must match word by word
    cased: str | None  # for abbreviations: the upper-case letters that must appear
    any_case: bool  # an abbreviation also found in lower case


@lru_cache(maxsize=16_384)
def _pattern(term: str) -> _Pattern | None:
    tokens = fold_tokens(term)
    if not tokens:
        return None
    folded = "".join(t.folded for t in tokens)
    words = tuple(t.folded for t in tokens)
    if _is_abbreviation(term):
        cased = "".join(t.cased for t in tokens)
        return _Pattern(term, folded, words, cased, len(cased) >= 3 and cased.lower() not in _COMMON_WORDS)
    return _Pattern(term, folded, words, None, True)


class _Stream:
    """A text's folded words run together, with the offsets where words start and end."""

    __slots__ = ("text", "tokens", "folded", "cased", "_f_start", "_f_end", "_c_start", "_c_end")

    def __init__(self, text: str):
        self.text = text
        self.tokens: list[Token] = fold_tokens(text)
        self._f_start, self._f_end = self._offsets([t.folded for t in self.tokens])
        self._c_start, self._c_end = self._offsets([t.cased for t in self.tokens])
        self.folded = "".join(t.folded for t in self.tokens)
        self.cased = "".join(t.cased for t in self.tokens)

    @staticmethod
    def _offsets(words: list[str]) -> tuple[dict[int, int], dict[int, int]]:
        starts, ends, offset = {}, {}, 0
        for index, word in enumerate(words):
            starts[offset] = index
            offset += len(word)
            ends[offset] = index
        return starts, ends

    def _find(self, haystack: str, needle: str, starts: dict[int, int], ends: dict[int, int],
              words: tuple[str, ...] | None = None):
        position = haystack.find(needle)
        while position >= 0:
            last = position + len(needle)
            if position in starts and last in ends:
                first, final = starts[position], ends[last]
                if (words is None or tuple(t.folded for t in self.tokens[first:final + 1]) == words) \
                        and not self._split_by_punctuation(first, final):
                    yield self.tokens[first].start, self.tokens[final].end
            position = haystack.find(needle, position + 1)

    def _split_by_punctuation(self, first: int, final: int) -> bool:
        """A short Chinese or Korean term read across punctuation: '大脑，梗阻' holds no '脑梗'.

        Each such character is a word of its own, so two to three of them are found in ordinary
        text across a comma; longer terms stay found however they are broken up (an evasion)."""
        run = self.tokens[first:final + 1]
        if final == first or final - first > 2 or not all(is_ideograph(t.cased[:1]) for t in run):
            return False
        return any(unicodedata.category(ch).startswith("P")
                   for a, b in zip(self.tokens[first:final], self.tokens[first + 1:final + 1])
                   for ch in self.text[a.end:b.start])

    def spans(self, pattern: _Pattern) -> list[tuple[int, int]]:
        if not pattern.folded:
            return []
        if pattern.cased is None:
            words = pattern.words if len(pattern.folded) < _SPLIT_MIN_LETTERS else None
            return list(self._find(self.folded, pattern.folded, self._f_start, self._f_end, words))
        found = list(self._find(self.cased, pattern.cased, self._c_start, self._c_end))
        if pattern.any_case:  # lower case only as the word itself: "dka", not "d k a" or "to a"
            found += self._find(self.folded, pattern.folded, self._f_start, self._f_end, pattern.words)
        return found


@lru_cache(maxsize=4096)
def _stream(text: str) -> _Stream:
    # Scripted roles say the same sentences in every episode, and each is checked against
    # several finders; a stream is never changed once made, so it is folded once.
    return _Stream(text)


@dataclass(frozen=True)
class Mention:
    """Where a term was found, as a span of the original text."""

    term: str
    start: int
    end: int


def non_overlapping(mentions: Iterable[Mention], union: bool = False) -> list[Mention]:
    """``mentions`` in text order, the longest first where several start together; one that
    overlaps the mention before it is dropped, or with ``union`` merged into it."""
    kept: list[Mention] = []
    for mention in sorted(mentions, key=lambda m: (m.start, -(m.end - m.start))):
        if not kept or mention.start >= kept[-1].end:
            kept.append(mention)
        elif union and mention.end > kept[-1].end:
            kept[-1] = Mention(kept[-1].term, kept[-1].start, mention.end)
    return kept


class TermFinder:
    """A fixed set of terms, found in any text by their folded words."""

    def __init__(self, terms: Iterable[str]):
        patterns = (_pattern(term) for term in dict.fromkeys(t for t in terms if t and t.strip()))
        self.patterns = [p for p in patterns if p is not None]
        self._index = PrefixIndex(self.patterns)

    def mentions(self, text: str) -> list[Mention]:
        """Every occurrence of every term, longest first where they overlap."""
        if not text:
            return []
        stream = _stream(text)
        # Only patterns whose search string's opening letters occur in the text can match
        # (see PrefixIndex); the others are skipped without changing what is found.
        candidates = self._index.candidates(stream.folded, stream.cased)
        # Overlapping mentions merge, so redacting them leaves nothing of either behind.
        return non_overlapping((Mention(p.term, start, end) for p in candidates for start, end in stream.spans(p)),
                               union=True)

    def find(self, text: str) -> list[str]:
        """The terms that occur in ``text`` (each once)."""
        return list(dict.fromkeys(m.term for m in self.mentions(text)))

    def redact(self, text: str, placeholder: str = PLACEHOLDER) -> tuple[str, int]:
        """``text`` with every occurrence removed, and how many were removed."""
        mentions = self.mentions(text)
        for mention in reversed(mentions):
            text = text[: mention.start] + placeholder + text[mention.end:]
        return text, len(mentions)


def protected_terms(name: str, synonyms: Iterable[str] = (), graph=None) -> list[str]:
    """The diagnosis, its synonyms, its graph equivalents and every narrower form, as written."""
    from ..matching import load_diagnosis_graph  # the graph is data; loaded once

    graph = graph or load_diagnosis_graph()
    names = [name, *synonyms]
    found: dict[str, None] = dict.fromkeys(names)
    for written in names:
        for node in graph.related_forms(written):
            if node in graph.spelling:  # names outside the graph are the ones given, as written
                found.setdefault(graph.spelling[node])
    return list(found)


@lru_cache(maxsize=512)
def guard_for(name: str, synonyms: tuple[str, ...] = ()) -> TermFinder:
    """The finder for one diagnosis (cached: every episode of a case shares it)."""
    return TermFinder(protected_terms(name, synonyms))


def added_conditions(original: str, rewrite: str, case_terms: Iterable[str] = ()) -> list[str]:
    """Condition names (the vocabulary's and the case's) that ``rewrite`` says and
    ``original`` does not: what a model rewording a result must never add."""
    from ..matching import load_diagnosis_graph

    finders = (load_diagnosis_graph().finder(), TermFinder(case_terms))
    before = {m.term for finder in finders for m in finder.mentions(original)}
    return list(dict.fromkeys(m.term for finder in finders for m in finder.mentions(rewrite)
                              if m.term not in before))
