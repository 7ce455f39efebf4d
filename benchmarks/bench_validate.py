"""How `agentclinic scenarios validate` scales with the number of problems (prints numbers; not a test).

    python benchmarks/bench_validate.py [--sizes 5000 10000 20000 40000]

Writes a JSONL file of N bad lines (half not JSON, half JSON that is no AgentClinic record),
then times the checker (``check_sources``) and the whole command, which also prints every
problem (run in process, so that interpreter start-up does not blur the figures). Linear work shows as a time ratio close to the size ratio between successive rows (2.0 when
the size doubles); quadratic work shows as about 4.0. Compare ratios within one run:
machines are shared.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from typer.testing import CliRunner

from agentclinic.cli import app
from agentclinic.loader import check_sources


def bad_jsonl(path: Path, lines: int) -> Path:
    """A dataset file where every line is a problem."""
    rows = ("{oops" if index % 2 else '{"not": "a record"}' for index in range(lines))
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def time_check(path: Path) -> tuple[float, int]:
    started = time.perf_counter()
    _, problems = check_sources([path])
    return time.perf_counter() - started, len(problems)


def time_cli(path: Path) -> float:
    started = time.perf_counter()
    result = CliRunner().invoke(app, ["scenarios", "validate", str(path)])
    assert result.exit_code == 1, result.output
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 10000, 20000, 40000],
                        help="Numbers of bad lines to time.")
    args = parser.parse_args()
    previous: tuple[float, float] | None = None
    print(f"{'lines':>7} {'problems':>9} {'check_sources':>14} {'ratio':>6} {'CLI validate':>13} {'ratio':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        time_cli(bad_jsonl(Path(tmp) / "warm-up.jsonl", 10))  # imports and first-call costs
        for size in args.sizes:
            path = bad_jsonl(Path(tmp) / f"bad-{size}.jsonl", size)
            checked, problems = time_check(path)
            whole = time_cli(path)
            ratios = (f"{checked / previous[0]:6.2f}", f"{whole / previous[1]:6.2f}") if previous else ("", "")
            print(f"{size:7d} {problems:9d} {checked:13.2f}s {ratios[0]:>6} {whole:12.2f}s {ratios[1]:>6}")
            previous = (checked, whole)


if __name__ == "__main__":
    main()
