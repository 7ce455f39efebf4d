"""Typed doctor actions and the parser from the doctor's text (pure).

Doctors speak text; the episode acts on typed actions. Three forms are accepted:

* AgentClinic's protocol, so prompts and transcripts from the original carry over:
  ``REQUEST TEST: x``, ``REQUEST IMAGES``, ``DIAGNOSIS READY: x``;
* our additions in the same style: ``PHYSICAL EXAM`` / ``EXAMINE: system``,
  ``DIFFERENTIAL: a; b; c`` and ``CONFIDENCE: 0.7`` after a diagnosis;
* a structured JSON object such as ``{"action": "request_test", "name": "CBC"}``;
* an OpenAI-style tool call (see :mod:`agentclinic.tools`).

Anything else is a question to the patient. Text that cannot be made into a valid action
becomes :class:`Invalid`, which the episode counts; parsing never raises.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from .tools import TOOL_CALL_SHAPES, is_tool_call, tool_call_fields

MAX_UTTERANCE_CHARS = 4000


class _Action(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    def describe(self) -> str:
        """A compact one-line form for logs and transcripts."""
        fields = self.model_dump(exclude={"kind"}, exclude_defaults=True)
        detail = ", ".join(f"{key}={value!r}" for key, value in fields.items())
        return f"{self.kind}({detail})"  # type: ignore[attr-defined]


class Ask(_Action):
    """A question or statement to the patient."""

    kind: Literal["ask"] = "ask"
    text: str = Field(min_length=1, max_length=MAX_UTTERANCE_CHARS)


class Examine(_Action):
    """Physical examination, whole or of one body system."""

    kind: Literal["examine"] = "examine"
    system: str | None = Field(None, max_length=200)


class RequestTest(_Action):
    """Order a test by name; the measurement agent resolves the name."""

    kind: Literal["request_test"] = "request_test"
    name: str = Field(min_length=1, max_length=300)


class RequestImages(_Action):
    """Ask to see the case's images (optionally those of one study)."""

    kind: Literal["request_images"] = "request_images"
    name: str | None = Field(None, max_length=300)


class Diagnose(_Action):
    """The final answer: a diagnosis, optionally a ranked differential and a confidence."""

    kind: Literal["diagnose"] = "diagnose"
    diagnosis: str = Field(min_length=1, max_length=300)
    differential: tuple[str, ...] = ()
    confidence: float | None = Field(None, ge=0.0, le=1.0)


class Invalid(_Action):
    """Output that could not be understood; the reason tells the doctor how to fix it."""

    kind: Literal["invalid"] = "invalid"
    text: str
    reason: str


Action = Annotated[Union[Ask, Examine, RequestTest, RequestImages, Diagnose, Invalid], Field(discriminator="kind")]
_ACTION = TypeAdapter(Action)
MeasurementRequest = Examine | RequestTest | RequestImages

_DIAGNOSIS = re.compile(r"DIAGNOSIS\s+READY\s*:?\s*(?P<value>[^\n]*)", re.IGNORECASE)
_DIFFERENTIAL = re.compile(r"DIFFERENTIAL\s*:\s*(?P<value>[^\n]*)", re.IGNORECASE)
_CONFIDENCE = re.compile(r"CONFIDENCE\s*:\s*(?P<value>[0-9.]+)\s*(?P<pct>%?)", re.IGNORECASE)
_TEST = re.compile(r"REQUEST\s+TESTS?\s*:\s*(?P<value>[^\n]*)", re.IGNORECASE)
_IMAGES = re.compile(r"REQUEST\s+IMAGES?\b\s*:?\s*(?P<value>[^\n]*)", re.IGNORECASE)
# Upper case at the start of a line only, so "may I examine your chest?" stays a question.
_EXAM = re.compile(
    r"^\s*(?:PHYSICAL\s+EXAM(?:INATION)?|EXAMINE|REQUEST\s+EXAM(?:INATION)?)\b\s*:?\s*(?P<value>[^\n]*)",
    re.MULTILINE,
)

_STRUCTURED_KEYS = {"kind", "action", "type"}
_KIND_ALIASES = {
    "question": "ask", "ask_patient": "ask", "exam": "examine", "physical_exam": "examine",
    "test": "request_test", "order_test": "request_test", "images": "request_images",
    "diagnosis": "diagnose", "final_diagnosis": "diagnose",
}


def _clean(value: str) -> str:
    # Models decorate answers: "**Gout**." -> "Gout".
    return value.strip().strip("*_`\"'.: \t").strip()


def _split_list(value: str) -> tuple[str, ...]:
    items = re.split(r"\s*(?:;|,|\|)\s*|\s+\d+[.)]\s*", value)
    return tuple(_clean(re.sub(r"^\d+[.)]\s*", "", item)) for item in items if _clean(item))


def _parse_diagnosis(text: str, match: re.Match[str]) -> Diagnose | Invalid:
    name = _clean(match.group("value"))
    if not name:
        return Invalid(text=text, reason="DIAGNOSIS READY needs a diagnosis after the colon")
    # Several DIAGNOSIS READY lines are several answers: kept together, the judge sees a hedge.
    answers = dict.fromkeys(value for m in _DIAGNOSIS.finditer(text) if (value := _clean(m.group("value"))))
    name = "; ".join(answers)
    differential: tuple[str, ...] = ()
    if found := _DIFFERENTIAL.search(text):
        differential = _split_list(found.group("value"))
    confidence = None
    if found := _CONFIDENCE.search(text):
        value = float(found.group("value")) if found.group("value").count(".") <= 1 else None
        if value is not None:
            confidence = value / 100 if found.group("pct") or value > 1 else value
        if confidence is not None and not 0 <= confidence <= 1:
            confidence = None
    return Diagnose(diagnosis=name[:300], differential=differential, confidence=confidence)


def _parse_structured(text: str) -> _Action | None:
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return None
    if isinstance(data, list):  # a list holding one tool call; other lists are text
        if len(data) != 1 or not is_tool_call(data[0]):
            return None
        data = data[0]
    if is_tool_call(data):
        fields = tool_call_fields(data)
        return Invalid(text=text[:1000], reason=fields) if isinstance(fields, str) else _validated(text, fields)
    if not isinstance(data, dict) or not _STRUCTURED_KEYS & data.keys():
        return Invalid(text=text[:1000], reason=f"JSON that is not an action: expected {TOOL_CALL_SHAPES}")
    data = dict(data)
    kind = str(data.pop("action", None) or data.pop("type", None) or data.get("kind", "")).lower()
    data["kind"] = _KIND_ALIASES.get(kind, kind)
    for key in ("question", "message", "utterance"):
        if key in data and "text" not in data:
            data["text"] = data.pop(key)
    for key in ("test", "test_name"):
        if key in data and "name" not in data:
            data["name"] = data.pop(key)
    return _validated(text, data)


def _validated(text: str, fields: dict) -> _Action:
    try:
        return _ACTION.validate_python(fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return Invalid(text=text[:1000], reason=f"structured action is not valid: {where}: {first['msg']}")


def _looks_structured(text: str) -> bool:
    # An attempted JSON action (maybe truncated by a token limit), not a question that
    # happens to start with a brace.
    return re.match(r'\{\s*"(?:action|kind|type)"\s*:', text) is not None


def parse_action(text: str) -> _Action:
    """Turn one doctor utterance into a typed action. Never raises."""
    if not isinstance(text, str) or not text.strip():
        return Invalid(text=str(text or ""), reason="empty message: ask a question or use an action keyword")
    text = text.strip()
    if len(text) > MAX_UTTERANCE_CHARS:
        return Invalid(text=text[:200], reason=f"message longer than {MAX_UTTERANCE_CHARS} characters")
    if text.startswith(("{", "[")):
        structured = _parse_structured(text)
        if structured is not None:
            return structured
        if _looks_structured(text):
            return Invalid(text=text[:1000], reason="the JSON action is malformed or cut off; "
                                                  "send one complete JSON object")
    # Precedence follows AgentClinic: a diagnosis ends the encounter whatever else is said.
    if match := _DIAGNOSIS.search(text):
        return _parse_diagnosis(text, match)
    if match := _TEST.search(text):
        name = _clean(match.group("value"))
        return RequestTest(name=name[:300]) if name else Invalid(text=text, reason="REQUEST TEST needs a test name")
    if match := _IMAGES.search(text):
        return RequestImages(name=_clean(match.group("value"))[:300] or None)
    if match := _EXAM.search(text):
        return Examine(system=_clean(match.group("value"))[:200] or None)
    return Ask(text=text)


def format_action(action: _Action) -> str:
    """The canonical text-protocol form of an action (what a scripted doctor says)."""
    if isinstance(action, Ask):
        return action.text
    if isinstance(action, Examine):
        return f"PHYSICAL EXAM: {action.system}" if action.system else "PHYSICAL EXAM"
    if isinstance(action, RequestTest):
        return f"REQUEST TEST: {action.name}"
    if isinstance(action, RequestImages):
        return f"REQUEST IMAGES: {action.name}" if action.name else "REQUEST IMAGES"
    if isinstance(action, Diagnose):
        lines = [f"DIAGNOSIS READY: {action.diagnosis}"]
        if action.differential:
            lines.append("DIFFERENTIAL: " + "; ".join(action.differential))
        if action.confidence is not None:
            lines.append(f"CONFIDENCE: {action.confidence:.2f}")
        return "\n".join(lines)
    raise TypeError(f"cannot format {type(action).__name__}")
