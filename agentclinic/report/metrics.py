"""Dialogue and process metrics of one episode, computed from its logged turns (pure).

Everything here is derived from the transcript and the case, so any logged run can be
measured again later; nothing depends on the agents that produced it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Protocol

from ..survey import TurnLike
from ..terminology import load_terminology
from ..text import normalize
from .coverage import key_fact_coverage
from .lexical import content_stems

SIMILAR_QUESTION = 0.8  # Jaccard overlap of content words above which two questions repeat
TEST_ACTIONS = ("request_test", "request_images")


class PricedTurn(TurnLike, Protocol):
    index: int
    cost_usd: float


@dataclass(frozen=True)
class EpisodeMetrics:
    """Per-episode process measures (see the README's metrics table for definitions)."""

    turns: int
    questions: int
    examinations: int
    tests_ordered: int
    test_cost_usd: float
    cost_usd: float
    coverage: float | None
    facts_surfaced: int
    facts_total: int
    repeated_questions: int
    repeated_tests: int
    invalid_actions: int
    premature_closure: bool
    forced_final: bool
    diagnosed: bool

    def as_dict(self) -> dict:
        return asdict(self)


def episode_metrics(turns: Sequence[PricedTurn], key_facts: Sequence[str], max_turns: int) -> EpisodeMetrics:
    """Measure one episode from its turns and its case's key facts."""
    doctor = [t for t in turns if t.speaker == "doctor"]
    kinds = [t.action for t in doctor]
    asks = [t.text for t in doctor if t.action == "ask"]
    tests = [str((t.action_detail or {}).get("name") or t.action) for t in doctor if t.action in TEST_ACTIONS]
    coverage = key_fact_coverage(key_facts, turns)
    diagnosed_at = next((i for i, kind in enumerate(kinds, 1) if kind == "diagnose"), None)
    checked_before = {"examine", *TEST_ACTIONS} & set(kinds[: (diagnosed_at or 1) - 1])
    return EpisodeMetrics(
        turns=len(doctor),
        questions=len(asks),
        examinations=kinds.count("examine"),
        tests_ordered=sum(kind == "request_test" for kind in kinds),
        test_cost_usd=round(_test_cost(turns), 2),
        cost_usd=round(sum(t.cost_usd or 0.0 for t in turns), 2),
        coverage=coverage.share,
        facts_surfaced=sum(coverage.surfaced),
        facts_total=len(coverage.facts),
        repeated_questions=repeated_questions(asks),
        repeated_tests=repeated_tests(tests),
        invalid_actions=kinds.count("invalid"),
        premature_closure=diagnosed_at is not None and not checked_before,
        forced_final=diagnosed_at is not None and diagnosed_at == max_turns,
        diagnosed=diagnosed_at is not None,
    )


def _test_cost(turns: Sequence[PricedTurn]) -> float:
    """What the tests and images cost: the measurement replies that answered them."""
    total, last_action = 0.0, None
    for turn in turns:
        if turn.speaker == "doctor":
            last_action = turn.action
        elif turn.speaker == "measurement" and last_action in TEST_ACTIONS:
            total += turn.cost_usd or 0.0
    return total


def repeated_questions(questions: Sequence[str]) -> int:
    """Questions that repeat an earlier one, word for word or nearly (content-word overlap)."""
    seen: list[set[str]] = []
    repeats = 0
    for question in questions:
        words = content_stems(question)
        if any(similar_questions(words, earlier) for earlier in seen):
            repeats += 1
        seen.append(words)
    return repeats


def similar_questions(a: set[str], b: set[str]) -> bool:
    """Whether two questions' content stems overlap enough to count as one question asked twice."""
    if not a or not b:
        return a == b
    return len(a & b) / len(a | b) >= SIMILAR_QUESTION


def repeated_tests(names: Sequence[str]) -> int:
    """Tests ordered again: the same name or the same concept in the test vocabulary."""
    keys = [ordered_test_key(name) for name in names]
    return len(keys) - len(set(keys))


@lru_cache(maxsize=4096)
def ordered_test_key(name: str) -> str:
    """The concept a test name stands for (its normalised name when the vocabulary has none)."""
    return load_terminology().concept(name) or normalize(name)
