"""ChatObservation: the conversation as chat messages, ready for a chat model (a real request to
the stand-in OpenAI-compatible server proves the shape), images as content parts, no leaks."""

from __future__ import annotations

import base64
import io
import json

import gymnasium as gym
import numpy as np
import pytest
from openai import OpenAI
from PIL import Image

import agentclinic
from agentclinic.wrappers import ChatObservation

from stub_server import StubServer


@pytest.fixture()
def chat(core_pack):
    env = ChatObservation(gym.make(agentclinic.ENV_ID, scenarios=core_pack, db=None))
    yield env
    env.close()


def test_the_history_grows_as_system_user_assistant_messages(chat):
    messages, info = chat.reset(seed=0, options={"scenario_id": "cardiology-001"})
    assert [m["role"] for m in messages] == ["system", "user"]
    assert messages[0]["content"] == info["instructions"]
    messages, *_ = chat.step("What brings you in today?")
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert messages[2]["content"] == "What brings you in today?"
    assert "racing" in messages[3]["content"]  # the patient's own words
    assert chat.observation_space.contains(messages)
    messages[3]["content"] = "changed"  # the caller's copy; the wrapper keeps its own
    assert chat.messages[3]["content"] != "changed"


def test_a_tool_call_is_answered_by_a_tool_message(chat):
    chat.reset(seed=0, options={"scenario_id": "cardiology-001"})
    call = {"id": "call_7", "type": "function", "function": {"name": "request_test", "arguments": {"name": "ECG"}}}
    messages, *_ = chat.step(call)
    assistant, tool = messages[2], messages[3]
    assert assistant["tool_calls"] == [{"id": "call_7", "type": "function", "function": {
        "name": "request_test", "arguments": json.dumps({"name": "ECG"})}}]
    assert tool["role"] == "tool" and tool["tool_call_id"] == "call_7"
    assert "Electrocardiogram" in tool["content"]


def test_images_arrive_as_png_content_parts(chat, core_pack):
    case = next(s for s in core_pack.scenarios if s.images)
    chat.reset(seed=0, options={"scenario_id": case.id})
    messages, *_ = chat.step("REQUEST IMAGES")
    parts = messages[-1]["content"]
    assert parts[0]["type"] == "text"
    urls = [part["image_url"]["url"] for part in parts[1:]]
    assert urls and all(url.startswith("data:image/png;base64,") for url in urls)
    image = Image.open(io.BytesIO(base64.b64decode(urls[0].split(",", 1)[1])))
    assert np.asarray(image).ndim == 3 and image.mode == "RGB"


def test_the_messages_and_tools_go_straight_to_a_chat_server(chat):
    messages, _ = chat.reset(seed=0, options={"scenario_id": "cardiology-001"})
    messages, *_ = chat.step({"name": "request_test", "arguments": {"name": "ECG"}})
    messages, *_ = chat.step("Any chest pain?")
    with StubServer() as server:
        client = OpenAI(base_url=server.url, api_key="not-used")
        reply = client.chat.completions.create(model="stub", messages=messages, tools=chat.unwrapped.tools)
    assert reply.choices[0].message.content == "Hello."
    sent = server.requests[0]
    assert sent["messages"] == messages and len(sent["tools"]) == 5


def test_no_message_names_the_diagnosis(chat, core_pack):
    for case in core_pack.scenarios[:10]:
        messages, _ = chat.reset(seed=0, options={"scenario_id": case.id})
        for action in ("What brings you in today?", "PHYSICAL EXAM", "REQUEST TEST: complete blood count",
                       {"name": "request_images", "arguments": {}}):
            messages, *_ = chat.step(action)
        text = json.dumps([m for m in messages if m["role"] != "assistant"], ensure_ascii=False).lower()
        assert case.diagnosis.name.lower() not in text, case.id


def test_a_conversation_with_tool_calls_is_accepted_by_the_real_llama_server(chat, llama_server):
    """llama-cpp-python's server refuses an assistant message whose content is null, so the
    wrapper writes "" beside the tool calls; a real server must take the conversation as it is."""
    messages, _ = chat.reset(seed=0, options={"scenario_id": "cardiology-001"})
    messages, *_ = chat.step({"name": "request_test", "arguments": {"name": "troponin"}})  # no image: a text model
    messages, *_ = chat.step("Any chest pain?")
    client = OpenAI(base_url=llama_server, api_key="not-used")
    reply = client.chat.completions.create(model="smollm2", messages=messages, max_tokens=8, temperature=0)
    assert reply.choices[0].message.content is not None
    assert any(m.get("tool_calls") and m["content"] == "" for m in messages)
