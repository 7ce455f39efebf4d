"""The env as agent and RL frameworks use it: copies, async vector envs, outer time limits,
the async API and the batched rollout helper."""

from __future__ import annotations

import asyncio
import copy
import pickle
import sqlite3

import gymnasium as gym
import numpy as np
import pytest
from stub_server import StubServer

import agentclinic
from agentclinic.gymenv.rollouts import rollouts, run_rollouts

QUESTIONS = ("What brings you in?", "How long has this been going on?", "REQUEST TEST: complete blood count",
             "Any fever?", "REQUEST IMAGES", "Do you smoke?")


def rows(db_url: str, sql: str) -> list[tuple]:
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as connection:
        return connection.execute(sql).fetchall()


def texts(env, actions) -> list[str]:
    return [env.step(action)[0]["text"] for action in actions]


@pytest.mark.parametrize("clone", [copy.deepcopy, lambda env: pickle.loads(pickle.dumps(env))],
                         ids=["deepcopy", "pickle"])
def test_a_copy_mid_episode_has_the_same_future_and_its_own_state(core_pack, db_url, clone):
    env = gym.make(agentclinic.ENV_ID, scenarios=core_pack, db=db_url)
    env.reset(seed=11)
    env.step(QUESTIONS[0])
    twin = clone(env)
    assert texts(twin, QUESTIONS[1:]) == texts(env, QUESTIONS[1:])
    assert twin.unwrapped.episode is not env.unwrapped.episode
    assert len(twin.unwrapped.episode.records) == len(env.unwrapped.episode.records)
    twin.step("Any allergies?")  # the copy goes on alone
    assert len(twin.unwrapped.episode.records) == len(env.unwrapped.episode.records) + 2
    # The original's episode row has the original's turns only; the branch is not logged.
    episode_id = env.unwrapped.episode_id
    assert twin.unwrapped.episode_id is None
    assert rows(db_url, f"select count(*) from turn where episode_id = {episode_id}")[0][0] == \
        len(env.unwrapped.episode.records)
    # After a reset the copy logs again, into the same run.
    twin.reset(seed=12)
    assert twin.unwrapped.episode_id is not None
    twin.close()
    env.close()
    assert rows(db_url, "select count(distinct run_id), count(*) from episode") == [(1, 2)]
    assert rows(db_url, "select status from run") == [("completed",)]


def test_a_copy_with_model_roles_opens_its_own_connections(core_pack):
    with StubServer(reply=lambda body: "It started two days ago.") as server:
        env = gym.make(agentclinic.ENV_ID, scenarios=core_pack, db=None, patient="openai:stub",
                       base_url=server.url, survey=False)
        env.reset(seed=1)
        env.step(QUESTIONS[0])
        twin = pickle.loads(pickle.dumps(env))
        assert twin.step(QUESTIONS[1])[0]["text"] == env.step(QUESTIONS[1])[0]["text"] == "It started two days ago."
        client = twin.unwrapped.roles.patient.args[0]
        assert client.backend is not env.unwrapped.roles.patient.args[0].backend
        twin.close()
        env.close()
    assert len(server.requests) == 3


def _step_all(venv, actions):
    observation, reward, terminated, truncated, info = venv.step(actions)
    return observation, reward, terminated, truncated


def test_async_vector_env_works_with_default_arguments(core_pack):
    image_case = next(s.id for s in core_pack.scenarios if s.images)
    kwargs = {"scenarios": core_pack, "db": None, "max_turns": 3}
    sync = gym.make_vec(agentclinic.ENV_ID, num_envs=2, vectorization_mode="sync", **kwargs)
    asynchronous = gym.make_vec(agentclinic.ENV_ID, num_envs=2, vectorization_mode="async", **kwargs)
    try:
        options = {"scenario_id": image_case}
        first = [venv.reset(seed=4, options=options)[0] for venv in (sync, asynchronous)]
        assert first[0]["text"] == first[1]["text"]
        for actions in (["What brings you in?", "REQUEST IMAGES"], ["REQUEST IMAGES", "Any pain?"]):
            got_sync, got_async = (_step_all(venv, actions) for venv in (sync, asynchronous))
            assert got_async[0]["text"] == got_sync[0]["text"]
            assert isinstance(got_async[0]["text"], tuple)  # a plain tuple, as a sync vector env gives
            for images_sync, images_async in zip(got_sync[0]["images"], got_async[0]["images"]):
                assert len(images_sync) == len(images_async)
                assert all(np.array_equal(a, b) for a, b in zip(images_sync, images_async))
            assert any(len(images) for images in got_async[0]["images"]) or actions[0] != "REQUEST IMAGES"
            np.testing.assert_array_equal(got_async[1], got_sync[1])
    finally:
        sync.close()
        asynchronous.close()


def test_an_outer_time_limit_is_judged_and_logged_as_truncated(mini_pack, db_url):
    env = gym.make(agentclinic.ENV_ID, scenarios=mini_pack, db=db_url, max_turns=10, max_episode_steps=2)
    env.reset(seed=1)
    assert env.step("What brings you in?")[3] is False
    _, reward, terminated, truncated, info = env.step("Any fever?")
    assert truncated and not terminated and reward == 0.0
    assert info["verdict"] == "none" and info["correct"] is False
    assert info["metrics"]["turns"] == 2
    env.close()
    assert rows(db_url, "select status, truncated, turns, verdict from episode") == [("completed", 1, 2, "none")]


def test_a_manual_time_limit_wrapper_counts_too(mini_pack):
    env = gym.wrappers.TimeLimit(agentclinic.env.ClinicEnv(scenarios=mini_pack, db=None, max_turns=10), 1)
    env.reset(seed=1)
    _, _, terminated, truncated, info = env.step("Hello?")
    assert truncated and info["verdict"] == "none"
    env.reset(seed=1)  # the limit counts per episode
    assert env.step("Hello?")[3]
    env.close()


def test_astep_runs_many_envs_on_one_loop_with_the_same_results_as_step(core_pack):
    def sequence(env):
        env.reset(seed=21)
        return texts(env, QUESTIONS[:4])

    expected = sequence(gym.make(agentclinic.ENV_ID, scenarios=core_pack, db=None))

    async def main():
        envs = [gym.make(agentclinic.ENV_ID, scenarios=core_pack, db=None).unwrapped for _ in range(3)]

        async def play(env):
            await env.areset(seed=21)
            return [(await env.astep(action))[0]["text"] for action in QUESTIONS[:4]]

        results = await asyncio.gather(*(play(env) for env in envs))
        for env in envs:
            env.close()
        return results

    assert asyncio.run(main()) == [expected] * 3


def _policy(observation, info):
    turn = observation["turn"]
    return QUESTIONS[turn] if turn < 3 else {"name": "diagnose", "arguments": {"diagnosis": "gout"}}


def test_rollouts_are_the_same_at_any_concurrency(core_pack):
    one = run_rollouts(_policy, 6, concurrency=1, seed=7, scenarios=core_pack, db=None, reward="shaped")
    many = run_rollouts(_policy, 6, concurrency=4, seed=7, scenarios=core_pack, db=None, reward="shaped")
    summary = [[(r.scenario_id, r.actions, r.rewards, r.terminated, r.info["verdict"]) for r in runs]
               for runs in (one, many)]
    assert summary[0] == summary[1]
    assert [r.index for r in many] == list(range(6)) and all(r.terminated for r in many)


def test_rollouts_with_an_async_policy_keep_requests_in_flight_and_log_one_run(core_pack, db_url):
    with StubServer(schedule=["slow:0.3"] * 8) as server:
        from openai import AsyncOpenAI

        client = AsyncOpenAI(base_url=server.url, api_key="x")

        async def policy(observation, info):
            if observation["turn"] >= 1:
                return "DIAGNOSIS READY: gout"
            reply = await client.chat.completions.create(model="stub", messages=[
                {"role": "user", "content": observation["text"]}])
            return reply.choices[0].message.content

        results = asyncio.run(rollouts(policy, 8, concurrency=8, scenarios=core_pack, db=db_url))
    assert len(results) == 8 and server.peak >= 4
    assert rows(db_url, "select count(distinct run_id), count(*), sum(status = 'completed') from episode") == \
        [(1, 8, 8)]


def test_rollouts_can_hand_the_policy_the_conversation_as_chat_messages(core_pack):
    seen = []

    def policy(messages, info):
        seen.append(messages)
        return "Any fever?" if len(messages) < 4 else {"name": "diagnose", "arguments": {"diagnosis": "gout"}}

    [rollout] = run_rollouts(policy, 1, chat=True, scenarios=core_pack, db=None)
    assert [m["role"] for m in seen[0]] == ["system", "user"]
    assert [m["role"] for m in seen[1]] == ["system", "user", "assistant", "user"]
    assert rollout.messages[-2]["tool_calls"][0]["function"]["name"] == "diagnose"
    assert rollout.messages[-1]["role"] == "tool"


def test_a_failing_policy_stops_every_worker_and_its_error_comes_through(core_pack, db_url):
    calls = []

    async def policy(observation, info):
        calls.append(info)
        assert "scenario_id" not in info  # the case id would stand in for a history
        await asyncio.sleep(0.01)
        if len(calls) == 5:
            raise RuntimeError("policy broke")
        return "Any fever?"

    with pytest.raises(RuntimeError, match="policy broke"):
        asyncio.run(rollouts(policy, 8, concurrency=4, scenarios=core_pack, db=db_url))
    # Every episode that was running is closed (abandoned), none is left running.
    assert rows(db_url, "select count(*) from episode where status = 'running'") == [(0,)]
