"""Where a case gives its answer away (pure).

The doctor must never be told the diagnosis. Text the doctor reads directly (the
objective) or hears from the patient (the card) must not name it: those are errors.
Examination findings and test reports should describe findings rather than name the
diagnosis; naming it there is reported as a warning, because imported datasets do it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from .scenario import Scenario
from .text import find_terms, normalize


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
    """Every place where the diagnosis or one of its synonyms appears in doctor-reachable text."""
    terms = scenario.diagnosis.terms()
    leaks: list[Leak] = []

    def check(value: object, path: str, severity: str) -> None:
        for field, text in _walk(value, path):
            leaks.extend(Leak(field, term, severity) for term in find_terms(text, terms))

    check(scenario.objective, "objective", "error")
    check(_doctor_facing_card(scenario), "patient", "error")
    check(scenario.physical_exam, "physical_exam", "warning")
    for index, test in enumerate(scenario.tests):
        check(test.model_dump(include={"name", "aliases", "result", "values"}), f"tests[{index}]", "warning")
    return leaks


def _term_pattern(term: str) -> re.Pattern[str]:
    stripped = term.strip()
    if stripped.isupper() and len(stripped) <= 5:  # abbreviations: exact case, as in find_terms
        return re.compile(rf"(?<![\w]){re.escape(stripped)}(?![\w])")
    body = r"[\s\-_'’.]+".join(re.escape(word) for word in normalize(term).split())
    return re.compile(rf"(?<![\w]){body}(?![\w])", re.IGNORECASE)


PLACEHOLDER = "[withheld]"  # what replaces a diagnosis mention in a reply


def redact(text: str, terms: list[str], placeholder: str = PLACEHOLDER) -> tuple[str, int]:
    """``text`` with every occurrence of ``terms`` replaced, and how many were replaced.

    The last line of defence for the no-leak guarantee: whatever a role implementation
    says (an LLM patient may guess aloud), the doctor never reads the diagnosis.
    """
    if not find_terms(text, terms):
        return text, 0
    total = 0
    for term in sorted(terms, key=len, reverse=True):
        if normalize(term):
            text, count = _term_pattern(term).subn(placeholder, text)
            total += count
    return text, total
