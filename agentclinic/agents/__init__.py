"""Role implementations: scripted (offline, deterministic) agents and the role registry."""

from .assessor import ScriptedAssessor
from .doctor import BaselineDoctor
from .measurement import ScriptedMeasurement
from .patient import ScriptedPatient
from .registry import RoleSpecError, available, build, register, resolve_roles

__all__ = [
    "BaselineDoctor",
    "RoleSpecError",
    "ScriptedAssessor",
    "ScriptedMeasurement",
    "ScriptedPatient",
    "available",
    "build",
    "register",
    "resolve_roles",
]
