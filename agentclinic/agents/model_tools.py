"""Doctor tools for model doctors: the parts of :class:`~.llm_roles.LLMDoctor` that think,
search, reflect and keep a notebook (see :mod:`agentclinic.doctor_tools`).

A tool call is never a turn: the doctor may search or think, and the episode still sees one
action per turn. Every tool use is emitted as a :class:`~agentclinic.doctor_tools.events.ToolEvent`
with its tokens; the model calls themselves are logged as usual, with a ``tool:<name>`` note.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..actions import Diagnose, parse_action
from ..doctor_tools.context import MAX_SEARCHES, MAX_SEARCHES_PER_TURN, EpisodeFeedback, NoteDraft, ToolContext
from ..doctor_tools.events import ToolEvent, completion_usage, emit
from ..doctor_tools.notebook import NOTE_CHARS
from ..doctor_tools.retrieval import format_hits
from ..prompting import PromptSet
from ..tools import SEARCH_TOOL_NAME
from .tool_doctor import action_json

SEARCH_TOOL: dict[str, Any] = {"type": "function", "function": {
    "name": SEARCH_TOOL_NAME,
    "description": "Search a medical knowledge base; the best passages come back. Does not use a turn.",
    "parameters": {"type": "object", "properties": {"query": {"type": "string", "maxLength": 200,
                                                              "description": "Keywords to search for."}},
                   "required": ["query"]}}}
_TEXT_SEARCH = re.compile(r"^\s*SEARCH\s*:\s*(?P<query>.+)", re.IGNORECASE | re.DOTALL)


def system_additions(context: ToolContext, interface: str, prompts: PromptSet) -> str:
    """What the doctor's system prompt gains from its tools."""
    parts = []
    if context.uses("rag"):
        template = {"text": prompts.tool_rag_text, "json": prompts.tool_rag_json,
                    "tools": prompts.tool_rag_tools}[interface]
        parts.append(template.format(per_turn=MAX_SEARCHES_PER_TURN, total=MAX_SEARCHES))
    if context.note:
        parts.append(prompts.tool_notebook.format(note=context.note))
    if context.experience:
        parts.append(prompts.tool_experience.format(example=context.experience))
    return "".join(f"\n{part}" for part in parts)


def search_query(action: str, interface: str) -> str | None:
    """The query when ``action`` (a reply in the doctor's interface) is a search, else None."""
    if interface == "text":
        match = _TEXT_SEARCH.match(action)
        return match.group("query").strip() if match else None
    try:
        data = json.loads(action)
    except (json.JSONDecodeError, RecursionError, TypeError):
        return None
    if not isinstance(data, dict):
        return None
    if interface == "json" and data.get("action") == "search":
        return str(data.get("query") or "")
    if data.get("name") == SEARCH_TOOL_NAME and isinstance(data.get("arguments"), dict):
        return str(data["arguments"].get("query") or "")
    return None


def refused_search(query: str) -> str:
    """A search past the limits, as an action the episode counts as invalid (never a question)
    with the reason that the limit is reached."""
    return action_json(SEARCH_TOOL_NAME, {"query": query})


def diagnosis_of(action: str) -> str | None:
    parsed = parse_action(action)
    return parsed.diagnosis if isinstance(parsed, Diagnose) else None


class ModelDoctorTools:
    """The tool steps of one model doctor's episode, around its ordinary action call.

    ``doctor`` provides ``tell(text)`` (add a message for the model), ``think(prompt)`` (a
    call without action constraints) and ``call_action()`` (one action call, returning the
    action text and the completion).
    """

    def __init__(self, doctor: Any, context: ToolContext, interface: str, prompts: PromptSet):
        self.doctor, self.context, self.interface, self.text = doctor, context, interface, prompts
        self.reflected = False

    async def act(self, turn: int, final: bool) -> str:
        if self.context.uses("cot"):
            completion = await self.doctor.think(self.text.tool_cot_request, note="tool:cot")
            emit(ToolEvent("cot", output=completion.text.strip(), turn=turn, **completion_usage(completion)))
            self.doctor.tell(self.text.tool_cot_act)
        action, _ = await self._act_searching(turn)
        if self.context.uses("reflect") and not self.reflected and (diagnosis := diagnosis_of(action)):
            action = await self._reflect(action, diagnosis, turn, final)
        return action

    async def _act_searching(self, turn: int):
        action, completion = await self.doctor.call_action()
        refusals = 0
        while self.context.uses("rag") and (query := search_query(action, self.interface)) is not None:
            if refusals:  # told once already: the search becomes this turn's (invalid) action
                return refused_search(query), completion
            if self.context.may_search(turn) and query.strip():
                hits = self.context.search(query, turn)
                self.doctor.tell(self.text.tool_search_result.format(query=query[:200], passages=format_hits(hits)))
            else:
                refusals += 1
                reason = "empty query" if not query.strip() else "search limit reached"
                self.doctor.tell(self.text.tool_search_refused.format(reason=reason))
            action, completion = await self.doctor.call_action()
        return action, completion

    async def _reflect(self, action: str, diagnosis: str, turn: int, final: bool) -> str:
        self.reflected = True
        template = self.text.tool_reflect_final if final else self.text.tool_reflect
        self.doctor.tell(template.format(diagnosis=diagnosis[:120]))
        revised, completion = await self._act_searching(turn)
        after = diagnosis_of(revised)
        emit(ToolEvent("reflect", input=action, output=revised, turn=turn, detail={
            "before": diagnosis, "after": after, "changed": after != diagnosis,
            "continued": after is None}, **completion_usage(completion)))
        return revised

    async def write_note(self, previous: str | None, feedback: EpisodeFeedback) -> NoteDraft:
        prompt = self.text.tool_note_write.format(
            correct=feedback.correct_diagnosis, diagnosis=feedback.diagnosis or "none given",
            verdict="correct" if feedback.correct else "wrong", previous=previous or "(empty)", limit=NOTE_CHARS)
        completion = await self.doctor.think(prompt, note="tool:notebook", max_tokens=320)
        return NoteDraft(completion.text.strip(), completion_usage(completion))
