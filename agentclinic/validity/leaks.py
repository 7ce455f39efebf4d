"""Where a case gives its answer away (pure).

The doctor must never be told the diagnosis. Text the doctor reads directly (the
objective) or hears from the patient (the card) must not name it: those are errors.
Examination findings and test reports should describe findings rather than name the
diagnosis; naming it there is reported as a warning, because imported datasets do it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ..scenario import Scenario
from .guard import guard_for


@dataclass(frozen=True)
class Leak:
    field: str
    term: str
    severity: str  # "error" | "warning"


def _walk(value: object, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}[{index}]")


def _doctor_facing_card(scenario: Scenario) -> dict:
    # Demographics are plain facts; every other field of the card may be spoken.
    return scenario.patient.model_dump(exclude={"demographics"}, exclude_none=True)


def find_leaks(scenario: Scenario) -> list[Leak]:
    """Every place where the diagnosis, a synonym or a narrower form (in the case or in the
    diagnosis graph, in any spelling the guard knows) appears in doctor-reachable text."""
    finder = guard_for(scenario.diagnosis.name, tuple(scenario.diagnosis.synonyms))
    leaks: list[Leak] = []

    def check(value: object, path: str, severity: str) -> None:
        for field, text in _walk(value, path):
            leaks.extend(Leak(field, term, severity) for term in finder.find(text))

    check(scenario.objective, "objective", "error")
    check(_doctor_facing_card(scenario), "patient", "error")
    check(scenario.physical_exam, "physical_exam", "warning")
    for index, test in enumerate(scenario.tests):
        check(test.model_dump(include={"name", "aliases", "result", "values"}), f"tests[{index}]", "warning")
    return leaks
