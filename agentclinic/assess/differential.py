"""Scoring a ranked differential (pure): where does the right answer first appear?"""

from __future__ import annotations

from collections.abc import Sequence

from ..matching import DiagnosisGraph, match
from ..scenario import Scenario
from ..text import normalize

TOP_K = (1, 3, 5)


def ranked_answers(diagnosis: str | None, differential: Sequence[str] = ()) -> list[str]:
    """The final diagnosis first, then the differential, without repeats."""
    ranked: list[str] = []
    seen: set[str] = set()
    for name in [diagnosis or "", *differential]:
        key = normalize(name)
        if key and key not in seen:
            seen.add(key)
            ranked.append(name)
    return ranked


def differential_rank(diagnosis: str | None, differential: Sequence[str], scenario: Scenario,
                      graph: DiagnosisGraph | None = None) -> int | None:
    """1-based rank of the first answer the matcher accepts; None when none is right."""
    correct = scenario.diagnosis
    for rank, name in enumerate(ranked_answers(diagnosis, differential), 1):
        if match(name, correct.name, correct.synonyms, scenario.distractors, graph).correct:
            return rank
    return None


def top_k_accuracy(ranks: Sequence[int | None], k: int) -> float:
    """Share of episodes whose right answer is within the first ``k`` (0.0 for no episodes)."""
    if not ranks:
        return 0.0
    return sum(1 for rank in ranks if rank is not None and rank <= k) / len(ranks)
