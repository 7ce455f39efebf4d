"""``agentclinic report`` and ``agentclinic assess`` end to end on temporary databases."""

import json
import re
import socket
from html.parser import HTMLParser

import pytest
from typer.testing import CliRunner

from agentclinic.cli import app
from agentclinic.store import Store

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
    # Two conditions at one budget with no faults: no single-point budget curve, no empty fault box.
    assert len(images) == 4 and "No simulator faults flagged" in html
    summary = json.loads(runner.invoke(app, ["report", "--db", logged, "--json"]).stdout)
    assert summary["episodes"]["completed"] == 6 and summary["paired"][0]["n_pairs"] == 3
    assert "values" not in summary["metrics"]["coverage"]


def _closed_port_url() -> str:
    """A loopback endpoint nobody listens on: every model call is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


@pytest.fixture()
def all_failed(db_url):
    """A real run in which every episode failed: the model's server is unreachable."""
    done = runner.invoke(app, ["run", "-q", "--json", "--limit", "2", "--db", db_url, "--model", "openai:gpt-4o-mini",
                               "--base-url", _closed_port_url(), "--retries", "0", "--timeout", "2"])
    assert json.loads(done.stdout)["failed"] == 2, done.output
    return db_url


def _nan(text: str) -> bool:
    return re.search(r"\bnan\b", text, re.IGNORECASE) is not None


def test_a_run_where_every_episode_failed_reports_na_not_zero(all_failed, tmp_path):
    done = runner.invoke(app, ["report", "--db", all_failed, "--html", str(tmp_path / "report.html")])
    assert done.exit_code == 0, done.output
    assert "n/a (no scored episodes)" in done.stdout
    assert "0.0%" not in done.stdout and not _nan(done.stdout)

    summary = json.loads(runner.invoke(app, ["report", "--db", all_failed, "--json"]).stdout)
    overall = summary["overall"]
    assert (summary["episodes"]["failed"], overall["n"]) == (2, 0)
    assert [overall[key] for key in ("accuracy", "low", "high", "credit")] == [None] * 4
    assert set(overall["top_k"].values()) == {None}
    metrics, faults = summary["metrics"], summary["faults"]
    assert set(metrics["mean"].values()) == set(metrics["rate"].values()) == {None}
    assert metrics["coverage"]["mean"] is None and metrics["coverage"]["median"] is None
    assert set(faults["rates"].values()) == {None} and faults["any"] is None
    assert {rating["mean"] for rating in summary["surveys"]["overall"].values()} == {None}

    page = (tmp_path / "report.html").read_text()
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "Overall accuracy n/a (no scored episodes)" in text
    assert "0.0%" not in page and not _nan(text)


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
    missing = runner.invoke(app, ["report", "--db", db_url])
    assert missing.exit_code == 2 and "no database at" in missing.output  # and none was created
    Store(db_url).close()
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


def test_report_html_to_a_folder_writes_the_viewer_pages_linked_from_the_report(logged, tmp_path):
    folder = tmp_path / "shared-run"
    done = runner.invoke(app, ["report", "--db", logged, "--html", str(folder)])
    assert done.exit_code == 0, done.output
    index = (folder / "index.html").read_text(encoding="utf-8")
    episodes = sorted(folder.glob("episode-*.html"))
    assert len(episodes) == 6 and (folder / "runs.html").is_file()
    links = []
    parser = HTMLParser()
    parser.handle_starttag = lambda tag, attrs: links.append(dict(attrs)["href"]) if tag == "a" else None
    parser.feed(index)
    targets = {href.split("#")[0] for href in links if not href.startswith(("http", "#"))}
    assert targets and all((folder / target).is_file() for target in targets)  # every link lands on a page


def test_report_html_refuses_a_file_that_is_not_html(logged, tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("keep me")
    done = runner.invoke(app, ["report", "--db", logged, "--html", str(target)])
    assert done.exit_code == 2 and "ending in .html" in done.output
    assert target.read_text() == "keep me"
