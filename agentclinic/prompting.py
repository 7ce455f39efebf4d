"""Versioned prompt sets (data files under ``agentclinic/prompts/``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from .doctor_tools import prompts as tool_prompts
from .persona import Persona, load_library
from .scenario import DoctorBrief
from .tools import DOCTOR_TOOLS
from .yaml_cache import read_yaml

PROMPTS_DIR = Path(__file__).resolve().parent / "prompts"
DEFAULT_PROMPTS = "default"


DOCTOR_INTERFACES = ("text", "json", "tools")

_DOCTOR_TOOLS_NOTE = (
    "Act through the tools you are given: call exactly one tool per turn (ask_patient, examine, "
    "request_test, request_images, or diagnose to end the encounter). Its result comes back to you. "
    "A reply without a tool call is said to the patient as a question."
)
_DOCTOR_TOOLS_AS_JSON = (
    'Reply with one JSON object {{"name": "<tool>", "arguments": {{...}}}} calling one of these tools:\n{tools}'
)


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
    # How the doctor acts with --doctor-interface tools (defaults, so older custom prompt files load).
    doctor_tools: str = _DOCTOR_TOOLS_NOTE
    doctor_tools_as_json: str = _DOCTOR_TOOLS_AS_JSON  # for models without native tool calls
    # What a model doctor is told about its --doctor-tools (defaults: agentclinic.doctor_tools.prompts).
    tool_rag_text: str = tool_prompts.RAG_TEXT
    tool_rag_json: str = tool_prompts.RAG_JSON
    tool_rag_tools: str = tool_prompts.RAG_TOOLS
    tool_search_result: str = tool_prompts.SEARCH_RESULT
    tool_search_refused: str = tool_prompts.SEARCH_REFUSED
    tool_notebook: str = tool_prompts.NOTEBOOK
    tool_experience: str = tool_prompts.EXPERIENCE
    tool_cot_request: str = tool_prompts.COT_REQUEST
    tool_cot_act: str = tool_prompts.COT_ACT
    tool_reflect: str = tool_prompts.REFLECT
    tool_reflect_final: str = tool_prompts.REFLECT_FINAL
    tool_note_write: str = tool_prompts.NOTE_WRITE


def available_prompt_sets() -> list[str]:
    return sorted(p.stem for p in PROMPTS_DIR.glob("*.yaml"))


@lru_cache(maxsize=8)
def load_prompts(name: str = DEFAULT_PROMPTS) -> PromptSet:
    """A bundled prompt set by name, or a YAML file by path."""
    path = Path(name) if name.endswith((".yaml", ".yml")) else PROMPTS_DIR / f"{name}.yaml"
    if not path.is_file():
        raise ValueError(f"unknown prompt set {name!r}; expected one of: {', '.join(available_prompt_sets())} "
                         "or a path to a .yaml file")
    return PromptSet.model_validate(read_yaml(path))


def tool_listing() -> str:
    """One line per doctor tool: its signature and what it does (for prompts without native tools)."""
    lines = []
    for tool in DOCTOR_TOOLS:
        function = tool["function"]
        required = function["parameters"]["required"]
        params = ", ".join(name if name in required else f"{name}?" for name in function["parameters"]["properties"])
        lines.append(f"- {function['name']}({params}): {function['description']}")
    return "\n".join(lines)


def doctor_instructions(brief: DoctorBrief, prompts: PromptSet, *, sees_images: bool = False,
                        structured: bool = False, persona: Persona | None = None,
                        interface: str | None = None, native_tools: bool = True) -> str:
    """The doctor's system prompt for one episode: the protocol, the budget, the objective.

    ``interface`` is ``text``, ``json`` (as ``structured=True``) or ``tools``; with tools and
    ``native_tools=False`` the tools are described in the prompt and answered as JSON text.
    The model doctor gets exactly this; the env hands the same text to outside policies.
    """
    interface = interface or ("json" if structured else "text")
    if interface not in DOCTOR_INTERFACES:
        raise ValueError(f"doctor interface {interface!r}: expected one of {', '.join(DOCTOR_INTERFACES)}")
    options = prompts.options_block.format(options="; ".join(brief.answer_options)) if brief.answer_options else ""
    image_note = "" if not brief.images_available else (
        prompts.image_note_vision if sees_images else prompts.image_note_text_only)
    system = prompts.doctor_system.format(objective=brief.objective, demographics=brief.demographics,
                                          max_turns=brief.max_turns, options_block=options, image_note=image_note)
    if interface == "json":
        system += "\n" + prompts.doctor_structured
    elif interface == "tools":
        system += "\n" + prompts.doctor_tools
        if not native_tools:
            system += "\n" + prompts.doctor_tools_as_json.format(tools=tool_listing())
    if persona is not None:
        system += "".join(f"\n{text}" for text in load_library().fragments(persona, "doctor"))
    return system
