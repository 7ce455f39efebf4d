"""Start-up CPU: the command line's help, ``import agentclinic``, ``gym.make`` and pack loading.

    python benchmarks/bench_startup.py [--runs N] [--pack core]

Every figure is the median over N fresh interpreters of CPU seconds (user + system), not
wall time: a shared machine slows the wall clock, not the work. Whole-process figures (an
import, a ``--help``) include starting Python; the others time one call inside the process.
Compare them as ratios within one run, e.g. ``agentclinic --help`` minus ``import typer, rich``
(issue 18 asks for at most 0.3 s). The pack cache lives in a temporary folder here, so
"cold" is really cold and the user's cache is left alone.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable
from pathlib import Path

TIMED = textwrap.dedent("""
    import json, sys, time
    def cpu(): return time.process_time()
    marks = {}
    def timed(name, call):
        started = cpu(); value = call(); marks[name] = cpu() - started; return value
""")


def process_cpu(argv: list[str], env: dict[str, str]) -> float:
    """CPU seconds of a whole child process (its user + system time)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, timeout=600)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def inner_cpu(body: str, env: dict[str, str]) -> dict[str, float]:
    """The ``marks`` a child records with ``timed(name, call)`` (CPU seconds of each call)."""
    code = TIMED + textwrap.dedent(body) + "\nprint('MARKS ' + json.dumps(marks))\n"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
                          timeout=600)
    line = next(row for row in done.stdout.splitlines() if row.startswith("MARKS "))
    return json.loads(line.removeprefix("MARKS "))


def median_of(runs: int, measure: Callable[[], float]) -> float:
    return statistics.median(measure() for _ in range(runs))


def console_script() -> list[str]:
    script = Path(sys.executable).with_name("agentclinic")
    return [str(script)] if script.exists() else [sys.executable, "-m", "agentclinic"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh interpreters per figure (median)")
    parser.add_argument("--pack", default="core", help="pack for gym.make and load_pack")
    args = parser.parse_args()
    cache = Path(tempfile.mkdtemp(prefix="bench-startup-cache-"))
    # Bytecode is written as an installed package has it: with PYTHONDONTWRITEBYTECODE set, every
    # edited module would be compiled again in every child (~0.1 s for gym.make after an edit).
    env = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
           "AGENTCLINIC_CACHE_DIR": str(cache)}
    rows: list[tuple[str, float]] = []
    try:
        rows += process_rows(args.runs, env)
        rows += pack_rows(args.runs, args.pack, env, cache)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    base = dict(rows)["import typer, rich"]
    print(f"{'CPU seconds, median of ' + str(args.runs):<58} {'s':>7} {'above typer+rich':>17}")
    for name, seconds in rows:
        extra = f"{seconds - base:+.3f}" if name in COMPARED else ""
        print(f"{name:<58} {seconds:7.3f} {extra:>17}")


# The floor typer itself sets: a one-option app's subcommand help (typer 0.29 loads pydantic
# and rich's markdown for it), whatever the application does.
TINY_APP = textwrap.dedent("""
    import typer
    app = typer.Typer(rich_markup_mode="rich")
    @app.command()
    def one(x: int = typer.Option(1, help="x")) -> None: ...
    @app.command()
    def two() -> None: ...
    app()
""")
COMPARED = ("import agentclinic", "agentclinic --help", "agentclinic run --help", "agentclinic report --help",
            "typer: a two-command app, one --help")


def process_rows(runs: int, env: dict[str, str]) -> list[tuple[str, float]]:
    python, cli = [sys.executable, "-c"], console_script()
    commands = {
        "python (nothing imported)": python + ["pass"],
        "import typer, rich": python + ["import typer, rich"],
        "typer: a two-command app, one --help": python + [TINY_APP, "one", "--help"],
        "import agentclinic": python + ["import agentclinic"],
        "agentclinic --help": cli + ["--help"],
        "agentclinic run --help": cli + ["run", "--help"],
        "agentclinic report --help": cli + ["report", "--help"],
    }
    return [(name, median_of(runs, lambda argv=argv: process_cpu(argv, env))) for name, argv in commands.items()]


def pack_rows(runs: int, pack: str, env: dict[str, str], cache: Path) -> list[tuple[str, float]]:
    load = f"""
        from agentclinic.loader import load_pack
        timed("first", lambda: load_pack({pack!r})); timed("second", lambda: load_pack({pack!r}))
    """
    make = f"""
        import gymnasium as gym, agentclinic
        timed("first", lambda: gym.make(agentclinic.ENV_ID, scenarios={pack!r}))
        timed("second", lambda: gym.make(agentclinic.ENV_ID, scenarios={pack!r}))
    """
    env_import = 'import gymnasium, agentclinic\ntimed("first", lambda: __import__("agentclinic.env"))'

    def cold(body: str, mark: str) -> float:
        shutil.rmtree(cache, ignore_errors=True)  # every run starts with no cached cases
        return inner_cpu(body, env)[mark]

    rows = [(f"load_pack({pack!r}), cold cache", median_of(runs, lambda: cold(load, "first")))]
    inner_cpu(load, env)  # fill the cache once
    rows += [
        (f"load_pack({pack!r}), fresh process, warm cache", median_of(runs, lambda: inner_cpu(load, env)["first"])),
        (f"load_pack({pack!r}), again in the same process", median_of(runs, lambda: inner_cpu(load, env)["second"])),
        ("import agentclinic.env (what a first gym.make imports)",
         median_of(runs, lambda: inner_cpu(env_import, env)["first"])),
        ("gym.make, fresh process, cold cache (env import included)", median_of(runs, lambda: cold(make, "first"))),
    ]
    inner_cpu(make, env)
    rows += [
        ("gym.make, fresh process, warm cache (env import included)",
         median_of(runs, lambda: inner_cpu(make, env)["first"])),
        ("gym.make, second in the same process", median_of(runs, lambda: inner_cpu(make, env)["second"])),
    ]
    for db, label in ((None, "no log"), (f"sqlite:///{cache}/bench.db", "SQLite log")):
        reset = f"""
            import gymnasium as gym, agentclinic
            env = gym.make(agentclinic.ENV_ID, scenarios={pack!r}, db={db!r})
            timed("first", lambda: env.reset(seed=0)); timed("second", lambda: env.reset(seed=1))
        """
        rows += [(f"first reset after gym.make, {label}", median_of(runs, lambda: inner_cpu(reset, env)["first"])),
                 (f"a later reset, {label}", median_of(runs, lambda: inner_cpu(reset, env)["second"]))]
    return rows


if __name__ == "__main__":
    main()
