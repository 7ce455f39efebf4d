"""Tool calls, in every shape agent frameworks send, become the same typed actions as text."""

from __future__ import annotations

import json

import pytest

from agentclinic.actions import Ask, Diagnose, Examine, Invalid, RequestImages, RequestTest, parse_action
from agentclinic.tools import DOCTOR_TOOLS, TOOL_NAMES, doctor_tools

TEST = RequestTest(name="CBC")


@pytest.mark.parametrize("call", [
    {"name": "request_test", "arguments": {"name": "CBC"}},
    {"name": "request_test", "arguments": '{"name": "CBC"}'},
    {"type": "function", "function": {"name": "request_test", "arguments": '{"name": "CBC"}'}},
    {"function": {"name": "request_test", "arguments": {"name": "CBC"}}},
    {"role": "assistant", "content": None, "tool_calls": [
        {"id": "call_1", "type": "function", "function": {"name": "request_test", "arguments": '{"name": "CBC"}'}}]},
    [{"name": "request_test", "arguments": {"name": "CBC"}}],
])
def test_every_common_shape_is_understood(call):
    assert parse_action(json.dumps(call)) == TEST


@pytest.mark.parametrize(("name", "arguments", "expected"), [
    ("ask_patient", {"text": "Where does it hurt?"}, Ask(text="Where does it hurt?")),
    ("examine", {}, Examine()),
    ("examine", {"system": "abdomen"}, Examine(system="abdomen")),
    ("request_images", {}, RequestImages()),
    ("diagnose", {"diagnosis": "Gout", "differential": ["Septic arthritis"], "confidence": 0.8},
     Diagnose(diagnosis="Gout", differential=("Septic arthritis",), confidence=0.8)),
])
def test_each_tool_maps_to_its_action(name, arguments, expected):
    assert parse_action(json.dumps({"name": name, "arguments": arguments})) == expected


@pytest.mark.parametrize(("call", "reason"), [
    ({"name": "prescribe", "arguments": {}}, "unknown tool 'prescribe': expected one of ask_patient"),
    ({"name": "request_test", "arguments": "{not json"}, "arguments of request_test are not valid JSON"),
    ({"name": "request_test", "arguments": ["CBC"]}, "must be a JSON object"),
    ({"name": "request_test", "arguments": {}}, "name"),
    ({"name": "diagnose", "arguments": {"diagnosis": "Gout", "confidence": 7}}, "confidence"),
    ({"name": "diagnose", "arguments": {"diagnosis": "Gout", "kind": "ask"}}, "may not set 'kind'"),
    ({"name": "request_test", "arguments": {"name": "CBC", "urgent": True}}, "urgent"),
    ({"tool_calls": [{"name": "examine", "arguments": {}}, {"name": "request_images", "arguments": {}}]},
     "one tool call per turn, got 2"),
    ({"tool_calls": []}, "one tool call per turn, got 0"),
    ({"foo": 1}, "JSON that is not an action: expected a tool call"),
])
def test_a_malformed_call_is_invalid_with_what_was_expected(call, reason):
    action = parse_action(json.dumps(call))
    assert isinstance(action, Invalid) and reason in action.reason


def test_a_bracketed_question_is_still_a_question():
    assert parse_action("[Turn 3] How long have you had the cough?") == Ask(
        text="[Turn 3] How long have you had the cough?")
    assert parse_action('["not", "a", "call"]') == Ask(text='["not", "a", "call"]')


def test_a_diagnosis_by_tool_is_judged_like_one_by_text():
    by_tool = parse_action(json.dumps({"name": "diagnose", "arguments": {"diagnosis": "Gout or pseudogout"}}))
    assert by_tool == parse_action("DIAGNOSIS READY: Gout or pseudogout")  # a hedge either way


def test_the_definitions_are_openai_function_tools():
    assert TOOL_NAMES == ("ask_patient", "examine", "request_test", "request_images", "diagnose")
    for tool in DOCTOR_TOOLS:
        assert tool["type"] == "function"
        parameters = tool["function"]["parameters"]
        assert parameters["type"] == "object" and parameters["additionalProperties"] is False
        assert set(parameters["required"]) <= set(parameters["properties"])
    copy = doctor_tools()
    copy[0]["function"]["name"] = "changed"
    assert DOCTOR_TOOLS[0]["function"]["name"] == "ask_patient"
