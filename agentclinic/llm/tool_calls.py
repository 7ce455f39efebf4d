"""Tool calls on their way through :class:`~agentclinic.llm.client.ModelClient`.

Two jobs only: clean the model-written parts of each call like any reply text (see
:mod:`.sanitise`), and store a completion with its calls in the response cache, whose rows
hold one text. Requests that offer tools have their own cache keys, so the text of their
entries is always the envelope written here.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from .backends.base import RawCompletion
from .messages import ToolCall
from .sanitise import sanitise


def _clean(value: Any) -> tuple[Any, int]:
    """``value`` with every string in it sanitised, and how many characters that changed."""
    if isinstance(value, str):
        return sanitise(value)
    if isinstance(value, list):
        items = [_clean(item) for item in value]
        return [item for item, _ in items], sum(n for _, n in items)
    if isinstance(value, dict):
        pairs = {key: _clean(item) for key, item in value.items()}
        return {key: item for key, (item, _) in pairs.items()}, sum(n for _, n in pairs.values())
    return value, 0


def sanitise_calls(calls: tuple[ToolCall, ...]) -> tuple[tuple[ToolCall, ...], int]:
    """The calls with their names and argument strings cleaned, and how many characters changed.

    Arguments are cleaned after JSON decoding: an escaped ``\\u202e`` is harmless as text
    but becomes a bidi override the moment someone reads the argument.
    """
    cleaned, removed = [], 0
    for call in calls:
        name, n_name = sanitise(call.name)
        try:
            value, n_args = _clean(json.loads(call.arguments))
            arguments = json.dumps(value, ensure_ascii=False) if n_args else call.arguments
        except (json.JSONDecodeError, RecursionError):
            arguments, n_args = sanitise(call.arguments)
        removed += n_name + n_args
        cleaned.append(replace(call, name=name, arguments=arguments) if n_name or n_args else call)
    return tuple(cleaned), removed


def to_cache(raw: RawCompletion) -> RawCompletion:
    """The completion as one cache text: ``{"content": ..., "tool_calls": [...]}``."""
    envelope = {"content": raw.text, "tool_calls": [call.key() for call in raw.tool_calls]}
    return replace(raw, text=json.dumps(envelope, ensure_ascii=False), tool_calls=())


def from_cache(raw: RawCompletion) -> RawCompletion | None:
    """The completion a :func:`to_cache` text holds; ``None`` for anything else (a miss)."""
    try:
        envelope = json.loads(raw.text)
        calls = tuple(ToolCall(str(c["id"]), str(c["name"]), str(c["arguments"])) for c in envelope["tool_calls"])
        return replace(raw, text=str(envelope["content"]), tool_calls=calls)
    except (json.JSONDecodeError, RecursionError, KeyError, TypeError):
        return None
