"""The harness's own CPU per model call, against a stand-in endpoint that answers at once.

    python benchmarks/bench_harness.py [--episodes N] [--turns T] [--concurrency C ...]

Every role is a model; the stand-in (tests/stub_server.py, in its own process so its CPU is
not counted) answers each call with protocol-valid text after ``--latency`` seconds (0 by
default). Printed per concurrency: wall, model calls, calls/s, episodes/s and this process's
CPU per call (time.process_time: the runner, the SDK, the database writes, the kernel's side
of the loopback socket), and the event-loop thread's share of it (time.thread_time), which
is what the harness adds to every call's critical path whatever the model. Compare as
ratios within one run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent / "tests"


def stand_in_reply(body: dict) -> str:
    """Patient and measurement say a line; the doctor asks until its last turn, then diagnoses."""
    system = body["messages"][0]["content"] if body.get("messages") else ""
    if "patient" in system.lower() and "doctor" not in system.lower()[:40]:
        return "It started two days ago and it is getting worse."
    asked = sum(m["role"] == "user" for m in body["messages"])
    return "When did it start?" if asked < TURNS else \
        "DIAGNOSIS READY: Influenza"


TURNS = 10


def serve(latency: float, turns: int) -> None:
    """Run the stand-in here (a child process) and print its URL."""
    global TURNS
    TURNS = turns
    sys.path.insert(0, str(TESTS))
    from stub_server import StubServer

    with StubServer(schedule=[f"slow:{latency}"] * 10_000_000 if latency else [], reply=stand_in_reply) as server:
        # Keep connections open between calls, as real model servers (llama.cpp, vLLM) do.
        server.httpd.RequestHandlerClass.protocol_version = "HTTP/1.1"
        server.httpd.RequestHandlerClass.disable_nagle_algorithm = True  # no 40 ms waits on small writes
        print(server.url, flush=True)
        sys.stdin.read()  # until the parent closes our stdin


def measure(url: str, episodes: int, turns: int, concurrency: int, directory: Path) -> dict:
    from agentclinic.agents.registry import RoleSettings
    from agentclinic.loader import load_pack
    from agentclinic.runner import RunConfig, run_batch

    pack = load_pack("core")
    settings = RoleSettings(base_url=url, max_tokens=48, temperature=0.0, timeout_s=300, max_retries=0)
    config = RunConfig(db=f"sqlite:///{directory / f'h-{concurrency}-{time.time_ns()}.db'}", limit=episodes,
                       max_turns=turns, concurrency=concurrency, doctor="openai:bench", patient="openai:bench",
                       measurement="openai:bench", roles=settings, fresh=True, survey=False)
    cpu, loop_cpu, started = time.process_time(), time.thread_time(), time.perf_counter()
    result = asyncio.run(run_batch(config, pack=pack))  # the event loop runs on this thread
    wall, cpu, loop_cpu = time.perf_counter() - started, time.process_time() - cpu, time.thread_time() - loop_cpu
    calls = sum(o.llm_calls for o in result.outcomes)
    failed = sum(o.status != "completed" for o in result.outcomes)
    for o in result.outcomes:
        if o.error:
            print("  failed:", o.error[:300], file=sys.stderr)
    return {"concurrency": concurrency, "wall_s": round(wall, 2), "calls": calls, "failed": failed,
            "calls_per_s": round(calls / wall, 1), "episodes_per_s": round(len(result.outcomes) / wall, 2),
            "cpu_ms_per_call": round(1000 * cpu / max(calls, 1), 3),
            "loop_cpu_ms_per_call": round(1000 * loop_cpu / max(calls, 1), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=40)
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 16])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve(args.latency, args.turns)
    child = subprocess.Popen([sys.executable, __file__, "--serve", "--latency", str(args.latency),
                              "--turns", str(args.turns)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        url = child.stdout.readline().strip()  # type: ignore[union-attr]
        with tempfile.TemporaryDirectory() as directory:
            measure(url, 2, 2, 1, Path(directory))  # warm up: vocabularies, SDK imports
            rows = [measure(url, args.episodes, args.turns, c, Path(directory)) for c in args.concurrency]
    finally:
        child.stdin.close()  # type: ignore[union-attr]
        child.wait(timeout=30)
    if args.json:
        print(json.dumps(rows))
        return
    print(f"stand-in latency {args.latency * 1000:.0f} ms, {args.episodes} episodes x {args.turns} doctor turns, "
          "every role a model")
    for row in rows:
        print(f"  concurrency {row['concurrency']:>3}: {row['wall_s']:7.2f} s wall, {row['calls']} calls, "
              f"{row['calls_per_s']:7.1f} calls/s, {row['episodes_per_s']:6.2f} episodes/s, "
              f"CPU per call {row['cpu_ms_per_call']:.2f} ms (event loop {row['loop_cpu_ms_per_call']:.2f} ms), "
              f"{row['failed']} failed")


if __name__ == "__main__":
    main()
