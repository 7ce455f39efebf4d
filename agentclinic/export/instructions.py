"""The doctor's system message of a logged episode, rebuilt from what the log holds.

The log keeps the case as it was played (its snapshot), the episode's turn budget and
persona, the run's configuration and the opening observation, but not the system prompt
itself. It is rebuilt exactly as :class:`agentclinic.env.ClinicEnv` builds it
(:func:`agentclinic.prompting.doctor_instructions` with ``sees_images=True``) from:

* the brief: :meth:`DoctorBrief.from_scenario` of the snapshot, with the episode's
  ``max_turns``; no images announced when the run's ``images`` setting was ``off``;
* the answer options of a multiple-choice episode, read back from the logged opening
  observation (the line ``Choose the diagnosis from: ...``, which the options were drawn into);
* the run's prompt set (``config.roles.prompts``, or ``config.prompts``; runs that record
  none used the default) and the episode's persona (its doctor fragments).

A model doctor in a batch run may have been told slightly more (the ``--structured`` JSON
note) or less (no vision: the text-only image note); the export is the env's view.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..persona import Persona
from ..prompting import DEFAULT_PROMPTS, doctor_instructions, load_prompts
from ..scenario import DoctorBrief, Scenario

OPTIONS_PREFIX = "Choose the diagnosis from: "  # agentclinic.episode.opening_text writes the options so


@dataclass(frozen=True)
class Instructions:
    text: str
    prompt_set: str  # the prompt set the text was built from


def prompt_set_of(config: dict[str, Any]) -> str:
    """The prompt set a run recorded (``roles.prompts`` for batch runs, ``prompts`` for others),
    else the default."""
    roles = config.get("roles")
    name = roles.get("prompts") if isinstance(roles, dict) else config.get("prompts")
    return name if isinstance(name, str) and name else DEFAULT_PROMPTS


def answer_options(opening: str | None) -> tuple[str, ...]:
    """The multiple-choice options shown in the opening observation (none when not asked for)."""
    for line in (opening or "").splitlines():
        if line.startswith(OPTIONS_PREFIX):
            return tuple(option for option in line[len(OPTIONS_PREFIX):].rstrip(".").split("; ") if option)
    return ()


def rebuild_instructions(scenario: Scenario, *, max_turns: int, run_config: dict[str, Any],
                         persona: dict[str, Any] | None, opening: str | None) -> Instructions:
    """The episode's system prompt (see the module doc for what each part comes from).

    A prompt set that cannot be loaded any more (a custom file since moved) falls back to the
    default, and the returned ``prompt_set`` says so."""
    brief = DoctorBrief.from_scenario(scenario, max_turns, answer_options(opening))
    if run_config.get("images") == "off":
        brief = brief.model_copy(update={"images_available": 0})
    name = prompt_set_of(run_config)
    try:
        prompts = load_prompts(name)
    except ValueError:
        name, prompts = DEFAULT_PROMPTS, load_prompts(DEFAULT_PROMPTS)
    try:
        text = doctor_instructions(brief, prompts, sees_images=True, persona=_persona(persona))
    except ValueError:  # a bias this persona library no longer has: the prompt without its fragments
        text = doctor_instructions(brief, prompts, sees_images=True)
    return Instructions(text, name)


def _persona(data: dict[str, Any] | None) -> Persona | None:
    if not data:
        return None
    try:
        return Persona.model_validate(data)
    except ValueError:  # a persona from another library version: no doctor fragments to add
        return None
