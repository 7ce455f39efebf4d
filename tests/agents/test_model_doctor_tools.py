"""Model doctors with tools, driven by a scripted model (a fake at our backend level) through
real runs: what each tool sends, logs and counts, and the exploits it must not allow."""

from __future__ import annotations

import asyncio
import json

import pytest
from doctor_tools_support import ScriptedModel, doctor_factory

from agentclinic.llm.backends.base import RawCompletion
from agentclinic.llm.messages import ToolCall
from agentclinic.runner import RunConfig, run_batch
from agentclinic.store import Store
from agentclinic.store.tool_log import notes_of, tool_calls_of

CASE = "cardiology-001"  # palpitations and breathlessness: atrial fibrillation


def _run(db_url: str, model: ScriptedModel, tools: str, interface: str = "text", prompts: str = "default",
         **settings):
    config = RunConfig(db=db_url, doctor=doctor_factory(model, interface, prompts), survey=False,
                       scenario_ids=settings.pop("cases", [CASE]), max_turns=settings.pop("max_turns", 4),
                       doctor_tools=tools, **settings)
    result = asyncio.run(run_batch(config))
    store = Store(db_url)
    try:
        ids = [o.episode_id for o in result.outcomes]
        return result, tool_calls_of(store, ids), {i: store.turns(i) for i in ids}, store.episode(ids[0])
    finally:
        store.close()


def _said(text: str):
    return lambda last: text in last


def test_a_search_returns_passages_and_never_uses_a_turn(db_url: str):
    model = ScriptedModel([(_said("Search results"), "REQUEST TEST: ECG"),
                           (_said("[Turn 1 "), "SEARCH: irregular palpitations, breathless, no P waves"),
                           (_said("[Turn 2 "), "DIAGNOSIS READY: Atrial fibrillation")])
    result, calls, turns, _ = _run(db_url, model, "rag")
    (outcome,) = result.outcomes
    assert outcome.turns == 2 and outcome.correct  # the search was not a turn
    (search,) = [c for c in calls[outcome.episode_id] if c.tool == "rag"]
    assert "atrial-fibrillation" in search.detail["passages"] and search.turn == 0
    after = model.requests[1][-1].text  # the call after the search carries the passages
    assert after.startswith("Search results") and "[atrial-fibrillation]" in after
    doctor_turns = [t.text for t in turns[outcome.episode_id] if t.speaker == "doctor"]
    assert doctor_turns == ["REQUEST TEST: ECG", "DIAGNOSIS READY: Atrial fibrillation"]


def test_searching_forever_is_capped_and_ends_as_an_invalid_action(db_url: str):
    model = ScriptedModel([(lambda last: True, "SEARCH: palpitations")])
    result, calls, _, row = _run(db_url, model, "rag", max_turns=5)
    searches = [c for c in calls[result.outcomes[0].episode_id] if c.tool == "rag"]
    per_turn = [sum(1 for c in searches if c.turn == t) for t in range(5)]
    assert max(per_turn) <= 2 and len(searches) <= 6  # per turn and per episode
    assert row.invalid_actions == 5 and row.questions == 0  # never sent to the patient as a question
    told = [m.text for m in model.requests[-1] if "could not be understood" in m.text]
    assert told and "the search limit is reached" in told[0]  # told why, whatever the interface
    assert len(model.requests) < 5 * 4  # a stalling model is cut off, not called without end


def test_json_and_tools_interfaces_search_in_their_own_forms(db_url: str, tmp_path):
    json_model = ScriptedModel([(_said("Search results"), '{"action": "diagnose", "diagnosis": "Atrial fibrillation"}'),
                                (lambda last: True, '{"action": "search", "query": "palpitations"}')])
    result, calls, _, _ = _run(db_url, json_model, "rag", interface="json")
    assert result.outcomes[0].correct and any(c.tool == "rag" for c in calls[result.outcomes[0].episode_id])
    tools_model = ScriptedModel([
        (_said("Search results"), '{"name": "diagnose", "arguments": {"diagnosis": "Atrial fibrillation"}}'),
        (lambda last: True, '{"name": "search_knowledge", "arguments": {"query": "palpitations"}}')])
    result, calls, _, _ = _run(f"sqlite:///{tmp_path / 'tools.db'}", tools_model, "rag", interface="tools")
    assert result.outcomes[0].correct and any(c.tool == "rag" for c in calls[result.outcomes[0].episode_id])


def test_native_tool_calls_get_their_search_results_as_tool_replies(db_url: str):
    class NativeModel(ScriptedModel):
        tool_calling = True

    call = ToolCall("call_1", "search_knowledge", json.dumps({"query": "palpitations"}))
    diagnose = ToolCall("call_2", "diagnose", json.dumps({"diagnosis": "Atrial fibrillation"}))
    model = NativeModel([(_said("Search results"), RawCompletion("", 50, 5, "native", (diagnose,))),
                         (lambda last: True, RawCompletion("", 50, 5, "native", (call,)))])
    result, _, _, _ = _run(db_url, model, "rag", interface="tools")
    assert result.outcomes[0].correct
    reply = model.requests[1][-1]
    assert reply.role == "tool" and reply.tool_call_id == "call_1" and "Search results" in reply.text


def test_chain_of_thought_is_logged_but_never_reaches_the_patient(db_url: str):
    secret = "Private reasoning: I suspect atrial fibrillation."
    actions = iter(["How long have you had this?", "PHYSICAL EXAM", "DIAGNOSIS READY: Atrial fibrillation"])
    model = ScriptedModel([(_said("think step by step"), secret), (_said("Now take your next action"),
                                                                   lambda last: next(actions))])
    result, calls, turns, _ = _run(db_url, model, "cot")
    episode = result.outcomes[0].episode_id
    cots = [c for c in calls[episode] if c.tool == "cot"]
    assert [c.turn for c in cots] == [0, 1, 2] and all(c.output == secret and c.output_tokens for c in cots)
    assert result.outcomes[0].turns == 3
    assert not any("atrial" in t.text.lower() for t in turns[episode] if t.speaker in ("patient",))
    assert not any(secret in t.text for t in turns[episode])


def test_reflection_happens_once_and_may_continue_the_encounter(db_url: str):
    state = {"reflected": 0}

    def after_reflection(last):
        state["reflected"] += 1
        return "REQUEST TEST: ECG"  # the review finds something unchecked: continue

    model = ScriptedModel([(_said("Before your diagnosis"), after_reflection),
                           (lambda last: True, "DIAGNOSIS READY: Atrial fibrillation")])
    result, calls, turns, _ = _run(db_url, model, "reflect")
    episode = result.outcomes[0].episode_id
    (reflection,) = [c for c in calls[episode] if c.tool == "reflect"]
    assert state["reflected"] == 1 and reflection.detail == {
        "before": "Atrial fibrillation", "after": None, "changed": True, "continued": True}
    assert [t.text for t in turns[episode] if t.speaker == "doctor"] == [
        "REQUEST TEST: ECG", "DIAGNOSIS READY: Atrial fibrillation"]  # the second diagnosis is final


def test_a_long_note_is_cut_to_the_cap_and_read_by_the_next_episode(db_url: str):
    model = ScriptedModel([(_said("notebook for future cases"), "Check the pulse rhythm first. " * 60),
                           (lambda last: True, "DIAGNOSIS READY: Atrial fibrillation")])
    result, calls, _, _ = _run(db_url, model, "notebook", cases=[CASE, "pulmonology-001"])
    store = Store(db_url)
    notes = notes_of(store, result.run_id)
    store.close()
    assert [len(n.text) <= 1000 and n.truncated for n in notes] == [True, True]
    writes = [c for o in result.outcomes for c in calls[o.episode_id] if c.tool == "notebook-write"]
    assert all(w.output_tokens and w.input_tokens for w in writes)  # what writing the note cost
    second_system = [r for r in model.requests if "Your notebook" in r[0].text]
    assert second_system and notes[0].text in second_system[0][0].text
    # The note was asked for after the diagnosis, with the outcome: never during the encounter.
    writes = [r for r in model.requests if "notebook for future cases" in r[-1].text]
    assert len(writes) == 2 and "Atrial fibrillation" in writes[0][-1].text


def test_the_worked_example_is_another_case_and_never_this_ones_answer(db_url: str):
    source = asyncio.run(run_batch(RunConfig(db=db_url, survey=False, limit=12)))  # baseline episodes
    model = ScriptedModel([(lambda last: True, "DIAGNOSIS READY: Atrial fibrillation")])
    result, calls, _, _ = _run(db_url, model, "experience", experience_run=source.run_id)
    (example,) = [c for c in calls[result.outcomes[0].episode_id] if c.tool == "experience"]
    assert example.detail["scenario_id"] != CASE and example.detail["source_run"] == source.run_id
    system = model.requests[0][0].text
    assert "A worked example" in system and "atrial fibrillation" not in system.lower()


def test_experience_without_a_source_run_is_refused_before_anything_runs(db_url: str):
    with pytest.raises(ValueError, match="--experience-run"):
        _run(db_url, ScriptedModel([]), "experience")
    with pytest.raises(ValueError, match="no such run"):
        _run(db_url, ScriptedModel([]), "experience", experience_run=99)


def test_a_note_naming_the_answer_never_reaches_a_later_trial_of_the_same_case(db_url: str):
    """The exploit: write the right answer (in any spelling) into the notebook, then meet the
    case again. The sentences that name it are dropped; the rest of the note is read."""
    note = "Palpitations need an ECG early. The answer here was A-fib. Ask about alcohol and thyroid symptoms."
    model = ScriptedModel([(_said("notebook for future cases"), note),
                           (lambda last: True, "DIAGNOSIS READY: Atrial fibrillation")])
    result, calls, _, _ = _run(db_url, model, "notebook", trials=2)
    second = result.outcomes[1].episode_id
    (read,) = [c for c in calls[second] if c.tool == "notebook-read"]
    assert read.detail["sentences_withheld"] == 1
    assert read.output == "Palpitations need an ECG early. Ask about alcohol and thyroid symptoms."
    later_prompts = [r[0].text for r in model.requests if "Your notebook" in r[0].text]
    assert later_prompts and all("fib" not in text.lower() for text in later_prompts)


def test_a_prompt_set_file_may_reword_the_tool_prompts(db_url: str, tmp_path):
    import yaml

    from agentclinic.prompting import load_prompts

    data = load_prompts("default").model_dump()
    data.update(name="mine", tool_cot_request="Reason quietly first.")
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    model = ScriptedModel([(_said("Reason quietly first."), "I think it is the heart."),
                           (lambda last: True, "DIAGNOSIS READY: Atrial fibrillation")])
    result, calls, _, _ = _run(db_url, model, "cot", prompts=str(path))
    assert [c.output for c in calls[result.outcomes[0].episode_id] if c.tool == "cot"] == ["I think it is the heart."]
