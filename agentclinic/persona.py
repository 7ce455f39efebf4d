"""Biases, temperaments and persona stacks (data in ``personas/``), validated with clear errors.

A :class:`Persona` is any combination: biases for either side, one option per temperament
axis, an anchor for the cognitive biases, optionally a language. It is stored with every
episode (``episode.persona_id`` and ``episode.persona``) so results can be grouped by it.
AgentClinic's command-line bias names (``recency``, ``self_diagnosis``, ``gender``, ...) are
accepted as they are; the role comes from the flag they are given to.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .paths import bundled_dir
from .yaml_cache import read_yaml

Role = Literal["doctor", "patient"]
DEFAULT_ANCHOR = "cancer"
# What a description shows when no anchor is chosen (`personas list`); the templates are
# written so that this phrase and a bare condition name ("cancer") both read correctly.
GENERIC_ANCHOR = "the anchor condition"
_PLACEHOLDER = re.compile(r"\{(\w*)\}")


def fill_anchor(text: str, anchor: str) -> str:
    """``text`` with every ``{anchor}`` replaced by the condition name (trimmed, so no doubled spaces)."""
    return text.replace("{anchor}", anchor.strip())


class Bias(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str
    id: str
    role: Role
    kind: Literal["cognitive", "implicit"]
    description: str
    prompt: str
    hints: tuple[str, ...] = ()

    def describe(self, anchor: str = GENERIC_ANCHOR) -> str:
        """The one-line description with the anchor filled in (generically by default)."""
        return fill_anchor(self.description, anchor)

    def render(self, anchor: str = DEFAULT_ANCHOR) -> str:
        """The prompt fragment with the anchor filled in."""
        return fill_anchor(self.prompt, anchor)


class TemperamentOption(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    description: str
    prompt: str = ""
    rules: tuple[str, ...] = ()


class Axis(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str
    options: tuple[TemperamentOption, ...]

    def option(self, option_id: str) -> TemperamentOption | None:
        return next((o for o in self.options if o.id == option_id), None)


class PersonaError(ValueError):
    """An unknown id or a contradictory persona; the message lists what is allowed."""


class Persona(BaseModel):
    """One persona stack."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str | None = None
    doctor_biases: tuple[str, ...] = ()
    patient_biases: tuple[str, ...] = ()
    temperament: dict[str, str] = Field(default_factory=dict)  # axis -> option id
    anchor: str = DEFAULT_ANCHOR
    language: str | None = None

    def label(self) -> str:
        """A stable id: the stack's own, else one derived from its content."""
        if self.id:
            return self.id
        parts = [f"doctor:{b}" for b in self.doctor_biases] + [f"patient:{b}" for b in self.patient_biases]
        parts += [f"{axis}:{option}" for axis, option in sorted(self.temperament.items())]
        if self.anchor != DEFAULT_ANCHOR and (self.doctor_biases or self.patient_biases):
            parts.append(f"anchor:{self.anchor}")
        return "+".join(parts) or "neutral"


class PersonaLibrary:
    """Every bias, temperament axis and stored stack, loaded from a personas directory."""

    def __init__(self, biases: list[Bias], axes: dict[str, Axis], defaults: dict[str, str],
                 stacks: dict[str, Persona]):
        self.biases = {bias.key: bias for bias in biases}
        self.axes = axes
        self.defaults = defaults
        self.stacks = stacks

    def bias(self, role: str, bias_id: str) -> Bias:
        key = f"{role}.{bias_id}"
        if key not in self.biases:
            known = ", ".join(sorted(b.id for b in self.biases.values() if b.role == role))
            raise PersonaError(f"unknown {role} bias {bias_id!r}; expected one of: {known}")
        return self.biases[key]

    def stack(self, stack_id: str) -> Persona:
        if stack_id not in self.stacks:
            raise PersonaError(f"unknown persona {stack_id!r}; stored stacks: {', '.join(self.stacks)}")
        return self.stacks[stack_id]

    def axis_of(self, option_id: str) -> str:
        """The axis an option id belongs to ('anxious' -> 'personality'); ids must be unambiguous."""
        axes = [name for name, axis in self.axes.items() if axis.option(option_id)]
        if len(axes) != 1:
            known = ", ".join(f"{n}={o.id}" for n, a in self.axes.items() for o in a.options)
            raise PersonaError(f"unknown or ambiguous temperament {option_id!r}; write axis=option, one of: {known}")
        return axes[0]

    def validate(self, persona: Persona) -> Persona:
        """Raise :class:`PersonaError` for unknown ids or contradictions; return the persona."""
        for role, ids in (("doctor", persona.doctor_biases), ("patient", persona.patient_biases)):
            for bias_id in ids:
                self.bias(role, bias_id)
            if len(set(ids)) != len(ids):
                raise PersonaError(f"{role} bias listed twice in {ids}")
        for axis, option in persona.temperament.items():
            if axis not in self.axes:
                raise PersonaError(f"unknown temperament axis {axis!r}; expected one of: {', '.join(self.axes)}")
            if self.axes[axis].option(option) is None:
                known = ", ".join(o.id for o in self.axes[axis].options)
                raise PersonaError(f"unknown {axis} {option!r}; expected one of: {known}")
        if not persona.anchor.strip():
            raise PersonaError("the anchor of cognitive biases must not be empty")
        return persona

    def fragments(self, persona: Persona, role: Role) -> list[str]:
        """The prompt fragments an LLM agent of ``role`` receives."""
        ids = persona.doctor_biases if role == "doctor" else persona.patient_biases
        texts = [self.bias(role, b).render(persona.anchor) for b in ids]
        if role == "patient":
            texts += [o.prompt for o in self.temperament_options(persona) if o.prompt]
        return texts

    def temperament_options(self, persona: Persona) -> list[TemperamentOption]:
        chosen = {**self.defaults, **persona.temperament}
        return [self.axes[axis].option(option) for axis, option in chosen.items() if axis in self.axes]  # type: ignore[misc]

    def hints(self, persona: Persona, role: Role) -> set[str]:
        """Behaviour tags for scripted agents of ``role`` (bias hints plus temperament rules)."""
        ids = persona.doctor_biases if role == "doctor" else persona.patient_biases
        tags = {hint for b in ids for hint in self.bias(role, b).hints}
        if role == "patient":
            tags |= {rule for option in self.temperament_options(persona) for rule in option.rules}
        return tags


def _read(path: Path) -> dict:
    return read_yaml(path) or {}


@lru_cache(maxsize=4)
def load_library(directory: Path | None = None) -> PersonaLibrary:
    """The persona library from ``personas/`` (bundled by default)."""
    root = directory or bundled_dir("personas")
    biases = [Bias.model_validate(entry) for entry in _read(root / "biases.yaml").get("biases", [])]
    for bias in biases:
        _check_placeholders(bias)
    temperaments = _read(root / "temperaments.yaml")
    axes = {name: Axis.model_validate(axis) for name, axis in (temperaments.get("axes") or {}).items()}
    stacks_data = _read(root / "stacks.yaml").get("stacks", []) if (root / "stacks.yaml").is_file() else []
    stacks = {entry["id"]: Persona.model_validate(entry) for entry in stacks_data}
    library = PersonaLibrary(biases, axes, temperaments.get("defaults") or {}, stacks)
    for stack in stacks.values():
        library.validate(stack)
    return library


def _check_placeholders(bias: Bias) -> None:
    # {anchor} is the only placeholder filled; any other would reach the model verbatim.
    for field in ("description", "prompt"):
        unknown = set(_PLACEHOLDER.findall(getattr(bias, field))) - {"anchor"}
        if unknown:
            raise PersonaError(f"bias {bias.key}: unknown placeholder(s) {sorted(unknown)} in {field}; "
                               "only {anchor} is filled")


def load_swaps(directory: Path | None = None) -> dict[str, dict]:
    """Swap name -> {field, values} from ``personas/swaps.yaml``."""
    root = directory or bundled_dir("personas")
    return _read(root / "swaps.yaml").get("swaps", {}) if (root / "swaps.yaml").is_file() else {}


def swap_variants(scenario, swap: str, swaps: dict[str, dict] | None = None) -> list[tuple[str, object]]:
    """(label, scenario) for each value of ``swap``: copies differing only in one demographic field."""
    swaps = swaps if swaps is not None else load_swaps()
    if swap not in swaps:
        raise PersonaError(f"unknown swap {swap!r}; expected one of: {', '.join(swaps)}")
    field, variants = swaps[swap]["field"], []
    for value in swaps[swap]["values"]:
        demographics = scenario.patient.demographics.model_copy(update={field: value})
        patient = scenario.patient.model_copy(update={"demographics": demographics, **_sections_without(
            scenario.patient, field)})
        variant = scenario.model_copy(update={"patient": patient})
        if scenario.source_file is not None:
            variant.with_source(scenario.source_file)
        variants.append((f"{swap}={value}", variant))
    return variants


def _sections_without(patient, field: str) -> dict:
    """The card's sections with the one speaking of ``field`` removed (only occupation has one):
    else the swapped value and the case's own job would both be on the card."""
    if field != "occupation":
        return {}
    return {name: {key: text for key, text in getattr(patient, name).items() if not key.startswith("occupation")}
            for name in ("social_history", "extra_sections")}
