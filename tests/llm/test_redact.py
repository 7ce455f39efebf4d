"""Credentials in server URLs and error messages are redacted before anything records them."""

import asyncio

import pytest
from stub_server import StubServer

from agentclinic.agents.registry import (
    RoleSettings,
    RoleSpecError,
    build,
    resolve_roles,
)
from agentclinic.llm.backends import RawCompletion
from agentclinic.llm.backends.openai_backend import split_base_url
from agentclinic.llm.calls import call_sink
from agentclinic.llm.client import ModelClient
from agentclinic.llm.messages import Message
from agentclinic.llm.redact import (
    redact_role_settings,
    redact_secrets,
    redact_url,
    scrub_exception,
)
from agentclinic.llm.spec import ModelSpecError, parse_spec
from agentclinic.runner import RunConfig, _config_record

SECRET = "pl4nted-S3CRET"


@pytest.mark.parametrize(("url", "redacted"), [
    ("http://127.0.0.1:8000/v1", "http://127.0.0.1:8000/v1"),
    (f"http://user:{SECRET}@host:8000/v1", "http://host:8000/v1"),
    (f"https://{SECRET}@host/v1", "https://host/v1"),
    (f"http://u:p@ss{SECRET}@host/v1", "http://host/v1"),  # an unencoded '@' in the password
    (f"http://h/v1?api_key={SECRET}", "http://h/v1?api_key=***"),
    (f"http://h/v1?api-version=2024&API-KEY={SECRET}", "http://h/v1?api-version=2024&API-KEY=***"),
    (f"http://h/v1?Token={SECRET}&x=1#frag", "http://h/v1?Token=***&x=1#frag"),
    ("http://h/v1?" + "&".join(f"{name}={SECRET}" for name in ("key", "sig", "signature", "password", "secret",
                                                               "access_token")),
     "http://h/v1?key=***&sig=***&signature=***&password=***&secret=***&access_token=***"),
    (f"http://a:{SECRET}@h1/v1,http://h2/v1?token={SECRET}", "http://h1/v1,http://h2/v1?token=***"),
])
def test_redact_url(url, redacted):
    assert redact_url(url) == redacted


def test_redact_url_keeps_none():
    assert redact_url(None) is None


def test_redact_secrets_in_free_text_and_env_keys(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", SECRET + "-env")
    text = (f"APIConnectionError: POST http://u:{SECRET}@h/v1/chat/completions?api_key={SECRET} failed; "
            f"key was {SECRET}-env")
    assert SECRET not in redact_secrets(text)
    assert "http://h/v1/chat/completions?api_key=***" in redact_secrets(text)


def test_labels_and_bindings_carry_no_credentials():
    spec = parse_spec("openai:m", f"http://u:{SECRET}@h/v1?api_key={SECRET}")
    assert spec.label == "openai:m@http://h/v1?api_key=***" and SECRET not in repr(spec)
    settings = RoleSettings(base_url=f"http://u:{SECRET}@127.0.0.1:9/v1",
                            per_role={"patient": {"base_url": f"http://127.0.0.1:8/v1?token={SECRET}"}})
    roles = resolve_roles(doctor="openai:m", patient="openai:m", settings=settings)
    assert roles.bindings["doctor"] == "openai:m@http://127.0.0.1:9/v1"
    assert roles.bindings["patient"] == "openai:m@http://127.0.0.1:8/v1?token=***"


def test_config_record_redacts_every_base_url():
    settings = RoleSettings(base_url=f"http://u:{SECRET}@h/v1",
                            per_role={"doctor": {"base_url": f"http://h/v1?key={SECRET}", "temperature": 0.2},
                                      "patient": {"temperature": 0.9}})
    record = _config_record(RunConfig(doctor="openai:m", roles=settings))
    assert SECRET not in repr(record)
    assert record["roles"]["per_role"] == {"doctor": {"base_url": "http://h/v1?key=***", "temperature": 0.2},
                                           "patient": {"temperature": 0.9}}
    assert redact_role_settings({"base_url": None, "per_role": {}}) == {"base_url": None, "per_role": {}}


def test_split_base_url_sends_the_query_on_every_request():
    assert split_base_url("http://h/v1") == ("http://h/v1", None)
    assert split_base_url("http://u:p@h/v1?api_key=k&x=") == ("http://u:p@h/v1", {"api_key": "k", "x": ""})


def test_credentials_in_the_url_reach_the_server():
    seen = []

    class Recording(StubServer):
        def respond(self, handler, behaviour, body):
            seen.append((handler.path, handler.headers.get("authorization")))
            super().respond(handler, behaviour, body)

    with Recording() as server:
        url = server.url.replace("http://", f"http://user:{SECRET}@") + f"?api_key={SECRET}"
        client = ModelClient(parse_spec("openai:stub", url), "patient")
        assert asyncio.run(client.chat([Message("user", "hi")])).text == "Hello."
    [(path, auth)] = seen
    assert path == f"/v1/chat/completions?api_key={SECRET}" and auth.startswith("Basic ")


class FailingBackend:
    def __init__(self, spec):
        self.spec = spec

    async def complete(self, messages, *, json_schema=None, seed=None) -> RawCompletion:
        try:
            raise OSError(f"connect to http://u:{SECRET}@h/v1 refused")
        except OSError as cause:
            raise ValueError(f"bad request to http://h/v1?api_key={SECRET}") from cause


def test_errors_are_redacted_in_the_call_record_and_the_raised_exception():
    spec = parse_spec("openai:m", f"http://u:{SECRET}@h/v1")
    client = ModelClient(spec, "doctor", backend=FailingBackend(spec))
    records = []
    token = call_sink.set(records.append)
    try:
        with pytest.raises(ValueError) as raised:  # the type is kept: callers may depend on it
            asyncio.run(client.chat([Message("user", "hi")]))
    finally:
        call_sink.reset(token)
    [record] = records
    assert SECRET not in record.error and SECRET not in record.model
    assert SECRET not in str(raised.value) and SECRET not in str(raised.value.__cause__)


def test_scrub_exception_survives_odd_exceptions():
    class ReadOnly(Exception):
        @property
        def message(self):
            return str(self.args[0])

    exc = scrub_exception(ReadOnly(f"http://u:{SECRET}@h/"))
    assert SECRET not in str(exc) and SECRET not in exc.message


def test_role_errors_are_redacted(monkeypatch):
    from agentclinic.agents import registry

    def fail(*args, **kwargs):
        raise ModelSpecError(f"cannot reach http://u:{SECRET}@h/v1")

    monkeypatch.setattr(registry, "_llm", fail)
    with pytest.raises(RoleSpecError) as raised:
        build("doctor", "openai:m")
    assert SECRET not in str(raised.value) and "http://h/v1" in str(raised.value)
