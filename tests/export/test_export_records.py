"""Exported records from real logged runs: the doctor's conversation is the one it had live,
tool calls keep their shape, rewards and metrics match the library's, and the label stays
out of everything the doctor was told."""

from __future__ import annotations

import json

import gymnasium as gym
import pytest
from export_support import (
    CONFIRMATION,
    SecondThoughtsDoctor,
    ToolCallingDoctor,
    leaked_terms,
    run,
)

import agentclinic
from agentclinic.episode import FINAL_TURN_PROMPT
from agentclinic.export import ExportError, Selection, export_records, preference_pairs
from agentclinic.report.metrics import episode_metrics
from agentclinic.rewards import Shaping, trajectory_terms
from agentclinic.store import Store
from agentclinic.wrappers import ChatObservation


def _text_only(messages):
    """The live conversation without image pixels (the export names images, it does not embed them)."""
    kept = []
    for message in messages:
        content = message.get("content")
        if isinstance(content, list):
            texts = [part["text"] for part in content if part["type"] == "text"]
            if not texts:
                continue  # a user message carrying only the images of a tool reply
            message = {**message, "content": texts[0]}
        kept.append(message)
    return kept


def test_the_export_is_the_conversation_the_env_policy_had(core_pack, db_url):
    imaged = next(s for s in core_pack.scenarios if s.images and s.id != "cardiology-001")
    env = ChatObservation(gym.make(agentclinic.ENV_ID, scenarios=core_pack, db=db_url, max_turns=5,
                                   persona=CONFIRMATION))
    live = []
    scripts = {"cardiology-001": ["What brings you in today?", {"name": "request_test", "arguments": {"name": "ECG"}},
                                  '{"action": "examine", "system": "cardiovascular"}', "REQUEST TEST:",
                                  "Any chest pain?"],
               imaged.id: [{"id": "call_x", "type": "function", "function": {"name": "request_images",
                                                                             "arguments": "{}"}},
                           "REQUEST IMAGES", "DIAGNOSIS READY: Influenza"]}
    for case_id, actions in scripts.items():
        messages, _ = env.reset(seed=3, options={"scenario_id": case_id})
        for action in actions:
            messages, *_ = env.step(action)
        live.append(_text_only(messages))
    env.close()
    store = Store(db_url, create=False)
    records = export_records(store, Selection(status="any"))
    store.close()
    assert [r["case_id"] for r in records] == list(scripts)
    assert [r["messages"] for r in records] == live
    first = records[0]["messages"]
    assert first[4]["tool_calls"][0]["function"] == {"name": "request_test", "arguments": '{"name": "ECG"}'}
    assert first[5]["role"] == "tool" and first[5]["tool_call_id"] == first[4]["tool_calls"][0]["id"] == "call_4"
    assert first[6]["content"].startswith('{"action": "examine"')  # a JSON action stays text
    assert first[-3]["content"].endswith(FINAL_TURN_PROMPT)  # after the second-to-last turn
    assert any("[image attached:" in m["content"] for m in records[1]["messages"] if m["role"] == "tool")
    assert records[0]["condition"] == "doctor:confirmation" and records[0]["doctor_biases"] == ["confirmation"]


@pytest.fixture()
def tool_run(core_pack, db_url):
    return run(core_pack, db_url, ToolCallingDoctor, cases=3, trials=1)


def test_tool_calls_from_a_batch_run_become_tool_call_messages(tool_run, db_url):
    store = Store(db_url, create=False)
    records = export_records(store, Selection(run_id=tool_run))
    for record in records:
        messages = record["messages"]
        assert [m["role"] for m in messages[:2]] == ["system", "user"]
        calls = [i for i, m in enumerate(messages) if m.get("tool_calls")]
        assert len(calls) == record["metrics"]["turns"] - 1  # every action but the JSON diagnosis
        for i in calls:
            call = messages[i]["tool_calls"][0]
            assert messages[i]["content"] == "" and call["type"] == "function"
            assert json.loads(call["function"]["arguments"]) is not None
            assert messages[i + 1] == {"role": "tool", "tool_call_id": call["id"], "content": messages[i + 1]["content"]}
        assert json.loads(messages[-2]["content"])["action"] == "diagnose"


def test_rewards_metrics_and_calls_are_the_libraries_own(core_pack, db_url):
    run_id = run(core_pack, db_url, SecondThoughtsDoctor(), cases=3, trials=2)
    store = Store(db_url, create=False)
    records = export_records(store, Selection(run_id=run_id))
    assert len(records) == 6 and {r["correct"] for r in records} == {True, False}
    for record in records:
        turns = store.turns(record["episode_id"])
        facts = core_pack.get(record["case_id"]).key_facts
        shaped = trajectory_terms(turns, facts, correct=record["correct"], shaping=Shaping())
        assert record["rewards"]["shaped"] == shaped
        assert record["rewards"]["terminal_total"] == (1.0 if record["correct"] else 0.0)
        assert len(record["rewards"]["terminal"]) == record["metrics"]["turns"]
        assert record["metrics"] == episode_metrics(turns, facts, 8).as_dict()
        assert record["label"] == core_pack.get(record["case_id"]).diagnosis.name
        assert record["survey"]["confidence"] >= 1 and record["model_calls"] == []
        assert record["bindings"]["doctor"].startswith("python:")
    pairs = preference_pairs(records)
    both = {r["case_id"] for r in records if r["correct"]} & {r["case_id"] for r in records if not r["correct"]}
    assert len(pairs) == len(both) >= 1
    for pair in pairs:
        chosen = next(r for r in records if r["episode_id"] == pair["chosen_episode_id"])
        rejected = next(r for r in records if r["episode_id"] == pair["rejected_episode_id"])
        assert chosen["correct"] and not rejected["correct"] and chosen["case_id"] == rejected["case_id"]
        assert pair["prompt"] == chosen["messages"][:2] == rejected["messages"][:2]
        assert pair["chosen"][-1]["role"] == pair["rejected"][-1]["role"] == "assistant"
        assert "DIAGNOSIS READY" in pair["rejected"][-1]["content"]
    assert preference_pairs(list(reversed(records))) == pairs  # the same log, the same pairs


def test_correct_only_and_empty_selections(core_pack, db_url):
    run_id = run(core_pack, db_url, SecondThoughtsDoctor(), cases=2, trials=2)
    store = Store(db_url, create=False)
    correct = export_records(store, Selection(run_id=run_id, correct_only=True))
    assert correct and all(r["correct"] for r in correct)
    with pytest.raises(ExportError, match="run 1 has no failed episodes to export"):
        export_records(store, Selection(run_id=run_id, status="failed"))
    with pytest.raises(ExportError, match="no run 7 in"):
        export_records(store, Selection(run_id=7))


def test_no_message_the_doctor_received_names_the_diagnosis(core_pack, db_url):
    run_id = run(core_pack, db_url, SecondThoughtsDoctor(), cases=len(core_pack.scenarios), trials=2,
                 personas=[CONFIRMATION])
    store = Store(db_url, create=False)
    records = export_records(store, Selection(run_id=run_id))
    assert leaked_terms(records, core_pack) == []
    for record in records:  # the label is there, as its own field
        assert record["label"] == core_pack.get(record["case_id"]).diagnosis.name
        assert record["label_synonyms"] == list(core_pack.get(record["case_id"]).diagnosis.synonyms)
    for pair in preference_pairs(records):
        terms = core_pack.get(pair["case_id"]).diagnosis.terms()
        assert not any(term.lower() in json.dumps(pair["prompt"]).lower() for term in terms)


def test_a_baseline_doctor_run_needs_no_python_doctor(core_pack, db_url):
    """The plain CLI doctor ('baseline') exports the same shape (sanity for the default path)."""
    run_id = run(core_pack, db_url, "baseline", cases=1, trials=1)
    store = Store(db_url, create=False)
    (record,) = export_records(store, Selection(run_id=run_id))
    assert record["bindings"]["doctor"] == "baseline" and record["prompt_set"] == "default"
    assert record["messages"][-2]["content"].startswith("DIAGNOSIS READY")
