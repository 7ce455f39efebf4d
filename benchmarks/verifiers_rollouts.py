"""Rollouts per second through verifiers (prints numbers; not a test).

    python benchmarks/verifiers_rollouts.py [--cases N] [--rollouts R] [--concurrency C] [--latency S]

Runs verifiers' own evaluation entry point (``run_eval``, what ``vf-eval`` calls) on the
AgentClinic environment, scripted patient/measurement/judge, with the doctor policy served
by a stand-in OpenAI-compatible endpoint on 127.0.0.1 that answers in parallel after a
fixed latency with protocol-valid text (ask twice, then diagnose). It reports rollouts per
second at concurrency 1 and C, and where a rollout's time goes (verifiers' per-rollout
setup versus the agent's turns). Compare as ratios within one run: machines are shared.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from stub_server import StubServer


def policy(body: dict) -> str:
    asked = sum(m["role"] == "assistant" for m in body["messages"])
    return ("What brings you in today?", "REQUEST TEST: CBC")[asked] if asked < 2 else \
        "DIAGNOSIS READY: influenza"


def measure(url: str, cases: int, rollouts: int, concurrency: int, max_turns: int, out: Path) -> dict:
    from verifiers.v1.cli.eval.runner import run_eval
    from verifiers.v1.clients import EvalClientConfig
    from verifiers.v1.configs.cli.eval import EvalConfig
    from verifiers.v1.configs.select import SelectCLIConfig

    from agentclinic.integrations.verifiers import ClinicEnvConfig, ClinicTasksetConfig

    config = EvalConfig(
        env=ClinicEnvConfig(taskset=ClinicTasksetConfig(max_turns=max_turns)),
        model="stand-in", client=EvalClientConfig(base_url=url, api_key_var="AGENTCLINIC_BENCH_NO_KEY"),
        select=SelectCLIConfig(limit=cases), num_rollouts=rollouts, max_concurrent=concurrency,
        rich=None, push=False, output_dir=out)
    started = time.perf_counter()
    episodes = asyncio.run(run_eval(config))
    wall = time.perf_counter() - started
    traces = [t for e in episodes for t in e.traces]
    # The rollout phase, from the first rollout's start to the last one's scoring: loading the
    # env (the case pack) is a one-off cost that is reported apart.
    span = max(t.timing.scoring.end for t in traces) - min(t.timing.start for t in traces)
    return {
        "wall": span, "load": wall - span, "rollouts": len(episodes), "failed": sum(not e.ok for e in episodes),
        "turns": statistics.mean(t.metrics.get("turns", 0) for t in traces),
        "setup": statistics.mean(t.timing.setup.end - t.timing.setup.start for t in traces),
        "agent": statistics.mean(t.timing.agent.end - t.timing.agent.start for t in traces),
    }


def line(label: str, r: dict) -> str:
    return (f"  {label}: {r['rollouts'] / r['wall']:.2f} rollouts/s ({r['rollouts']} rollouts in {r['wall']:.1f} s "
            f"after {r['load']:.1f} s loading the env, "
            f"{r['failed']} failed, {r['turns']:.1f} doctor turns each; per rollout: setup {r['setup']:.2f} s, "
            f"agent {r['agent']:.2f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=6)
    parser.add_argument("--rollouts", type=int, default=4, help="rollouts per case (the group size)")
    parser.add_argument("--concurrency", type=int, default=24)
    parser.add_argument("--latency", type=float, default=0.25, help="stand-in latency per policy call (s)")
    parser.add_argument("--max-turns", type=int, default=4)
    args = parser.parse_args()
    logging.disable(logging.INFO)  # verifiers logs every rollout; the figures are what counts here
    with tempfile.TemporaryDirectory() as directory, \
            StubServer(schedule=[f"slow:{args.latency}"] * 1_000_000, reply=policy) as server:
        print(f"verifiers rollouts, stand-in endpoint ({args.latency:.2f} s per call, parallel), "
              f"{args.cases} cases x {args.rollouts} rollouts, scripted roles")
        one = measure(server.url, args.cases, args.rollouts, 1, args.max_turns, Path(directory))
        print(line("concurrency 1", one))
        many = measure(server.url, args.cases, args.rollouts, args.concurrency, args.max_turns, Path(directory))
        print(line(f"concurrency {args.concurrency}", many))
        print(f"  speed-up: {one['wall'] / many['wall']:.2f}x; peak policy calls in flight: {server.peak}")


if __name__ == "__main__":
    main()
