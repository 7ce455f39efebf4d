"""Key-fact coverage: which of a case's key facts surfaced in the dialogue.

A key fact counts as surfaced when most of its meaningful words (light stems, numbers
included) appear in what the patient and the measurement role said. It is a lexical
measure: cheap, deterministic and re-computable from the log. Lay phrasings the scripted
patient vocabulary knows ("fainted" for "syncope") are bridged; other paraphrase ("winded"
for "breathless") is missed, so treat the share as a lower bound.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from ..survey import TurnLike
from ..text import TextIndex
from .lexical import content_stems

THRESHOLD = 0.6  # share of a fact's content stems that must appear
REVEALING = ("patient", "measurement")


@dataclass(frozen=True)
class Coverage:
    facts: tuple[str, ...]
    surfaced: tuple[bool, ...]

    @property
    def share(self) -> float | None:
        """Share of key facts surfaced; None when the case lists none."""
        return sum(self.surfaced) / len(self.facts) if self.facts else None


def fact_surfaced(fact: str, revealed: set[str], threshold: float = THRESHOLD) -> bool:
    stems = content_stems(fact)
    return bool(stems) and len(stems & revealed) / len(stems) >= threshold


def key_fact_coverage(key_facts: Sequence[str], turns: Sequence[TurnLike]) -> Coverage:
    if not key_facts:
        return Coverage((), ())
    said = "\n".join(turn.text for turn in turns if turn.speaker in REVEALING)
    revealed = revealed_stems(said)
    return Coverage(tuple(key_facts), tuple(fact_surfaced(fact, revealed) for fact in key_facts))


def revealed_stems(said: str) -> set[str]:
    """The stems a fact is matched against: the words said, and clinical words for lay ones."""
    return content_stems(said) | _bridged(said)


def _bridged(said: str) -> set[str]:
    """Stems of clinical words whose lay equivalents were said ('fainted' also covers 'syncope')."""
    index, stems = TextIndex(said), set()
    for group in _lay_groups():
        if any(index.contains(word) for word in group):
            stems |= content_stems(" ".join(group))
    return stems


@lru_cache(maxsize=1)
def _lay_groups() -> tuple[tuple[str, ...], ...]:
    """Each clinical term with its lay phrasings (the scripted patient's vocabulary)."""
    from ..validity.topics import load_topics

    return tuple((term, *lay) for term, lay in load_topics().get("lay_terms", {}).items())
