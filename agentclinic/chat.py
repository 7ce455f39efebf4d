"""The doctor's conversation as OpenAI-style chat messages (pure).

One shape for the live wrapper (:class:`agentclinic.wrappers.ChatObservation`) and for
trajectories exported from the log (:mod:`agentclinic.export`): the system message is the
episode's instructions, each doctor action an assistant message (with ``tool_calls`` when it
was a tool call), each reply a user message, or a ``tool`` message when it answers a call.

:func:`doctor_messages` rebuilds that conversation from logged turns. A logged reply is the
text the reply role produced; the doctor saw it with two additions the episode makes on the
way (:meth:`agentclinic.episode.Episode.step`), which are put back here: one
``[image attached: <modality>]`` line per image a measurement returned (unless images were
off), and the final-turn prompt after the doctor's second-to-last turn.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from .episode import FINAL_TURN_PROMPT
from .tools import is_tool_call, single_call

Message = dict[str, Any]


class LoggedTurn(Protocol):
    """What :func:`doctor_messages` reads of a logged turn (a ``Turn`` row or a ``TurnRecord``)."""

    speaker: str
    text: str
    action: str | None
    image_ids: Sequence[str]


def tool_call(action: Any, index: int) -> dict[str, Any] | None:
    """``action`` as OpenAI sends a call (an id, a name, arguments as a JSON string); None when it
    is not one readable tool call (it then stays the text it is). ``index`` makes the id
    (``call_<index>``) of a call that brought none."""
    data = action[0] if isinstance(action, list) and len(action) == 1 else action
    call = single_call(data) if is_tool_call(data) else None
    if call is None or isinstance(call, str):
        return None
    function, call_id = call
    arguments = function.get("arguments", {})
    return {"id": call_id or f"call_{index}", "type": "function",
            "function": {"name": function.get("name"),
                         "arguments": arguments if isinstance(arguments, str) else json.dumps(arguments)}}


def action_message(action: str | dict | list, index: int) -> tuple[Message, dict[str, Any] | None]:
    """The assistant message for one doctor action, and its tool call (None for text)."""
    call = tool_call(action, index) if isinstance(action, (dict, list)) else None
    if call is not None:
        # "" rather than OpenAI's usual null: llama-cpp-python's server rejects a null content.
        return {"role": "assistant", "content": "", "tool_calls": [call]}, call
    return {"role": "assistant", "content": action if isinstance(action, str) else json.dumps(action)}, None


def reply_messages(text: str, call: dict[str, Any] | None, images: Sequence[dict[str, Any]] = ()) -> list[Message]:
    """A reply as messages: a tool message answers a call (tool messages carry text only, so
    image parts follow in a user message); otherwise one user message with any image parts."""
    if call is not None:
        replies: list[Message] = [{"role": "tool", "tool_call_id": call["id"], "content": text}]
        return replies + ([{"role": "user", "content": list(images)}] if images else [])
    if not images:
        return [{"role": "user", "content": text}]
    return [{"role": "user", "content": [{"type": "text", "text": text}, *images]}]


def logged_action(text: str) -> str | dict | list:
    """A logged doctor turn as the action it was: JSON text that is a tool call (or a list
    holding one) comes back as that data, anything else as the text itself."""
    stripped = text.strip()
    if not stripped.startswith(("{", "[")):
        return text
    try:
        data = json.loads(stripped)
    except (json.JSONDecodeError, RecursionError):
        return text
    candidate = data[0] if isinstance(data, list) and len(data) == 1 else data
    return data if is_tool_call(candidate) else text


def doctor_messages(instructions: str, turns: Sequence[LoggedTurn], *, max_turns: int,
                    image_modalities: Mapping[str, str] | None = None,
                    image_part: Callable[[str], dict[str, Any] | None] | None = None) -> list[Message]:
    """The conversation the doctor had, rebuilt from its logged ``turns`` (see the module doc).

    ``image_modalities`` (image id -> modality) puts back the ``[image attached: ...]`` lines of
    measurement replies; leave it out when images were off. ``image_part`` (image id -> a content
    part, or None) attaches the images themselves, as the live wrapper does.
    """
    messages: list[Message] = [{"role": "system", "content": instructions}]
    call: dict[str, Any] | None = None
    doctor_turns, diagnosed = 0, False
    pending: list[LoggedTurn] = []

    def flush() -> None:
        if pending:
            final = not diagnosed and max_turns - doctor_turns == 1
            text, parts = _reply_text(pending, image_modalities, image_part, final)
            messages.extend(reply_messages(text, call, parts))
            pending.clear()

    for turn in turns:
        if turn.speaker != "doctor":
            pending.append(turn)
            continue
        flush()
        doctor_turns += 1
        diagnosed = turn.action == "diagnose"
        message, call = action_message(logged_action(turn.text), len(messages))
        messages.append(message)
    flush()
    return messages


def _reply_text(turns: Sequence[LoggedTurn], modalities: Mapping[str, str] | None,
                image_part: Callable[[str], dict[str, Any] | None] | None,
                final: bool) -> tuple[str, list[dict[str, Any]]]:
    lines: list[str] = []
    parts: list[dict[str, Any]] = []
    for turn in turns:
        lines.append(turn.text)
        if turn.speaker == "measurement" and modalities is not None:
            lines += [f"[image attached: {modalities.get(i, 'image')}]" for i in turn.image_ids]
        if image_part is not None and turn.speaker in ("measurement", "system"):
            parts += [part for part in map(image_part, turn.image_ids) if part is not None]
    text = "\n".join(line for line in lines if line)
    return (f"{text}\n{FINAL_TURN_PROMPT}" if final else text), parts
