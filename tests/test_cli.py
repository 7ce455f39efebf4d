"""The command line end to end, on temporary databases."""

import json
import sqlite3
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from agentclinic.cli import app

from conftest import case_data, write_case

runner = CliRunner()


def cli(*args):
    return subprocess.run([sys.executable, "-m", "agentclinic", *args], capture_output=True, text=True, timeout=600)


def test_run_end_to_end_on_bundled_pack(db_url):
    done = cli("run", "--limit", "5", "--db", db_url, "--seed", "3")
    assert done.returncode == 0, done.stderr
    assert "Accuracy" in done.stdout and "95% CI" in done.stdout and "Traceback" not in done.stderr
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as con:
        assert con.execute("SELECT count(*), sum(status='completed') FROM episode").fetchone() == (5, 5)
        assert con.execute("SELECT count(*) FROM turn").fetchone()[0] > 20
        bindings = json.loads(con.execute("SELECT bindings FROM run").fetchone()[0])
        assert bindings == {"patient": "scripted", "measurement": "scripted", "assessor": "scripted",
                            "doctor": "baseline"}


def test_run_json_summary(db_url):
    result = runner.invoke(app, ["run", "--limit", "2", "--db", db_url, "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["completed"] == 2 and len(summary["accuracy_ci95"]) == 2


@pytest.mark.parametrize(("args", "message"), [
    (["run", "--scenarios", "/no/such/pack"], "no such file"),
    (["run", "--doctor", "gpt-99"], "unknown doctor 'gpt-99'"),
    (["run", "--missing", "sometimes"], "missing must be"),
    (["run", "--db", "nosuchdriver://x"], "no database driver"),
    (["run", "--scenario", "nope"], "no scenario 'nope'"),
])
def test_user_mistakes_are_messages_not_tracebacks(args, message, db_url):
    if "--db" not in args:
        args = [*args, "--db", db_url]
    done = cli(*args)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr


def test_scenarios_list_json():
    result = runner.invoke(app, ["scenarios", "list", "--json"])
    rows = json.loads(result.stdout)
    assert len(rows) >= 40
    assert {"id", "specialty", "language", "images", "tests"} <= set(rows[0])


def test_scenarios_show():
    result = runner.invoke(app, ["scenarios", "show", "cardiology-001"])
    assert result.exit_code == 0 and "Diagnosis:" in result.stdout


def test_scenarios_schema_is_json():
    schema = json.loads(runner.invoke(app, ["scenarios", "schema"]).stdout)
    assert schema["title"] == "Scenario"


def test_validate_bundled_is_clean():
    result = runner.invoke(app, ["scenarios", "validate", "--strict"])
    assert result.exit_code == 0, result.output


def test_validate_reports_every_bad_file_and_fails(tmp_path):
    bad = case_data(id="a")
    del bad["objective"]
    write_case(tmp_path, bad)
    (tmp_path / "b.yaml").write_bytes(b"id: \xff\xfe\n")
    write_case(tmp_path, case_data(id="c"))
    done = cli("scenarios", "validate", str(tmp_path))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "a.yaml: objective" in done.stderr and "b.yaml" in done.stderr and "not UTF-8" in done.stderr
    assert "1 case(s) loaded, 2 error(s) in 2 file(s)" in done.stderr


def test_episodes_list_and_show(db_url):
    runner.invoke(app, ["run", "--limit", "1", "--db", db_url, "--quiet"])
    listed = json.loads(runner.invoke(app, ["episodes", "list", "--db", db_url, "--json"]).stdout)
    assert len(listed) == 1 and listed[0]["status"] == "completed"
    shown = runner.invoke(app, ["episodes", "show", str(listed[0]["id"]), "--db", db_url])
    assert shown.exit_code == 0 and "doctor" in shown.stdout and "patient" in shown.stdout
    assert "Doctor's diagnosis" in shown.stdout
    missing = runner.invoke(app, ["episodes", "show", "999", "--db", db_url])
    assert missing.exit_code == 2
    runs = json.loads(runner.invoke(app, ["runs", "list", "--db", db_url, "--json"]).stdout)
    assert runs[0]["source"] == "cli" and runs[0]["status"] == "completed"


def test_help_lists_commands():
    result = runner.invoke(app, ["--help"])
    for command in ("run", "scenarios", "episodes", "runs"):
        assert command in result.stdout
