"""One retry layer, tested against a real HTTP server on 127.0.0.1 that misbehaves on schedule."""

import asyncio

import pytest

from agentclinic.llm.calls import CallTotals, call_sink
from agentclinic.llm.client import ModelClient
from agentclinic.llm.messages import Message
from agentclinic.llm.retry import is_retryable
from agentclinic.llm.spec import parse_spec

from stub_server import StubServer

HELLO = [Message("user", "Hello?")]


def client_for(url: str, **settings) -> ModelClient:
    spec = parse_spec("openai:stub", url).with_settings(timeout_s=settings.pop("timeout_s", 5.0),
                                                        max_retries=settings.pop("max_retries", 4), **settings)
    return ModelClient(spec, "patient")


def chat(client: ModelClient):
    records = []
    token = call_sink.set(records.append)
    try:
        return asyncio.run(client.chat(HELLO)), records
    except Exception as exc:  # noqa: BLE001 - the test inspects it
        return exc, records
    finally:
        call_sink.reset(token)


@pytest.mark.parametrize("schedule", [["429"], ["500"], ["garbage"], ["truncated"], ["429", "500", "garbage"]])
def test_transient_errors_are_retried_until_success(schedule):
    with StubServer(schedule, reply=lambda body: "Fine, thanks.") as server:
        result, records = chat(client_for(server.url))
    assert result.text == "Fine, thanks."
    assert len(server.requests) == len(schedule) + 1  # exactly one layer of retries
    assert records[-1].attempts == len(schedule) + 1 and records[-1].error is None
    assert (records[-1].input_tokens, records[-1].output_tokens) == (11, 7)


def test_slow_response_hits_the_per_call_timeout_and_is_retried():
    with StubServer(["slow:3"]) as server:
        result, records = chat(client_for(server.url, timeout_s=1.0))
    assert result.text == "Hello." and records[-1].attempts == 2


@pytest.mark.parametrize(("schedule", "error"), [(["401"], "AuthenticationError"),
                                                 (["429-quota"], "RateLimitError")])
def test_no_retry_on_auth_or_exhausted_quota(schedule, error):
    with StubServer(schedule) as server:
        result, records = chat(client_for(server.url))
    assert type(result).__name__ == error
    assert len(server.requests) == 1
    assert records[-1].error.startswith(error)


def test_retries_run_out():
    with StubServer(["500"] * 10) as server:
        result, records = chat(client_for(server.url, max_retries=2))
    assert type(result).__name__ == "InternalServerError"
    assert len(server.requests) == 3 and records[-1].attempts == 3


def test_classification_of_plain_exceptions():
    assert is_retryable(TimeoutError()) and is_retryable(ConnectionResetError())
    assert not is_retryable(ValueError("bad input"))


def test_totals_count_calls_tokens_and_unpriced_models():
    totals = CallTotals()
    with StubServer() as server:
        _, records = chat(client_for(server.url))
    for record in records:
        totals.add(record)
    assert (totals.calls, totals.input_tokens, totals.output_tokens) == (1, 11, 7)
    assert totals.unpriced_models == {"openai:stub@" + server.url}
