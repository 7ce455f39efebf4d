"""Experiential learning: one worked past episode of a different case, shown as an example.

The examples come from a run the user names (``--experience-run``): its completed episodes
that were judged correct. For each new case one is chosen by a documented rule:

- ``similar`` (default): the past case whose objective (the chief complaint the doctor is
  shown) shares the most words with this one's (Jaccard over content words; ties go to the
  lower episode id). Only what the doctor itself sees is compared, so the choice reveals
  nothing hidden;
- ``random``: a seeded draw (the run's seed and the case id), the same on every run.

Never the same case, and never a case whose diagnosis is this case's diagnosis (or a synonym
of it): that example would be the answer. What the example shows passes the case's guard.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ..report.lexical import content_stems
from ..seeding import derive_seed

RULES = ("similar", "random")
EXAMPLE_CHARS = 3000
TURN_CHARS = 300
# Words every objective shares ("Evaluate the patient presenting with ... and reach a diagnosis").
_TEMPLATE = frozenset(content_stems("evaluate patient presenting reach diagnosis"))


@dataclass(frozen=True)
class PastEpisode:
    """A correct episode that can serve as the worked example."""

    episode_id: int
    scenario_id: str
    diagnosis: str  # the case's diagnosis (to keep the same answer out)
    objective: str
    transcript: tuple[tuple[str, str], ...]  # (speaker, text) in order, from the log


def words(text: str) -> frozenset[str]:
    return frozenset(content_stems(text) - _TEMPLATE)


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of the content words of two objectives."""
    left, right = words(a), words(b)
    return len(left & right) / len(left | right) if left | right else 0.0


def choose(candidates: list[PastEpisode], *, scenario_id: str, objective: str, same_answer,
           rule: str = "similar", seed: int = 0) -> PastEpisode | None:
    """The example for a case (see the module doc); ``same_answer(diagnosis)`` is True for a
    diagnosis equivalent to this case's."""
    if rule not in RULES:
        raise ValueError(f"experience rule {rule!r}: expected one of {', '.join(RULES)}")
    pool = sorted((c for c in candidates if c.scenario_id != scenario_id and not same_answer(c.diagnosis)),
                  key=lambda c: c.episode_id)
    if not pool:
        return None
    if rule == "random":
        return random.Random(derive_seed(seed, scenario_id, "experience")).choice(pool)
    return max(pool, key=lambda c: (similarity(objective, c.objective), -c.episode_id))


def render(example: PastEpisode) -> str:
    """The worked example as the doctor reads it, within :data:`EXAMPLE_CHARS` characters."""
    lines = ["A worked example: a past case (a different patient), diagnosed correctly.",
             f"Objective: {example.objective}"]
    for speaker, text in example.transcript:
        text = " ".join(text.split())
        lines.append(f"{speaker.capitalize()}: {text[:TURN_CHARS]}{'…' if len(text) > TURN_CHARS else ''}")
    lines.append(f"Final diagnosis: {example.diagnosis}")
    text = "\n".join(lines)
    if len(text) <= EXAMPLE_CHARS:
        return text
    head, tail = "\n".join(lines[:2]), "\n".join(lines[-6:])  # keep the start and how it ended
    return f"{head}\n(…)\n{tail}"[:EXAMPLE_CHARS]
