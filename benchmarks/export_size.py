"""Export size and time per 1,000 episodes, for every format (prints numbers; not a test).

    python benchmarks/export_size.py [--episodes N] [--max-turns T]

Runs about N episodes through the real batch runner with the offline roles (the baseline
doctor, varied between trials so that correct and wrong episodes of a case exist; scripted
patient, measurement and assessor), then exports the run as JSONL, Parquet, a `datasets` folder and DPO
pairs, and prints each output's size and the time taken, scaled to 1,000 episodes. Reading
the log and building the records (metrics, reward terms, fault flags) is timed on its own.
Machines are shared: compare within one run.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import Counter
from pathlib import Path

from agentclinic.agents.doctor import BaselineDoctor
from agentclinic.export import Selection, export_records, preference_pairs, write
from agentclinic.export.formats import json_line
from agentclinic.loader import load_pack
from agentclinic.persona import Persona
from agentclinic.runner import RunConfig, run_batch
from agentclinic.store import Store


class VaryingDoctor:
    """The baseline doctor, whose behaviour varies between trials of a case as a sampled model's
    does: every other visit it reasons with a false-consensus bias (the condition logged stays
    neutral), which changes the verdict on about a sixth of the core cases, so pairs exist."""

    def __init__(self) -> None:
        self.visits: Counter = Counter()

    def __call__(self, brief, seed, persona=None):
        self.visits[brief.objective] += 1
        varied = self.visits[brief.objective] % 2 == 0
        return BaselineDoctor(brief, seed, persona=Persona(doctor_biases=("false_consensus",)) if varied else persona)


def make_run(db: str, episodes: int, max_turns: int) -> int:
    pack = load_pack("core")
    cases = min(len(pack.scenarios), max(1, episodes // 2))
    config = RunConfig(db=db, limit=cases, trials=max(2, -(-episodes // cases)), max_turns=max_turns,
                       doctor=VaryingDoctor(), fresh=True)
    return asyncio.run(run_batch(config, pack=pack)).run_id


def size(path: Path) -> int:
    return path.stat().st_size if path.is_file() else sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--episodes", type=int, default=200)
    parser.add_argument("--max-turns", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        db = f"sqlite:///{directory / 'bench.db'}"
        started = time.perf_counter()
        run_id = make_run(db, args.episodes, args.max_turns)
        print(f"ran the episodes in {time.perf_counter() - started:.1f} s")
        store = Store(db, create=False)
        started = time.perf_counter()
        records = export_records(store, Selection(run_id=run_id))
        build_s = time.perf_counter() - started
        n = len(records)
        scale = 1000 / n
        turns = sum(r["metrics"]["turns"] for r in records) / n
        print(f"{n} episodes, {turns:.1f} doctor turns each; records built in {build_s:.2f} s "
              f"({build_s * scale:.1f} s per 1,000; reading the log, metrics, fault flags, reward terms)")
        print(f"{'format':<8} {'bytes':>12} {'MB per 1,000':>13} {'write s':>8} {'s per 1,000 (incl. build)':>26}")
        for fmt, name in (("jsonl", "ep.jsonl"), ("parquet", "ep.parquet"), ("hf", "ep"), ("pairs", "pairs.jsonl")):
            started = time.perf_counter()
            rows = preference_pairs(records) if fmt == "pairs" else records
            write(rows, fmt, directory / name)
            seconds = time.perf_counter() - started
            written = size(directory / name)
            extra = f"  ({len(rows)} pairs)" if fmt == "pairs" else ""
            if fmt == "pairs" and rows:
                extra += f", {written / len(rows) * 1000 / 1e6:.2f} MB per 1,000 pairs"
            print(f"{fmt:<8} {written:>12,} {written * scale / 1e6:>13.2f} {seconds:>8.2f} "
                  f"{(seconds + build_s) * scale:>26.1f}{extra}")
        messages = sum(len(json_line({"m": r["messages"]}).encode()) for r in records) / n
        print(f"of a JSONL record, the messages are {messages:,.0f} bytes per episode on average; "
              "the rest is labels, rewards, metrics and accounting")
        store.close()


if __name__ == "__main__":
    main()
