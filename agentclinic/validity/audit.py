"""The simulator audit: probe a pack's patient and measurement roles and check the replies.

For every case, the battery of :mod:`.probes` is put to a fresh patient and measurement
(scripted or model roles alike) and every reply is checked against the card with the
detectors of :mod:`.detectors`, the redaction guard and the missing-test rule of
:mod:`.implicated`. Nothing is written anywhere; the caller decides what to keep.

Rates (each over the probes it concerns):
open answered · card topics answered · compound parts answered · first person (no third
person or meta replies) · "don't know" on off-card topics · contradictions · leaks ·
case tests found · missing tests filled with normal text · normal fills that contradict
the case.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

from ..actions import RequestTest
from ..prices import load_prices
from ..resolver import MeasurementContext, Resolver
from ..scenario import Scenario
from ..terminology import load_terminology
from ..language import base_code, phrasebook
from ..text import is_content_token, normalize
from .detectors import contradiction, meta_reply, non_answer
from .guard import guard_for
from .lang_checks import ReplyReader, reply_reader
from .probes import Probe, measurement_battery, patient_battery

_STOP = frozenset("a an and are at be been did do does for had has have how i if in is it me my of on or so that the "
                  "this to was were what when where which who why with you your any ever not no yes about just "
                  "been very some it's i've i'm".split())
_NONE_SAID = re.compile(r"^\W*(?:no\b|none|nothing|never|nobody|nil\b|not\b|i (?:don'?t|do not|haven'?t|have not|"
                        r"never)|i'?ve (?:been|never|not)|i'?m (?:not|usually|healthy)|"
                        # a parent answering for the patient: "She's never had an operation"
                        r"(?:she|he|they)(?:'s|'ve|'re| has| have| does| do)? ?(?:never|not|no|n'?t)\b)", re.I)


_ALL_SAID = re.compile(r"\b(?:that'?s (?:everything|all|about it)|nothing else|no,? that'?s it)\b", re.I)


def _everything_told(scenario: Scenario, heard: str) -> bool:
    """Whether a conversation so far has told every symptom the patient has."""
    said = _words(heard)
    return all(_words(s.name) <= said or _words(s.detail or "") & said
               for s in scenario.patient.symptoms if s.present)


@dataclass
class Check:
    """One probe, the reply and what the checks found."""

    case: str
    kind: str
    question: str
    reply: str
    answered: bool | None = None
    problems: list[str] = field(default_factory=list)
    provenance: str | None = None  # for measurement probes: case | default-normal | unavailable


def _words(text: str) -> set[str]:
    return {w for w in normalize(text).split() if w not in _STOP and is_content_token(w)}


def _answers_in(reader: ReplyReader, probe: Probe, reply: str) -> bool:
    """:func:`_answers` for a language other than English, read by its reply readers."""
    if probe.expect == "dont_know":
        return reader.non_answer(reply) is not None
    if reader.non_answer(reply) is not None:
        return False
    if probe.expect == "yes":
        return not reader.says_no(reply)
    if probe.expect == "no":
        return reader.says_no(reply)
    if probe.expect == "none_said" or reader.says_none(probe.answer):
        # Nothing to report, or the card's own answer is a "no" ("drugs: No."): a "no" answers it.
        return reader.says_none(reply) or bool(_words(reply) & _words(probe.answer))
    return bool(_words(reply) & _words(probe.answer))


def _language_problems(reader: ReplyReader, probe: Probe, reply: str) -> list[str]:
    """A note about the patient, or a yes where the card says no (and the reverse)."""
    problems = [f"meta: {evidence}"] if (evidence := reader.meta(reply)) else []
    if probe.kind == "symptom" and probe.expect == "no" and reader.says_yes(reply):
        problems.append(f"contradiction: affirms {probe.topic!r}, which the card denies")
    if probe.kind == "symptom" and probe.expect == "yes" and reader.says_no(reply):
        problems.append(f"contradiction: denies {probe.topic!r}, which the card affirms")
    return problems


def _answers(probe: Probe, reply: str) -> bool:
    """Whether ``reply`` answers ``probe`` the way the card says it should."""
    if probe.expect == "dont_know":
        return non_answer(reply) is not None
    if non_answer(reply) is not None:
        return False
    if probe.expect == "yes":
        return not re.match(r"^\W*(?:no|never|not)\b", reply, re.I)
    if probe.expect == "no":
        return bool(re.match(r"^\W*(?:no|never|not|nothing|none)\b", reply, re.I))
    if probe.expect == "none_said" or _NONE_SAID.match(probe.answer.strip()):
        # Nothing to report, or the card's own answer is a "no": a plain "no" answers it.
        return bool(_NONE_SAID.match(reply)) or bool(_words(reply) & _words(probe.answer))
    return bool(_words(reply) & _words(probe.answer))


def _check_reply(scenario: Scenario, probe: Probe, reply: str) -> Check:
    check = Check(scenario.id, probe.kind, probe.question, reply)
    if base_code(scenario.language) != "en":
        reader = reply_reader(base_code(scenario.language))
        check.answered = all(_answers_in(reader, part, reply) for part in (probe.parts or (probe,)))
        check.problems += _language_problems(reader, probe, reply)
    else:
        check.answered = all(_answers(part, reply) for part in (probe.parts or (probe,)))
        if evidence := meta_reply(reply, scenario.patient):
            check.problems.append(f"meta: {evidence}")
        if evidence := contradiction(probe.question, reply, scenario.patient):
            check.problems.append(f"contradiction: {evidence}")
    guard = guard_for(scenario.diagnosis.name, tuple(scenario.diagnosis.synonyms))
    if named := guard.find(reply):
        check.problems.append(f"leak: names {named[0]!r}")
    return check


async def audit_patient(scenario: Scenario, make_patient: Callable[[Scenario], object]) -> list[Check]:
    """Every patient probe of one case (the open questions in one conversation, the rest afresh)."""
    opening, others = patient_battery(scenario)
    checks = []
    patient = make_patient(scenario)
    heard = ""
    for probe in opening:
        reply = await patient.reply(probe.question)  # type: ignore[attr-defined]
        check = _check_reply(scenario, probe, reply)
        all_said = _ALL_SAID.search(reply) or phrasebook(scenario.language, "patient").say("nothing_else") in reply
        if not check.answered and all_said and _everything_told(scenario, heard):
            check.answered = True  # "that's everything" is an answer once every symptom has been told
        heard += " " + reply
        checks.append(check)
    for probe in others:
        reply = await make_patient(scenario).reply(probe.question)  # type: ignore[attr-defined]
        checks.append(_check_reply(scenario, probe, reply))
    return checks


async def audit_measurement(scenario: Scenario, make_measurement: Callable[[Scenario], object]) -> list[Check]:
    """Every test of the case, and common tests it lacks (normal fills checked against the case)."""
    terms = load_terminology()
    resolver = Resolver(scenario, terms, load_prices())  # the missing-test rule, as the episodes apply it
    measurement = make_measurement(scenario)
    checks = []
    for probe in measurement_battery(scenario, terms):
        result = await measurement.measure(RequestTest(name=probe.question), MeasurementContext())  # type: ignore[attr-defined]
        check = Check(scenario.id, probe.kind, probe.question, result.text, provenance=result.provenance)
        if probe.kind == "test":
            check.answered = result.provenance == "case" and normalize(probe.answer) in normalize(result.text)
        elif result.provenance == "default-normal":
            if involved := resolver.implicated(RequestTest(name=probe.question)):
                check.problems.append(f"normal fill contradicts the case: {involved[1]} implicates {involved[0]}")
        guard = guard_for(scenario.diagnosis.name, tuple(scenario.diagnosis.synonyms))
        if named := guard.find(result.text):  # case data, not the simulator: the episode's guard redacts it
            check.problems.append(f"report names the diagnosis ({named[0]!r}; redacted before the doctor)")
        checks.append(check)
    return checks


def _rate(checks: Sequence[Check], kinds: set[str], test: Callable[[Check], bool]) -> float | None:
    chosen = [c for c in checks if c.kind in kinds]
    return round(sum(map(test, chosen)) / len(chosen), 4) if chosen else None


def summarise(checks: Sequence[Check]) -> dict:
    """The audit's rates and counts over any set of checks."""
    patient = [c for c in checks if c.kind in {"open", "topic", "symptom", "compound", "off_card"}]
    missing = [c for c in checks if c.kind == "missing_test"]
    return {
        "cases": len({c.case for c in checks}),
        "open_answered": _rate(checks, {"open"}, lambda c: bool(c.answered)),
        "card_topics_answered": _rate(checks, {"topic", "symptom"}, lambda c: bool(c.answered)),
        "compound_answered": _rate(checks, {"compound"}, lambda c: bool(c.answered)),
        "first_person": _rate(patient, {c.kind for c in patient}, lambda c: not _has(c, "meta")),
        "off_card_dont_know": _rate(checks, {"off_card"}, lambda c: bool(c.answered)),
        "contradictions": sum(_has(c, "contradiction") for c in checks),
        "leaks": sum(_has(c, "leak") for c in checks),
        "reports_naming_diagnosis": sum(_has(c, "report names") for c in checks),
        "case_tests_found": _rate(checks, {"test"}, lambda c: bool(c.answered)),
        "missing_normal_fill": _rate(missing, {"missing_test"}, lambda c: c.provenance == "default-normal"),
        "normal_fill_contradictions": sum(_has(c, "normal fill contradicts") for c in checks),
        "replies": len(checks),
    }


def _has(check: Check, prefix: str) -> bool:
    return any(problem.startswith(prefix) for problem in check.problems)


def failures(checks: Sequence[Check], limit: int = 20) -> list[dict]:
    """Replies worth reading: unanswered card questions and every problem found."""
    bad = [c for c in checks if c.problems or (c.answered is False and c.kind != "off_card")]
    return [asdict(c) for c in bad[:limit]]


@dataclass
class AuditResult:
    """Every check of a run, with the summary over all cases and per case."""

    checks: list[Check]

    def summary(self) -> dict:
        return summarise(self.checks)

    def per_case(self) -> dict[str, dict]:
        cases = dict.fromkeys(c.case for c in self.checks)
        return {case: summarise([c for c in self.checks if c.case == case]) for case in cases}

    def to_json(self, limit: int = 50) -> dict:
        return {"summary": self.summary(), "failures": failures(self.checks, limit)}


async def run_audit(scenarios: Sequence[Scenario], make_patient: Callable[[Scenario], object] | None,
                    make_measurement: Callable[[Scenario], object] | None,
                    on_case: Callable[[Scenario], None] | None = None) -> AuditResult:
    """Audit each case's patient and measurement roles (a role given as None is skipped)."""
    checks: list[Check] = []
    for scenario in scenarios:
        if make_patient is not None:
            checks += await audit_patient(scenario, make_patient)
        if make_measurement is not None:
            checks += await audit_measurement(scenario, make_measurement)
        if on_case is not None:
            on_case(scenario)
    return AuditResult(checks)
