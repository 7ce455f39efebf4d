"""Whole episodes with a real model: the embedded SmolLM2 behind llama.cpp's OpenAI server,
in-process, and through transformers. The 135M model cannot diagnose: these tests check
structure and plumbing (calls made, rows written, protocol parsed), not clinical skill."""

import asyncio

from agentclinic.agents.registry import RoleSettings
from agentclinic.loader import load_pack
from agentclinic.runner import RunConfig, run_batch
from agentclinic.store import Store

from llm_support import need, smollm2_or_skip

PACK = load_pack("core")


def run_all_llm_roles(spec: str, db_url: str, **settings):
    config = RunConfig(db=db_url, doctor=spec, patient=spec, measurement=spec, assessor=spec,
                       scenario_ids=["cardiology-001"], max_turns=3,
                       roles=RoleSettings(max_tokens=48, temperature=0.0, timeout_s=120, **settings))
    return asyncio.run(run_batch(config, pack=PACK))


def check_llm_survey(store, episode_id, calls, spec_label):
    """The LLM patient was asked for its ratings once, in role, and its answer was stored."""
    [survey_call] = [c for c in calls if c.note == "survey"]
    assert survey_call.role == "patient"
    row = store.episode(episode_id)
    surveys = store.surveys_of([episode_id])
    # The schema-constrained answer normally parses; if the tiny model still garbles it, the
    # episode records why instead of failing.
    assert (episode_id in surveys) != bool(row.survey_error), row.survey_error
    if episode_id in surveys:
        survey = surveys[episode_id]
        assert not survey.heuristic and survey.respondent == spec_label
        assert all(1 <= getattr(survey, item) <= 10 for item in ("confidence", "adherence", "return_visit"))


def check_episode(result, db_url: str, spec_label: str):
    [outcome] = result.outcomes
    assert outcome.status == "completed", outcome.error
    store = Store(db_url)
    run = store.run(result.run_id)
    assert run.bindings["doctor"] == spec_label and run.bindings["patient"] == spec_label
    assert "key" not in str(run.config).lower()
    turns = store.turns(outcome.episode_id)
    doctor_turns = [t for t in turns if t.speaker == "doctor"]
    assert len(doctor_turns) == outcome.turns >= 1
    assert all(t.action in {"ask", "examine", "request_test", "request_images", "diagnose", "invalid"}
               for t in doctor_turns)
    calls = store.calls(outcome.episode_id)
    roles = {c.role for c in calls if c.note != "survey"}
    actions = {t.action for t in doctor_turns}
    # Each role is called exactly when the doctor's (model-chosen) actions need it.
    assert "doctor" in roles
    assert ("patient" in roles) == ("ask" in actions)
    check_llm_survey(store, outcome.episode_id, calls, spec_label)
    assert ("assessor" in roles) == ("diagnose" in actions)
    assert all(c.error is None and c.input_tokens and c.output_tokens is not None for c in calls)
    row = store.episode(outcome.episode_id)
    assert row.llm_calls == len(calls) and row.input_tokens == sum(c.input_tokens for c in calls)
    assert row.llm_cost_usd == 0.0 and row.llm_unpriced == []  # smollm2 is priced at 0 in the data file
    return calls


def test_openai_client_path_against_llama_cpp_server(llama_server, db_url):
    result = run_all_llm_roles("openai:smollm2", db_url, base_url=llama_server, structured=True)
    calls = check_episode(result, db_url, f"openai:smollm2@{llama_server}")
    assert all(c.model == f"openai:smollm2@{llama_server}" for c in calls)


def test_langchain_chat_openai_path_against_llama_cpp_server(llama_server, db_url):
    need("langchain_openai", "the LangChain path")
    result = run_all_llm_roles("langchain:openai:smollm2", db_url, base_url=llama_server)
    check_episode(result, db_url, f"openai:smollm2@{llama_server}")


def test_agentclinic_v1_prompts_run(llama_server, db_url):
    result = run_all_llm_roles("openai:smollm2", db_url, base_url=llama_server, prompts="agentclinic-v1")
    assert result.outcomes[0].status == "completed", result.outcomes[0].error


def test_embedded_model_in_process_uses_constrained_json(db_url):
    need("llama_cpp", "the embedded model")
    smollm2_or_skip()
    result = run_all_llm_roles("local:smollm2", db_url)
    check_episode(result, db_url, "local:smollm2")
    store = Store(db_url)
    doctor_texts = [t.text for t in store.turns(result.outcomes[0].episode_id) if t.speaker == "doctor"]
    # The embedded doctor decodes under a JSON constraint, so every turn is a JSON object.
    assert all(text.lstrip().startswith("{") for text in doctor_texts)


def test_transformers_loads_the_same_gguf_and_generates():
    need("torch", "the transformers backend")
    need("transformers", "the transformers backend")
    need("gguf", "loading GGUF with transformers")
    path = smollm2_or_skip()
    from agentclinic.llm.client import ModelClient
    from agentclinic.llm.messages import Message
    from agentclinic.llm.spec import parse_spec

    client = ModelClient(parse_spec(f"hf:{path}").with_settings(max_tokens=12, temperature=0.0), "patient")
    completion = asyncio.run(client.chat([Message("user", "Say hello.")], seed=1))
    assert completion.text.strip() and completion.output_tokens and completion.input_tokens


def test_model_judge_rescores_a_logged_run_against_the_llama_cpp_server(llama_server, db_url):
    from agentclinic.assess.rescore import rescore_run

    result = asyncio.run(run_batch(RunConfig(db=db_url, limit=2), pack=PACK))
    store = Store(db_url)
    settings = RoleSettings(base_url=llama_server, temperature=0.0, timeout_s=120)
    rescored = asyncio.run(rescore_run(store, result.run_id, ["openai:smollm2"], settings=settings))
    label = f"openai:smollm2@{llama_server}"
    assert rescored.scored == 2 and set(rescored.decisions) == {label, "scripted"}
    [agreement] = rescored.agreement()
    assert agreement.n == 2 and 0.0 <= agreement.agreement <= 1.0
    for outcome in result.outcomes:
        rows = store.assessments_of([outcome.episode_id])[outcome.episode_id]
        assert [r.assessor for r in rows if r.source == "rescore"] == [label, "scripted"]
        [call] = store.calls(outcome.episode_id)
        assert call.role == "assessor" and call.model == label and call.error is None
