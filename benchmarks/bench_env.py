"""Env figures for research use (prints numbers; not a test).

    python benchmarks/bench_env.py [--steps N] [--episodes N] [--concurrency C] [--latency S]

Reports:
* ``step`` overhead (median µs per patient question, scripted roles) with no logging, with
  SQLite logging, with the shaped reward, and through the chat-message wrapper;
* rollouts per second through the async API (:func:`agentclinic.gymenv.rollouts.rollouts`)
  with a policy that asks a stand-in OpenAI-compatible endpoint on 127.0.0.1 for every action
  (fixed latency, parallel answers), at concurrency 1 and C.

Compare figures as ratios within one run: machines are shared.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import gymnasium as gym

import agentclinic
from agentclinic.gymenv.rollouts import rollouts
from agentclinic.loader import load_pack
from agentclinic.wrappers import ChatObservation

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from stub_server import StubServer  # noqa: E402


def step_overhead(pack, steps: int, wrap=None, **kwargs) -> float:
    """Median microseconds per ``step`` for a patient question."""
    env = gym.make(agentclinic.ENV_ID, scenarios=pack, max_turns=steps + 1, survey=False, **kwargs)
    if wrap is not None:
        env = wrap(env)
    env.reset(seed=0)
    timings = []
    for index in range(steps):
        started = time.perf_counter()
        env.step(f"Do you have any pain number {index}?")
        timings.append(time.perf_counter() - started)
    env.close()
    return statistics.median(timings) * 1e6


def stand_in_reply(body: dict) -> str:
    asked = sum(m["role"] == "user" for m in body["messages"])
    return "When did it start?" if asked < 2 else "DIAGNOSIS READY: Influenza"


def rollouts_per_second(pack, url: str, episodes: int, concurrency: int) -> float:
    from openai import AsyncOpenAI

    async def main() -> float:
        client = AsyncOpenAI(base_url=url, api_key="stand-in")

        async def policy(observation, info):
            # Two messages: the policy keeps no history (the chat wrapper would give it one).
            asked = observation["turn"] + 1
            reply = await client.chat.completions.create(model="stand-in", max_tokens=32, messages=[
                {"role": "user", "content": observation["text"]}] * asked)
            return reply.choices[0].message.content

        started = time.perf_counter()
        await rollouts(policy, episodes, concurrency=concurrency, scenarios=pack, db=None, survey=False)
        return episodes / (time.perf_counter() - started)

    return asyncio.run(main())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--episodes", type=int, default=64)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--latency", type=float, default=0.2, help="stand-in endpoint seconds per call")
    args = parser.parse_args()
    pack = load_pack("core")
    with tempfile.TemporaryDirectory() as directory:
        db = f"sqlite:///{Path(directory) / 'bench.db'}"
        figures = {
            "no logging": step_overhead(pack, args.steps, db=None),
            "SQLite logging": step_overhead(pack, args.steps, db=db),
            "shaped reward": step_overhead(pack, args.steps, db=None, reward="shaped"),
            "chat wrapper": step_overhead(pack, args.steps, wrap=ChatObservation, db=None),
        }
    for name, micros in figures.items():
        print(f"env.step, {name:>15}: {micros:8.0f} µs median")
    with StubServer(schedule=[f"slow:{args.latency}"] * 100_000,
                    reply=stand_in_reply) as server:
        one = rollouts_per_second(pack, server.url, max(4, args.episodes // 8), 1)
        many = rollouts_per_second(pack, server.url, args.episodes, args.concurrency)
    print(f"async rollouts, stand-in {args.latency:.2f} s/call, 3 actions each: "
          f"{one:.2f}/s at concurrency 1, {many:.2f}/s at concurrency {args.concurrency} ({many / one:.1f}×)")


if __name__ == "__main__":
    main()
