"""The scripted assessor: the deterministic matcher applied to the case's diagnosis."""

from __future__ import annotations

from ..matching import match
from ..roles import Assessment
from ..scenario import Scenario


class ScriptedAssessor:
    """Judges a diagnosis by name, synonyms and the diagnosis graph; never by loose similarity."""

    name = "scripted"

    def __init__(self, seed: int = 0):
        self.seed = seed

    async def assess(self, diagnosis: str | None, scenario: Scenario) -> Assessment:
        verdict = match(diagnosis, scenario.diagnosis.name, scenario.diagnosis.synonyms, scenario.distractors)
        return Assessment(verdict.correct, verdict.verdict, verdict.reason, self.name, verdict.matched)
