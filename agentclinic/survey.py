"""The patient-perception survey (pure): three 1-10 ratings with a one-line reason each.

After an episode the patient rates the doctor, as the AgentClinic paper describes:
confidence in the doctor, likelihood of following the plan, and willingness to consult
this doctor again. An LLM patient answers in role; the scripted patient uses
:func:`heuristic_survey`, a set of documented rules over what the patient perceived (the
doctor's questions, examinations, tests, repetitions and whether an answer came). Reports
mark heuristic surveys as such: they make differences measurable, not human-like.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Protocol

from .text import normalize

QUESTIONS = {
    "confidence": "How confident are you in this doctor?",
    "adherence": "How likely are you to follow this doctor's plan?",
    "return_visit": "How willing would you be to consult this doctor again?",
}
ITEMS = tuple(QUESTIONS)
BASE_SCORE = 6  # a neutral-to-positive start: most patients rate an ordinary visit above the middle

# The shape an LLM patient is asked to answer in (also a JSON schema for servers that take one).
SURVEY_SCHEMA = {
    "type": "object",
    "properties": {
        item: {"type": "object",
               "properties": {"score": {"type": "integer", "minimum": 1, "maximum": 10},
                              "reason": {"type": "string", "maxLength": 200}},
               "required": ["score", "reason"]}
        for item in ITEMS
    },
    "required": list(ITEMS),
}


class SurveyError(ValueError):
    """A survey answer that cannot be read (it is logged, never fatal to the episode)."""


@dataclass(frozen=True)
class Rating:
    score: int  # 1-10
    reason: str


@dataclass(frozen=True)
class Survey:
    """One patient's ratings of one episode's doctor."""

    confidence: Rating
    adherence: Rating
    return_visit: Rating
    respondent: str  # "scripted" or a model label
    heuristic: bool  # True when derived by rules rather than answered in role

    def as_dict(self) -> dict:
        return asdict(self)


class TurnLike(Protocol):
    """What a survey reads from a turn: an episode's TurnRecord or a logged Turn row."""

    speaker: str
    text: str
    action: str | None
    action_detail: dict | None


def clamp(score: float) -> int:
    return max(1, min(10, round(score)))


def parse_survey(text: str, respondent: str) -> Survey:
    """Read an LLM patient's JSON answer; tolerant of prose around the object."""
    match = re.search(r"\{.*\}", text, re.DOTALL)
    try:
        data = json.loads(match.group(0) if match else text)
        ratings = {item: _rating(data[item]) for item in ITEMS}
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise SurveyError(f"unreadable survey answer ({type(exc).__name__}: {exc}): {text[:200]!r}") from exc
    return Survey(**ratings, respondent=respondent, heuristic=False)


def _rating(value: object) -> Rating:
    if isinstance(value, (int, float)):  # a bare number: accept it, with no reason
        return Rating(clamp(float(value)), "")
    if not isinstance(value, dict):
        raise TypeError(f"expected an object with score and reason, got {value!r}")
    return Rating(clamp(float(value["score"])), str(value.get("reason", "")).strip()[:200])


@dataclass(frozen=True)
class Perceived:
    """What the patient could notice about the encounter (the rules' only input)."""

    questions: int
    distinct_questions: int
    examinations: int
    tests: int
    invalid: int
    diagnosed: bool
    symptoms_asked: int
    symptoms_total: int

    @property
    def repeats(self) -> int:
        return self.questions - self.distinct_questions


def perceive(records: Sequence[TurnLike], symptoms: Sequence[str] = ()) -> Perceived:
    """Count what the patient saw; ``symptoms`` are the names of the patient's own complaints."""
    doctor = [r for r in records if r.speaker == "doctor"]
    asked = [normalize(r.text) for r in doctor if r.action == "ask"]
    said = " ".join(asked)
    return Perceived(
        questions=len(asked), distinct_questions=len(set(asked)),
        examinations=sum(r.action == "examine" for r in doctor),
        tests=sum(r.action in ("request_test", "request_images") for r in doctor),
        invalid=sum(r.action == "invalid" for r in doctor),
        diagnosed=any(r.action == "diagnose" for r in doctor),
        symptoms_asked=sum(1 for name in symptoms if _mentions(said, name)),
        symptoms_total=len(symptoms),
    )


def _mentions(said: str, symptom: str) -> bool:
    words = [w for w in normalize(symptom).split() if len(w) > 3]
    return bool(words) and any(w in said for w in words)


def heuristic_survey(seen: Perceived, hints: set[str] = frozenset(), biased: int = 0) -> Survey:
    """Ratings from documented rules (README, "Patient-perception survey").

    ``hints`` are the patient's persona behaviour tags; ``biased`` counts its implicit or
    cognitive patient biases (each lowers every rating by one, at most three).
    """
    confidence, why = _confidence(seen)
    adherence, why_a = confidence, ["follows from confidence"]
    if seen.examinations + seen.tests == 0:
        adherence, why_a = adherence - 1, ["nothing was checked before the plan"]
    elif seen.tests:
        adherence, why_a = adherence + 1, ["tests back up the plan"]
    return_visit, why_r = confidence, ["follows from confidence"]
    if seen.distinct_questions >= 5:
        return_visit, why_r = return_visit + 1, ["felt listened to"]
    adjust, why_p = _persona_adjustment(seen, hints, biased)
    if "agree_readily" in hints:
        adherence, why_a = adherence + 1, why_a + ["eager to go along"]
    return Survey(
        Rating(clamp(confidence + adjust), _reason(why + why_p)),
        Rating(clamp(adherence + adjust), _reason(why_a + why_p)),
        Rating(clamp(return_visit + adjust), _reason(why_r + why_p)),
        respondent="scripted", heuristic=True)


def _confidence(seen: Perceived) -> tuple[int, list[str]]:
    score, why = BASE_SCORE, []
    if seen.distinct_questions >= 3:
        score, why = score + 1, why + ["asked about my story"]
    if seen.examinations:
        score, why = score + 1, why + ["examined me"]
    if seen.symptoms_total and seen.symptoms_asked * 2 >= seen.symptoms_total:
        score, why = score + 1, why + ["asked about most of my symptoms"]
    if seen.repeats:
        score, why = score - min(2, seen.repeats), why + ["asked the same thing again"]
    if seen.invalid >= 2:
        score, why = score - 1, why + ["said things that made no sense"]
    if seen.diagnosed and seen.questions + seen.examinations + seen.tests == 0:
        score, why = score - 2, why + ["decided without asking or examining"]
    if not seen.diagnosed:
        score, why = score - 2, why + ["never told me what is wrong"]
    return score, why


def _persona_adjustment(seen: Perceived, hints: set[str], biased: int) -> tuple[int, list[str]]:
    adjust, why = -min(3, biased), ["my own prejudices"] if biased else []
    if "less_forthcoming" in hints:
        adjust, why = adjust - 1, why + ["I don't trust doctors"]
    if "express_worry" in hints and not (seen.examinations and seen.tests):
        adjust, why = adjust - 1, why + ["I am still worried"]
    if "brief_answers" in hints and seen.questions > 10:
        adjust, why = adjust - 1, why + ["it took too long"]
    return adjust, why


def _reason(parts: list[str]) -> str:
    return "; ".join(parts) if parts else "an ordinary visit"
