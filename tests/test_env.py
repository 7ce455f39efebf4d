"""The Gymnasium environment, checked with Gymnasium's own checker."""

import asyncio
import sqlite3
import warnings

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import agentclinic
from agentclinic.env import ClinicEnv
from agentclinic.episode import EpisodeFinished


@pytest.fixture()
def env(mini_pack):
    env = gym.make(agentclinic.ENV_ID, scenarios=mini_pack, max_turns=4, db=None)
    yield env
    env.close()


def test_registered_and_passes_check_env(mini_pack):
    env = gym.make(agentclinic.ENV_ID, scenarios=mini_pack, max_turns=4, db=None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any checker warning fails the test
        check_env(env.unwrapped, skip_render_check=True)
    env.close()


def test_observation_layout(env):
    obs, info = env.reset(seed=0)
    assert env.observation_space.contains(obs)
    assert set(obs) == {"text", "speaker", "turn", "remaining", "cost_usd", "images"}
    assert obs["remaining"] == 4 and obs["turn"] == 0 and obs["images"] == ()
    assert info["scenario_id"] in {"test-001", "test-002"}


def test_any_unicode_text_is_in_the_spaces(env):
    sentence = "Any fever? Température ≥ 38 °C — ça va?"
    assert env.action_space.contains(sentence)
    assert env.observation_space["text"].contains(sentence)
    assert not env.action_space.contains("")


def test_correct_diagnosis_rewards_one(env):
    env.reset(seed=1, options={"scenario_id": "test-001"})
    obs, reward, terminated, truncated, info = env.step("What brings you in?")
    assert obs["speaker"] == 1 and "cough" in obs["text"] and reward == 0.0
    obs, reward, terminated, truncated, info = env.step("REQUEST TEST: CXR")
    assert info["provenance"] == "case" and info["action"] == "request_test"
    obs, reward, terminated, truncated, info = env.step("DIAGNOSIS READY: Community-acquired pneumonia")
    assert (reward, terminated, truncated) == (1.0, True, False)
    assert info["correct"] and info["verdict"] == "exact"
    assert info["metrics"]["questions"] == 1 and info["metrics"]["tests_ordered"] == 1
    assert 1 <= info["survey"]["confidence"]["score"] <= 10 and info["survey"]["heuristic"]
    with pytest.raises(EpisodeFinished):
        env.step("again")


def test_survey_can_be_switched_off(mini_pack):
    env = gym.make(agentclinic.ENV_ID, scenarios=mini_pack, db=None, survey=False)
    env.reset(seed=1)
    *_, info = env.step("DIAGNOSIS READY: influenza")
    assert info["survey"] is None and info["metrics"]["premature_closure"]
    env.close()


def test_budget_runs_out_truncated(env):
    env.reset(seed=2)
    for turn in range(3):
        obs, reward, terminated, truncated, _ = env.step(f"Question {turn}?")
        assert not (terminated or truncated)
    assert "final question" in obs["text"]
    obs, reward, terminated, truncated, info = env.step("One more question?")
    assert (reward, terminated, truncated) == (0.0, False, True) and info["correct"] is False


def test_cost_shaped_reward(mini_pack):
    env = gym.make(agentclinic.ENV_ID, scenarios=mini_pack, db=None, cost_weight=1.0)
    env.reset(seed=0, options={"scenario_id": "test-001"})
    env.step("REQUEST TEST: Cardiac enzymes")  # $99 override
    _, reward, *_ = env.step("DIAGNOSIS READY: CAP")
    assert reward == pytest.approx(1.0 - 99 / 1000)
    env.close()


def test_reset_seed_picks_cases_reproducibly(mini_pack):
    env = gym.make(agentclinic.ENV_ID, scenarios=mini_pack, db=None)
    picks = [env.reset(seed=s)[1]["scenario_id"] for s in range(12)]
    assert picks == [env.reset(seed=s)[1]["scenario_id"] for s in range(12)]
    assert len(set(picks)) == 2
    env.close()


def test_step_works_inside_a_running_event_loop(env):
    async def notebook_cell():
        env.reset(seed=0)
        return env.step("What brings you in?")

    obs, *_ = asyncio.run(notebook_cell())
    assert obs["speaker"] == 1


def test_non_text_action_is_a_clear_error(env):
    env.reset(seed=0)
    with pytest.raises(TypeError, match=r"must be the doctor.s utterance \(str\) or a tool call \(dict\), got int"):
        env.unwrapped.step(3)


def test_images_arrive_as_rgb_arrays(core_pack):
    with_images = next(s for s in core_pack.scenarios if s.images)
    env = ClinicEnv(scenarios=core_pack, db=None)
    env.reset(seed=0, options={"scenario_id": with_images.id})
    obs, *_ = env.step("REQUEST IMAGES")
    assert obs["images"] and all(img.dtype == np.uint8 and img.shape[2] == 3 for img in obs["images"])
    assert env.observation_space.contains(obs)
    caption = with_images.images[0].caption or "\u0000"
    assert caption not in obs["text"]
    env.close()


def test_env_episodes_are_logged(mini_pack, db_url):
    env = gym.make(agentclinic.ENV_ID, scenarios=mini_pack, db=db_url)
    env.reset(seed=0, options={"scenario_id": "test-001"})
    env.step("DIAGNOSIS READY: CAP")
    env.reset(seed=1)
    env.step("Hello?")
    env.close()  # the unfinished second episode is recorded as abandoned
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as con:
        assert con.execute("SELECT source, status FROM run").fetchall() == [("env", "completed")]
        rows = con.execute("SELECT status, correct FROM episode ORDER BY id").fetchall()
        assert rows == [("completed", 1), ("abandoned", None)]


def test_render_ansi_is_the_transcript(mini_pack):
    env = gym.make(agentclinic.ENV_ID, scenarios=mini_pack, db=None, render_mode="ansi")
    env.reset(seed=0)
    env.step("Any cough?")
    text = env.render()
    assert "[doctor] Any cough?" in text and "[patient]" in text
    env.close()


def test_the_default_env_with_logging_passes_check_env(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the default log, runs/agentclinic.db, lands here
    env = gym.make(agentclinic.ENV_ID)
    check_env(env.unwrapped, skip_render_check=True)
    assert isinstance(env.unwrapped.episode_id, int)  # the log's id is an attribute, not in info
    env.close()


def test_identical_seeds_give_identical_infos_with_logging_on(mini_pack, db_url):
    def play(seed: int) -> list:
        env = gym.make(agentclinic.ENV_ID, scenarios=mini_pack, db=db_url)
        infos = [env.reset(seed=seed)[1]]
        for action in ("What brings you in?", "REQUEST TEST: CBC", "DIAGNOSIS READY: Gout"):
            infos.append(env.step(action)[4])
        env.close()
        return infos

    assert play(5) == play(5)


def test_tools_and_instructions_come_with_reset(env):
    from agentclinic.agents.llm_roles import LLMDoctor
    from agentclinic.prompting import load_prompts
    from agentclinic.tools import doctor_tools

    _, info = env.reset(seed=0)
    assert info["tools"] == doctor_tools() == env.unwrapped.tools
    assert info["instructions"] == env.unwrapped.instructions
    assert "DIAGNOSIS READY" in info["instructions"] and "4 turns" in info["instructions"]

    class SeeingClient:
        vision = True

    doctor = LLMDoctor(env.unwrapped.episode.brief, 0, SeeingClient(), load_prompts())
    assert doctor.messages[0].text == info["instructions"]  # what a model doctor is told


def test_a_tool_call_is_an_action(env):
    env.reset(seed=0, options={"scenario_id": "test-001"})
    _, _, _, _, info = env.step({"name": "request_test", "arguments": {"name": "CBC"}})
    assert info["action"] == "request_test"
    _, reward, terminated, _, info = env.step(
        {"type": "function", "function": {"name": "diagnose", "arguments": '{"diagnosis": "CAP"}'}})
    assert terminated and info["action"] == "diagnose"
