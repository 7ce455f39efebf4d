"""Which body systems a case implicates, so a missing test is never reported normal against it (pure).

The rule (documented in the README): a test the case lacks may be answered with its
normal-range text only when none of the body systems its result depends on is implicated
by the case. A system is implicated by

* the diagnosis (its name and the case's synonyms),
* an abnormal examination finding: the section's system (a named organ system, not
  "general") and the words of the finding, including vital signs outside adult limits, and
* an abnormal test result in the case: the words of the report and the analytes outside
  their reference range.

A finding or report is abnormal where, once its negated parts are set aside ("no murmurs",
"not raised"), it still holds one of the data's ``abnormal_cues``. The patient's symptoms
are history, not findings: they do not implicate a system on their own.

Systems, the words that point at them and the tests that depend on them are data
(``data/body_systems.yaml``); a test's systems also follow the terminology graph upwards,
so an analyte the vocabulary files under a panel depends on what the panel depends on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..paths import data_file
from ..scenario import Scenario, TestValue
from ..terminology import Terminology
from ..yaml_cache import read_yaml
from .folding import fold

_NEGATED_PART = re.compile(r"\b(?:no|without|nil|not|negative for|absence of|free of|denies)\b[^,;.]*|"
                           r"\bnon-?\s*\w+", re.I)
_ABNORMAL_VALUE = re.compile(r"\b(?:elevated|raised|high|increased|low|decreased|reduced|positive|detected|abnormal|"
                             r"present|prolonged|deficien)", re.I)
_GENERIC_SECTIONS = {"general", "vital_signs"}


def _has_entry(words: list[str], entry: tuple[str, ...]) -> bool:
    """A one-word entry matches a word's start; a longer one its words in a row (the last by its start)."""
    size = len(entry)
    return any(words[i:i + size - 1] == list(entry[:-1]) and words[i + size - 1].startswith(entry[-1])
               for i in range(len(words) - size + 1))


@dataclass(frozen=True)
class BodySystems:
    """The systems vocabulary: words, examination sections and tests per system."""

    words: dict[str, tuple[tuple[str, ...], ...]]
    exam: dict[str, frozenset[str]]
    tests: dict[str, frozenset[str]]
    abnormal: tuple[str, ...]  # word starts that make a finding abnormal
    _cache: list = field(default_factory=list, compare=False, repr=False)

    def of_text(self, text: str) -> set[str]:
        """Systems whose words occur in ``text``."""
        said = fold(text).split()
        found: set[str] = set()
        single, multi = self._index()
        for position, word in enumerate(said):
            for size in range(3, len(word) + 1):  # every start of the word that is an entry
                found |= single.get(word[:size], set())
            for entry, system in multi.get(word, ()):
                if system not in found and _has_entry(said[position:position + len(entry)], entry):
                    found.add(system)
        return found

    def _index(self) -> tuple[dict[str, set[str]], dict[str, list[tuple[tuple[str, ...], str]]]]:
        """One-word entries by their text; longer ones by their first word (built once)."""
        if not self._cache:
            single: dict[str, set[str]] = {}
            multi: dict[str, list[tuple[tuple[str, ...], str]]] = {}
            for system, entries in self.words.items():
                for entry in entries:
                    if len(entry) == 1:
                        single.setdefault(entry[0], set()).add(system)
                    else:
                        multi.setdefault(entry[0], []).append((entry, system))
            self._cache.append((single, multi))
        return self._cache[0]

    def of_test(self, concept: str | None, name: str, terms: Terminology) -> set[str]:
        """Systems a test's result depends on: listed for its concept or a panel holding it,
        else read from its name."""
        found: set[str] = set()
        if concept is not None:
            for node in {concept, *terms.containers(concept)}:
                found |= {system for system, tests in self.tests.items() if node in tests}
        return found or self.of_text(name)

    def of_exam_section(self, key: str, terms: Terminology) -> set[str]:
        canonical = terms.exam_system(key.replace("_", " "))
        return {system for system, keys in self.exam.items() if canonical in keys} if canonical else set()

    def abnormal_part(self, text: str) -> str:
        """The parts of a finding that say something is wrong ('' when none do)."""
        kept = []
        for clause in re.split(r"[.;,]\s*", text):
            rest = _NEGATED_PART.sub(" ", clause)
            if any(word.startswith(self.abnormal) for word in fold(rest).split()):
                kept.append(rest.strip())
        return ". ".join(kept)


@lru_cache(maxsize=2)
def load_body_systems(path: Path | None = None) -> BodySystems:
    """The systems vocabulary (cached)."""
    loaded = read_yaml(path or data_file("body_systems.yaml"))
    data, cues = loaded["systems"], loaded.get("abnormal_cues", [])
    return BodySystems(
        words={name: tuple(tuple(fold(w).split()) for w in entry.get("words", []) if fold(w))
               for name, entry in data.items()},
        exam={name: frozenset(entry.get("exam", [])) for name, entry in data.items()},
        tests={name: frozenset(entry.get("tests", [])) for name, entry in data.items()},
        abnormal=tuple(fold(cue) for cue in cues if fold(cue)),
    )


def _abnormal_value(value: TestValue) -> bool:
    ref = value.reference
    if isinstance(value.value, float) and ref is not None and (ref.low is not None or ref.high is not None):
        return (ref.low is not None and value.value < ref.low) or (ref.high is not None and value.value > ref.high)
    return isinstance(value.value, str) and bool(_ABNORMAL_VALUE.search(value.value)) \
        and not re.search(r"\bnot detected|\bnegative\b|within normal", value.value, re.I)


def _vital_systems(key: str, text: str) -> set[str]:
    """Adult limits: fever, fast or slow pulse, low or very high pressure, fast breathing, low oxygen."""
    number = re.search(r"(\d+(?:\.\d+)?)", text)
    if number is None:
        return set()
    value, key = float(number.group(1)), key.lower()
    if "temp" in key and (38.0 <= value < 45 or value >= 100.4):
        return {"infection_inflammation"}
    if ("heart" in key or "pulse" in key) and not 50 <= value <= 100:
        return {"cardiovascular"}
    if ("pressure" in key or key == "bp") and not 90 <= value < 160:
        return {"cardiovascular", "vascular"}
    if "resp" in key and value > 22:
        return {"respiratory"}
    if ("oxygen" in key or "saturation" in key or "spo2" in key) and value < 94:
        return {"respiratory"}
    return set()


def _leaves(tree: dict | str, path: tuple[str, ...] = ()):
    if isinstance(tree, str):
        yield path, tree
        return
    for key, value in tree.items():
        yield from _leaves(value, (*path, key))


@dataclass
class Implication:
    """The systems one case implicates, each with the first evidence found for it."""

    systems: dict[str, str] = field(default_factory=dict)

    def add(self, systems: set[str], evidence: str) -> None:
        for system in sorted(systems):
            self.systems.setdefault(system, evidence)

    def overlap(self, systems: set[str]) -> tuple[str, str] | None:
        """The first implicated system among ``systems`` and why, or None."""
        hit = sorted(systems & self.systems.keys())
        return (hit[0], self.systems[hit[0]]) if hit else None


def implicated_systems(scenario: Scenario, terms: Terminology, systems: BodySystems | None = None) -> Implication:
    """What ``scenario`` implicates, by the rule in the module docstring."""
    systems = systems or load_body_systems()
    found = Implication()
    diagnosis = scenario.diagnosis
    found.add(systems.of_text(" ".join(diagnosis.terms())), f"the diagnosis ({diagnosis.name})")
    for path, text in _leaves(scenario.physical_exam):
        where = " / ".join(path)
        if any("vital" in part.lower() for part in path):
            found.add(_vital_systems(path[-1], text), f"the vital sign {where}: {text}")
            continue
        wrong = systems.abnormal_part(text)
        if wrong:
            sections = set().union(*(systems.of_exam_section(p, terms) for p in path if p not in _GENERIC_SECTIONS))
            found.add(sections | systems.of_text(wrong), f"the examination finding {where}: {wrong}")
    for test in scenario.tests:
        wrong = systems.abnormal_part(test.result or "")
        if wrong:
            found.add(systems.of_text(wrong), f"the result of {test.name}: {wrong[:80]}")
        for value in test.values:
            if _abnormal_value(value):
                # An analyte points at the systems listed for it, not at every system of its panel.
                concept = terms.concept(value.name)
                listed = {system for system, tests in systems.tests.items() if concept in tests}
                found.add(listed or systems.of_text(value.name), f"{test.name}: {value.render()}")
    return found
