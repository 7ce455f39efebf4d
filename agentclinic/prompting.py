"""Versioned prompt sets (data files under ``agentclinic/prompts/``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

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
