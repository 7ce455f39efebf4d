"""Tool calls in our message types, at each backend's edge, in the cache and through sanitising."""

import json

from llm_support import need

from agentclinic.agents.tool_doctor import (
    TOOL_CALL_SCHEMA,
    as_tool_call_text,
    bounded_tools,
)
from agentclinic.llm.backends.base import RawCompletion
from agentclinic.llm.backends.openai_backend import to_openai
from agentclinic.llm.messages import Message, ToolCall
from agentclinic.llm.tool_calls import from_cache, sanitise_calls, to_cache
from agentclinic.tools import DOCTOR_TOOLS

CALL = ToolCall("c1", "request_test", '{"name": "CBC"}')


def test_plain_message_keys_are_unchanged_so_old_cache_entries_still_hit():
    assert Message("user", "hi").key() == {"role": "user", "text": "hi", "images": []}
    with_call = Message("assistant", "", tool_calls=(CALL,)).key()
    assert with_call["tool_calls"] == [{"id": "c1", "name": "request_test", "arguments": '{"name": "CBC"}'}]
    assert Message("tool", "done", tool_call_id="c1").key()["tool_call_id"] == "c1"


def test_openai_messages_carry_calls_and_replies():
    assert to_openai(Message("assistant", "", tool_calls=(CALL,))) == {
        "role": "assistant", "content": "", "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "request_test", "arguments": '{"name": "CBC"}'}}]}
    assert to_openai(Message("tool", "WBC 16", tool_call_id="c1")) == {
        "role": "tool", "tool_call_id": "c1", "content": "WBC 16"}


def test_langchain_messages_carry_calls_even_with_broken_arguments():
    need("langchain_core", "the LangChain message conversion")
    from agentclinic.llm.backends.langchain_backend import read_tool_calls, to_langchain

    broken = ToolCall("c2", "examine", "{not json")
    message = to_langchain(Message("assistant", "", tool_calls=(CALL, broken)))
    assert message.tool_calls == [{"name": "request_test", "args": {"name": "CBC"}, "id": "c1", "type": "tool_call"}]
    assert [c["args"] for c in message.invalid_tool_calls] == ["{not json"]
    assert [(c.id, c.name, json.loads(c.arguments) if c.id == "c1" else c.arguments)
            for c in read_tool_calls(message)] == [("c1", "request_test", {"name": "CBC"}), ("c2", "examine", "{not json")]
    reply = to_langchain(Message("tool", "WBC 16", tool_call_id="c1"))
    assert reply.type == "tool" and reply.tool_call_id == "c1"


def test_cache_envelope_round_trips_and_anything_else_is_a_miss():
    raw = RawCompletion("thinking", 10, 3, "m", (CALL,))
    stored = to_cache(raw)
    assert stored.tool_calls == () and json.loads(stored.text)["content"] == "thinking"
    assert from_cache(stored) == raw
    assert from_cache(RawCompletion("plain text from an older entry")) is None
    assert from_cache(RawCompletion('{"content": "x"}')) is None


def test_sanitising_reaches_escaped_characters_inside_arguments():
    hostile = ToolCall("c1", "ask\x1b[2J_patient", json.dumps({"text": "Hello\u202e there\x07"}))
    [clean], removed = sanitise_calls((hostile,))
    assert clean.name == "ask_patient" and json.loads(clean.arguments) == {"text": "Hello there"}
    assert removed == 6
    untouched = (CALL,)
    assert sanitise_calls(untouched) == (untouched, 0)


def test_bounded_tools_only_add_bounds():
    bounded = bounded_tools()
    assert [t["function"]["name"] for t in bounded] == [t["function"]["name"] for t in DOCTOR_TOOLS]
    ask = bounded[0]["function"]["parameters"]["properties"]["text"]
    assert ask["maxLength"] == 400 and ask["minLength"] == 1
    assert "maxLength" not in DOCTOR_TOOLS[0]["function"]["parameters"]["properties"]["text"]  # a copy
    assert len(TOOL_CALL_SCHEMA["anyOf"]) == len(DOCTOR_TOOLS)


def test_json_text_calls_are_made_compact_and_other_replies_are_left_alone():
    assert as_tool_call_text('{"name": "examine", "arguments": {}}') == '{"name":"examine","arguments":{}}'
    assert as_tool_call_text('{"name": "examine", "arguments": "{\\"system\\": \\"skin\\"}"}') == \
        '{"name":"examine","arguments":{"system":"skin"}}'
    for reply in ("REQUEST TEST: CBC", '{"action": "ask", "text": "hi"}', '{"name": "unknown", "arguments": {}}'):
        assert as_tool_call_text(reply) == reply
