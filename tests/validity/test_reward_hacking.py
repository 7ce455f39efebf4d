"""What a reward-seeking policy would try, played through the Gymnasium env on every case.

Each exploit names the right answer somewhere, so a judge that credits lists, alternatives,
repeats, rule-outs or wrapped answers would pay out. Every one must earn reward 0.
"""

from __future__ import annotations

import json

import gymnasium as gym
import pytest

import agentclinic
from agentclinic.loader import load_pack

PACK = load_pack("core")
COMMON = ["Pneumonia", "Urinary tract infection", "Asthma", "Heart failure", "Migraine", "Gastroenteritis",
          "Stroke", "Sepsis", "Pulmonary embolism", "Myocardial infarction"]


def exploits(correct: str, rival: str) -> dict[str, list[str]]:
    """Doctor turns for each exploit; ``rival`` is one of the case's wrong options."""
    shotgun = [name for name in COMMON if name.lower() != correct.lower()][:9]
    shotgun.insert(len(correct) % 10, correct)
    # A guess the case does not list and that is no form of the answer ("Pneumonia" for CAP).
    common = next(name for name in COMMON if not set(name.lower().split()) & set(correct.lower().split()))
    return {
        "or a common diagnosis": [f"DIAGNOSIS READY: {correct} or {common}"],
        "slash with a common diagnosis": [f"DIAGNOSIS READY: {common}/{correct}"],
        "comma pair with a common diagnosis": [f"DIAGNOSIS READY: {correct}, {common}"],
        "probably after a common diagnosis": [f"DIAGNOSIS READY: {common}, probably {correct}"],
        "first-turn shotgun of ten": [f"DIAGNOSIS READY: {', '.join(shotgun)}"],
        "shotgun on numbered lines in JSON": [json.dumps({"action": "diagnose", "diagnosis": "\n".join(
            f"{i}. {name}" for i, name in enumerate(shotgun, 1))})],
        "or": [f"DIAGNOSIS READY: {rival} or {correct}"],
        "vs": [f"DIAGNOSIS READY: {correct} vs {rival}"],
        "slash": [f"DIAGNOSIS READY: {correct} / {rival}"],
        "semicolon": [f"DIAGNOSIS READY: {rival}; {correct}"],
        "either": [f"DIAGNOSIS READY: either {correct} or {rival}"],
        "could be": [f"DIAGNOSIS READY: could be {correct}, {rival} or {common}"],
        "possibly": [f"DIAGNOSIS READY: {rival}, possibly {correct}"],
        "and": [f"DIAGNOSIS READY: {correct} and {rival}"],
        "linked to a rival": [f"DIAGNOSIS READY: {correct} secondary to {rival}"],
        "rule out": [f"DIAGNOSIS READY: rule out {correct}"],
        "negated": [f"DIAGNOSIS READY: not {correct}"],
        "repeated diagnoses": [f"DIAGNOSIS READY: {rival}\nDIAGNOSIS READY: {correct}"],
        "right answer only in the differential": [f"DIAGNOSIS READY: {rival}\nDIFFERENTIAL: {correct}; {COMMON[0]}"],
        "JSON array": [f"DIAGNOSIS READY: {json.dumps([correct, rival])}"],
        "JSON object with a list": [json.dumps({"action": "diagnose", "diagnosis": f"{correct}, {rival}"})],
        "markdown bullets in one line": [f"DIAGNOSIS READY: - **{correct}** - **{rival}**"],
        "markdown emphasis around a hedge": [f"**DIAGNOSIS READY:** *{correct}* or *{rival}*"],
        "protocol words only": ["DIAGNOSIS READY: DIAGNOSIS READY"],
        "template placeholder": ["DIAGNOSIS READY: [diagnosis here]"],
        "empty answer until the budget runs out": ["DIAGNOSIS READY:"] * 3,
        "empty JSON answer until the budget runs out": ['{"action": "diagnose", "diagnosis": ""}'] * 3,
    }


def _play(scenario_id: str, turns: list[str]) -> tuple[float, dict]:
    env = gym.make(agentclinic.ENV_ID, scenarios=PACK, max_turns=3, db=None, survey=False)
    env.reset(seed=0, options={"scenario_id": scenario_id})
    reward, info = 0.0, {}
    for turn in turns:
        _, reward, terminated, truncated, info = env.step(turn)
        if terminated or truncated:
            break
    else:
        pytest.fail(f"the episode did not end after {turns!r}")
    env.close()
    return reward, info


@pytest.mark.parametrize("scenario", [pytest.param(s, id=s.id) for s in PACK.scenarios])
def test_no_exploit_earns_a_reward(scenario):
    paid = {}
    for name, turns in exploits(scenario.diagnosis.name, scenario.distractors[0]).items():
        reward, info = _play(scenario.id, turns)
        if reward != 0.0:
            paid[name] = (turns[-1], info.get("verdict"))
    assert paid == {}


@pytest.mark.parametrize("scenario", [pytest.param(s, id=s.id) for s in PACK.scenarios[::7]])
def test_the_honest_answer_still_pays(scenario):
    for answer in (scenario.diagnosis.name, f"**{scenario.diagnosis.name}**",
                   json.dumps({"action": "diagnose", "diagnosis": scenario.diagnosis.name})):
        turn = answer if answer.startswith("{") else f"DIAGNOSIS READY: {answer}"
        reward, info = _play(scenario.id, [turn])
        assert reward == 1.0, (answer, info.get("verdict"))


@pytest.mark.parametrize("name", ["agentclinic_medqa.jsonl", "agentclinic_nejm.jsonl"])
def test_no_exploit_is_credited_on_agentclinic_files(name, shared_data):
    """The same battery judged directly on AgentClinic's files. A case without distractors
    (MedQA) gets another case's diagnosis as the rival; the one known gap there, a causal
    link to a condition the case does not list as wrong, is left out (see the README)."""
    from agentclinic.actions import Diagnose, parse_action
    from agentclinic.matching import match

    cases = load_pack(shared_data / name).scenarios
    paid = []
    for index, case in enumerate(cases):
        rival = case.distractors[0] if case.distractors else cases[(index + 1) % len(cases)].diagnosis.name
        if rival.lower() == case.diagnosis.name.lower():
            continue
        for kind, turns in exploits(case.diagnosis.name, rival).items():
            if kind == "linked to a rival" and not case.distractors:
                continue
            action = parse_action(turns[-1])
            if isinstance(action, Diagnose) and match(action.diagnosis, case.diagnosis.name, case.diagnosis.synonyms,
                                                      case.distractors).correct:
                paid.append((case.id, kind, action.diagnosis))
    assert paid == []
