"""The model doctor with --doctor-interface tools, against the stand-in OpenAI-compatible endpoint.

The endpoint answers with scripted tool calls and records every request, so these tests see
exactly what the doctor sends (tools, tool_choice, tool messages) and what the run logs.
"""

import asyncio
import itertools
import json

import pytest
from chat_support import assert_valid_conversation
from llm_support import need
from stub_server import StubServer

from agentclinic.actions import parse_action
from agentclinic.agents.llm_roles import LLMDoctor
from agentclinic.agents.registry import RoleSettings, RoleSpecError, build
from agentclinic.agents.tool_doctor import NOT_DONE, ONE_ACTION_NOTE
from agentclinic.llm.client import ModelClient
from agentclinic.llm.spec import parse_spec
from agentclinic.loader import load_pack
from agentclinic.prompting import load_prompts
from agentclinic.roles import Observation
from agentclinic.runner import RunConfig, run_batch
from agentclinic.scenario import DoctorBrief
from agentclinic.store import Store
from agentclinic.tools import TOOL_NAMES

PACK = load_pack("core")
CASE = "cardiology-001"


def call(name: str, arguments: dict | str, call_id: str) -> dict:
    text = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": text}}


# One reply per doctor request: a call, two calls at once, no call (a question), a diagnosis.
SCRIPT = [
    {"content": None, "tool_calls": [call("request_test", {"name": "CBC"}, "c1")]},
    {"content": None, "tool_calls": [call("examine", {"system": "cardiovascular"}, "c2"),
                                     call("diagnose", {"diagnosis": "Flu"}, "c3")]},
    "Where exactly is the pain?",
    {"content": "", "tool_calls": [call("diagnose", {"diagnosis": "Stable angina", "confidence": 0.4}, "c4")]},
]
EXPECTED_ACTIONS = ["request_test", "examine", "ask", "diagnose"]


def scripted(replies):
    counter = itertools.count()
    return lambda body: replies[next(counter) % len(replies)]


def doctor_requests(server: StubServer) -> list[dict]:
    return [body for body in server.requests if "tools" in body]


def run_tools(db_url: str, server: StubServer, doctor: str = "openai:stub", fresh: bool = False, **settings):
    config = RunConfig(db=db_url, doctor=doctor, scenario_ids=[CASE], max_turns=6, fresh=fresh,
                       roles=RoleSettings(base_url=server.url, doctor_interface="tools", **settings))
    return asyncio.run(run_batch(config, pack=PACK))


def test_tool_calls_become_the_doctors_actions_and_are_logged_as_json(db_url):
    with StubServer(reply=scripted(SCRIPT)) as server:
        result = run_tools(db_url, server)
    [outcome] = result.outcomes
    assert outcome.status == "completed", outcome.error
    store = Store(db_url)
    doctor_turns = [t for t in store.turns(outcome.episode_id) if t.speaker == "doctor"]
    assert [t.action for t in doctor_turns] == EXPECTED_ACTIONS
    assert [json.loads(t.text) for t in doctor_turns] == [
        {"name": "request_test", "arguments": {"name": "CBC"}},
        {"name": "examine", "arguments": {"system": "cardiovascular"}},  # the first of two calls
        {"name": "ask_patient", "arguments": {"text": "Where exactly is the pain?"}},
        {"name": "diagnose", "arguments": {"diagnosis": "Stable angina", "confidence": 0.4}},
    ]
    assert all(" " not in t.text.split('"')[0] and ", " not in t.text for t in doctor_turns[:2])  # compact
    assert outcome.diagnosis == "Stable angina"
    assert store.run(result.run_id).config["roles"]["doctor_interface"] == "tools"
    calls = [c for c in store.calls(outcome.episode_id) if c.role == "doctor"]
    assert len(calls) == 4 and all(c.input_tokens == 11 and c.output_tokens == 7 and c.error is None for c in calls)


def test_requests_offer_the_tools_and_answer_every_call_id(db_url):
    with StubServer(reply=scripted(SCRIPT)) as server:
        run_tools(db_url, server)
    requests = doctor_requests(server)
    assert len(requests) == 4
    for body in requests:
        assert [t["function"]["name"] for t in body["tools"]] == list(TOOL_NAMES)
        assert body["tool_choice"] == "auto"
        assert_valid_conversation(body["messages"], null_content=False)
    last = requests[-1]["messages"]
    tool_replies = {m["tool_call_id"]: m["content"] for m in last if m["role"] == "tool"}
    assert set(tool_replies) == {"c1", "c2", "c3"}
    assert "CBC" in tool_replies["c1"] or "blood" in tool_replies["c1"].lower()  # the result came back to c1
    assert tool_replies["c2"].startswith(ONE_ACTION_NOTE) and tool_replies["c3"] == NOT_DONE
    # The question without a call was a plain assistant message; the answer came as a user message.
    question = next(i for i, m in enumerate(last) if m["content"] == "Where exactly is the pain?")
    assert "tool_calls" not in last[question] and last[question + 1]["role"] == "user"
    system = last[0]["content"]
    assert "one tool per turn" in system and "without a tool call" in system


def test_cached_tool_calls_replay_without_calling_the_server(db_url):
    with StubServer(reply=scripted(SCRIPT)) as server:
        first = run_tools(db_url, server, cache=True)
        sent = len(server.requests)
        second = run_tools(db_url, server, cache=True, fresh=True)
    assert len(server.requests) == sent  # every call of the second run was a cache hit
    store = Store(db_url)
    texts = [[t.text for t in store.turns(r.outcomes[0].episode_id) if t.speaker == "doctor"]
             for r in (first, second)]
    assert second.run_id != first.run_id and texts[0] == texts[1] and len(texts[0]) == 4
    assert all(c.cache_hit for c in store.calls(second.outcomes[0].episode_id))


def test_tool_call_arguments_are_sanitised(db_url):
    hostile = {"content": None, "tool_calls": [call("diagnose", {"diagnosis": "Angina\u202e\x1b[2J"}, "c1")]}
    with StubServer(reply=lambda body: hostile) as server:
        result = run_tools(db_url, server)
    [outcome] = result.outcomes
    assert outcome.diagnosis == "Angina"
    [doctor_call] = [c for c in Store(db_url).calls(outcome.episode_id) if c.role == "doctor"]
    assert doctor_call.sanitised == 5


def test_malformed_arguments_are_an_invalid_action_not_a_crash(db_url):
    replies = [{"content": None, "tool_calls": [call("request_test", "{not json", "c1")]},
               {"content": None, "tool_calls": [call("diagnose", {"diagnosis": "Angina"}, "c2")]}]
    with StubServer(reply=scripted(replies)) as server:
        result = run_tools(db_url, server)
    [outcome] = result.outcomes
    assert outcome.status == "completed", outcome.error
    turns = [t for t in Store(db_url).turns(outcome.episode_id) if t.speaker == "doctor"]
    assert [t.action for t in turns] == ["invalid", "diagnose"]
    assert json.loads(turns[0].text) == {"name": "request_test", "arguments": "{not json"}
    assert_valid_conversation(doctor_requests(server)[-1]["messages"], null_content=False)


def test_a_server_without_call_ids_still_gets_paired_replies():
    replies = [{"content": None, "tool_calls": [{"type": "function", "function": {
        "name": "examine", "arguments": "{}"}}]}, "Does it hurt?"]
    brief = DoctorBrief(objective="Find the cause.", demographics="a 50-year-old man", max_turns=5)
    with StubServer(reply=scripted(replies)) as server:
        client = ModelClient(parse_spec("openai:stub", server.url), "doctor")
        doctor = LLMDoctor(brief, 1, client, load_prompts(), interface="tools")

        async def two_turns():
            first = await doctor.act(Observation("I have chest pain.", "patient", 0, 5, 0.0))
            second = await doctor.act(Observation("Normal exam.", "measurement", 1, 4, 0.0))
            return first, second

        actions = asyncio.run(two_turns())
    assert [parse_action(a).kind for a in actions] == ["examine", "ask"]
    messages = doctor_requests(server)[1]["messages"]
    assert_valid_conversation(messages, null_content=False)
    assert messages[-1] == {"role": "tool", "tool_call_id": "call_0", "content": messages[-1]["content"]}
    assert "Normal exam." in messages[-1]["content"]


def test_langchain_binds_the_tools(db_url):
    need("langchain_openai", "the LangChain tool-calling path")
    with StubServer(reply=scripted(SCRIPT)) as server:
        result = run_tools(db_url, server, doctor="langchain:openai:stub")
    [outcome] = result.outcomes
    assert outcome.status == "completed", outcome.error
    turns = [t for t in Store(db_url).turns(outcome.episode_id) if t.speaker == "doctor"]
    assert [t.action for t in turns] == EXPECTED_ACTIONS
    requests = doctor_requests(server)
    assert len(requests) == 4 and all(body["tool_choice"] == "auto" for body in requests)
    assert [t["function"]["name"] for t in requests[0]["tools"]] == list(TOOL_NAMES)
    for body in requests:
        assert_valid_conversation(body["messages"])  # LangChain sends null content beside calls
    assert {m["tool_call_id"] for m in requests[-1]["messages"] if m["role"] == "tool"} == {"c1", "c2", "c3"}


def test_transformers_doctors_are_refused_before_loading_anything():
    with pytest.raises(RoleSpecError, match=r"doctor: --doctor-interface tools is not supported by hf.*openai:<model>"):
        build("doctor", "hf:/nowhere/model", RoleSettings(doctor_interface="tools"))


def test_interface_settings_are_checked():
    assert RoleSettings(structured=True).doctor_interface == "json"
    assert RoleSettings(doctor_interface="json").structured
    with pytest.raises(ValueError, match="conflicts with --doctor-interface tools"):
        RoleSettings(structured=True, doctor_interface="tools")
    with pytest.raises(ValueError, match="expected one of text, json, tools"):
        RoleSettings(doctor_interface="xml")
