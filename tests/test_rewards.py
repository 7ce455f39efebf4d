"""The reward schemes, played through the env, and the exploits a policy would try on them."""

from __future__ import annotations

import gymnasium as gym
import pytest

import agentclinic  # noqa: F401 - registers the env
from agentclinic.rewards import TERMS, Shaping, reward_scheme, trajectory_terms


def shaped(mini_pack, **kwargs):
    return gym.make("agentclinic/Clinic-v0", scenarios=mini_pack, db=None, reward="shaped", **kwargs)


def play(env, actions, seed=0):
    env.reset(seed=seed)
    steps = []
    for action in actions:
        observation, reward, terminated, truncated, info = env.step(action)
        steps.append((reward, info))
        if terminated or truncated:
            break
    return steps


def diagnosis_of(env) -> str:
    return env.unwrapped.episode.scenario.diagnosis.name


def test_every_step_reports_its_terms_and_the_reward_is_their_sum(mini_pack):
    env = shaped(mini_pack)
    env.reset(seed=1)
    for action in ("What brings you in?", "REQUEST TEST: complete blood count", "not an action {"):
        _, reward, _, _, info = env.step(action)
        assert set(info["reward_terms"]) == set(TERMS)
        assert reward == pytest.approx(sum(info["reward_terms"].values()))


def test_a_correct_diagnosis_pays_the_verdict_on_top_of_the_step_terms(mini_pack):
    env = shaped(mini_pack)
    env.reset(seed=1)
    env.step("What brings you in?")
    _, reward, terminated, _, info = env.step(f"DIAGNOSIS READY: {diagnosis_of(env)}")
    assert terminated and info["correct"]
    assert info["reward_terms"]["terminal"] == 1.0
    assert reward == pytest.approx(1.0 + sum(v for k, v in info["reward_terms"].items() if k != "terminal"))


def test_a_list_of_diagnoses_earns_no_terminal_reward(mini_pack):
    env = shaped(mini_pack)
    env.reset(seed=1)
    answer = diagnosis_of(env)
    _, _, terminated, _, info = env.step(f"DIAGNOSIS READY: pneumonia, {answer}, sepsis, gout or migraine")
    assert terminated and info["reward_terms"]["terminal"] == 0.0


def test_invalid_and_repeated_actions_are_penalised(mini_pack):
    env = shaped(mini_pack)
    env.reset(seed=1)
    _, _, _, _, first = env.step("Do you smoke?")
    _, _, _, _, again = env.step("Do you smoke?")
    _, _, _, _, invalid = env.step('{"name": "order_pizza", "arguments": {}}')
    assert first["reward_terms"]["repeat"] == 0.0 and again["reward_terms"]["repeat"] < 0
    assert invalid["reward_terms"]["invalid"] < 0


def test_stalling_until_the_budget_runs_out_earns_less_than_nothing(mini_pack):
    """Exploit: farm the information term by asking forever, never committing."""
    env = shaped(mini_pack, max_turns=12)
    questions = ["What brings you in?", "When did it start?", "Any medicines?", "Any allergies?",
                 "Family history?", "Do you smoke?", "Any fever?", "Any pain?", "Any cough?",
                 "Any weight loss?", "Anything else?", "Tell me more."]
    steps = play(env, questions, seed=2)
    total = sum(reward for reward, _ in steps)
    information = sum(info["reward_terms"]["information"] for _, info in steps)
    assert steps[-1][1]["verdict"] == "none"
    assert information <= Shaping().information + 1e-9
    assert total < 0.25  # far below the 1.0 of a correct diagnosis
    env.reset(seed=2)
    _, reward, *_ = env.step(f"DIAGNOSIS READY: {diagnosis_of(env)}")
    assert reward > total + 0.5


def test_the_information_term_pays_each_fact_once(mini_pack):
    env = shaped(mini_pack, max_turns=30)
    steps = play(env, ["What brings you in?"] * 6 + ["Tell me everything."] * 6, seed=3)
    information = [info["reward_terms"]["information"] for _, info in steps]
    assert sum(information) <= Shaping().information + 1e-9
    assert all(value >= 0 for value in information)


def test_terms_recomputed_from_the_transcript_match_the_env(mini_pack):
    env = shaped(mini_pack)
    steps = play(env, ["What brings you in?", "REQUEST TEST: complete blood count", "Do you smoke?",
                       "Do you smoke?", "DIAGNOSIS READY: gout"], seed=4)
    episode = env.unwrapped.episode
    replayed = trajectory_terms(episode.records, episode.scenario.key_facts, episode.correct, Shaping())
    assert replayed == [info["reward_terms"] for _, info in steps]


def test_the_terminal_scheme_pays_only_at_the_end(mini_pack):
    env = gym.make("agentclinic/Clinic-v0", scenarios=mini_pack, db=None)
    steps = play(env, ["What brings you in?", "DIAGNOSIS READY: gout"], seed=4)
    assert steps[0][0] == 0.0 and all(v == 0.0 for v in steps[0][1]["reward_terms"].values())
    episode = env.unwrapped.episode
    assert trajectory_terms(episode.records, episode.scenario.key_facts, episode.correct, None) == [info["reward_terms"] for _, info in steps]


@pytest.mark.parametrize("bad", ["dense", "", None])
def test_an_unknown_reward_scheme_is_a_clear_error(bad):
    with pytest.raises(ValueError, match="reward must be one of terminal, shaped"):
        reward_scheme(bad)


def test_negative_weights_are_refused():
    with pytest.raises(ValueError, match="Shaping.question_fee must be a number ≥ 0"):
        Shaping(question_fee=-1)


def test_the_right_answer_hidden_in_a_tool_calls_differential_earns_nothing(mini_pack):
    """Exploit: commit to anything and list the real candidates as the 'differential'."""
    env = shaped(mini_pack)
    env.reset(seed=1)
    others = [s.diagnosis.name for s in mini_pack.scenarios]
    _, reward, terminated, _, info = env.step({"name": "diagnose", "arguments": {
        "diagnosis": "viral syndrome", "differential": others, "confidence": 1.0}})
    assert terminated and not info["correct"] and info["reward_terms"]["terminal"] == 0.0
    assert reward <= 0.0


def test_words_the_doctor_puts_in_an_echoing_reply_earn_no_information(core_pack):
    """Exploit: name a key fact as an 'exam system' or an unknown test; the measurement reply
    repeats the name ("<system> examination: no abnormality found"), which once paid as if the
    fact had surfaced."""
    env = shaped(core_pack)
    echoes = 0
    for seed in range(6):
        env.reset(seed=seed)
        facts = env.unwrapped.episode.scenario.key_facts
        for fact in facts[:3]:
            for action in ({"name": "examine", "arguments": {"system": fact[:60]}},
                           {"name": "request_test", "arguments": {"name": f"{fact[:100]} panel"}}):
                _, _, terminated, truncated, info = env.step(action)
                if info["provenance"] != "case":  # a real finding of the case may still inform
                    echoes += 1
                    assert info["reward_terms"]["information"] == 0.0, (fact, info)
    assert echoes >= 20


def test_results_drawn_from_the_case_still_inform(core_pack):
    env = shaped(core_pack)
    env.reset(seed=0, options={"scenario_id": "cardiology-001"})
    earned = 0.0
    for action in ("What brings you in?", "Tell me about the pain.", "PHYSICAL EXAM", "REQUEST TEST: ECG",
                   "REQUEST TEST: troponin"):
        earned += env.step(action)[4]["reward_terms"]["information"]
    assert earned > 0.0
