"""``agentclinic run --config FILE``: run flags from a TOML file, flags on the command line winning."""

from __future__ import annotations

import json
import tomllib

import pytest
from conftest import REPO
from typer.testing import CliRunner

from agentclinic.cli import app
from agentclinic.store import Store

runner = CliRunner()
EXAMPLE = REPO / "examples" / "sweep.toml"


def run(*args: str):
    return runner.invoke(app, ["run", "-q", "--json", *args])


def test_the_example_sweep_loads_and_runs_with_a_smaller_scope(db_url):
    example = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    done = run("--config", str(EXAMPLE), "--db", db_url, "--limit", "1", "--trials", "1")
    assert done.exit_code == 0, done.output
    summary = json.loads(done.stdout)
    conditions = {episode["persona_id"] for episode in summary["episodes"]}
    # Six conditions: the file's three doctor biases crossed with its two patient biases.
    assert len(conditions) == len(example["doctor-bias"]) * len(example["patient-bias"]) == 6
    assert "doctor:false_consensus+patient:self_diagnosis" in conditions
    assert {episode["scenario_id"] for episode in summary["episodes"]} == {"cardiology-101"}
    stored = Store(db_url, create=False).run(summary["run_id"])
    assert stored.scenarios == example["scenarios"] and stored.max_turns == example["max-turns"]
    assert stored.seed == example["seed"]


def test_flags_on_the_command_line_override_the_file(db_url, tmp_path):
    config = tmp_path / "sweep.toml"
    config.write_text('scenarios = "cardiology"\nscenario = ["cardiology-101", "cardiology-102"]\n'
                      'max_turns = 6\nsurvey = false\ndoctor-bias = "none,confirmation"\n', encoding="utf-8")
    from_file = json.loads(run("--config", str(config), "--db", db_url).stdout)
    assert sorted({e["scenario_id"] for e in from_file["episodes"]}) == ["cardiology-101", "cardiology-102"]
    assert len(from_file["episodes"]) == 4 and max(e["turns"] for e in from_file["episodes"]) <= 6
    stored = Store(db_url, create=False)
    assert stored.run(from_file["run_id"]).max_turns == 6
    report = json.loads(runner.invoke(app, ["report", "--db", db_url, "--json"]).stdout)
    assert report["surveys"]["n"] == 0  # survey = false in the file
    overridden = run("--config", str(config), "--db", db_url, "--scenario", "cardiology-103", "--max-turns", "3",
                     "--doctor-bias", "none")
    assert overridden.exit_code == 0, overridden.output
    episodes = json.loads(overridden.stdout)["episodes"]
    assert [(e["scenario_id"], e["persona_id"]) for e in episodes] == [("cardiology-103", "neutral")]
    assert stored.run(json.loads(overridden.stdout)["run_id"]).max_turns == 3


@pytest.mark.parametrize(("text", "message"), [
    ("max_turn = 3", "unknown key 'max_turn'; did you mean 'max-turns'?"),
    ("doctr-bias = 'all'", "unknown key 'doctr-bias'; did you mean 'doctor-bias'?"),
    ("zzz = 1", "unknown key 'zzz'; the keys are the long flags of `agentclinic run --help`"),
    ("limit = 'two'", "'limit' must be an integer, got a string 'two'"),
    ("limit = 0", "'limit' must be at least 1, got 0"),
    ("timeout = true", "'timeout' must be a number, got true/false True"),
    ("survey = 'no'", "'survey' must be true or false, got a string 'no'"),
    ("scenario = [1.5, {}]", "'scenario' must be a string or a list of strings"),
    ("seed = 1\nmax-turns = 2\nmax_turns = 3", "'max_turns' is given twice"),
    ("config = 'other.toml'", "'config' cannot be set in a config file"),
    ("limit = [", "is not valid TOML"),
])
def test_mistakes_in_the_file_name_the_file_and_the_key(tmp_path, db_url, text, message):
    config = tmp_path / "my-sweep.toml"
    config.write_text(text + "\n", encoding="utf-8")
    done = run("--config", str(config), "--db", db_url)
    assert done.exit_code == 2, done.output
    assert message in done.output and str(config) in done.output
    assert "Traceback" not in done.output
    assert done.exception is None or isinstance(done.exception, SystemExit)
    assert not (tmp_path / "runs").exists()  # nothing ran, no database was made


def test_a_missing_file_is_a_one_line_error(tmp_path):
    done = run("--config", str(tmp_path / "nope.toml"))
    assert done.exit_code == 2
    assert f"cannot read the config file {tmp_path / 'nope.toml'}: No such file or directory" in done.output


def test_run_help_names_the_config_option():
    assert "--config" in runner.invoke(app, ["run", "--help"], env={"COLUMNS": "200"}).stdout
