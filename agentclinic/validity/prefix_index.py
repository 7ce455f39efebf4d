"""Which of many search patterns can occur in a text, found from the text's letter triples.

:class:`~.guard.TermFinder` looks for every term of a vocabulary (about a thousand) in
every reply. A pattern is only ever found where its search string occurs as a substring of
the text's folded (or cased) stream, so its first :data:`GRAM` characters occur there too.
Indexing the patterns by those opening characters and reading the text's own triples gives
exactly the patterns worth searching: the result is the same as searching them all, since
a pattern left out could not have matched.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

GRAM = 3  # long enough to be selective, short enough that few terms are shorter


class _Searchable(Protocol):
    folded: str  # searched in the folded stream (for every term, or abbreviations in lower case)
    cased: str | None  # abbreviations: searched in the cased stream
    any_case: bool


class PrefixIndex:
    """Patterns keyed by the opening characters of what they search for, per stream.

    Patterns are held by their position in the list given, so a copied index (a deep-copied
    environment) still answers in the original order."""

    def __init__(self, patterns: Iterable[_Searchable]):
        self._patterns = list(patterns)
        self._folded: dict[str, list[int]] = {}
        self._cased: dict[str, list[int]] = {}
        self._always: set[int] = set()  # search strings shorter than GRAM: always tried
        for position, pattern in enumerate(self._patterns):
            if pattern.cased is None:
                self._add(self._folded, pattern.folded, position)
            else:
                self._add(self._cased, pattern.cased, position)
                if pattern.any_case:
                    self._add(self._folded, pattern.folded, position)

    def _add(self, table: dict[str, list[int]], needle: str, position: int) -> None:
        if not needle:
            return
        if len(needle) < GRAM:
            self._always.add(position)
        else:
            table.setdefault(needle[:GRAM], []).append(position)

    def candidates(self, folded: str, cased: str) -> list[_Searchable]:
        """The patterns that may occur in a text with these streams, in their original order."""
        found = set(self._always)
        for table, stream in ((self._folded, folded), (self._cased, cased)):
            if not table:
                continue
            for gram in {stream[i:i + GRAM] for i in range(len(stream) - GRAM + 1)}:
                found.update(table.get(gram, ()))
        return [self._patterns[position] for position in sorted(found)]
