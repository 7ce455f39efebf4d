"""Simulator-fault flags: places where the simulated patient or measurement misbehaved.

Flags per episode, each with the evidence a person can check:

* ``patient_revealed`` - the patient named the diagnosis (the episode redacted it before
  the doctor read it; the count is logged per turn).
* ``patient_unsupported`` - the patient stated something absent from or contradicting its
  card: a number the card does not contain, a symptom the card lists as absent affirmed, or
  a symptom from the pack vocabulary that the card never mentions.
* ``measurement_unsupported`` - a measurement reply carries a value that neither the case
  nor the grounded resolver's own answer for that request contains.

* ``patient_meta`` - a reply in the third person or about the record or role-play
  ("The patient reports…", "No mention of…") instead of the patient speaking;
* ``patient_non_answer`` - "I don't know" (or nothing) to a question about something the card
  holds;
* ``patient_contradiction`` - a reply that denies what the card holds (medicines, past
  illnesses, habits, a symptom it has) or affirms what it denies;
* ``measurement_normal_contradiction`` - normal-range text for a test the case implicates
  (:mod:`agentclinic.validity.implicated`).

These are lexical checks (:mod:`agentclinic.validity.detectors`, validated on labelled
examples with their precision and recall in the tests): the scripted roles trip none of
them on the bundled pack (a test keeps it so); LLM roles do when they invent or slip out of
role. ``measurement_revealed`` (a case's own report naming the diagnosis) is recorded too:
it points at case data, not at the simulator.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

from ..actions import Examine, RequestImages, RequestTest
from ..agents.card_text import render_card
from ..prices import load_prices
from ..resolver import MeasurementContext, Resolver
from ..scenario import Scenario
from ..survey import TurnLike
from ..terminology import load_terminology
from ..text import normalize
from ..validity.detectors import asked_on_card, contradiction, meta_reply, non_answer
from ..validity.guard import PLACEHOLDER
from .lexical import negated_before, numbers_in

_SENTENCE = re.compile(r"(?<=[.!?])\s+")
FLAG_NAMES = ("patient_revealed", "patient_unsupported", "patient_meta", "patient_non_answer", "patient_contradiction",
              "measurement_unsupported", "measurement_normal_contradiction")


@dataclass
class Faults:
    patient_revealed: list[str] = field(default_factory=list)
    patient_unsupported: list[str] = field(default_factory=list)
    measurement_unsupported: list[str] = field(default_factory=list)
    measurement_revealed: list[str] = field(default_factory=list)
    patient_meta: list[str] = field(default_factory=list)
    patient_non_answer: list[str] = field(default_factory=list)
    patient_contradiction: list[str] = field(default_factory=list)
    measurement_normal_contradiction: list[str] = field(default_factory=list)

    @property
    def flags(self) -> dict[str, bool]:
        return {name: bool(getattr(self, name)) for name in FLAG_NAMES}

    @property
    def any(self) -> bool:
        return any(self.flags.values())


class TurnWithFaults(TurnLike, Protocol):
    index: int
    redactions: int


def detect_faults(scenario: Scenario, turns: Sequence[TurnWithFaults],
                  vocabulary: Iterable[str] | None = None) -> Faults:
    """Check every patient and measurement reply of one episode against its case."""
    return FaultChecker(scenario, vocabulary).check(turns)


class FaultChecker:
    """The checks for one case, prepared once and applied to any number of its episodes."""

    def __init__(self, scenario: Scenario, vocabulary: Iterable[str] | None = None):
        self.scenario = scenario
        raw_card = _card_text(scenario)
        self.card, self.card_numbers = normalize(raw_card), numbers_in(raw_card)
        self.case_numbers = numbers_in(_case_text(scenario))
        self.denied = [normalize(s.name) for s in scenario.patient.symptoms if not s.present]
        vocabulary = symptom_vocabulary() if vocabulary is None else [normalize(v) for v in vocabulary]
        self.unmentioned = [name for name in vocabulary if name not in self.card and name not in self.denied]
        self.resolver = Resolver(scenario, load_terminology(), load_prices())
        self._grounded: dict[str, set[str]] = {}

    def check(self, turns: Sequence[TurnWithFaults], reticent: bool = False) -> Faults:
        """The faults of one episode; ``reticent`` when the patient's persona withholds on
        purpose (poor recall, guarded), so its "I don't know" is behaviour, not a fault."""
        faults, previous = Faults(), None
        for turn in turns:
            if turn.speaker == "patient":
                if getattr(turn, "redactions", 0):
                    faults.patient_revealed.append(f"turn {turn.index}: named the diagnosis")
                faults.patient_unsupported.extend(self._patient_claims(turn))
                self._patient_behaviour(turn, previous, reticent, faults)
            elif turn.speaker == "measurement":
                if getattr(turn, "redactions", 0):
                    faults.measurement_revealed.append(f"turn {turn.index}: a result named the diagnosis")
                if getattr(turn, "provenance", None) == "default-normal" and (why := self._implicated(previous)):
                    faults.measurement_normal_contradiction.append(f"turn {turn.index}: normal text, but {why}")
                extra = numbers_in(turn.text) - self.case_numbers - self._grounded_numbers(previous)
                if extra:
                    faults.measurement_unsupported.append(
                        f"turn {turn.index}: value(s) {', '.join(sorted(extra))} not in the case")
            elif turn.speaker == "doctor":
                previous = turn
        return faults

    def _patient_behaviour(self, turn: TurnWithFaults, question: TurnLike | None, reticent: bool,
                           faults: Faults) -> None:
        card, asked = self.scenario.patient, question.text if question is not None else ""
        if evidence := meta_reply(turn.text, card):
            faults.patient_meta.append(f"turn {turn.index}: {evidence}")
        if asked and not reticent and non_answer(turn.text) and (topic := asked_on_card(asked, card)):
            faults.patient_non_answer.append(f"turn {turn.index}: no answer about {topic!r}, which the card holds")
        if asked and (evidence := contradiction(asked, turn.text, card)):
            faults.patient_contradiction.append(f"turn {turn.index}: {evidence}")

    def _implicated(self, doctor_turn: TurnLike | None) -> str | None:
        """Why normal text for the requested test or examination contradicts the case, if it does."""
        request = _logged_request(doctor_turn)
        if not isinstance(request, (Examine, RequestTest)):
            return None
        found = self.resolver.implicated(request)
        return f"{found[1]} implicates {found[0]}" if found else None

    def _patient_claims(self, turn: TurnLike) -> list[str]:
        # Questions are not claims ("Sorry, what does 'chest pain' mean?").
        sentences = _SENTENCE.split(turn.text.replace(PLACEHOLDER, " "))
        text = " ".join(s for s in sentences if not s.rstrip().endswith("?"))
        said = f" {normalize(text)} "
        found = []
        if extra := numbers_in(text) - self.card_numbers:
            found.append(f"turn {turn.index}: number(s) {', '.join(sorted(extra))} not on the card")
        found += [f"turn {turn.index}: affirms {name!r}, which the card lists as absent"
                  for name in self.denied if _affirms(said, name, self.card)]
        found += [f"turn {turn.index}: mentions {name!r}, which the card never does"
                  for name in self.unmentioned if _affirms(said, name, self.card)]
        return found

    def _grounded_numbers(self, doctor_turn: TurnLike | None) -> set[str]:
        """Numbers in the grounded answer to the doctor's request (default-normal text included)."""
        request = _logged_request(doctor_turn)
        if request is None:
            return set()
        key = request.model_dump_json()
        if key not in self._grounded:
            self._grounded[key] = numbers_in(self.resolver.resolve(request, MeasurementContext()).text)
        return self._grounded[key]


_REQUESTS = {"examine": Examine, "request_test": RequestTest, "request_images": RequestImages}


def _logged_request(doctor_turn: TurnLike | None) -> Examine | RequestTest | RequestImages | None:
    """The measurement request a logged doctor turn made (None for other actions or a malformed log)."""
    if doctor_turn is None or doctor_turn.action not in _REQUESTS:
        return None
    try:
        return _REQUESTS[doctor_turn.action].model_validate(doctor_turn.action_detail or {})
    except ValueError:
        return None


def _affirms(said: str, key: str, card: str) -> bool:
    """Normalised ``key`` is in padded, normalised ``said``, not under a negation ('no chest
    pain', 'haven't had any fever') and not inside a longer phrase the card has ('hay fever'
    when the card denies 'fever')."""
    if f" {key} " not in said:
        return False
    for found in re.finditer(rf"(?<!\S){re.escape(key)}(?!\S)", said):
        before = said[: found.start()].split()[-1:]
        after = said[found.end():].split()[:1]
        longer = [f"{before[0]} {key}"] if before else []
        longer += [f"{key} {after[0]}"] if after else []
        if not any(phrase in card for phrase in longer) and not negated_before(said, found.start()):
            return True
    return False


def _card_text(scenario: Scenario) -> str:
    card = scenario.patient
    age = card.demographics.age_years
    return f"{render_card(card)} {card.demographics.describe()} {'' if age is None else format(age, 'g')}"


def _case_text(scenario: Scenario) -> str:
    """Every value the measurement role may report: exam findings, tests, images."""
    return scenario.model_dump_json(include={"physical_exam", "tests", "images"})


@lru_cache(maxsize=1)
def symptom_vocabulary() -> tuple[str, ...]:
    """Symptom names from the bundled pack (normalised, distinctive ones only)."""
    from ..loader import load_pack  # the pack is data; loaded once, on first use

    # Compound names ("night sweats and weight loss") are split: each part is a symptom of its own.
    names = {normalize(part) for case in load_pack("core").scenarios for s in case.patient.symptoms
             for part in re.split(r",|\band\b|\bor\b|/", s.name)}
    return tuple(sorted(name for name in names if len(name) >= 5))
