"""The model doctor's side of ``--doctor-interface tools``.

With native tool calling the model gets :data:`~agentclinic.tools.DOCTOR_TOOLS` through the
provider's API and its first call becomes the action. A reply with no call is a question to
the patient. Either way :meth:`NativeToolTurns.take` returns the action as compact JSON
``{"name": "<tool>", "arguments": {...}}``: that is what the episode parses and logs as the
doctor's turn (trajectory exports rely on it).

The conversation stays valid for the provider: the assistant message keeps its ``tool_calls``
and every call id gets a ``tool`` reply before the next request; the first carries the
observation, any others say that only one action is done per turn.

The definitions sent are :func:`bounded_tools`: DOCTOR_TOOLS with the JSON interface's length
bounds added. Servers that compile a tool's schema into a grammar (llama.cpp's
``chatml-function-calling``) generate the arguments with no token limit, so an unbounded
string could run until the context is full.

Models without native tool calls (the in-process llama.cpp model) are asked for the same
JSON under a schema constraint (:data:`TOOL_CALL_SCHEMA`); :func:`as_tool_call_text` brings
that reply to the same compact form.
"""

from __future__ import annotations

import json
from typing import Any

from ..llm.client import Completion
from ..llm.messages import ImagePart, Message, ToolCall
from ..tools import TOOL_NAMES, doctor_tools

# The same bounds as the JSON interface's ACTION_SCHEMA (characters; items of a list).
ARGUMENT_LIMITS = {"text": 400, "system": 60, "name": 120, "diagnosis": 120, "differential": 120}
MAX_DIFFERENTIAL = 5


def bounded_tools() -> list[dict[str, Any]]:
    """The doctor's tool definitions with every string argument length-bounded."""
    tools = doctor_tools()
    for tool in tools:
        for name, schema in tool["function"]["parameters"]["properties"].items():
            target = schema["items"] if schema.get("type") == "array" else schema
            if target.get("type") == "string" and name in ARGUMENT_LIMITS:
                target["maxLength"] = min(target.get("maxLength", ARGUMENT_LIMITS[name]), ARGUMENT_LIMITS[name])
            if schema.get("type") == "array":
                schema["maxItems"] = MAX_DIFFERENTIAL
    return tools


# One object per tool: the name fixed, the arguments that tool's own parameters.
TOOL_CALL_SCHEMA: dict[str, Any] = {"anyOf": [
    {"type": "object", "properties": {"name": {"const": tool["function"]["name"]},
                                      "arguments": tool["function"]["parameters"]},
     "required": ["name", "arguments"], "additionalProperties": False}
    for tool in bounded_tools()]}

ONE_ACTION_NOTE = "Only your first tool call was carried out: one action per turn."
NOT_DONE = "Not done: only one action per turn, and only the first tool call was carried out."
IMAGES_NOTE = "The images you requested:"


def action_json(name: str, arguments: Any) -> str:
    """The compact JSON of one call; ``arguments`` given as JSON text is decoded when it can be
    (text that is not JSON stays a string, which the action parser reports as invalid)."""
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments) if arguments.strip() else {}
        except (json.JSONDecodeError, RecursionError):
            pass
    return json.dumps({"name": name, "arguments": arguments}, ensure_ascii=False, separators=(",", ":"))


def as_tool_call_text(reply: str) -> str:
    """A JSON-text tool call in compact form; any other reply is returned unchanged."""
    try:
        data = json.loads(reply)
    except (json.JSONDecodeError, RecursionError):
        return reply
    if isinstance(data, dict) and data.get("name") in TOOL_NAMES and set(data) <= {"name", "arguments"}:
        return action_json(data["name"], data.get("arguments", {}))
    return reply


class NativeToolTurns:
    """Turns observations into messages and replies into actions, keeping call ids paired."""

    def __init__(self) -> None:
        self.pending: tuple[ToolCall, ...] = ()  # the calls of the last reply, each owed a reply

    def observation(self, text: str, images: tuple[ImagePart, ...] = ()) -> list[Message]:
        """The messages that bring ``text`` (and any images) to the model."""
        if not self.pending:  # the first turn, or the last reply was a question
            return [Message("user", text, images)]
        first, *others = self.pending
        self.pending = ()
        replies = [Message("tool", f"{ONE_ACTION_NOTE}\n{text}" if others else text, tool_call_id=first.id)]
        replies += [Message("tool", NOT_DONE, tool_call_id=call.id) for call in others]
        if images:  # a tool message carries text only
            replies.append(Message("user", IMAGES_NOTE, images))
        return replies

    def take(self, completion: Completion) -> tuple[Message, str]:
        """The assistant message to keep and the action text of ``completion``."""
        text = completion.text.strip()
        self.pending = completion.tool_calls
        if not self.pending:
            return Message("assistant", text), action_json("ask_patient", {"text": text})
        first = self.pending[0]
        return Message("assistant", text, tool_calls=self.pending), action_json(first.name, first.arguments)
