"""``agentclinic report`` and ``agentclinic assess`` end to end on temporary databases."""

import json
from html.parser import HTMLParser

import pytest
from typer.testing import CliRunner

from agentclinic.cli import app

runner = CliRunner()


@pytest.fixture()
def logged(db_url):
    done = runner.invoke(app, ["run", "-q", "--limit", "3", "--db", db_url, "--doctor-bias", "none,confirmation"])
    assert done.exit_code == 0, done.output
    return db_url


def test_report_tables_json_and_html(logged, tmp_path):
    done = runner.invoke(app, ["report", "--db", logged, "--html", str(tmp_path / "out" / "report.html")])
    assert done.exit_code == 0, done.output
    for heading in ("Accuracy by condition", "Paired comparisons", "Simulator faults", "Patient perception",
                    "key-fact coverage"):
        assert heading in done.stdout
    html = (tmp_path / "out" / "report.html").read_text()
    images = []
    parser = HTMLParser()
    parser.handle_starttag = lambda tag, attrs: images.append(attrs) if tag == "img" else None
    parser.feed(html)
    assert len(images) == 6
    summary = json.loads(runner.invoke(app, ["report", "--db", logged, "--json"]).stdout)
    assert summary["episodes"]["completed"] == 6 and summary["paired"][0]["n_pairs"] == 3
    assert "values" not in summary["metrics"]["coverage"]


def test_assess_then_report_with_that_assessor(logged):
    done = runner.invoke(app, ["assess", "--db", logged, "-q", "--assessor", "scripted", "--json"])
    assert done.exit_code == 0, done.output
    result = json.loads(done.stdout)
    assert result["scored"] == 6 and result["accuracy"].keys() == {"scripted"}
    table = runner.invoke(app, ["assess", "--db", logged, "-q"])
    assert "re-judged: 6 episodes" in table.stdout and "agentclinic report --assessor" in table.stdout
    report = json.loads(runner.invoke(app, ["report", "--db", logged, "--json", "--assessor", "scripted"]).stdout)
    assert report["assessor"] == "scripted" and report["overall"]["n"] == 6


@pytest.mark.parametrize(("args", "message"), [
    (["report", "--run", "99"], "no run 99"),
    (["assess", "--run", "99"], "no run 99"),
    (["assess", "--panel", "vote"], "--panel must be one of majority, mean"),
    (["assess", "--assessor", "gpt-99"], "unknown assessor 'gpt-99'"),
])
def test_mistakes_are_messages(logged, args, message):
    done = runner.invoke(app, [*args, "--db", logged])
    assert done.exit_code == 2
    assert message in done.output and "Traceback" not in done.output


def test_report_on_an_empty_database(db_url):
    done = runner.invoke(app, ["report", "--db", db_url])
    assert done.exit_code == 2 and "no runs in" in done.output


@pytest.mark.parametrize(("args", "message"), [
    (["play", "--scenario", "nope"], "no scenario 'nope'"),
    (["play", "--as", "nurse"], "--as must be doctor or patient"),
    (["play", "--persona", "nobody"], "unknown persona 'nobody'"),
    (["browse", "--db", "nosuchdriver://x"], "no database driver"),
])
def test_ui_commands_report_mistakes_before_opening_a_screen(args, message, db_url):
    done = runner.invoke(app, args if "--db" in args else [*args, "--db", db_url])
    assert done.exit_code == 2
    assert message in done.output and "Traceback" not in done.output
