"""Many episodes at once on one event loop, with a policy callable.

``await rollouts(policy, episodes=64, concurrency=16, scenarios="core")`` plays 64 episodes,
16 in flight, each with its own copy of the env driven through ``areset``/``astep``; a policy
that awaits a model server keeps 16 requests in flight. ``policy(observation, info)`` returns
the next action (text or a tool call) or an awaitable of it; ``info`` is the reset info
(instructions, tools) on the first call of an episode and the last step's info after, less
the case id (it is in the :class:`Rollout`). With
``chat=True`` the observation is the conversation so far as chat messages.

Episode ``i`` is reset with ``seed + i`` whatever the concurrency, so the results are the same
for any ``concurrency`` when the policy is deterministic. With logging on, every episode goes
into one run of the log.
"""

from __future__ import annotations

import asyncio
import copy
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from ..chat import action_message
from ..wrappers import observation_messages

Policy = Callable[[dict[str, Any], dict[str, Any]], "str | dict | list | Awaitable[str | dict | list]"]


@dataclass
class Rollout:
    """One finished episode: what the policy did and what it earned."""

    index: int
    seed: int
    scenario_id: str
    actions: list[Any] = field(default_factory=list)
    rewards: list[float] = field(default_factory=list)
    terminated: bool = False
    truncated: bool = False
    info: dict[str, Any] = field(default_factory=dict)  # the last step's (verdict, metrics, reward terms)
    messages: list[dict[str, Any]] = field(default_factory=list)  # the episode as chat messages

    @property
    def total_reward(self) -> float:
        return sum(self.rewards)

    @property
    def correct(self) -> bool:
        return bool(self.info.get("correct"))


async def _decide(policy: Policy, observation: dict[str, Any], info: dict[str, Any]) -> Any:
    action = policy(observation, info)
    return await action if inspect.isawaitable(action) else action


async def _play(env: Any, policy: Policy, index: int, seed: int, max_steps: int, chat: bool) -> Rollout:
    observation, info = await env.areset(seed=seed)
    rollout = Rollout(index, seed, info["scenario_id"])
    messages = [{"role": "system", "content": info["instructions"]}, *observation_messages(observation, None)]
    for _ in range(max_steps):
        # The case id stays out of the policy's view: over many epochs it would stand in for a history.
        seen = {key: value for key, value in info.items() if key != "scenario_id"}
        action = await _decide(policy, list(messages) if chat else observation, seen)
        message, call = action_message(action, len(messages))
        observation, reward, terminated, truncated, info = await env.astep(action)
        messages += [message, *observation_messages(observation, call)]
        rollout.actions.append(action)
        rollout.rewards.append(float(reward))
        if terminated or truncated:
            rollout.terminated, rollout.truncated = terminated, truncated
            break
    rollout.info = info
    rollout.messages = messages
    return rollout


async def rollouts(policy: Policy, episodes: int, *, concurrency: int = 8, seed: int = 0, chat: bool = False,
                   env: Any = None, **env_kwargs: Any) -> list[Rollout]:
    """Play ``episodes`` episodes, ``concurrency`` at a time, in episode order.

    With ``chat`` the policy gets the conversation so far as chat messages (as
    :class:`agentclinic.wrappers.ChatObservation` gives them) instead of the env's observation;
    every :class:`Rollout` keeps its conversation in ``messages`` either way.

    ``env`` is a :class:`~agentclinic.env.ClinicEnv` to copy (else one is made from
    ``env_kwargs``, e.g. ``scenarios="core", reward="shaped", db=None``)."""
    if episodes < 0 or concurrency < 1:
        raise ValueError(f"episodes must be ≥ 0 and concurrency ≥ 1, got {episodes} and {concurrency}")
    from ..env import ClinicEnv

    first = env if env is not None else ClinicEnv(**env_kwargs)
    first.start_run()  # before copying, so that every copy logs into this run
    envs = [first] + [copy.deepcopy(first) for _ in range(min(concurrency, episodes) - 1)]
    results: list[Rollout] = []
    pending = iter(range(episodes))

    async def worker(own: Any) -> None:
        for index in pending:  # a shared iterator: each index is taken by one worker
            results.append(await _play(own, policy, index, seed + index, own.max_turns + 1, chat))

    tasks = [asyncio.ensure_future(worker(own)) for own in envs]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        # One worker failed (a policy error, Ctrl-C): stop the others before their envs close.
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    finally:
        for own in envs[1:] if env is not None else envs:
            own.close()
    return sorted(results, key=lambda rollout: rollout.index)


def run_rollouts(policy: Policy, episodes: int, **kwargs: Any) -> list[Rollout]:
    """:func:`rollouts` from synchronous code (not inside a running event loop)."""
    return asyncio.run(rollouts(policy, episodes, **kwargs))
