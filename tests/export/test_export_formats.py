"""Tool-calling trajectories through every format: a model doctor on `--doctor-interface tools`
(against the stand-in OpenAI-compatible endpoint) is logged, exported as Parquet and as a
`datasets` folder, and comes back as valid OpenAI tool-call conversations."""

from __future__ import annotations

import asyncio
import itertools
import json

import datasets
import gymnasium as gym
from chat_support import assert_valid_conversation, without_nulls
from stub_server import StubServer

import agentclinic
from agentclinic.agents.registry import RoleSettings
from agentclinic.export import Selection, export_records, preference_pairs, write
from agentclinic.prompting import doctor_instructions, load_prompts
from agentclinic.runner import RunConfig, run_batch
from agentclinic.scenario import DoctorBrief
from agentclinic.store import Store
from agentclinic.wrappers import ChatObservation


def _call(name: str, arguments: dict, call_id: str) -> dict:
    return {"content": None, "tool_calls": [{"id": call_id, "type": "function",
                                             "function": {"name": name, "arguments": json.dumps(arguments)}}]}


SCRIPT = [_call("request_test", {"name": "CBC"}, "c1"), "Where exactly is the pain?",
          _call("examine", {"system": "cardiovascular"}, "c2"), _call("diagnose", {"diagnosis": "Stable angina"}, "c3")]


def test_a_tools_interface_run_exports_as_tool_call_conversations(core_pack, db_url, tmp_path):
    counter = itertools.count()
    with StubServer(reply=lambda body: SCRIPT[next(counter) % len(SCRIPT)]) as server:
        config = RunConfig(db=db_url, doctor="openai:stub", scenario_ids=["cardiology-001", "cardiology-002"],
                           max_turns=6, roles=RoleSettings(base_url=server.url, doctor_interface="tools"))
        run_id = asyncio.run(run_batch(config, pack=core_pack)).run_id
    store = Store(db_url, create=False)
    records = export_records(store, Selection(run_id=run_id))
    store.close()
    assert len(records) == 2
    for record in records:
        messages = record["messages"]
        assert_valid_conversation(messages)
        doctor = [m for m in messages if m["role"] == "assistant"]
        assert doctor and all(m["content"] == "" and len(m["tool_calls"]) == 1 for m in doctor)
        assert [m["tool_calls"][0]["function"]["name"] for m in doctor] == [
            "request_test", "ask_patient", "examine", "diagnose"]
        assert record["model_calls"] and {c["role"] for c in record["model_calls"]} == {"doctor"}
        assert all(set(c) >= {"model", "input_tokens", "output_tokens", "latency_ms"} for c in record["model_calls"])
        assert "messages" not in json.dumps(record["model_calls"])  # accounting only, never a prompt
    write(records, "parquet", tmp_path / "tools.parquet")
    write(records, "hf", tmp_path / "tools")
    parquet = datasets.load_dataset("parquet", data_files=str(tmp_path / "tools.parquet"), split="train",
                                    cache_dir=str(tmp_path / "cache"))
    for table in (parquet, datasets.load_from_disk(str(tmp_path / "tools"))):
        assert [without_nulls(row) for row in table] == [without_nulls(r) for r in records]
        first_call = next(m for m in table[0]["messages"] if m["tool_calls"])["tool_calls"][0]
        assert json.loads(first_call["function"]["arguments"]) == {"name": "CBC"}  # a JSON string, as OpenAI sends


def test_multiple_choice_options_are_rebuilt_into_the_system_message(core_pack, db_url):
    env = ChatObservation(gym.make(agentclinic.ENV_ID, scenarios=core_pack, db=db_url, max_turns=3,
                                   multiple_choice=True))
    messages, info = env.reset(seed=11, options={"scenario_id": "cardiology-002"})
    for action in ("What brings you in today?", "DIAGNOSIS READY: Stable angina"):
        messages, *_ = env.step(action)
    env.close()
    store = Store(db_url, create=False)
    (record,) = export_records(store, Selection())
    store.close()
    assert record["messages"] == messages
    assert "Choose the diagnosis from:" in record["messages"][1]["content"]
    assert record["messages"][0]["content"] == info["instructions"]
    assert preference_pairs([record]) == []  # one wrong episode: nothing to pair


def test_image_settings_of_a_batch_run_are_respected(core_pack, db_url):
    imaged = [s.id for s in core_pack.scenarios if s.images][:2]
    store = Store(db_url)
    for images in ("off", "upfront"):
        config = RunConfig(db=db_url, scenario_ids=imaged, max_turns=6, images=images, fresh=True)
        run_id = asyncio.run(run_batch(config, pack=core_pack, store=store)).run_id
        records = export_records(store, Selection(run_id=run_id))
        for record in records:
            case = core_pack.get(record["case_id"])
            text = json.dumps(record["messages"])
            brief = DoctorBrief.from_scenario(case, 6)
            if images == "off":
                brief = brief.model_copy(update={"images_available": 0})
                assert "[image attached" not in text and record["image_ids"] == []
            else:
                assert "[image attached" in record["messages"][1]["content"]  # shown at the opening
                assert record["image_ids"][:len(case.images)] == [image.id for image in case.images]
            assert record["messages"][0]["content"] == doctor_instructions(brief, load_prompts(), sees_images=True)
    store.close()
