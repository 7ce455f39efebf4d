"""What each doctor tool costs in tokens and time (prints a table; not a test).

    python benchmarks/doctor_tools_tokens.py [--cases N] [--max-turns T] [--base-url URL]

A model doctor (the embedded SmolLM2 behind ``python -m llama_cpp.server``, started as the
tests start it, unless ``--base-url`` names a running OpenAI-compatible server) sees the first
N cases of the ``core`` pack under each condition: none, cot, reflect, rag, notebook and
experience (its examples come from a baseline-doctor run over the same cases, made first).
Patient, measurement and assessor are scripted, so every model call is the doctor's.

Figures come from the database: prompt and completion tokens from the ``llm_call`` rows of
role doctor (tool calls such as ``tool:cot`` and ``tool:notebook`` included), tool uses from
the ``doctor_tool_call`` rows. "extra" is the total tokens per episode above ``none``. The
135M model cannot diagnose: read the columns as the tools' overhead, not their benefit.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from agentclinic.agents.registry import RoleSettings
from agentclinic.loader import load_pack
from agentclinic.runner import RunConfig, run_batch
from agentclinic.store import Store
from agentclinic.store.tool_log import tool_calls_of

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

CONDITIONS = ("none", "cot", "reflect", "rag", "notebook", "experience")


@dataclass
class Figures:
    condition: str
    episodes: int
    turns: float
    prompt: float  # doctor prompt tokens per episode
    completion: float
    tool_rows: float
    tool_row_tokens: float  # tokens the tool rows themselves carry (a model call behind the tool)
    wall: float
    failed: int

    @property
    def total(self) -> float:
        return self.prompt + self.completion


@contextmanager
def llama_server(base_url: str | None):
    """The server's /v1 URL: ``base_url``, or a llama.cpp server started by the tests' helper."""
    if base_url:
        yield base_url
        return
    import pytest
    from llm_support import start_llama_server

    server = start_llama_server()
    try:
        url = next(server)
    except (pytest.skip.Exception, pytest.fail.Exception) as exc:  # llama_cpp or the model is missing
        raise SystemExit(f"cannot start the llama.cpp server: {exc}") from None
    try:
        yield url
    finally:
        next(server, None)  # the helper stops the server after its yield


# --steer: the 135M model rarely searches or diagnoses unprompted; an example of each in the
# JSON instructions makes it use rag and reflect, so their cost when used can be measured.
STEERED_JSON = ('Answer with one JSON object. Start with a search, e.g. {{"action": "search", "query": '
                '"palpitations breathless"}}; end with {{"action": "diagnose", "diagnosis": "..."}}.')


def steered_prompts(directory: str) -> str:
    import yaml

    from agentclinic.prompting import load_prompts

    path = Path(directory) / "steered.yaml"
    fields = {**load_prompts("default").model_dump(), "name": "steered", "doctor_structured": STEERED_JSON}
    path.write_text(yaml.safe_dump(fields), encoding="utf-8")
    return str(path)


def measure(condition: str, db: str, url: str, args, experience_run: int | None) -> Figures:
    settings = RoleSettings(base_url=url, max_tokens=args.max_tokens, temperature=0.0, timeout_s=600,
                            doctor_interface=args.interface, prompts=args.prompts)
    config = RunConfig(db=db, doctor="openai:smollm2", limit=args.cases, max_turns=args.max_turns, survey=False,
                       doctor_tools=condition, roles=settings, fresh=True, rag_top_k=args.rag_top_k,
                       experience_run=experience_run if condition == "experience" else None)
    started = time.perf_counter()
    result = asyncio.run(run_batch(config, pack=load_pack("core")))
    wall = time.perf_counter() - started
    store = Store(db)
    try:
        ids = [o.episode_id for o in result.outcomes]
        calls = [c for i in ids for c in store.calls(i) if c.role == "doctor"]
        rows = [r for group in tool_calls_of(store, ids).values() for r in group]
    finally:
        store.close()
    n = max(len(ids), 1)
    return Figures(condition, len(ids), sum(o.turns for o in result.outcomes) / n,
                   sum(c.input_tokens or 0 for c in calls) / n, sum(c.output_tokens or 0 for c in calls) / n,
                   len(rows) / n, sum((r.input_tokens or 0) + (r.output_tokens or 0) for r in rows) / n, wall,
                   sum(o.status != "completed" for o in result.outcomes))


def source_run(db: str, cases: int) -> int:
    """A baseline-doctor run over the same cases: the experience tool's worked examples."""
    result = asyncio.run(run_batch(RunConfig(db=db, limit=cases, survey=False, fresh=True), pack=load_pack("core")))
    correct = sum(o.correct for o in result.outcomes)
    print(f"experience source: run {result.run_id}, baseline doctor, {correct}/{len(result.outcomes)} correct")
    return result.run_id


def table(figures: list[Figures]) -> str:
    none = next((f for f in figures if f.condition == "none"), None)
    head = ("condition", "episodes", "turns/ep", "prompt tok/ep", "compl tok/ep", "extra vs none",
            "tool rows/ep", "tool-row tok/ep", "wall s")
    lines = [head]
    for f in figures:
        extra = f"{f.total - none.total:+,.0f}" if none is not None else "-"
        lines.append((f.condition, f"{f.episodes}" + (f" ({f.failed} failed)" if f.failed else ""), f"{f.turns:.1f}",
                      f"{f.prompt:,.0f}", f"{f.completion:,.0f}", extra, f"{f.tool_rows:.1f}",
                      f"{f.tool_row_tokens:,.0f}", f"{f.wall:.1f}"))
    widths = [max(len(row[i]) for row in lines) for i in range(len(head))]
    return "\n".join("  ".join(cell.rjust(w) if i else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths)))
                     for row in lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=5, help="the first N cases of the core pack (default 5)")
    parser.add_argument("--max-turns", type=int, default=6)
    parser.add_argument("--max-tokens", type=int, default=64, help="the doctor's reply cap (notes have their own)")
    parser.add_argument("--interface", choices=("text", "json", "tools"), default="json")
    parser.add_argument("--base-url", help="an OpenAI-compatible server serving smollm2 (default: start llama.cpp)")
    parser.add_argument("--conditions", default=",".join(CONDITIONS), help="comma-separated, from: "
                        + ", ".join(CONDITIONS))
    parser.add_argument("--prompts", default="default", help="prompt set name or .yaml path")
    parser.add_argument("--rag-top-k", type=int, default=1, help="passages per search (default 1: SmolLM2's "
                                                                 "context is 4,096 tokens)")
    parser.add_argument("--steer", action="store_true", help="JSON instructions with a search and a diagnosis "
                                                             "example, so a small model uses rag and reflect")
    args = parser.parse_args()
    if args.steer and args.interface != "json":
        parser.error("--steer rewords the JSON instructions: use it with --interface json")
    conditions = [c.strip() for c in args.conditions.split(",") if c.strip()]
    unknown = sorted(set(conditions) - set(CONDITIONS))
    if unknown or args.cases < 1:
        parser.error(f"unknown condition(s) {', '.join(unknown)}" if unknown else "--cases must be at least 1")
    with tempfile.TemporaryDirectory() as directory, llama_server(args.base_url) as url:
        db = f"sqlite:///{Path(directory) / 'doctor-tools.db'}"
        if args.steer:
            args.prompts = steered_prompts(directory)
        experience = source_run(db, args.cases) if "experience" in conditions else None
        figures = []
        for condition in conditions:
            figures.append(measure(condition, db, url, args, experience))
            print(f"  {condition}: {figures[-1].wall:.1f} s", flush=True)
    print(f"\n{args.cases} cases of core, max {args.max_turns} turns, doctor interface {args.interface}, "
          f"reply cap {args.max_tokens} tokens{', steered prompts' if args.steer else ''}; tokens are the "
          "doctor's (llm_call rows)\n")
    print(table(figures))


if __name__ == "__main__":
    main()
