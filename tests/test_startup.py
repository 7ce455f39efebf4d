"""Start-up stays light: ``import agentclinic`` and every ``--help`` load no heavy dependency.

Judged by what lands in ``sys.modules`` of a fresh interpreter, never by a clock: a shared
machine makes timings noisy, while an eager ``import scipy`` shows up here every time.
``benchmarks/bench_startup.py`` measures the CPU time.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

# What `--help` and `import agentclinic` must not load: each costs 0.1-1 s of CPU.
HEAVY = ("scipy", "sqlalchemy", "sqlmodel", "alembic", "networkx", "matplotlib", "textual", "starlette", "openai",
         "langchain", "langchain_core", "pandas", "jinja2", "PIL", "yaml", "aiohttp", "llama_cpp")


def _modules_after(script: str) -> set[str]:
    """Top-level module names loaded once ``script`` has run in a fresh interpreter."""
    code = textwrap.dedent(script) + textwrap.dedent("""
        import json as _json, sys as _sys
        _sys.__stdout__.write("\\nMODULES " + _json.dumps(sorted({m.split(".")[0] for m in _sys.modules})) + "\\n")
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    line = next(row for row in done.stdout.splitlines() if row.startswith("MODULES "))
    return set(json.loads(line.removeprefix("MODULES ")))


def _heavy(modules: set[str]) -> list[str]:
    return sorted(set(HEAVY) & modules)


def test_importing_the_package_loads_nothing_heavy():
    modules = _modules_after("import agentclinic")
    assert not _heavy(modules)
    assert "gymnasium" not in modules and "numpy" not in modules  # registration waits for gymnasium


def test_importing_the_cli_loads_nothing_heavy():
    assert not _heavy(_modules_after("import agentclinic.cli"))


HELP_OF_EVERY_COMMAND = """
    import click
    from typer.main import get_command

    from agentclinic.cli import main

    def paths(command, prefix=()):
        yield prefix
        for name, sub in getattr(command, "commands", {}).items():
            yield from paths(sub, prefix + (name,))

    import agentclinic.cli
    seen = 0
    for path in paths(get_command(agentclinic.cli.app)):
        sys.argv = ["agentclinic", *path, "--help"]
        try:
            main()
        except SystemExit as stop:
            assert stop.code in (0, None), (path, stop.code)
        seen += 1
    assert seen > 20, seen
"""


def test_every_help_page_loads_nothing_heavy():
    # One interpreter shows every page in turn: if the last one left nothing heavy, neither did any.
    modules = _modules_after("import sys\n" + textwrap.dedent(HELP_OF_EVERY_COMMAND))
    assert not _heavy(modules)


def test_the_console_script_help_runs_in_a_real_process():
    done = subprocess.run([sys.executable, "-m", "agentclinic", "run", "--help"], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0 and "--max-turns" in done.stdout


@pytest.mark.parametrize("first", ["gymnasium", "agentclinic"])
def test_the_env_is_registered_whichever_is_imported_first(first):
    second = "agentclinic" if first == "gymnasium" else "gymnasium"
    modules = _modules_after(f"""
        import {first}, {second}
        import gymnasium as gym
        assert "agentclinic/Clinic-v0" in gym.registry
        env = gym.make("agentclinic/Clinic-v0", db=None)
        env.reset(seed=1)
        env.close()
    """)
    assert "gymnasium" in modules


def test_gym_make_with_warm_caches_loads_no_database_graph_or_stats_library():
    make = """
        import gymnasium as gym
        import agentclinic
        gym.make("agentclinic/Clinic-v0")
    """
    _modules_after(make)  # fills this session's pack and vocabulary caches
    loaded = _modules_after(make)
    assert not {"networkx", "sqlalchemy", "sqlmodel", "alembic", "scipy", "openai", "aiohttp"} & loaded


def test_a_submodule_import_of_gymnasium_registers_too():
    _modules_after("""
        import agentclinic
        from gymnasium.envs.registration import registry
        assert "agentclinic/Clinic-v0" in registry
    """)


def test_an_availability_check_before_the_import_does_not_lose_the_registration():
    _modules_after("""
        import importlib.util, sys
        import agentclinic
        assert importlib.util.find_spec("gymnasium") is not None and "gymnasium" not in sys.modules
        import gymnasium
        assert "agentclinic/Clinic-v0" in gymnasium.registry
        assert not [f for f in sys.meta_path if "Gymnasium" in type(f).__name__]  # the hook is gone
    """)


def test_every_public_name_imports():
    import agentclinic

    for name in agentclinic.__all__:
        assert getattr(agentclinic, name) is not None, name
    namespace: dict = {}
    exec("from agentclinic import *", namespace)
    assert set(agentclinic.__all__) <= set(namespace)
    from agentclinic import Episode, load_pack
    from agentclinic.episode import Episode as Defined
    from agentclinic.loader import load_pack as defined_loader

    assert Episode is Defined and load_pack is defined_loader
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        agentclinic.nothing_here  # noqa: B018


def test_help_defaults_match_their_sources():
    from agentclinic.assess.panel import PANEL_MODES
    from agentclinic.cli import choices
    from agentclinic.episode import DEFAULT_MAX_TURNS
    from agentclinic.export.formats import FORMATS
    from agentclinic.export.records import STATUSES
    from agentclinic.prompting import DEFAULT_PROMPTS

    assert choices.DEFAULT_MAX_TURNS == DEFAULT_MAX_TURNS
    assert choices.DEFAULT_PROMPTS == DEFAULT_PROMPTS
    assert choices.EXPORT_FORMATS == FORMATS
    assert choices.EXPORT_STATUSES == STATUSES
    assert choices.PANEL_MODES == PANEL_MODES


def test_a_database_error_escaping_a_command_is_one_line_and_exit_2(monkeypatch, capsys):
    from sqlalchemy.exc import OperationalError

    import agentclinic.cli as cli

    def broken() -> None:
        raise OperationalError("SELECT 1", {}, Exception("disk I/O error"))

    monkeypatch.setattr(cli, "app", broken)
    with pytest.raises(SystemExit) as stop:
        cli.main()
    assert stop.value.code == 2
    assert "the database failed" in capsys.readouterr().err


def test_other_errors_escaping_a_command_are_not_swallowed(monkeypatch):
    import agentclinic.cli as cli

    def broken() -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(cli, "app", broken)
    with pytest.raises(RuntimeError, match="a bug"):
        cli.main()
