"""Role specs ("baseline", "scripted", later "openai:gpt-4o-mini") -> per-episode factories.

The CLI, the env and the TUI bind roles by spec string; the binding is written to the run
record. New backends register a builder for a role without touching callers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..roles import RoleSet
from .assessor import ScriptedAssessor
from .doctor import BaselineDoctor
from .measurement import ScriptedMeasurement
from .patient import ScriptedPatient

ROLES = ("doctor", "patient", "measurement", "assessor")

# role -> spec name -> builder(options) -> factory
_BUILDERS: dict[str, dict[str, Callable[[dict[str, Any]], Callable]]] = {
    "doctor": {"baseline": lambda opts: lambda brief, seed: BaselineDoctor(brief, seed)},
    "patient": {"scripted": lambda opts: lambda scenario, seed: ScriptedPatient(scenario, seed)},
    "measurement": {
        "scripted": lambda opts: lambda scenario, seed: ScriptedMeasurement(
            scenario, seed, missing=opts.get("missing", "default-normal"))
    },
    "assessor": {"scripted": lambda opts: lambda seed: ScriptedAssessor(seed)},
}


class RoleSpecError(ValueError):
    """A role spec that names no known implementation."""


def register(role: str, name: str, builder: Callable[[dict[str, Any]], Callable]) -> None:
    """Make ``name`` a valid spec for ``role``; ``builder(options)`` returns the per-episode factory."""
    if role not in _BUILDERS:
        raise ValueError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    _BUILDERS[role][name] = builder


def available(role: str) -> list[str]:
    return sorted(_BUILDERS[role])


def build(role: str, spec: str | Callable, options: dict[str, Any] | None = None) -> Callable:
    """The per-episode factory for ``role`` from a spec string (or a ready factory, passed through)."""
    if callable(spec):
        return spec
    builders = _BUILDERS[role]
    if spec not in builders:
        raise RoleSpecError(
            f"unknown {role} {spec!r}; expected one of: {', '.join(available(role))}"
        )
    return builders[spec](options or {})


def resolve_roles(
    doctor: str | Callable | None = "baseline",
    patient: str | Callable = "scripted",
    measurement: str | Callable = "scripted",
    assessor: str | Callable = "scripted",
    **options: Any,
) -> RoleSet:
    """Bind every role; ``doctor=None`` leaves the doctor to the caller (env user, human)."""
    specs = {"patient": patient, "measurement": measurement, "assessor": assessor}
    factories = {role: build(role, spec, options) for role, spec in specs.items()}
    bindings = {role: _describe(spec) for role, spec in specs.items()}
    bindings["doctor"] = _describe(doctor) if doctor is not None else "external"
    return RoleSet(
        patient=factories["patient"],
        measurement=factories["measurement"],
        assessor=factories["assessor"],
        doctor=build("doctor", doctor, options) if doctor is not None else None,
        bindings=bindings,
    )


def _describe(spec: str | Callable) -> str:
    return spec if isinstance(spec, str) else f"python:{getattr(spec, '__qualname__', type(spec).__name__)}"
