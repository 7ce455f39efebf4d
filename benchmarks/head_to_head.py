"""AgentClinic's own script against ours, side by side (prints a table; not a test).

    python benchmarks/head_to_head.py [--cases 2] [--turns 6] [--stand-in-cases 16]
        [--stand-in-turns 6] [--latency 0.1] [--rounds 1] [--theirs-plain]
        [--agentclinic-python /work/acvenv/bin/python] [--skip-llama] [--skip-stand-in]

Both harnesses run the same MedQA cases (``../shared/data/agentclinic/agentclinic_medqa.jsonl``,
read in place; AgentClinic's script runs unmodified from that folder), the same number of doctor
turns, every role a model, temperature 0.05 and at most 200 tokens a reply (what that script
sends). Runs are interleaved (theirs, ours, ...) so both see the same machine load.

1. **llama.cpp server** with the embedded SmolLM2 (one request at a time). Per episode: prompt
   tokens the server actually evaluated (from its verbose log; cache hits are not evaluated),
   wall time, the server's own busy time and model calls. AgentClinic's script and ours run on the
   recommended server (``agentclinic serve``: prompt cache on); ours also on the plain one-slot
   server for reference (``--theirs-plain`` adds theirs there too).
2. **Stand-in endpoint**: an OpenAI-compatible server on 127.0.0.1 that answers every call after
   a fixed latency, in parallel, in the format each role expects (so episodes run all their turns).
   Their script is sequential; ours runs at concurrency 16. The floor for ours is the episode
   level: ceil(N / 16) waves of the longest episode's calls (from our logged call counts).

AgentClinic's script needs its own environment (``openai==0.28.0``, plus anthropic, replicate and
transformers, which it imports at the top):

    python3 -m venv /work/acvenv && /work/acvenv/bin/pip install openai==0.28.0 anthropic replicate transformers

It is pointed at a server with ``OPENAI_API_BASE`` (openai 0.28 reads it) and a dummy
``--openai_api_key``; no wrapper is needed. Its wall time includes its own 1 s pause after every
turn (shown separately). The benchmark skips, saying why, when the script, its data or that
environment are missing. Machines are shared: read ratios within one run, not absolute times.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from h2h_runs import (
    MAX_TOKENS,
    TEMPERATURE,
    THEIR_DIR,
    Run,
    ServerFigures,
    ServerLog,
    run_ours,
    run_theirs,
    stand_in_reply,
    their_missing,
)

CONCURRENCY = 16


def llama_server(setup: str, log: Path, threads: int):
    """The recommended server or the plain one-slot server it replaces, verbose (logged), not started."""
    from agentclinic.llm.local_server import (
        DEFAULT_N_CTX,
        LocalServer,
        check_local_extra,
        free_port,
        local_server,
    )

    if setup == "recommended":
        return local_server(log=log, verbose=True, seed=7, threads=threads)
    port = free_port()
    # What the tests and benchmarks started before: llama.cpp's defaults, one context, no cache.
    return LocalServer([sys.executable, "-m", "llama_cpp.server", "--model", check_local_extra(), "--host",
                        "127.0.0.1", "--port", str(port), "--n_ctx", str(DEFAULT_N_CTX), "--n_threads", str(threads),
                        "--seed", "7", "--interrupt_requests", "False", "--verbose", "True"],
                       host="127.0.0.1", port=port, log=log)


def peak_memory_mb(pid: int) -> float | None:
    """The process's peak resident memory (Linux), for what the prompt cache costs."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    return int(status.split("VmHWM:")[1].split()[0]) / 1024 if "VmHWM:" in status else None


def measure_llama(args, directory: Path) -> list[tuple[str, str, Run, ServerFigures]]:
    logs = args.logs or directory
    logs.mkdir(parents=True, exist_ok=True)
    rows: dict[tuple[str, str], tuple[list[Run], list[ServerFigures]]] = {}

    def one(harness: str, setup: str) -> None:
        # A fresh server per run: nothing cached by an earlier run (the same cases) can help this one.
        with llama_server(setup, logs / f"{setup}-{harness}-{time.time_ns()}.log", args.threads) as server:
            if harness == "AgentClinic":
                run = run_theirs(args.agentclinic_python, args.agentclinic_dir, server.url, args.cases, args.turns)
            else:
                run = run_ours(server.url, args.agentclinic_dir, args.cases, args.turns, 1,
                               directory / f"ours-{setup}-{time.time_ns()}.db")
            figures = ServerLog(server.log).since(0, sum(run.calls) or None)
            peak = peak_memory_mb(server.process.pid)
        runs, logged = rows.setdefault((harness, setup), ([], []))
        runs.append(run)
        logged.append(figures)
        print(f"  {harness:<11} {setup:<11} {run.wall_s:7.1f} s, {figures.requests} calls, "
              f"{figures.evaluated:,} prompt tokens evaluated, {figures.generated:,} generated, "
              f"server {figures.busy_s:.1f} s" + (f", server peak memory {peak:,.0f} MB" if peak else ""), flush=True)

    for _ in range(args.rounds):
        one("AgentClinic", "recommended")
        one("ours", "recommended")
        if args.recommended_only:
            continue
        if args.theirs_plain:
            one("AgentClinic", "plain")
        one("ours", "plain")
    return [(harness, setup, merge_runs(runs), merge_figures(logged)) for (harness, setup), (runs, logged)
            in rows.items()]


def merge_runs(runs: list[Run]) -> Run:
    return Run(sum(r.wall_s for r in runs), [t for r in runs for t in r.turns], [c for r in runs for c in r.calls],
               sum(r.pauses_s for r in runs), sum(r.failed for r in runs))


def merge_figures(figures: list[ServerFigures]) -> ServerFigures:
    return ServerFigures(sum(f.requests for f in figures), sum(f.evaluated for f in figures),
                         sum(f.busy_s for f in figures), sum(f.generated for f in figures),
                         sum(f.prompt_s for f in figures))


def print_llama(args, results) -> None:
    episodes = args.cases * args.rounds
    print(f"\n1. llama.cpp server, embedded SmolLM2 ({args.threads} threads), {args.cases} MedQA case(s) x "
          f"{args.turns} doctor turns x {args.rounds} round(s), every role a model, temperature {TEMPERATURE}, "
          f"max tokens {MAX_TOKENS}")
    header = f"{'harness':<12}{'server':<13}{'tokens eval/ep':>15}{'generated/ep':>13}{'wall s/ep':>11}" \
             f"{'pauses s/ep':>12}{'server s/ep':>12}{'calls/ep':>9}{'turns/ep':>9}"
    print(header)
    print("-" * len(header))
    per = {}
    for harness, setup, run, figures in results:
        per[harness, setup] = (figures.evaluated / episodes, run.wall_s / episodes, figures.busy_s / episodes)
        print(f"{harness:<12}{setup:<13}{figures.evaluated / episodes:>15,.0f}{figures.generated / episodes:>13,.0f}"
              f"{run.wall_s / episodes:>11.1f}"
              f"{run.pauses_s / episodes:>12.1f}{figures.busy_s / episodes:>12.1f}"
              f"{figures.requests / episodes:>9.1f}{sum(run.turns) / max(len(run.turns), 1):>9.1f}"
              + (f"  ({run.failed} failed)" if run.failed else ""))
    theirs = per.get(("AgentClinic", "recommended"))
    for setup in ("recommended", "plain"):
        ours = per.get(("ours", setup))
        base = per.get(("AgentClinic", setup), theirs)
        if ours and base:
            against = "same server" if ("AgentClinic", setup) in per else "theirs on the recommended server"
            print(f"ours ({setup}) / AgentClinic ({against}): prompt tokens evaluated {ours[0] / base[0]:.2f}, "
                  f"wall {ours[1] / base[1]:.2f}, server time {ours[2] / base[2]:.2f}")


def measure_stand_in(args, directory: Path) -> None:
    from stub_server import StubServer

    latency, cases, turns = args.latency, args.stand_in_cases, args.stand_in_turns
    theirs: list[Run] = []
    ours: list[Run] = []
    with StubServer(schedule=[f"slow:{latency}"] * 1_000_000, reply=stand_in_reply) as server:
        # Connections kept open between calls, as real model servers do (bench_harness.py does the same).
        server.httpd.RequestHandlerClass.protocol_version = "HTTP/1.1"
        for round_ in range(args.rounds):
            before = len(server.requests)
            theirs.append(run_theirs(args.agentclinic_python, args.agentclinic_dir, server.url, cases, turns))
            theirs[-1].calls = [len(server.requests) - before]
            ours.append(run_ours(server.url, args.agentclinic_dir, cases, turns, CONCURRENCY,
                                 directory / f"stand-in-{round_}.db"))
            print(f"  stand-in round {round_ + 1}: AgentClinic {theirs[-1].wall_s:.1f} s, ours {ours[-1].wall_s:.1f} s "
                  f"(peak {server.peak} calls in flight)", flush=True)
    their_wall = sum(r.wall_s for r in theirs) / len(theirs)
    our_wall = sum(r.wall_s for r in ours) / len(ours)
    longest = max(max(r.calls) for r in ours)
    floor = math.ceil(cases / CONCURRENCY) * longest * latency
    print(f"\n2. stand-in endpoint: {latency:.2f} s per call, answering in parallel; {cases} MedQA cases x {turns} "
          f"doctor turns, every role a model")
    print(f"AgentClinic (its script is sequential): {their_wall:8.1f} s wall, {sum(theirs[0].calls)} calls, "
          f"{sum(theirs[0].turns) / max(len(theirs[0].turns), 1):.1f} turns/ep, "
          f"of which its own pauses {theirs[0].pauses_s:.0f} s")
    inner = [r.inner_s for r in ours if r.inner_s is not None]
    print(f"ours, concurrency {CONCURRENCY} (start-up included): {our_wall:8.1f} s wall, {sum(ours[0].calls)} calls, "
          f"{sum(ours[0].turns) / max(len(ours[0].turns), 1):.1f} turns/ep"
          + (f", of which the run itself {sum(inner) / len(inner):.1f} s" if inner else "")
          + (f", {ours[0].failed} failed" if ours[0].failed else ""))
    print(f"episode-level floor for ours: ceil({cases}/{CONCURRENCY}) x {longest} calls (longest episode) x "
          f"{latency:.2f} s = {floor:.1f} s; ours / floor {our_wall / floor:.2f}")
    print(f"ours / AgentClinic: {our_wall / their_wall:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=2, help="MedQA cases on the llama.cpp server")
    parser.add_argument("--turns", type=int, default=6, help="doctor turns per episode on the llama.cpp server")
    parser.add_argument("--stand-in-cases", type=int, default=16)
    parser.add_argument("--stand-in-turns", type=int, default=6)
    parser.add_argument("--latency", type=float, default=0.1, help="stand-in seconds per call")
    parser.add_argument("--rounds", type=int, default=1, help="repeat each interleaved pair")
    parser.add_argument("--threads", type=int, default=2, help="llama.cpp threads")
    parser.add_argument("--theirs-plain", action="store_true", help="also run AgentClinic's script on the plain server")
    parser.add_argument("--recommended-only", action="store_true",
                        help="only the cached server (the issue's comparison): no runs on the plain one")
    parser.add_argument("--logs", type=Path, help="keep the llama.cpp servers' logs in this folder")
    parser.add_argument("--skip-llama", action="store_true")
    parser.add_argument("--skip-stand-in", action="store_true")
    parser.add_argument("--agentclinic-python", default="/work/acvenv/bin/python",
                        help="python of a venv with openai==0.28.0, anthropic, replicate, transformers")
    parser.add_argument("--agentclinic-dir", type=Path, default=THEIR_DIR,
                        help="folder holding agentclinic.py and agentclinic_medqa.jsonl")
    args = parser.parse_args()
    why = their_missing(args.agentclinic_python, args.agentclinic_dir)
    if why:
        print(f"skipped: AgentClinic's script cannot run: {why}")
        return
    with tempfile.TemporaryDirectory(prefix="head-to-head-") as name:
        directory = Path(name)
        if not args.skip_llama:
            from agentclinic.llm.backends.base import MissingExtraError
            from agentclinic.llm.local_server import LocalServerError

            try:
                print_llama(args, measure_llama(args, directory))
            except (MissingExtraError, LocalServerError) as exc:
                print(f"skipped the llama.cpp part: {exc}")
        if not args.skip_stand_in:
            measure_stand_in(args, directory)


if __name__ == "__main__":
    main()
