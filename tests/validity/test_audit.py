"""The simulator audit: the scripted roles meet the bar on every pack, and a bad role fails it."""

from __future__ import annotations

import asyncio
import json

import pytest
from typer.testing import CliRunner

from agentclinic.agents.registry import resolve_roles
from agentclinic.cli import app
from agentclinic.loader import load_pack
from agentclinic.validity.audit import run_audit
from stub_server import StubServer

ROLES = resolve_roles()


def audit(scenarios, patient=None, measurement=None):
    patient = patient or (lambda case: ROLES.patient(case, 0))
    measurement = measurement or (lambda case: ROLES.measurement(case, 0))
    return asyncio.run(run_audit(scenarios, patient, measurement))


@pytest.fixture(scope="module", params=["core", "agentclinic_medqa.jsonl", "agentclinic_nejm.jsonl"])
def scripted(request, shared_data):
    name = request.param
    return name, audit(load_pack(name if name == "core" else shared_data / name).scenarios)


def test_the_scripted_roles_meet_the_bar(scripted):
    name, result = scripted
    summary = result.summary()
    assert summary["open_answered"] == 1.0, name
    assert summary["card_topics_answered"] >= 0.95, name
    assert summary["first_person"] == 1.0, name
    assert summary["contradictions"] == 0 and summary["leaks"] == 0, name
    assert summary["normal_fill_contradictions"] == 0 and summary["case_tests_found"] == 1.0, name
    assert summary["compound_answered"] >= 0.95 and summary["off_card_dont_know"] >= 0.95, name


class _BadPatient:
    """A role that breaks every rule: third person, contradicting, naming the diagnosis, silent."""

    def __init__(self, case):
        self.case = case

    async def reply(self, question: str) -> str:
        return ["The patient reports feeling unwell.", "No, I don't take any medicines.",
                f"I think it is {self.case.diagnosis.name}.", "I don't know."][len(question) % 4]


def test_a_bad_patient_fails_the_audit(core_pack):
    result = audit(core_pack.scenarios[:4], patient=_BadPatient)
    summary = result.summary()
    assert summary["first_person"] < 0.9 and summary["leaks"] > 0 and summary["contradictions"] > 0
    assert summary["open_answered"] < 1.0 and summary["card_topics_answered"] < 0.5
    assert any("meta" in p for f in result.to_json(100)["failures"] for p in f["problems"])


class _NormalMeasurement:
    """A measurement role that reports every missing test as normal."""

    def __init__(self, case):
        from agentclinic.agents.measurement import ScriptedMeasurement

        self.inner = ScriptedMeasurement(case)

    async def measure(self, request, context):
        from dataclasses import replace

        result = await self.inner.measure(request, context)
        if result.provenance == "unavailable":
            return replace(result, text=f"{request.name}: normal.", provenance="default-normal")
        return result


def test_a_measurement_filling_in_normals_fails_the_audit(core_pack):
    result = audit([core_pack.get("neurology-005")], measurement=_NormalMeasurement)
    assert result.summary()["normal_fill_contradictions"] > 0


def test_the_cli_prints_a_table_and_json_and_stores_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    table = runner.invoke(app, ["audit", "--limit", "2"])
    assert table.exit_code == 0, table.output
    assert "open questions answered" in table.output and "100.0%" in table.output
    data = runner.invoke(app, ["audit", "--scenario", "cardiology-001", "--json", "--out", "probes.json"])
    assert data.exit_code == 0, data.output
    summary = json.loads(data.output)["summary"]
    assert summary["cases"] == 1 and summary["contradictions"] == 0
    assert len(json.loads((tmp_path / "probes.json").read_text())) == summary["replies"]
    assert not (tmp_path / "runs").exists()  # nothing logged
    refused = runner.invoke(app, ["audit", "--patient", "none", "--measurement", "none"])
    assert refused.exit_code == 2 and "nothing to audit" in refused.output


def test_a_model_patient_is_audited_through_its_server(core_pack):
    """A model patient that slips out of role shows up in the table (stand-in server here;
    tests/llm runs the real llama.cpp one)."""
    with StubServer(reply=lambda body: "The patient reports palpitations. No mention of travel.") as server:
        result = CliRunner().invoke(app, ["audit", "--scenario", "cardiology-001", "--patient", "openai:stub",
                                          "--measurement", "none", "--base-url", server.url, "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)["summary"]
    assert summary["first_person"] == 0.0 and summary["case_tests_found"] is None
