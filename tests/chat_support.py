"""Checks of chat-message conversations shared by the tool-calling and export tests."""

from __future__ import annotations

from typing import Any


def assert_valid_conversation(messages: list[dict], null_content: bool = True) -> None:
    """OpenAI's rule: every call id of an assistant message is answered by a tool message before
    anything else, and no tool message answers a call that was not made. With ``null_content``
    False, a message with calls must carry text content (llama.cpp's server rejects null;
    our own backend never sends it, LangChain does)."""
    owed: list[str] = []
    for message in messages:
        if message["role"] == "tool":
            assert message["tool_call_id"] in owed, message
            owed.remove(message["tool_call_id"])
            continue
        assert not owed, f"unanswered calls {owed} before a {message['role']} message"
        if message["role"] == "assistant" and message.get("tool_calls"):
            assert isinstance(message.get("content"), str) or null_content, message
            owed = [call["id"] for call in message["tool_calls"]]


def without_nulls(value: Any) -> Any:
    """A record as `datasets` gives it back, less the null fields it fills in for missing keys."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value
