"""``agentclinic run --doctor-tools``: sweeps end to end, resumes, and mistakes as one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from agentclinic.cli import app
from agentclinic.resume import identity
from agentclinic.runner import RunConfig, _config_record
from agentclinic.store import Store

runner = CliRunner()


def run(*args):
    return runner.invoke(app, ["run", "--limit", "4", "--quiet", "--no-survey", *args])


def one_line_error(result, expected: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    [line] = [line for line in result.stderr.splitlines() if line.strip()]
    assert line.startswith("Error:") and expected in line, result.stderr


def test_an_ablation_sweep_runs_every_condition_on_the_same_cases_and_resumes(db_url: str):
    result = run("--doctor-tools", "none,rag,notebook,rag+notebook", "--db", db_url, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    episodes = summary["episodes"]
    by_condition: dict = {}
    for episode in episodes:
        by_condition.setdefault(episode["doctor_tools"], []).append(episode["scenario_id"])
    assert set(by_condition) == {None, "rag", "notebook", "rag+notebook"}
    assert all(ids == by_condition[None] for ids in by_condition.values())  # paired: the same cases
    again = run("--doctor-tools", "none,rag,notebook,rag+notebook", "--db", db_url, "--json")
    assert json.loads(again.stdout)["resumed_episodes"] == 16 and json.loads(again.stdout)["run_id"] == \
        summary["run_id"]
    store = Store(db_url)
    try:
        config = store.run(summary["run_id"]).config
    finally:
        store.close()
    assert config["doctor_tools"] == [[], ["rag"], ["notebook"], ["rag", "notebook"]]
    report = runner.invoke(app, ["report", "--db", db_url, "--json"])
    assert report.exit_code == 0, report.output
    paired = {row["condition"]: row for row in json.loads(report.stdout)["paired"] if row["factor"] == "tools"}
    assert set(paired) == {"baseline · tools:rag", "baseline · tools:notebook", "baseline · tools:rag+notebook"}
    for row in paired.values():
        assert row["reference"] == "baseline" and row["n_pairs"] == 4
        assert {"p_value", "a_only", "b_only"} <= set(row["mcnemar"])
        assert row["normalised_accuracy"] is not None or row["reference_accuracy"] == 0
        assert row["cost_usd"] is not None and row["tokens"] == 0  # the baseline spends no model tokens


def test_a_run_without_tools_keeps_the_identity_it_had_before_tools_existed():
    record = identity(_config_record(RunConfig()))
    assert not {"doctor_tools", "rag_corpus", "rag_retriever", "rag_top_k", "experience_run",
                "experience_rule"} & set(record)
    assert "doctor_tools" in identity(_config_record(RunConfig(doctor_tools=[("rag",)])))


def test_the_baseline_cannot_think_and_says_which_tools_it_has(db_url: str, tmp_path: Path):
    one_line_error(run("--doctor-tools", "cot,rag", "--db", db_url), "it can use notebook, rag")
    assert not (tmp_path / "runs" / "test.db").exists()  # refused before the log was opened


def test_tool_mistakes_are_one_line_errors(db_url: str, tmp_path: Path):
    one_line_error(run("--doctor-tools", "rag,xray", "--db", db_url), "unknown doctor tool 'xray'")
    one_line_error(run("--doctor-tools", "rag", "--rag-corpus", str(tmp_path / "nowhere"), "--db", db_url),
                   "not a folder")
    store = Store(db_url)
    try:
        assert store.runs() == []  # the corpus was checked before a run was opened
    finally:
        store.close()
    one_line_error(run("--doctor-tools", "notebook", "--shard", "1/2", "--db", db_url), "drop --shard")
    one_line_error(run("--doctor-tools", "none,rag", "--experience-rule", "best", "--db", db_url),
                   "expected one of similar, random")
