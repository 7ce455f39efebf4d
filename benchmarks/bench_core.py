"""Core speed figures with scripted agents (prints numbers; not a test).

    python benchmarks/bench_core.py [--episodes N] [--steps N]

Reports: env ``step`` overhead (no logging and with SQLite logging), batch episodes per
second with database writes (this process's first run, later runs at concurrency 1, 2 and
4, and through ``agentclinic run`` in a new process, start-up and pack loading included). Compare figures as ratios within one run:
machines are shared.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import gymnasium as gym

import agentclinic
from agentclinic.loader import load_pack
from agentclinic.runner import RunConfig, run_batch


def step_overhead(pack, steps: int, db: str | None) -> float:
    """Median microseconds per env.step for a patient question."""
    env = gym.make(agentclinic.ENV_ID, scenarios=pack, db=db, max_turns=steps + 1)
    env.reset(seed=0)
    timings = []
    for index in range(steps):
        started = time.perf_counter()
        env.step(f"Do you have any pain number {index}?")
        timings.append(time.perf_counter() - started)
    env.close()
    return statistics.median(timings) * 1e6


def episodes_per_second(pack, episodes: int, db: str, concurrency: int = 1) -> tuple[float, float]:
    config = RunConfig(db=db, trials=max(1, episodes // len(pack.scenarios)), concurrency=concurrency)
    started = time.perf_counter()
    result = asyncio.run(run_batch(config, pack=pack))
    elapsed = time.perf_counter() - started
    return len(result.outcomes) / elapsed, sum(o.turns for o in result.outcomes) / len(result.outcomes)


def cli_episodes_per_second(episodes: int, db: str) -> tuple[float, float]:
    """``agentclinic run`` of the bundled pack in a fresh process (wall, start-up included)."""
    trials = max(1, episodes // 56)
    command = [sys.executable, "-m", "agentclinic", "run", "-q", "--json", "--trials", str(trials),
               "--db", db, "--fresh"]
    subprocess.run(command[:3] + ["scenarios", "validate"], capture_output=True)  # the pack cache, warm
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(done.stderr[-2000:])
    summary = json.loads(done.stdout)
    return summary["completed"] / elapsed, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=112, help="Batch episodes (rounded to whole passes).")
    parser.add_argument("--steps", type=int, default=200, help="env.step calls to time.")
    args = parser.parse_args()
    pack = load_pack("core")
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{Path(tmp) / 'bench.db'}"
        bare = step_overhead(pack, args.steps, None)
        logged = step_overhead(pack, args.steps, db)
        rate, turns = episodes_per_second(pack, args.episodes, db)
        # Later runs in the same process: vocabularies, indexes and caches are loaded by now.
        # Each in its own database: the same plan in the same one would resume the finished run.
        steady = {c: episodes_per_second(pack, args.episodes, f"sqlite:///{Path(tmp) / f'steady{c}.db'}", c)[0]
                  for c in (1, 2, 4)}
        cli_rate, cli_wall = cli_episodes_per_second(args.episodes, db)
    print(f"env.step (scripted patient, no log):   {bare:8.0f} µs median")
    print(f"env.step (scripted patient, SQLite):   {logged:8.0f} µs median  ({logged / bare:.1f}x)")
    print(f"batch episodes/s (baseline doctor, SQLite writes): {rate:.1f}  (mean {turns:.1f} doctor turns; "
          "the process's first run)")
    print("  later runs in the process, by concurrency:      "
          + ", ".join(f"{c}: {value:.1f}" for c, value in steady.items()))
    print(f"agentclinic run, new process, episodes/s:          {cli_rate:.1f}  ({cli_wall:.1f} s wall, start-up "
          "and pack loading included)")


if __name__ == "__main__":
    main()
