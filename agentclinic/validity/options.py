"""Answer options for multiple-choice mode: never fewer than four (pure).

A case's own distractors come first. A case with fewer than three (imported MedQA records
carry none) gets more drawn from the other diagnoses of its pack, seeded by the episode so
runs repeat, preferring cases of the same specialty and never a name that the judge would
accept for the answer or that is broader or narrower than it (those are not wrong answers).
A pack that cannot supply enough is a clear error before anything runs.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from ..matching import DiagnosisGraph, load_diagnosis_graph, match_name
from ..scenario import Scenario
from ..seeding import derive_seed
from ..text import normalize

MIN_OPTIONS = 4


@dataclass(frozen=True)
class AnswerOptions:
    """The options shown to the doctor, and which of them were drawn from the pack."""

    options: tuple[str, ...]
    drawn: tuple[str, ...] = ()

    def note(self) -> str | None:
        """What the log keeps about the draw (None when the case had enough of its own)."""
        return f"multiple-choice options drawn from the pack: {'; '.join(self.drawn)}" if self.drawn else None


class OptionDrawer:
    """Draws missing distractors for the cases of one pack."""

    def __init__(self, pool: Sequence[Scenario], graph: DiagnosisGraph | None = None):
        self.graph = graph or load_diagnosis_graph()
        names: dict[str, tuple[str, str]] = {}
        for case in pool:  # one entry per distinct diagnosis, with the specialty of its first case
            names.setdefault(normalize(case.diagnosis.name), (case.diagnosis.name, case.specialty))
        self.pool = list(names.values())
        self._found: dict[tuple, tuple[tuple[str, str], ...]] = {}

    def _candidates(self, scenario: Scenario) -> tuple[tuple[str, str], ...]:
        """The pack's names that are wrong answers for ``scenario`` (worked out once per case: every
        episode of it draws from them)."""
        key = (scenario.id, scenario.diagnosis.name, tuple(scenario.distractors))
        if key not in self._found:
            self._found[key] = self._unrelated(scenario)
        return self._found[key]

    def _unrelated(self, scenario: Scenario) -> tuple[tuple[str, str], ...]:
        taken = [scenario.diagnosis.name, *scenario.distractors]
        correct = scenario.diagnosis

        def unrelated(name: str) -> bool:  # options are single names: no need to read their shape
            verdict = match_name(name, correct.name, correct.synonyms, graph=self.graph)
            return verdict.verdict == "wrong" and not any(
                match_name(name, other, graph=self.graph).verdict != "wrong" for other in taken[1:])

        return tuple((name, specialty) for name, specialty in self.pool if unrelated(name))

    def check(self, scenarios: Sequence[Scenario]) -> None:
        """Raise a ValueError naming every case that cannot get four options."""
        short = []
        for scenario in scenarios:
            needed = MIN_OPTIONS - 1 - len(scenario.distractors)
            if needed > 0 and len(self._candidates(scenario)) < needed:
                short.append(f"{scenario.id} ({len(scenario.distractors)} distractors)")
        if short:
            raise ValueError(
                f"--multiple-choice shows at least {MIN_OPTIONS} options, and the pack has too few other "
                f"diagnoses to draw them for: {', '.join(short[:10])}{' …' if len(short) > 10 else ''}. "
                "Add `distractors` to those cases, or run them with a larger pack.")

    def draw(self, scenario: Scenario, seed: int) -> AnswerOptions:
        """The shuffled options for one episode (the same seed gives the same options)."""
        needed = MIN_OPTIONS - 1 - len(scenario.distractors)
        drawn: list[str] = []
        if needed > 0:
            rng = random.Random(derive_seed(seed, "options"))
            candidates = list(self._candidates(scenario))
            rng.shuffle(candidates)
            candidates.sort(key=lambda item: item[1] != scenario.specialty)  # same specialty first, stably
            drawn = [name for name, _ in candidates[:needed]]
            if len(drawn) < needed:
                self.check([scenario])
        options = [*scenario.answer_options(), *drawn]
        random.Random(seed).shuffle(options)
        return AnswerOptions(tuple(options), tuple(drawn))
