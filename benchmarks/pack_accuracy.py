"""Baseline accuracy on every bundled pack, open-ended and multiple-choice (prints a table).

    python benchmarks/pack_accuracy.py [--packs core hard zh ...] [--by specialty|language]

The rule-based baseline doctor with the scripted patient and measurement roles, one trial
per case, seed 0; 95% Wilson intervals. Markdown, ready for the README and closing notes.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from collections import defaultdict
from pathlib import Path

from agentclinic.loader import load_pack
from agentclinic.paths import bundled_dir
from agentclinic.runner import RunConfig, run_batch
from agentclinic.stats import wilson_interval


def _cell(correct: int, n: int) -> str:
    low, high = wilson_interval(correct, n)
    return f"{100 * correct / n:.0f}% ({100 * low:.0f}–{100 * high:.0f})" if n else "–"


def _accuracy(pack: Path, multiple_choice: bool, db: str) -> dict[str, tuple[int, int]]:
    """case id -> (correct, 1) for one run over ``pack``."""
    result = asyncio.run(run_batch(RunConfig(scenarios=str(pack), multiple_choice=multiple_choice, survey=False,
                                             db=db)))
    return {o.scenario_id: (int(o.correct), 1) for o in result.outcomes if o.status == "completed"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    root = bundled_dir("scenarios")
    parser.add_argument("--packs", nargs="*", default=sorted(p.name for p in root.iterdir() if any(p.glob("*.yaml"))))
    parser.add_argument("--by", choices=("pack", "specialty", "language"), default="pack")
    args = parser.parse_args()
    groups: dict[str, dict[str, list[int]]] = defaultdict(lambda: {"open": [0, 0], "mc": [0, 0]})
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.packs:
            cases = {s.id: s for s in load_pack(root / name).scenarios}
            for mode, mc in (("open", False), ("mc", True)):
                for case_id, (correct, n) in _accuracy(root / name, mc, f"sqlite:///{tmp}/{name}-{mode}.db").items():
                    case = cases[case_id]
                    key = {"pack": name, "specialty": case.specialty, "language": case.language}[args.by]
                    groups[key][mode][0] += correct
                    groups[key][mode][1] += n
    print(f"| {args.by} | cases | open-ended (95% CI) | multiple choice (95% CI) |")
    print("|---|---|---|---|")
    for key in sorted(groups):
        (oc, on), (mc, mn) = groups[key]["open"], groups[key]["mc"]
        print(f"| {key} | {on} | {_cell(oc, on)} | {_cell(mc, mn)} |")


if __name__ == "__main__":
    main()
