"""A damaged log is reported as well as it can be read: every episode counted, a note naming
each damaged row, no traceback, in the tables, ``--json`` and ``--html`` alike."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest
from typer.testing import CliRunner

from agentclinic.cli import app

runner = CliRunner()

DAMAGE = {
    "case not a case": ("UPDATE case_snapshot SET data = '{\"id\": 5}'", "stored case of episode"),
    "case not JSON": ("UPDATE case_snapshot SET data = 'not json'", "stored case of episode"),
    "bindings a list": ("UPDATE run SET bindings = '[1]'", "role bindings are not a mapping"),
    "persona a string": ("UPDATE episode SET persona = '\"x\"'", None),
    "persona fields of other types": (
        "UPDATE episode SET persona = '{\"doctor_biases\": 5, \"temperament\": [1], \"language\": 3}'", None),
    "differential a mapping": ("UPDATE episode SET differential = '{\"a\": 1}'", None),
}


@pytest.fixture(scope="module")
def clean_log(tmp_path_factory):
    path = tmp_path_factory.mktemp("damaged") / "clean.db"
    done = runner.invoke(app, ["run", "-q", "--limit", "3", "--db", f"sqlite:///{path}"])
    assert done.exit_code == 0, done.output
    return path


@pytest.mark.parametrize("kind", sorted(DAMAGE))
def test_a_damaged_row_is_reported_with_a_note_and_loses_no_episode(clean_log, tmp_path, kind):
    sql, note = DAMAGE[kind]
    path = tmp_path / "damaged.db"
    shutil.copy(clean_log, path)
    with sqlite3.connect(path) as db:
        db.execute(sql)
    url = f"sqlite:///{path}"
    tables = runner.invoke(app, ["report", "--db", url, "--html", str(tmp_path / "report.html")])
    assert tables.exit_code == 0 and "Traceback" not in tables.output, tables.output
    assert (tmp_path / "report.html").is_file()
    summary = json.loads(runner.invoke(app, ["report", "--db", url, "--json"]).stdout)
    assert summary["episodes"]["total"] == 3 and summary["episodes"]["completed"] == 3
    if note is None:
        assert summary["notes"] == []
    else:
        assert summary["notes"] and all(note in line for line in summary["notes"]), summary["notes"]
        assert "Note: " in tables.output
