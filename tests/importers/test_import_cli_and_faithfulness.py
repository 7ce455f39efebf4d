"""`scenarios import`, `run --scenarios file.jsonl`, and what an imported case shows the doctor."""

import asyncio
import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from agentclinic.agents.registry import RoleSettings, build
from agentclinic.cli import app
from agentclinic.episode import Episode
from agentclinic.importers import NEJM_OBJECTIVE
from agentclinic.loader import load_pack
from agentclinic.text import find_terms

from conftest import SHARED_DATA
from stub_server import StubServer

MEDQA = SHARED_DATA / "agentclinic_medqa.jsonl"
NEJM = SHARED_DATA / "agentclinic_nejm.jsonl"
pytestmark = pytest.mark.usefixtures("shared_data")


@pytest.mark.parametrize("source", [MEDQA, NEJM])
def test_import_writes_a_pack_that_validates(source, tmp_path):
    out = tmp_path / "pack"
    result = CliRunner().invoke(app, ["scenarios", "import", str(source), "--out", str(out), "--no-fetch-images"])
    assert result.exit_code == 0, result.output
    files = sorted(out.glob("*.yaml"))
    assert len(files) == (107 if source == MEDQA else 15)
    check = CliRunner().invoke(app, ["scenarios", "validate", str(out)])
    assert check.exit_code == 0, check.output


def test_import_reports_bad_lines_and_skip_invalid(tmp_path):
    source = tmp_path / "mixed.jsonl"
    source.write_text(MEDQA.read_text(encoding="utf-8").splitlines()[0] + "\n{oops\n", encoding="utf-8")
    refused = CliRunner().invoke(app, ["scenarios", "import", str(source), "--out", str(tmp_path / "a")])
    assert refused.exit_code == 1 and "line 2" in refused.output and not (tmp_path / "a").exists()
    skipped = CliRunner().invoke(app, ["scenarios", "import", str(source), "--out", str(tmp_path / "b"),
                                       "--skip-invalid"])
    assert skipped.exit_code == 0 and "skipped 1 line(s)" in skipped.output
    assert len(list((tmp_path / "b").glob("*.yaml"))) == 1


def test_run_reads_jsonl_directly(db_url):
    done = subprocess.run([sys.executable, "-m", "agentclinic", "run", "--scenarios", str(NEJM), "--limit", "3",
                           "--db", db_url, "--json"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["completed"] == 3 and {e["scenario_id"] for e in summary["episodes"]} == {
        "nejm-001", "nejm-002", "nejm-003"}


def first_doctor_request(scenario, multiple_choice=False):
    options = tuple(scenario.answer_options()) if multiple_choice else ()
    with StubServer(reply=lambda body: "DIAGNOSIS READY: unsure") as server:
        doctor_factory = build("doctor", "openai:stub", RoleSettings(base_url=server.url, prompts="agentclinic-v1"))
        patient = build("patient", "scripted")(scenario, 0)
        episode = Episode(scenario, patient, build("measurement", "scripted")(scenario, 0), None,
                          answer_options=options)
        doctor = doctor_factory(episode.brief, 0)
        asyncio.run(doctor.act(episode.start()))
    return server.requests[0]["messages"][0]["content"]


def test_v1_presents_the_osce_objective():
    scenario = load_pack(MEDQA).scenarios[0]
    system = first_doctor_request(scenario)
    assert f"Below is all of the information you have. {scenario.objective}" in system


def test_v1_presents_the_nejm_question_and_no_options_unless_asked():
    scenario = load_pack(NEJM).scenarios[0]
    system = first_doctor_request(scenario)
    assert NEJM_OBJECTIVE in system
    assert find_terms(system, scenario.answer_options()) == []
    with_options = first_doctor_request(scenario, multiple_choice=True)
    assert all(option in with_options for option in scenario.answer_options())
