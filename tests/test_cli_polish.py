"""The command line's rough edges: --version, shell completion, flags in --help, --csv."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from agentclinic.cli import app

runner = CliRunner()


def test_version_prints_the_installed_version():
    done = runner.invoke(app, ["--version"])
    assert done.exit_code == 0
    assert done.stdout.strip() == f"agentclinic {version('agentclinic')}"
    assert re.fullmatch(r"agentclinic \d+\.\d+\.\d+\S*", done.stdout.strip())


def test_version_from_a_real_process():
    done = subprocess.run([sys.executable, "-m", "agentclinic", "--version"], capture_output=True, text=True,
                          check=False, timeout=120)
    assert done.returncode == 0 and done.stdout.startswith("agentclinic ")


# --------------------------------------------------------------------------- completion
def test_show_completion_prints_a_script_for_the_named_shell(monkeypatch):
    # Typer reads this when it builds the options: without shell detection --show-completion takes a shell.
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")
    bash = runner.invoke(app, ["--show-completion", "bash"], prog_name="agentclinic")
    assert bash.exit_code == 0, bash.output
    assert "_agentclinic_completion()" in bash.stdout and "_AGENTCLINIC_COMPLETE=complete_bash" in bash.stdout
    zsh = runner.invoke(app, ["--show-completion", "zsh"], prog_name="agentclinic")
    assert zsh.exit_code == 0 and "#compdef agentclinic" in zsh.stdout


def test_completion_through_the_environment_variable():
    script = runner.invoke(app, [], prog_name="agentclinic", env={"_AGENTCLINIC_COMPLETE": "source_bash"})
    assert script.exit_code == 0 and "complete -o default -F _agentclinic_completion agentclinic" in script.stdout
    words = runner.invoke(app, [], prog_name="agentclinic",
                          env={"_AGENTCLINIC_COMPLETE": "complete_bash", "COMP_WORDS": "agentclinic epi",
                               "COMP_CWORD": "1"})
    assert words.stdout.split() == ["episodes"]
    options = runner.invoke(app, [], prog_name="agentclinic",
                            env={"_AGENTCLINIC_COMPLETE": "complete_bash",
                                 "COMP_WORDS": "agentclinic episodes list --js", "COMP_CWORD": "3"})
    assert options.stdout.split() == ["--json"]


def test_bash_completes_with_the_generated_script(tmp_path):
    """The script bash sources, run by bash against the installed `agentclinic` command."""
    bash = shutil.which("bash")
    command = Path(sys.executable).parent / "agentclinic"
    if bash is None or not command.exists():
        pytest.skip("needs bash and the installed agentclinic command")
    source = runner.invoke(app, [], prog_name="agentclinic", env={"_AGENTCLINIC_COMPLETE": "source_bash"}).stdout
    (tmp_path / "completion.bash").write_text(source)
    probe = ('source completion.bash; COMP_WORDS=(agentclinic personas sh); COMP_CWORD=2; '
             '_agentclinic_completion agentclinic; echo "${COMPREPLY[@]}"')
    env = {**os.environ, "PATH": f"{command.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run([bash, "-c", probe], cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120,
                          check=False)
    assert done.stdout.split() == ["show"], done.stderr


def test_root_help_still_works_with_completion():
    done = runner.invoke(app, ["--help"])
    assert done.exit_code == 0
    for text in ("--version", "--install-completion", "--show-completion", "run", "report", "episodes"):
        assert text in done.stdout


# --------------------------------------------------------------------------- flags in --help
def _command_paths(command, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and subcommand (a group has ``commands``; typer may bring its own click)."""
    paths = [path]
    if isinstance(getattr(command, "commands", None), dict):
        for name, sub in command.commands.items():
            paths += _command_paths(sub, (*path, name))
    return paths


def test_no_help_shows_a_value_for_a_flag():
    paths = _command_paths(get_command(app))
    assert ("episodes", "list") in paths and ("run",) in paths and len(paths) > 20
    for path in paths:
        done = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
        assert done.exit_code == 0, (path, done.output)
        assert "<bool>" not in done.stdout and "BOOLEAN" not in done.stdout, (path, done.stdout)
    run_help = runner.invoke(app, ["run", "--help"], env={"COLUMNS": "200"}).stdout
    # Options that take a value still say what: the fix hides flags' types only.
    assert re.search(r"--limit\s+-n\s+<int range>", run_help) and "N|P%" in run_help
    assert re.search(r"--json\s+Print JSON", run_help) and re.search(r"--survey\s+--no-survey\s+Ask", run_help)


# --------------------------------------------------------------------------- --csv
@pytest.fixture(scope="module")
def logged(tmp_path_factory):
    db = f"sqlite:///{tmp_path_factory.mktemp('csv') / 'log.db'}"
    done = runner.invoke(app, ["run", "-q", "-s", "cardiology", "--limit", "2", "--trials", "2", "--db", db,
                               "--doctor-bias", "none,confirmation"])
    assert done.exit_code == 0, done.output
    return db


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_episodes_list_csv_to_stdout_matches_the_json(logged):
    done = runner.invoke(app, ["episodes", "list", "--db", logged, "--csv", "-"])
    assert done.exit_code == 0, done.output
    rows = _rows(done.stdout)
    episodes = json.loads(runner.invoke(app, ["episodes", "list", "--db", logged, "--json"]).stdout)
    assert len(rows) == len(episodes) == 8
    assert list(rows[0])[:3] == ["id", "run_id", "scenario_id"]
    for row, episode in zip(rows, episodes, strict=True):
        assert row["id"] == str(episode["id"]) and row["scenario_id"] == episode["scenario_id"]
        assert row["correct"] == ("true" if episode["correct"] else "false")
        assert float(row["cost_usd"]) == episode["cost_usd"]
        assert json.loads(row["differential"]) == episode["differential"]
        assert row["persona_id"] == (episode["persona_id"] or "")


def test_episodes_list_csv_to_a_file_keeps_the_table(logged, tmp_path):
    target = tmp_path / "out" / "episodes.csv"
    done = runner.invoke(app, ["episodes", "list", "--db", logged, "--csv", str(target)])
    assert done.exit_code == 0, done.output
    assert "cardiology-101" in done.stdout and "written as CSV" in done.stdout
    assert len(_rows(target.read_text(encoding="utf-8"))) == 8


def test_report_csv_has_overall_condition_and_breakdown_rows(logged, tmp_path):
    summary = json.loads(runner.invoke(app, ["report", "--db", logged, "--json"]).stdout)
    done = runner.invoke(app, ["report", "--db", logged, "--csv", "-"])
    assert done.exit_code == 0, done.output
    assert "Accuracy by condition" not in done.stdout  # the CSV replaces the tables
    rows = _rows(done.stdout)
    overall = next(row for row in rows if row["group"] == "overall")
    assert int(overall["n"]) == summary["overall"]["n"] and float(overall["accuracy"]) == summary["overall"]["accuracy"]
    conditions = {row["key"]: row for row in rows if row["group"] == "condition"}
    assert set(conditions) == {c["label"] for c in summary["conditions"]}
    for condition in summary["conditions"]:
        row = conditions[condition["label"]]
        assert (row["persona"], int(row["correct"]), float(row["ci95_low"])) == \
               (condition["persona"], condition["correct"], condition["low"])
        assert float(row["pass^2"]) == summary["pass_k"][condition["label"]]["2"]
    biases = {row["key"]: int(row["n"]) for row in rows if row["group"] == "doctor_bias"}
    assert biases == {row["key"]: row["n"] for row in summary["breakdowns"]["doctor_bias"]}
    assert {row["runs"] for row in rows} == {str(summary["runs"][0]["id"])}

    target = tmp_path / "report.csv"
    with_tables = runner.invoke(app, ["report", "--db", logged, "--csv", str(target)])
    assert with_tables.exit_code == 0 and "Accuracy by condition" in with_tables.stdout
    assert _rows(target.read_text(encoding="utf-8")) == rows


def test_csv_mistakes_are_one_line_errors(logged, tmp_path):
    for command in (["episodes", "list"], ["report"]):
        both = runner.invoke(app, [*command, "--db", logged, "--json", "--csv", "-"])
        assert both.exit_code == 2 and "--json and --csv - both print to standard output" in both.output
        blocked = tmp_path / "a-file"
        blocked.write_text("")
        unwritable = runner.invoke(app, [*command, "--db", logged, "--csv", str(blocked / "x.csv")])
        assert unwritable.exit_code == 2 and "cannot write the CSV to" in unwritable.output
        assert unwritable.exception is None or isinstance(unwritable.exception, SystemExit)
