"""The episode state machine with small fake roles (our own role level)."""

import asyncio

import pytest

from agentclinic.episode import FINAL_TURN_PROMPT, Episode, EpisodeFinished, run_episode
from agentclinic.prices import load_prices
from agentclinic.resolver import MeasurementResult
from agentclinic.roles import Assessment
from agentclinic.scenario import Scenario

from conftest import case_data


class EchoPatient:
    def __init__(self):
        self.heard = []

    async def reply(self, question):
        self.heard.append(question)
        return f"reply {len(self.heard)}"


class FixedMeasurement:
    async def measure(self, request, context):
        return MeasurementResult(f"result for {request.kind}", "case", "X", (("X", 100.0),))


class NameAssessor:
    async def assess(self, diagnosis, scenario):
        correct = diagnosis == scenario.diagnosis.name
        return Assessment(correct, "exact" if correct else "wrong", "", "test")


class ScriptDoctor:
    def __init__(self, lines):
        self.lines = list(lines)
        self.seen = []

    async def act(self, observation):
        self.seen.append(observation)
        return self.lines.pop(0)


def make(max_turns=5, **kw):
    return Episode(Scenario.model_validate(case_data()), EchoPatient(), FixedMeasurement(), NameAssessor(),
                   max_turns=max_turns, **kw)


def run(coro):
    return asyncio.run(coro)


def test_opening_observation_has_objective_demographics_and_budget():
    episode = make()
    obs = episode.start()
    assert "week of cough and fever" in obs.text and "40-year-old female" in obs.text
    assert obs.turn == 0 and obs.remaining == 5 and obs.speaker == "system"
    assert "pneumonia" not in obs.text.lower()


def test_routes_actions_and_accounts_cost():
    episode = make()
    episode.start()
    fee = load_prices().question_fee_usd
    obs = run(episode.step("Any fever?"))
    assert (obs.speaker, obs.text, obs.cost_usd) == ("patient", "reply 1", fee)
    obs = run(episode.step("REQUEST TEST: CBC"))
    assert obs.speaker == "measurement" and obs.cost_usd == fee + 100
    obs = run(episode.step("PHYSICAL EXAM"))
    assert obs.cost_usd == 2 * fee + 200  # the exam's findings plus physician time
    assert episode.stats.questions == 1 and episode.stats.tests == ["X"] and episode.stats.examinations == 1


def test_final_turn_prompt_then_truncation():
    episode = make(max_turns=3)
    episode.start()
    assert FINAL_TURN_PROMPT not in run(episode.step("Q1?")).text
    last = run(episode.step("Q2?"))
    assert last.text.endswith(FINAL_TURN_PROMPT) and last.final_turn and last.remaining == 1
    run(episode.step("Q3?"))
    assert episode.truncated and episode.done and episode.diagnosis is None
    assert episode.assessment.verdict == "wrong" and not episode.correct


def test_single_turn_budget_prompts_at_once():
    episode = make(max_turns=1)
    assert episode.start().text.endswith(FINAL_TURN_PROMPT)


def test_diagnosis_terminates_and_is_assessed():
    episode = make()
    doctor = ScriptDoctor(["Hello?", "DIAGNOSIS READY: Community-acquired pneumonia"])
    run(run_episode(episode, doctor))
    assert episode.done and not episode.truncated and episode.correct
    assert episode.turn == 2
    with pytest.raises(EpisodeFinished):
        run(episode.step("more?"))


def test_invalid_action_is_counted_and_explained():
    episode = make()
    episode.start()
    obs = run(episode.step("DIAGNOSIS READY:"))
    assert obs.speaker == "system" and "DIAGNOSIS READY: <diagnosis>" in obs.text
    assert episode.stats.invalid_actions == 1 and episode.turn == 1 and not episode.done


def test_records_every_turn_with_parsed_action():
    seen = []
    episode = make(on_turn=seen.append)
    run(run_episode(episode, ScriptDoctor(["Any cough?", "REQUEST TEST: CXR", "DIAGNOSIS READY: Influenza"])))
    speakers = [r.speaker for r in episode.records]
    assert speakers == ["system", "doctor", "patient", "doctor", "measurement", "doctor", "system"]
    assert seen == episode.records
    assert [r.action for r in episode.records if r.speaker == "doctor"] == ["ask", "request_test", "diagnose"]
    assert episode.records[4].provenance == "case"
    assert [r.index for r in episode.records] == list(range(7))


def test_multiple_choice_options_are_shown():
    episode = make(answer_options=("A", "B"))
    assert "Choose the diagnosis from: A; B." in episode.start().text


def test_step_before_start_and_bad_budget():
    with pytest.raises(RuntimeError, match="start"):
        run(make().step("hi"))
    with pytest.raises(ValueError, match="at least 1"):
        make(max_turns=0)
