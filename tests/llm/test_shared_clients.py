"""One SDK client per server and event loop, and request bodies that reach the server whole."""

from __future__ import annotations

import asyncio

from agentclinic.llm.backends.openai_backend import OpenAIBackend
from agentclinic.llm.messages import Message
from agentclinic.llm.spec import parse_spec

from stub_server import StubServer


def _backend(url: str, **settings) -> OpenAIBackend:
    return OpenAIBackend(parse_spec("openai:m", base_url=url).with_settings(**settings))


def test_roles_on_one_server_share_a_client_per_event_loop(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")

    async def clients():
        a, b = _backend(None), _backend(None)  # OpenAI itself: the SDK's client
        other = OpenAIBackend(parse_spec("openai:m").with_settings(timeout_s=7.0))
        return a.client, b.client, other.client

    first = asyncio.run(clients())
    second = asyncio.run(clients())
    assert first[0] is first[1] and first[0] is not first[2]
    assert second[0] is not first[0]  # connections never outlive the loop that opened them


def test_compatible_servers_share_one_session_per_loop_and_close_it_with_the_loop():
    with StubServer() as server:
        async def two_calls():
            a, b = _backend(server.url), _backend(server.url)
            await a.complete([Message("user", "Hi")])
            await b.complete([Message("user", "Hi")])
            return _session_of_loop()

        session = asyncio.run(two_calls())
        again = asyncio.run(two_calls())
    assert session.closed and again.closed and session is not again  # closed by asyncio.run, no warning
    assert len(server.requests) == 4


def _session_of_loop():
    from agentclinic.llm.backends.compatible import _SESSIONS

    return _SESSIONS[asyncio.get_running_loop()][0]


def test_every_setting_and_message_reaches_the_server():
    schema = {"type": "object", "properties": {"action": {"type": "string"}}}
    messages = [Message("system", "Be brief."), Message("user", "Hello"), Message("assistant", "Hi"),
                Message("user", "Again")]
    with StubServer() as server:
        backend = _backend(server.url, temperature=0.3, max_tokens=17)
        reply = asyncio.run(backend.complete(messages, json_schema=schema, seed=5))
        asyncio.run(backend.complete(messages[:2]))  # the cached wire form is not changed by a call
    assert reply.text == "Hello." and reply.input_tokens == 11
    body, plain = server.requests
    assert body["model"] == "m" and body["temperature"] == 0.3 and body["max_tokens"] == 17 and body["seed"] == 5
    assert body["response_format"] == {"type": "json_object", "schema": schema}
    assert body["messages"] == [{"role": m.role, "content": m.text} for m in messages]
    assert plain["messages"] == body["messages"][:2] and "seed" not in plain and "response_format" not in plain
