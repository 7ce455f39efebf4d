"""``agentclinic play`` and ``agentclinic browse``: the terminal UI."""

from __future__ import annotations

import sys

import typer

from ..paths import DEFAULT_PACK
from .choices import DEFAULT_MAX_TURNS
from .common import DbOption, console, user_errors


def play(
    scenario: str = typer.Option(None, "--scenario", help="Case id (default: a random case)."),
    scenarios: str = typer.Option(DEFAULT_PACK, "--scenarios", help="Pack name, directory or .jsonl file."),
    role: str = typer.Option("doctor", "--as", help="Who you play: doctor or patient."),
    doctor: str = typer.Option("baseline", "--doctor", help="The doctor when you play the patient (a model spec)."),
    patient: str = typer.Option("scripted", "--patient", help="The patient when you play the doctor."),
    persona: str = typer.Option(None, "--persona", help="A stored persona stack for the simulated patient."),
    max_turns: int = typer.Option(DEFAULT_MAX_TURNS, "--max-turns", min=1, help="Doctor turns."),
    seed: int = typer.Option(None, "--seed", help="Fix the case choice and the agents' seeds."),
    base_url: str = typer.Option(None, "--base-url", help="OpenAI-compatible endpoint for model roles."),
    db: str = DbOption,
) -> None:
    """Play a clinical encounter in the terminal; the game is logged and scored like any episode."""
    from ..agents.registry import RoleSettings
    from ..loader import load_pack
    from ..persona import load_library
    from ..store import Store
    from ..tui.play import (  # Textual loads only for the UI commands
        GameApp,
        GameSettings,
    )

    with user_errors():
        if role not in ("doctor", "patient"):
            raise ValueError(f"--as must be doctor or patient, got {role!r}")
        pack = load_pack(scenarios)
        if scenario:
            pack.get(scenario)  # an unknown id is a clear error before the screen opens
        settings = GameSettings(scenarios=scenarios, scenario_id=scenario, role=role, doctor=doctor,  # type: ignore[arg-type]
                                patient=patient, max_turns=max_turns, seed=seed, db=db,
                                persona=load_library().stack(persona) if persona else None,
                                roles=RoleSettings(base_url=base_url))
        Store(db).close()  # an unusable database is reported now, not inside the game
        require_terminal("play", "use `agentclinic run` for unattended episodes")
    game = GameApp(settings, pack)
    outcome = game.run()
    if game.return_code:
        raise typer.Exit(game.return_code)
    if outcome is not None:
        console.print(f"Episode {outcome.episode_id}: {outcome.status}, "
                      f"{'correct' if outcome.correct else 'not correct'}.")


def browse(db: str = DbOption) -> None:
    """Browse logged runs, episodes and transcripts (Enter opens, f filters, Esc goes back)."""
    from ..store import Store
    from ..tui.browse import BrowseApp

    with user_errors():
        store = Store(db, create=False)  # browsing never creates an empty log
        require_terminal("browse", "use `agentclinic episodes list/show` or `agentclinic report` instead")
    BrowseApp(store).run()


def require_terminal(command: str, instead: str) -> None:
    """Refuse to open a full-screen UI without an interactive terminal.

    Without one (a pipe, CI, stdin from /dev/null) Textual draws into the void and waits
    for keys that never come, so the command would hang instead of failing. Checked after
    the arguments, so mistakes in them are still reported first.
    """
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise ValueError(f"agentclinic {command} needs an interactive terminal; {instead}")
