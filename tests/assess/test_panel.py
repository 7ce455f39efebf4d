"""Judge panels: majority (ties go to the matcher) and mean credit, with every vote kept."""

import asyncio

import pytest

from agentclinic.assess.panel import JudgePanel, combine
from agentclinic.roles import Assessment
from agentclinic.scenario import Scenario

from conftest import case_data

SCENARIO = Scenario.model_validate(case_data())  # Community-acquired pneumonia


class Judge:
    def __init__(self, name, correct, verdict=None):
        self.name, self.correct = name, correct
        self.verdict = verdict or ("equivalent" if correct else "wrong")

    async def assess(self, diagnosis, scenario):
        return Assessment(self.correct, self.verdict, "fixed", self.name)


def decide(judges, diagnosis="pneumonia", mode="majority"):
    return asyncio.run(JudgePanel(judges, mode).assess(diagnosis, SCENARIO))


def test_majority_decides_and_keeps_the_votes():
    result = decide([Judge("a", True, "exact"), Judge("b", True, "equivalent"), Judge("c", False)])
    assert result.correct and result.assessor == "panel:majority(a,b,c)"
    assert result.reason == "2 of 3 judges accept" and result.score == 1.0
    assert [v["assessor"] for v in result.details["votes"]] == ["a", "b", "c"]
    assert not decide([Judge("a", True), Judge("b", False), Judge("c", False)]).correct


@pytest.mark.parametrize("diagnosis, expected", [("CAP", True), ("acute bronchitis", False)])
def test_an_even_split_goes_to_the_deterministic_matcher(diagnosis, expected):
    result = decide([Judge("a", True), Judge("b", False)], diagnosis)
    assert result.correct is expected and "matcher decides" in result.reason


def test_mean_mode_gives_graded_credit():
    result = decide([Judge("a", True), Judge("b", True), Judge("c", False)], mode="mean")
    assert result.correct and result.score == pytest.approx(2 / 3)
    low = decide([Judge("a", True), Judge("b", False), Judge("c", False)], mode="mean")
    assert not low.correct and low.score == pytest.approx(1 / 3)


def test_combine_names_the_panel_from_the_votes():
    votes = [Assessment(True, "exact", "", "x"), Assessment(False, "wrong", "", "y"), Assessment(True, "exact", "", "z")]
    result = combine(votes, "pneumonia", SCENARIO)
    assert result.assessor == "panel:majority(x,y,z)" and result.verdict == "exact"


def test_a_panel_needs_judges_and_a_known_mode():
    with pytest.raises(ValueError, match="at least one judge"):
        JudgePanel([])
    with pytest.raises(ValueError, match="majority, mean"):
        JudgePanel([Judge("a", True)], "vote")
