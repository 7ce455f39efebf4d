"""``agentclinic run --doctor-interface``: its checks, the deprecated --structured, the run record."""

import json

from stub_server import StubServer
from typer.testing import CliRunner

from agentclinic.cli import app
from agentclinic.store import Store

runner = CliRunner()
DIAGNOSE = {"content": None, "tool_calls": [{"id": "c1", "type": "function", "function": {
    "name": "diagnose", "arguments": json.dumps({"diagnosis": "Atrial fibrillation"})}}]}


def run(*args):
    return runner.invoke(app, ["run", "--limit", "1", "--quiet", *args])


def one_line_error(result, expected: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    [line] = [line for line in result.stderr.splitlines() if line.strip()]
    assert line.startswith("Error:") and expected in line, result.stderr


def test_structured_conflicting_with_tools_is_refused(db_url):
    one_line_error(run("--structured", "--doctor-interface", "tools", "--db", db_url),
                   "--structured (deprecated) means --doctor-interface json")


def test_unknown_interface_is_refused(db_url):
    one_line_error(run("--doctor-interface", "xml", "--db", db_url), "expected one of text, json, tools")


def test_transformers_doctor_with_tools_is_refused(db_url):
    one_line_error(run("--doctor", "hf:/nowhere/model", "--doctor-interface", "tools", "--db", db_url),
                   "not supported by hf")


def test_structured_still_works_and_is_recorded_as_json(db_url):
    result = run("--structured", "--db", db_url)
    assert result.exit_code == 0, result.output
    assert "--structured is deprecated: use --doctor-interface json" in result.stderr
    [run_row] = Store(db_url).runs()
    assert run_row.config["roles"]["doctor_interface"] == "json"


def test_tools_run_records_the_interface_and_logs_tool_call_turns(db_url):
    with StubServer(reply=lambda body: DIAGNOSE) as server:
        result = run("--doctor", "openai:stub", "--base-url", server.url, "--doctor-interface", "tools",
                     "--db", db_url, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["completed"] == 1 and summary["llm_calls"] >= 1
    store = Store(db_url)
    assert store.run(summary["run_id"]).config["roles"]["doctor_interface"] == "tools"
    [turn] = [t for t in store.turns(summary["episodes"][0]["episode_id"]) if t.speaker == "doctor"]
    assert turn.action == "diagnose"
    assert json.loads(turn.text) == {"name": "diagnose", "arguments": {"diagnosis": "Atrial fibrillation"}}
    assert all(body["tools"] and body["tool_choice"] == "auto" for body in server.requests)
