"""The four roles as protocols (pure). Scripted agents, LLM agents and humans implement them.

Each role object serves one episode: factories build a fresh one per case, so an agent can
keep its own conversation state without leaking it across cases. The doctor's factory gets
only the :class:`~agentclinic.scenario.DoctorBrief`; it never sees the case file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

from .actions import MeasurementRequest
from .resolver import ImageRef, MeasurementContext, MeasurementResult
from .scenario import DoctorBrief, Scenario
from .survey import Survey, TurnLike

Speaker = Literal["doctor", "patient", "measurement", "system"]


@dataclass(frozen=True)
class Observation:
    """What the doctor perceives after each of its turns (and at the start)."""

    text: str
    speaker: Speaker
    turn: int  # doctor turns taken so far
    remaining: int  # doctor turns left
    cost_usd: float  # spent so far
    images: tuple[ImageRef, ...] = ()
    final_turn: bool = False  # the next doctor turn is the last one


@dataclass(frozen=True)
class Assessment:
    """An assessor's judgement of the doctor's diagnosis."""

    correct: bool
    verdict: str  # exact | equivalent | broader | narrower | wrong | none
    reason: str
    assessor: str
    matched: str | None = None
    score: float | None = None  # graded credit in [0, 1] where an assessor gives one (judge panels)
    details: dict = field(default_factory=dict)  # e.g. each judge's vote


@runtime_checkable
class DoctorAgent(Protocol):
    async def act(self, observation: Observation) -> str:
        """The doctor's next utterance, in the text protocol or as a JSON action."""
        ...


@runtime_checkable
class PatientAgent(Protocol):
    async def reply(self, question: str) -> str:
        """The patient's answer to one thing the doctor said."""
        ...


@runtime_checkable
class SurveyRespondent(Protocol):
    """A patient that can rate the doctor after the episode (optional for patients)."""

    async def survey(self, transcript: Sequence[TurnLike]) -> Survey:
        """Ratings of the encounter in ``transcript`` (see :mod:`agentclinic.survey`)."""
        ...


@runtime_checkable
class MeasurementAgent(Protocol):
    async def measure(self, request: MeasurementRequest, context: MeasurementContext) -> MeasurementResult:
        """Examination findings, test results or images, grounded in the case."""
        ...


@runtime_checkable
class AssessorAgent(Protocol):
    async def assess(self, diagnosis: str | None, scenario: Scenario) -> Assessment:
        """Whether ``diagnosis`` matches the case's diagnosis."""
        ...


DoctorFactory = Callable[[DoctorBrief, int], DoctorAgent]
PatientFactory = Callable[[Scenario, int], PatientAgent]
MeasurementFactory = Callable[[Scenario, int], MeasurementAgent]
AssessorFactory = Callable[[int], AssessorAgent]


@dataclass
class RoleSet:
    """Factories for the simulated roles plus the names they were bound from (for the run record)."""

    patient: PatientFactory
    measurement: MeasurementFactory
    assessor: AssessorFactory
    doctor: DoctorFactory | None = None  # None when an outside caller (env user, TUI human) is the doctor
    bindings: dict[str, str] = field(default_factory=dict)
