"""Runs for ``head_to_head.py``: AgentClinic's own script, ours, the server logs they leave, and
the stand-in endpoint's replies. See that file for what is compared and why."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
THEIR_DIR = REPO.parent / "shared" / "data" / "agentclinic"
THEIR_SCRIPT = "agentclinic.py"
MEDQA = "agentclinic_medqa.jsonl"
# AgentClinic's script sends these with every call (its "gpt4" branch); ours is given the same.
TEMPERATURE = 0.05
MAX_TOKENS = 200
# What AgentClinic's script imports at the top, so it cannot start without them.
THEIR_IMPORTS = ("openai", "anthropic", "replicate", "transformers")
CALL_LIMIT_S = 600  # one model call (openai 0.28's default request timeout, which their script keeps)
RUN_LIMIT_S = 3600  # one whole run, so a stuck server ends the benchmark instead of hanging it


@dataclass
class Run:
    """One harness run over N cases: wall seconds, doctor turns and model calls per episode."""

    wall_s: float
    turns: list[int]
    calls: list[int] = field(default_factory=list)
    pauses_s: float = 0.0  # sleeps inside the script itself (AgentClinic's 1 s after each turn)
    failed: int = 0
    inner_s: float | None = None  # the run as it timed itself (ours: without start-up)


@dataclass
class ServerFigures:
    """What a verbose llama.cpp server logged for the requests of one run."""

    requests: int
    evaluated: int  # prompt tokens actually evaluated (not those restored from its cache)
    busy_s: float  # its own time on them, prompt evaluation and generation
    generated: int = 0  # tokens generated
    prompt_s: float = 0.0  # of busy_s, evaluating prompts


class ServerLog:
    """The log of a server started with ``--verbose True``: llama.cpp prints per request
    ``prompt eval time = ... / N tokens`` (N: tokens evaluated, the rest came from its cache)
    and ``total time = ... ms``."""

    EVALUATED = re.compile(r"prompt eval time =\s*([\d.]+) ms /\s*(\d+) tokens")
    GENERATED = re.compile(r"\s eval time =\s*[\d.]+ ms /\s*(\d+) runs")
    TOTAL = re.compile(r"\s total time =\s*([\d.]+) ms")

    def __init__(self, path: Path):
        self.path = path

    def mark(self) -> int:
        return self.path.stat().st_size

    def since(self, mark: int, requests: int | None = None) -> ServerFigures:
        """Figures for what was logged after ``mark``; waits briefly for ``requests`` lines to land."""
        deadline = time.monotonic() + 10
        while True:
            with open(self.path, encoding="utf-8", errors="replace") as log:
                log.seek(mark)
                text = log.read()
            evaluated = [(float(ms), int(n)) for ms, n in self.EVALUATED.findall(text)]
            if requests is None or len(evaluated) >= requests or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        busy = sum(float(ms) for ms in self.TOTAL.findall(text)) / 1000
        return ServerFigures(len(evaluated), sum(n for _, n in evaluated), busy,
                             sum(int(n) for n in self.GENERATED.findall(text)), sum(ms for ms, _ in evaluated) / 1000)


def their_missing(python: str, their_dir: Path) -> str | None:
    """Why AgentClinic's script cannot run here, or None."""
    for path in (their_dir / THEIR_SCRIPT, their_dir / MEDQA):
        if not path.is_file():
            return f"{path} is not there"
    if not Path(python).is_file():
        return f"{python} does not exist (make it: python3 -m venv /work/acvenv && " \
               f"/work/acvenv/bin/pip install openai==0.28.0 anthropic replicate transformers)"
    check = subprocess.run([python, "-c", f"import {', '.join(THEIR_IMPORTS)}; assert openai.version.VERSION < '1'"],
                           capture_output=True, text=True, check=False)
    if check.returncode:
        return f"{python} cannot import what the script needs (openai 0.28, {', '.join(THEIR_IMPORTS[1:])}): " \
               f"{check.stderr.strip().splitlines()[-1] if check.stderr.strip() else check.returncode}"
    return None


def run_theirs(python: str, their_dir: Path, url: str, cases: int, turns: int) -> Run:
    """AgentClinic's script, unmodified and in place (it reads its jsonl from the working directory).

    Every role is its "gpt4", which openai 0.28 sends to ``OPENAI_API_BASE``: the server at ``url``
    (llama.cpp's server answers whatever model name it is given with the one model it holds)."""
    env = {**os.environ, "OPENAI_API_BASE": url, "PYTHONDONTWRITEBYTECODE": "1"}
    command = [python, THEIR_SCRIPT, "--openai_api_key", "local", "--inf_type", "llm", "--agent_dataset", "MedQA",
               "--doctor_llm", "gpt4", "--patient_llm", "gpt4", "--measurement_llm", "gpt4", "--moderator_llm", "gpt4",
               "--num_scenarios", str(cases), "--total_inferences", str(turns)]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=their_dir, env=env, capture_output=True, text=True, timeout=RUN_LIMIT_S,
                          check=False)
    wall = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"AgentClinic's script failed ({done.returncode}):\n{done.stderr[-3000:]}")
    # Each doctor turn prints "Doctor [<share of the turn budget>%]: ..."; the share starts again
    # with each episode. A diagnosis prints "Scene <i>, The diagnosis was ...".
    turns_per: list[int] = []
    previous = 101
    for share in map(int, re.findall(r"^Doctor \[(\d+)%\]", done.stdout, flags=re.MULTILINE)):
        if share <= previous:
            turns_per.append(0)
        turns_per[-1] += 1
        previous = share
    diagnosed = len(re.findall(r"^Scene \d+, The diagnosis was", done.stdout, flags=re.MULTILINE))
    return Run(wall, turns_per, pauses_s=float(sum(turns_per) - diagnosed))


def run_ours(url: str, their_dir: Path, cases: int, turns: int, concurrency: int, db: Path) -> Run:
    """``agentclinic run`` on the same MedQA file (read where it is), every role a model."""
    command = [sys.executable, "-m", "agentclinic", "run", "--scenarios", str(their_dir / MEDQA),
               "--limit", str(cases), "--max-turns", str(turns), "--model", "openai:smollm2", "--base-url", url,
               "--temperature", str(TEMPERATURE), "--max-tokens", str(MAX_TOKENS),
               # AgentClinic's script has no post-episode survey; its patient is not asked for one here.
               "--no-survey", "--concurrency", str(concurrency), "--timeout", str(CALL_LIMIT_S),
               "--fresh", "--json", "--db", f"sqlite:///{db}"]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=RUN_LIMIT_S, check=False)
    wall = time.perf_counter() - started
    try:
        summary = json.loads(done.stdout[done.stdout.index("{"):])
    except ValueError:
        raise SystemExit(f"agentclinic run failed ({done.returncode}):\n{done.stderr[-3000:]}") from None
    episodes = summary["episodes"]
    return Run(wall, [e["turns"] for e in episodes], [e["llm_calls"] for e in episodes],
               failed=sum(e["status"] != "completed" for e in episodes), inner_s=summary.get("elapsed_s"))


def stand_in_reply(body: dict) -> str:
    """A reply in the format each role of either harness expects, so episodes run all their turns.

    Doctors (both harnesses' doctor prompts spell out ``REQUEST TEST``) ask until they are told it is
    the final question (both send that same sentence), then diagnose; judges asked for Yes or No
    say No; anyone else is the patient."""
    messages = body.get("messages") or []
    text = [m.get("content") if isinstance(m.get("content"), str) else json.dumps(m.get("content"))
            for m in messages]
    last = text[-1] if text else ""
    if "final question" in last:
        return "DIAGNOSIS READY: Influenza"
    if re.search(r"\bYes or No\b", " ".join(text)):
        return "No"
    if any(m.get("role") == "system" and "REQUEST TEST" in t for m, t in zip(messages, text, strict=True)):
        return f"How long have you had it, and what makes it better or worse? ({len(messages)})"
    return "It started about a week ago and it is slowly getting worse."
