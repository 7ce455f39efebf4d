"""The doctor's actions as tools: JSON-Schema definitions and the reading of tool calls (pure).

Agent frameworks speak OpenAI-style function calling. :data:`DOCTOR_TOOLS` describes the five
actions in that format (``tools=`` of the openai SDK, LangChain's ``bind_tools``), and
:func:`read_tool_call` turns a call, in each shape frameworks send, into the same typed
action the text protocol gives:

* ``{"name": "request_test", "arguments": {"name": "CBC"}}`` (arguments an object or a JSON string);
* ``{"type": "function", "function": {"name": ..., "arguments": ...}}``;
* an assistant message ``{"role": "assistant", "tool_calls": [<one of the above>]}``.

:mod:`agentclinic.actions` validates the fields like any structured action; a call that names
no known tool, carries bad arguments or several calls at once becomes an invalid action with
a reason that says what was expected.
"""

from __future__ import annotations

import copy
import json
from typing import Any

_TEXT = {"type": "string", "minLength": 1}

DOCTOR_TOOLS: tuple[dict[str, Any], ...] = tuple(
    {"type": "function", "function": {"name": name, "description": description, "parameters": {
        "type": "object", "properties": properties, "required": required, "additionalProperties": False}}}
    for name, description, properties, required in (
        ("ask_patient", "Ask the patient a question (or tell them something). Uses one turn.",
         {"text": {**_TEXT, "description": "What you say to the patient."}},
         ["text"]),
        ("examine", "Examine the patient, wholly or one body system. Uses one turn and costs money.",
         {"system": {"type": "string", "description": "A body system, e.g. 'cardiovascular'; omit for all."}},
         []),
        ("request_test", "Order one test by name; the result comes back. Uses one turn and costs money.",
         {"name": {**_TEXT, "maxLength": 300, "description": "The test, e.g. 'complete blood count'."}},
         ["name"]),
        ("request_images", "Ask to see the case's images (optionally one study). Uses one turn.",
         {"name": {"type": "string", "description": "A study, e.g. 'chest X-ray'; omit for all."}}, []),
        ("diagnose", "Give your final diagnosis; this ends the encounter. Name one condition.",
         {"diagnosis": {**_TEXT, "maxLength": 300, "description": "The single most likely diagnosis."},
          "differential": {"type": "array", "items": {"type": "string"},
                           "description": "Other conditions considered, most likely first."},
          "confidence": {"type": "number", "minimum": 0, "maximum": 1,
                         "description": "How sure you are, from 0 to 1."}},
         ["diagnosis"]),
    )
)
SEARCH_TOOL_NAME = "search_knowledge"  # the rag doctor tool's search (agentclinic.agents.model_tools), never an action
TOOL_NAMES = tuple(tool["function"]["name"] for tool in DOCTOR_TOOLS)
_KIND_OF_TOOL = {"ask_patient": "ask", "examine": "examine", "request_test": "request_test",
                 "request_images": "request_images", "diagnose": "diagnose"}
TOOL_CALL_SHAPES = ('a tool call {"name": "<tool>", "arguments": {...}} (or {"type": "function", "function": '
                    '{...}}, or an assistant message with "tool_calls") with <tool> one of '
                    + ", ".join(TOOL_NAMES) + ', or {"action": ...}')


def doctor_tools() -> list[dict[str, Any]]:
    """A fresh copy of the tool definitions (callers may edit theirs)."""
    return copy.deepcopy(list(DOCTOR_TOOLS))


def is_tool_call(data: Any) -> bool:
    """Whether ``data`` has the shape of a tool call or of a message carrying tool calls."""
    if not isinstance(data, dict):
        return False
    return "tool_calls" in data or isinstance(data.get("function"), dict) or (
        "name" in data and "arguments" in data)


def single_call(data: dict[str, Any]) -> tuple[dict[str, Any], str | None] | str:
    """The one call in ``data`` as (``{"name", "arguments"}``, its id if given), or why there is none."""
    if "tool_calls" in data:
        calls = data["tool_calls"]
        if not isinstance(calls, list) or len(calls) != 1:
            return f"one tool call per turn, got {len(calls) if isinstance(calls, list) else 'no list of'} calls"
        data = calls[0] if isinstance(calls[0], dict) else {}
    call_id = data.get("id")
    function = data["function"] if isinstance(data.get("function"), dict) else data
    return function, str(call_id) if call_id else None


def tool_call_fields(data: dict[str, Any]) -> dict[str, Any] | str:
    """The action fields a tool call asks for (``kind`` set), or why it cannot be read."""
    call = single_call(data)
    if isinstance(call, str):
        return call
    name, arguments = call[0].get("name"), call[0].get("arguments", {})
    if name == SEARCH_TOOL_NAME:  # what a doctor's rag tool hands on when a search is over its limit
        return ("no search was made: the search limit is reached (searches come before an action and do not "
                "use a turn); take an action for this turn")
    if name not in _KIND_OF_TOOL:
        return f"unknown tool {name!r}: expected one of {', '.join(TOOL_NAMES)}"
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments) if arguments.strip() else {}
        except (json.JSONDecodeError, RecursionError):
            return f"the arguments of {name} are not valid JSON"
    if not isinstance(arguments, dict):
        return f"the arguments of {name} must be a JSON object"
    if "kind" in arguments:
        return f"the arguments of {name} may not set 'kind'"
    return {**arguments, "kind": _KIND_OF_TOOL[name]}
