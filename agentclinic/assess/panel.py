"""Several judges as one assessor: majority vote or mean credit, with the votes kept."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from typing import Literal

from ..matching import match
from ..roles import Assessment, AssessorAgent
from ..scenario import Scenario

PanelMode = Literal["majority", "mean"]
PANEL_MODES = ("majority", "mean")


class JudgePanel:
    """An assessor made of several judges (models, the matcher, or both).

    ``majority``: correct when more than half the judges say so; a tie goes to the
    deterministic matcher, so an even panel still decides reproducibly. ``mean``: the
    share of judges that say correct is the episode's credit (``score``), correct when it
    exceeds one half; reports average the credit, so split panels count partly.
    """

    def __init__(self, judges: Sequence[AssessorAgent], mode: PanelMode = "majority"):
        if not judges:
            raise ValueError("a judge panel needs at least one judge")
        if mode not in PANEL_MODES:
            raise ValueError(f"panel mode must be one of {', '.join(PANEL_MODES)}, got {mode!r}")
        self.judges, self.mode = list(judges), mode
        self.name = panel_name(mode, [getattr(judge, "name", type(judge).__name__) for judge in self.judges])

    async def assess(self, diagnosis: str | None, scenario: Scenario) -> Assessment:
        votes = await asyncio.gather(*(judge.assess(diagnosis, scenario) for judge in self.judges))
        return combine(votes, diagnosis, scenario, self.mode, self.name)


def panel_name(mode: str, names: Sequence[str]) -> str:
    return f"panel:{mode}({','.join(names)})"


def combine(votes: Sequence[Assessment], diagnosis: str | None, scenario: Scenario,
            mode: PanelMode = "majority", name: str | None = None) -> Assessment:
    """One panel decision from the judges' votes (see :class:`JudgePanel` for the rules)."""
    share = sum(vote.correct for vote in votes) / len(votes)
    if mode == "mean" or share != 0.5:
        correct = share > 0.5
        how = f"{sum(v.correct for v in votes)} of {len(votes)} judges accept"
    else:
        correct = match(diagnosis, scenario.diagnosis.name, scenario.diagnosis.synonyms,
                        scenario.distractors).correct
        how = "judges split evenly; the deterministic matcher decides"
    verdict = _common_verdict([v for v in votes if v.correct == correct]) or ("equivalent" if correct else "wrong")
    details = {"mode": mode, "votes": [
        {"assessor": v.assessor, "correct": v.correct, "verdict": v.verdict, "reason": v.reason} for v in votes]}
    return Assessment(correct, verdict, how, name or panel_name(mode, [v.assessor for v in votes]),
                      scenario.diagnosis.name if correct else None,
                      score=share if mode == "mean" else float(correct), details=details)


def _common_verdict(votes: Sequence[Assessment]) -> str | None:
    counts = Counter(vote.verdict for vote in votes)
    return counts.most_common(1)[0][0] if counts else None
