"""--doctor-interface tools with a real model: llama.cpp's OpenAI server and the in-process model.

llama-cpp-python returns tool calls only under a chat format that implements them; for a
ChatML model such as SmolLM2 that is ``chatml-function-calling``, so this module starts its
own server with it (the shared ``llama_server`` uses the model's own template, which offers
no tool calls). The 135M model cannot diagnose: these tests check the plumbing.
"""

import json

import pytest
from llm_support import need, smollm2_or_skip
from typer.testing import CliRunner

from agentclinic.actions import parse_action
from agentclinic.cli import app
from agentclinic.store import Store
from agentclinic.tools import TOOL_NAMES

CASES = ["cardiology-001", "emergency-001"]


@pytest.fixture(scope="module")
def tool_calling_server():
    from llm_support import start_llama_server

    yield from start_llama_server("--chat_format", "chatml-function-calling")


def run_tools(db_url: str, doctor: str, *args: str) -> dict:
    cases = [arg for case in CASES for arg in ("--scenario", case)]
    result = CliRunner().invoke(app, ["run", "--doctor", doctor, "--doctor-interface", "tools", *cases,
                                      "--max-turns", "2", "--temperature", "0", "--timeout", "900", "--retries", "0",
                                      "--no-survey", "--db", db_url, "--json", *args])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["completed"] == len(CASES) and summary["failed"] == 0, summary
    return summary


def doctor_turns(db_url: str, summary: dict) -> list:
    store = Store(db_url)
    assert store.run(summary["run_id"]).config["roles"]["doctor_interface"] == "tools"
    turns = []
    for episode in summary["episodes"]:
        mine = [t for t in store.turns(episode["episode_id"]) if t.speaker == "doctor"]
        assert len(mine) == episode["turns"] >= 1
        calls = [c for c in store.calls(episode["episode_id"]) if c.role == "doctor"]
        assert len(calls) == len(mine)
        assert all(c.error is None and c.input_tokens and c.output_tokens is not None for c in calls)
        turns += mine
    return turns


def check_tool_call_turns(turns: list) -> None:
    """Every doctor turn is a compact tool-call JSON whose parse is the logged action."""
    for turn in turns:
        call = json.loads(turn.text)
        assert set(call) == {"name", "arguments"} and call["name"] in TOOL_NAMES, turn.text
        assert turn.text == json.dumps(call, ensure_ascii=False, separators=(",", ":"))
        assert parse_action(turn.text).kind == turn.action


def test_cli_run_with_native_tool_calls_from_llama_cpp_server(tool_calling_server, db_url):
    summary = run_tools(db_url, "openai:smollm2", "--base-url", tool_calling_server)
    turns = doctor_turns(db_url, summary)
    check_tool_call_turns(turns)
    # The grammar-constrained calls carry valid arguments; at temperature 0 the model calls a
    # tool other than ask_patient at least once, so the server's tool_calls reached the action.
    assert all(isinstance(json.loads(t.text)["arguments"], dict) for t in turns)
    assert any(json.loads(t.text)["name"] != "ask_patient" for t in turns)


def test_cli_run_with_the_embedded_model_answers_tool_calls_as_json(db_url):
    need("llama_cpp", "the embedded model")
    smollm2_or_skip()
    summary = run_tools(db_url, "local:smollm2")
    turns = doctor_turns(db_url, summary)
    check_tool_call_turns(turns)
    assert all(t.action != "invalid" for t in turns)  # the schema constraint yields valid calls
