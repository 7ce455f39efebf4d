"""LLM implementations of the four roles, behind the same protocols as the scripted ones.

Each keeps its own conversation append-only under a system prompt fixed for the episode,
so every call's prompt extends the previous one (server prefix caches hit).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import replace

from ..actions import MeasurementRequest, RequestTest
from ..doctor_tools.context import EpisodeFeedback, NoteDraft, ToolContext
from ..language.instructions import with_instruction
from ..llm.client import Completion, ModelClient
from ..llm.messages import ImagePart, Message, encode_image
from ..matching import match
from ..persona import Persona, load_library
from ..prompting import PromptSet, doctor_instructions
from ..resolver import ImageRef, MeasurementContext, MeasurementResult, Resolver
from ..roles import Assessment, Observation
from ..scenario import DoctorBrief, Scenario, describe_in
from ..survey import SURVEY_SCHEMA, Survey, TurnLike, parse_survey
from ..text import normalize
from ..validity.guard import added_conditions
from .card_text import render_card
from .model_tools import SEARCH_TOOL, ModelDoctorTools, system_additions
from .tool_doctor import (
    TOOL_CALL_SCHEMA,
    NativeToolTurns,
    as_tool_call_text,
    bounded_tools,
)

# The shape of a structured doctor action (see actions.parse_action for the accepted forms).
ACTION_SCHEMA = {
    "type": "object",
    "properties": {
        "action": {"type": "string",
                   "enum": ["ask", "examine", "request_test", "request_images", "diagnose"]},
        "text": {"type": "string", "maxLength": 400},
        "system": {"type": "string", "maxLength": 60},
        "name": {"type": "string", "maxLength": 120},
        "diagnosis": {"type": "string", "maxLength": 120},
        "differential": {"type": "array", "items": {"type": "string", "maxLength": 120}, "maxItems": 5},
        "confidence": {"type": "number"},
    },
    "required": ["action"],
}


def search_action_schema() -> dict:
    """ACTION_SCHEMA or a ``search`` action with its (required, non-empty) query."""
    search = {"type": "object", "properties": {"action": {"const": "search"},
                                               "query": {"type": "string", "minLength": 1, "maxLength": 200}},
              "required": ["action", "query"]}
    return {"anyOf": [ACTION_SCHEMA, search]}


def search_call_schema() -> dict:
    """TOOL_CALL_SCHEMA with a ``search_knowledge`` call added."""
    function = SEARCH_TOOL["function"]
    return {"anyOf": [*TOOL_CALL_SCHEMA["anyOf"], {
        "type": "object", "properties": {"name": {"const": function["name"]}, "arguments": function["parameters"]},
        "required": ["name", "arguments"], "additionalProperties": False}]}


_MAP_SCHEMA = {"type": "object", "properties": {"test": {"type": ["string", "null"]}}, "required": ["test"]}
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
SURVEY_MAX_TOKENS = 200
MAX_PATIENT_SENTENCES = 3  # patients answer in one to three sentences, as the protocol asks


def _joined(note: str | None, extra: str) -> str:
    return f"{note}; {extra}" if note else extra


def _first_sentences(text: str, limit: int) -> str:
    """At most ``limit`` sentences: models (small ones especially) run on past their brief."""
    return " ".join(_SENTENCE_END.split(text)[:limit]).strip()


class LLMDoctor:
    """A model playing the doctor; the caller's prompt set decides its words.

    ``interface`` is how it acts: ``text`` (the text protocol), ``json`` (JSON actions under a
    schema; ``structured=True`` says the same) or ``tools`` (see :mod:`.tool_doctor`).
    ``tools`` are its doctor tools for this episode (see :mod:`.model_tools`).
    """

    def __init__(self, brief: DoctorBrief, seed: int, client: ModelClient, prompts: PromptSet, *,
                 structured: bool = False, persona: Persona | None = None, interface: str | None = None,
                 tools: ToolContext | None = None):
        self.client, self.prompts, self.seed = client, prompts, seed
        self.brief = brief
        self.interface = interface or ("json" if structured else "text")
        self.structured = self.interface == "json"
        searching = tools is not None and tools.uses("rag")
        self.tools = bounded_tools() if self.interface == "tools" else None
        if self.tools is not None and searching:
            self.tools.append(SEARCH_TOOL)
        # Backends without native tool calling get the tools in the prompt and answer in JSON.
        self.tool_turns = NativeToolTurns() if self.tools and getattr(client.backend, "tool_calling", False) else None
        self.schema = {"json": search_action_schema() if searching else ACTION_SCHEMA,
                       "tools": search_call_schema() if searching else TOOL_CALL_SCHEMA}.get(self.interface)
        system = doctor_instructions(brief, prompts, sees_images=client.vision, interface=self.interface,
                                     persona=persona, native_tools=self.tool_turns is not None)
        self.toolkit = ModelDoctorTools(self, tools, self.interface, prompts) if tools is not None and tools.condition else None
        if self.toolkit is not None:
            system += system_additions(tools, self.interface, prompts)  # type: ignore[arg-type]
        system = with_instruction(system, brief.doctor_language or brief.language)
        self.messages: list[Message] = [Message("system", system)]

    def _images(self, refs: tuple[ImageRef, ...]) -> tuple[tuple[ImagePart, ...], str]:
        parts, notes = [], []
        for ref in refs:
            if self.client.vision and ref.path is not None:
                parts.append(encode_image(ref.path))
            else:
                notes.append(self.prompts.image_unseen.format(modality=ref.modality))
        return tuple(parts), "\n".join(notes)

    async def act(self, observation: Observation) -> str:
        images, notes = self._images(observation.images)
        text = self.prompts.doctor_turn.format(
            observation=f"{observation.text}\n{notes}".strip(), turn=observation.turn + 1,
            turn_used=observation.turn, max_turns=self.brief.max_turns, remaining=observation.remaining)
        self.tell(text, images)
        if self.toolkit is not None:
            return await self.toolkit.act(observation.turn, observation.final_turn)
        action, _ = await self.call_action()
        return action

    def tell(self, text: str, images: tuple[ImagePart, ...] = ()) -> None:
        """Add ``text`` for the model: as the reply to its pending tool calls, else as a user message."""
        if self.tool_turns is not None:
            self.messages += self.tool_turns.observation(text, images)
        else:
            self.messages.append(Message("user", text, images))

    async def call_action(self) -> tuple[str, Completion]:
        """One action call: the action text (the episode parses it) and the completion."""
        if self.tool_turns is not None:
            completion = await self.client.chat(self.messages, seed=self.seed, tools=self.tools)
            message, action = self.tool_turns.take(completion)
            self.messages.append(message)
            return action, completion
        completion = await self.client.chat(self.messages, seed=self.seed, json_schema=self.schema)
        reply = completion.text.strip()
        self.messages.append(Message("assistant", reply))
        return (as_tool_call_text(reply) if self.interface == "tools" else reply), completion

    async def think(self, prompt: str, *, note: str, max_tokens: int | None = None) -> Completion:
        """A free-text call in the doctor's conversation (reasoning, a note), kept in it."""
        self.tell(prompt)
        client = self.client.with_max_tokens(max_tokens) if max_tokens else self.client
        completion = await client.chat(self.messages, seed=self.seed, note=note)
        self.messages.append(Message("assistant", completion.text.strip()))
        return completion

    async def write_note(self, previous: str | None, feedback: EpisodeFeedback) -> NoteDraft | None:
        """The rewritten notebook after the episode (only with the notebook tool)."""
        if self.toolkit is None or not self.toolkit.context.uses("notebook"):
            return None
        return await self.toolkit.write_note(previous, feedback)


class LLMPatient:
    """A model playing the patient from its card."""

    def __init__(self, scenario: Scenario, seed: int, client: ModelClient, prompts: PromptSet,
                 persona: Persona | None = None):
        self.client, self.prompts, self.seed = client, prompts, seed
        card = scenario.patient
        system = prompts.patient_system.format(card=render_card(card),
                                               demographics=describe_in(card.demographics, scenario.language))
        if persona is not None:
            system += "".join(f"\n{text}" for text in load_library().fragments(persona, "patient"))
        system = with_instruction(system, scenario.language)
        self.messages: list[Message] = [Message("system", system)]

    async def reply(self, question: str) -> str:
        self.messages.append(Message("user", self.prompts.patient_turn.format(question=question)))
        completion = await self.client.chat(self.messages, seed=self.seed)
        reply = _first_sentences(completion.text.strip(), MAX_PATIENT_SENTENCES) or "..."
        self.messages.append(Message("assistant", reply))
        return reply

    async def survey(self, transcript: Sequence[TurnLike]) -> Survey:
        """Ratings answered in role, continuing the patient's own conversation."""
        messages = [*self.messages, Message("user", self.prompts.patient_survey)]
        client = self.client.with_max_tokens(SURVEY_MAX_TOKENS)  # three ratings with reasons outgrow a reply's cap
        completion = await client.chat(messages, json_schema=SURVEY_SCHEMA, seed=self.seed, note="survey")
        return parse_survey(completion.text, self.client.spec.label)


class LLMMeasurement:
    """The grounded resolver first; the model only maps unmatched requests and (optionally) phrases."""

    def __init__(self, scenario: Scenario, seed: int, client: ModelClient, prompts: PromptSet,
                 resolver: Resolver, *, phrase: bool = False):
        self.scenario, self.client, self.prompts, self.seed = scenario, client, prompts, seed
        self.resolver = resolver
        self.phrase = phrase

    async def measure(self, request: MeasurementRequest, context: MeasurementContext) -> MeasurementResult:
        result = self.resolver.resolve(request, context)
        if isinstance(request, RequestTest) and result.provenance != "case" and self.scenario.tests:
            mapped = await self._map(request.name)
            if mapped is not None:
                result = replace(self.resolver.test(mapped), note=f"llm-mapped from {request.name!r}")
        if self.phrase and result.provenance == "case":
            result = await self._phrased(result)
        return result

    async def _map(self, request: str) -> str | None:
        names = [test.name for test in self.scenario.tests]
        prompt = self.prompts.measurement_map.format(request=request, tests="\n".join(f"- {n}" for n in names))
        completion = await self.client.chat([Message("user", prompt)], json_schema=_MAP_SCHEMA, seed=self.seed,
                                            note="map-test-name")
        try:
            chosen = json.loads(completion.text).get("test")
        except (json.JSONDecodeError, AttributeError):
            return None
        # Only an exact name from the case's own list counts: the model picks, never invents.
        return next((n for n in names if isinstance(chosen, str) and normalize(n) == normalize(chosen)), None)

    async def _phrased(self, result: MeasurementResult) -> MeasurementResult:
        prompt = with_instruction(self.prompts.measurement_phrase.format(result=result.text), self.scenario.language)
        completion = await self.client.chat([Message("user", prompt)], seed=self.seed, note="phrase-result")
        text = completion.text.strip()
        # A rewrite that drops or alters any number, or names a condition the result did not
        # ("Maybe atrial fibrillation."), is discarded: results come from the case only.
        case_terms = [*self.scenario.diagnosis.terms(), *self.scenario.distractors]
        if text and set(_NUMBER.findall(result.text)) == set(_NUMBER.findall(text)) \
                and not added_conditions(result.text, text, case_terms):
            return replace(result, text=text)
        return replace(result, note=_joined(result.note, "rewording discarded: it changed a value or "
                                                         "named a condition"))


class LLMAssessor:
    """A model judge answering Yes/No (tolerant of 'Yes.', 'yes,' and the like)."""

    def __init__(self, seed: int, client: ModelClient, prompts: PromptSet):
        self.client, self.prompts, self.seed = client, prompts, seed
        self.name = client.spec.label

    async def assess(self, diagnosis: str | None, scenario: Scenario) -> Assessment:
        if not diagnosis or not diagnosis.strip():
            return Assessment(False, "none", "no diagnosis was given", self.name)
        verdict = match(diagnosis, scenario.diagnosis.name, scenario.diagnosis.synonyms, scenario.distractors)
        if verdict.verdict in {"hedged", "none"}:  # a list is not credited, whatever a model judge would say
            return Assessment(False, verdict.verdict, f"not asked: {verdict.reason}", self.name)
        prompt = self.prompts.assessor.format(correct=scenario.diagnosis.name, predicted=diagnosis)
        completion = await self.client.chat([Message("user", prompt)], seed=self.seed)
        words = normalize(completion.text).split()
        said_yes = bool(words) and words[0] == "yes"
        reason = f"judge answered {completion.text.strip()[:80]!r}; matcher: {verdict.verdict}"
        return Assessment(said_yes, "equivalent" if said_yes else "wrong", reason, self.name,
                          scenario.diagnosis.name if said_yes else None)
