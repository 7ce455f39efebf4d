"""Concurrency figures against model servers (prints numbers; not a test).

    python benchmarks/bench_scale.py [--episodes N] [--concurrency C] [--latency S]

For the same N episodes (every role a model, 3 doctor turns) at concurrency 1 and C it
reports wall time, the ratio, server saturation (mean calls in flight / C, from the logged
call latencies) and prompt tokens per episode, against:

* the embedded SmolLM2 behind ``python -m llama_cpp.server`` (serves one request at a time:
  concurrency cannot help there, token efficiency is what counts), and
* a stand-in OpenAI-compatible endpoint on 127.0.0.1 that answers in parallel after a fixed
  latency with protocol-valid text (what a hosted API or vLLM looks like to the runner).

Compare as ratios within one run: machines are shared.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

from agentclinic.agents.registry import RoleSettings
from agentclinic.llm.backends.base import MissingExtraError
from agentclinic.llm.local_server import LocalServer, LocalServerError, local_server
from agentclinic.loader import load_pack
from agentclinic.runner import RunConfig, run_batch
from agentclinic.store import Store

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from stub_server import StubServer  # noqa: E402


def measure(url: str, episodes: int, concurrency: int, directory: Path) -> dict:
    db = f"sqlite:///{directory / f'scale-{concurrency}-{time.time_ns()}.db'}"
    settings = RoleSettings(base_url=url, max_tokens=48, temperature=0.0, timeout_s=300, structured=True)
    config = RunConfig(db=db, limit=episodes, max_turns=3, concurrency=concurrency, doctor="openai:bench",
                       patient="openai:bench", assessor="openai:bench", roles=settings, fresh=True)
    started = time.perf_counter()
    result = asyncio.run(run_batch(config, pack=load_pack("core")))
    wall = time.perf_counter() - started
    store = Store(db)
    calls = [c for o in result.outcomes for c in store.calls(o.episode_id)]
    busy = sum((c.latency_ms or 0) for c in calls) / 1000
    prompt = sum(c.input_tokens or 0 for c in calls)
    failed = sum(o.status != "completed" for o in result.outcomes)
    return {"wall": wall, "saturation": busy / wall / concurrency, "prompt_tokens": prompt / episodes,
            "calls": len(calls), "failed": failed}


def llama_server(directory: Path) -> LocalServer:
    """The embedded model's server as ``agentclinic serve`` sets it up (prompt cache on), started."""
    try:
        return local_server(threads=2, log=directory / "llama-server.log").start()
    except (MissingExtraError, LocalServerError) as exc:
        raise SystemExit(f"cannot start the llama.cpp server: {exc}") from None


def stand_in_reply(body: dict) -> str:
    system = body["messages"][0]["content"] if body.get("messages") else ""
    if "role-playing a patient" in system:
        return "It started two days ago and it is getting worse."
    if "same condition" in str(body["messages"][-1]["content"]):
        return "No"
    asked = sum(m["role"] == "user" for m in body["messages"])
    return '{"action": "ask", "text": "When did it start?"}' if asked < 3 else \
        '{"action": "diagnose", "diagnosis": "Influenza"}'


def report(name: str, one: dict, many: dict, concurrency: int) -> None:
    print(f"\n{name}")
    print(f"  concurrency 1: {one['wall']:.1f} s wall, saturation {one['saturation']:.2f}, "
          f"{one['prompt_tokens']:,.0f} prompt tokens/episode, {one['calls']} calls, {one['failed']} failed")
    print(f"  concurrency {concurrency}: {many['wall']:.1f} s wall, saturation {many['saturation']:.2f}, "
          f"{many['prompt_tokens']:,.0f} prompt tokens/episode, {many['calls']} calls, {many['failed']} failed")
    print(f"  speed-up (wall 1 / wall {concurrency}): {one['wall'] / many['wall']:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--episodes", type=int, default=8)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--latency", type=float, default=0.25, help="stand-in server latency per call (s)")
    parser.add_argument("--skip-llama", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        with StubServer(schedule=[f"slow:{args.latency}"] * 100_000, reply=stand_in_reply) as server:
            report(f"stand-in endpoint ({args.latency:.2f} s per call, parallel)",
                   measure(server.url, args.episodes, 1, Path(directory)),
                   measure(server.url, args.episodes, args.concurrency, Path(directory)), args.concurrency)
        if not args.skip_llama:
            with llama_server(Path(directory)) as server:
                report("llama.cpp server, SmolLM2-135M (one request at a time, prompt cache on)",
                       measure(server.url, args.episodes, 1, Path(directory)),
                       measure(server.url, args.episodes, args.concurrency, Path(directory)), args.concurrency)


if __name__ == "__main__":
    main()
