"""Tables at 80 columns: ids you type and condition labels are shown whole, never cut.

The real command line (typer's runner, ``COLUMNS=80``: rich reads it when it prints) over
a real log: scripted runs over a specialist pack (long case ids) with a bias sweep
(condition labels longer than a column can hold at 80 columns). Every identifying value
must appear in full, in its row or in the legend under the table, and no line may be
wider than the terminal.
"""

from __future__ import annotations

import json

import pytest
from conftest import case_data, write_case
from rich.cells import cell_len
from rich.console import Console
from typer.testing import CliRunner

from agentclinic.cli import app
from agentclinic.report.formatting import FitTable, Label

PACK = "infectious-disease"  # case ids like 'infectious-disease-101'
SWEEP = ["--doctor-bias", "none,false_consensus,sexual_orientation", "--patient-bias", "none,self_diagnosis"]


runner = CliRunner()


def agentclinic(*args: str, columns: int = 80) -> str:
    done = runner.invoke(app, list(args), env={"COLUMNS": str(columns), "TERM": "xterm"})
    assert done.exit_code == 0, done.output
    assert done.exception is None or isinstance(done.exception, SystemExit), done.exception
    return done.stdout


def assert_fits(output: str, width: int = 80) -> None:
    too_wide = [line for line in output.splitlines() if cell_len(line) > width]
    assert not too_wide, "\n".join(too_wide)
    assert "…" not in output  # nothing was cut short with an ellipsis


def assert_whole(output: str, values) -> None:
    missing = sorted(value for value in set(values) if value not in output)
    assert not missing, f"not shown whole: {missing}\n{output}"


@pytest.fixture(scope="module")
def log(tmp_path_factory):
    """A real log: a bias sweep over two cases with two trials, run at 80 columns."""
    db = f"sqlite:///{tmp_path_factory.mktemp('narrow') / 'log.db'}"
    summary = agentclinic("run", "-q", "-s", PACK, "--limit", "2", "--trials", "2", "--db", db, *SWEEP)
    episodes = json.loads(agentclinic("episodes", "list", "--db", db, "--json"))
    report = json.loads(agentclinic("report", "--db", db, "--json"))
    return {"db": db, "run_output": summary, "episodes": episodes, "report": report}


def condition_labels(report: dict) -> set[str]:
    return {row["label"] for row in report["conditions"]}


def test_the_log_has_labels_too_long_for_a_column(log):
    # The premise: some labels cannot share 80 columns with the numbers beside them.
    assert max(map(len, condition_labels(log["report"]))) > 50
    assert {e["scenario_id"] for e in log["episodes"]} == {f"{PACK}-101", f"{PACK}-102"}


def test_run_summary_at_80_columns(log):
    output = log["run_output"]
    assert_fits(output.split("Accuracy ")[0])  # the table and its legend; the prose lines wrap as text
    assert_whole(output, {e["scenario_id"] for e in log["episodes"]})
    assert_whole(output, {e["persona_id"] for e in log["episodes"]})


def test_report_at_80_columns_keys_long_labels_with_a_legend(log):
    output = agentclinic("report", "--db", log["db"])
    assert_fits(output)
    labels = condition_labels(log["report"])
    for key, label in _legend(output).items():
        assert label in labels and key.startswith("C")
    assert set(_legend(output).values()) == labels
    shown = [rows for rows in log["report"]["breakdowns"].values() if len(rows) > 1]  # one row: no table
    assert_whole(output, {row["key"] for rows in shown for row in rows})
    assert "sexual_orientation" in {row["key"] for rows in shown for row in rows}
    assert_whole(output, {row["key"] for row in log["report"]["surveys"]["by_bias"]})


def test_report_on_a_wide_terminal_shows_labels_in_their_rows(log):
    output = agentclinic("report", "--db", log["db"], columns=200)
    assert_fits(output, 200)
    assert not _legend(output)
    for label in condition_labels(log["report"]):
        assert any(line.startswith("│ " + label) for line in output.splitlines()), label


def test_episode_and_run_lists_at_80_columns(log):
    for args in (["episodes", "list"], ["episodes", "list", "--all"], ["runs", "list"]):
        output = agentclinic(*args, "--db", log["db"])
        assert_fits(output)
        if args[0] == "episodes":
            assert_whole(output, {e["scenario_id"] for e in log["episodes"]})
            assert_whole(output, {str(e["id"]) for e in log["episodes"]})
        else:
            assert PACK in output


def test_personas_list_at_80_columns_shows_every_key_you_type():
    output = agentclinic("personas", "list")
    assert_fits(output)
    keys = [row["key"] for row in json.loads(agentclinic("personas", "list", "--json"))]
    assert "doctor.false_consensus" in keys and "personality=people_pleasing" in keys
    assert_whole(output, keys)


def test_scenarios_list_at_80_columns_shows_every_case_id():
    for pack in ("zh", PACK):  # the longest bundled case ids, and an English pack
        output = agentclinic("scenarios", "list", "-s", pack)
        assert_fits(output)
        assert_whole(output, [row["id"] for row in json.loads(agentclinic("scenarios", "list", "-s", pack, "--json"))])


def test_assess_at_80_columns(log):
    output = agentclinic("assess", "--db", log["db"], "-q", "-a", "scripted")
    assert_fits(output)
    assert "scripted" in output


def _legend(output: str) -> dict[str, str]:
    """'C3  baseline · doctor:…' lines under the tables: key -> label."""
    legend = {}
    for line in output.splitlines():
        key, sep, label = line.partition("  ")
        if sep and key[:1] == "C" and key[1:].isdigit():
            legend[key] = label.strip()
    return legend


# --------------------------------------------------------------------------- FitTable itself
def _render(table: FitTable, width: int) -> str:
    console = Console(width=width, record=True, color_system=None)
    console.print(table)
    return console.export_text()


def test_fit_table_keys_only_when_needed_and_shares_keys_between_tables():
    keys: dict[str, str] = {}
    long_label = "model-with-a-long-name · doctor:sexual_orientation+patient:self_diagnosis"

    def table() -> FitTable:
        made = FitTable("t", key_prefix="C", keys=keys)
        made.add_column("condition", ident=True)
        made.add_column("notes", free_text=True)
        made.add_row(Label(long_label, " *"), "some words that wrap")
        made.add_row("short", "more words")
        return made

    wide = _render(table(), 160)
    assert long_label + " *" in wide and not keys
    narrow = _render(table(), 80)
    assert_fits(narrow, 80)
    assert keys == {long_label: "C1", "short": "C2"}
    assert "C1 *" in narrow and f"C1  {long_label}\n" in narrow
    again = table()
    again.rows.reverse()  # the same label keeps its key in a later table
    assert "C1 *" in _render(again, 80) and keys[long_label] == "C1"


def test_fit_table_never_keys_numeric_ids():
    made = FitTable("t")
    made.add_column("id", ident=True, key_group=None)
    made.add_column("case", ident=True)
    made.add_row("123456", "x" * 30)
    output = _render(made, 40)
    assert "│ 123456 │ K1" in output and "K1  " + "x" * 30 in output


def test_identifying_values_print_literally_never_as_markup(tmp_path):
    pack = tmp_path / "[bold]pack[/]"  # a folder name rich would read as markup
    write_case(pack, case_data())
    db = f"sqlite:///{tmp_path / 'log.db'}"
    agentclinic("run", "-q", "-s", str(pack), "--db", db)
    output = agentclinic("runs", "list", "--db", db, columns=200)
    assert str(pack) in output and "\\[" not in output
