"""Versioned prompt sets (data files under ``agentclinic/prompts/``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

from .persona import Persona, load_library
from .scenario import DoctorBrief

PROMPTS_DIR = Path(__file__).resolve().parent / "prompts"
DEFAULT_PROMPTS = "default"


class PromptSet(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    doctor_system: str
    doctor_structured: str
    doctor_turn: str
    options_block: str
    image_note_vision: str
    image_note_text_only: str
    image_unseen: str
    patient_system: str
    patient_turn: str
    measurement_map: str
    measurement_phrase: str
    assessor: str
    # Asked of an LLM patient after the episode; a default so older custom prompt files still load.
    patient_survey: str = (
        "The visit is over. Still in character, rate the doctor from 1 (not at all) to 10 (completely): "
        "confidence (how confident you are in this doctor), adherence (how likely you are to follow "
        "the doctor's plan) and return_visit (how willing you would be to see this doctor again). "
        'Reply only with JSON: {"confidence": {"score": <1-10>, "reason": "<a few words>"}, '
        '"adherence": {...}, "return_visit": {...}}'
    )


def available_prompt_sets() -> list[str]:
    return sorted(p.stem for p in PROMPTS_DIR.glob("*.yaml"))


@lru_cache(maxsize=8)
def load_prompts(name: str = DEFAULT_PROMPTS) -> PromptSet:
    """A bundled prompt set by name, or a YAML file by path."""
    path = Path(name) if name.endswith((".yaml", ".yml")) else PROMPTS_DIR / f"{name}.yaml"
    if not path.is_file():
        raise ValueError(f"unknown prompt set {name!r}; expected one of: {', '.join(available_prompt_sets())} "
                         "or a path to a .yaml file")
    with open(path, encoding="utf-8") as handle:
        return PromptSet.model_validate(yaml.safe_load(handle))


def doctor_instructions(brief: DoctorBrief, prompts: PromptSet, *, sees_images: bool = False,
                        structured: bool = False, persona: Persona | None = None) -> str:
    """The doctor's system prompt for one episode: the protocol, the budget, the objective.

    The model doctor gets exactly this; the env hands the same text to outside policies.
    """
    options = prompts.options_block.format(options="; ".join(brief.answer_options)) if brief.answer_options else ""
    image_note = "" if not brief.images_available else (
        prompts.image_note_vision if sees_images else prompts.image_note_text_only)
    system = prompts.doctor_system.format(objective=brief.objective, demographics=brief.demographics,
                                          max_turns=brief.max_turns, options_block=options, image_note=image_note)
    if structured:
        system += "\n" + prompts.doctor_structured
    if persona is not None:
        system += "".join(f"\n{text}" for text in load_library().fragments(persona, "doctor"))
    return system
