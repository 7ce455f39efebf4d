"""Reading AgentClinic's MedQA (OSCE) and NEJM files, from ../shared (never copied here)."""

import asyncio
import json

import pytest

from agentclinic.agents.registry import resolve_roles
from agentclinic.episode import Episode, run_episode
from agentclinic.importers import NEJM_OBJECTIVE, read_jsonl
from agentclinic.loader import ScenarioError, check_sources, load_pack
from agentclinic.resolver import Resolver
from agentclinic.prices import load_prices
from agentclinic.terminology import load_terminology

from conftest import SHARED_DATA

MEDQA = SHARED_DATA / "agentclinic_medqa.jsonl"
NEJM = SHARED_DATA / "agentclinic_nejm.jsonl"
pytestmark = pytest.mark.usefixtures("shared_data")


def records(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize(("path", "count"), [(MEDQA, 107), (NEJM, 15)])
def test_every_record_imports_and_validates(path, count):
    scenarios, problems = read_jsonl(path)
    assert problems == [] and len(scenarios) == count
    loaded, found = check_sources([path])
    assert len(loaded) == count and [p for p in found if p.severity == "error"] == []


def test_osce_fields_are_kept():
    scenarios, _ = read_jsonl(MEDQA)
    first, raw = scenarios[0], records(MEDQA)[0]["OSCE_Examination"]
    actor = raw["Patient_Actor"]
    assert first.id == "medqa-001" and first.source.endswith("line 1") and "MIT" in first.license
    assert first.objective == raw["Objective_for_Doctor"]
    assert first.diagnosis.name == raw["Correct_Diagnosis"]
    assert first.patient.history_of_present_illness == actor["History"]
    assert first.patient.chief_complaint == actor["Symptoms"]["Primary_Symptom"]
    assert [s.name for s in first.patient.symptoms][1:] == actor["Symptoms"]["Secondary_Symptoms"]
    assert first.patient.demographics.age_years == 35 and first.patient.demographics.sex == "female"
    assert first.patient.social_history == {"general": actor["Social_History"]}
    exam = raw["Physical_Examination_Findings"]
    assert first.physical_exam["vital_signs"]["blood_pressure"] == exam["Vital_Signs"]["Blood_Pressure"]
    assert first.distractors == []  # OSCE files carry no answer options


def test_every_osce_test_result_becomes_a_test():
    scenarios, _ = read_jsonl(MEDQA)
    for scenario, raw in zip(scenarios, records(MEDQA)):
        text = "\n".join(t.render() for t in scenario.tests)
        leaves = _leaves(raw["OSCE_Examination"]["Test_Results"])
        assert all(leaf in text for leaf in leaves), scenario.id


def _leaves(value):
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _leaves(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaves(item)]
    text = str(value)
    return [text[:40]] if text.strip() else []


def test_nejm_fields():
    scenarios, _ = read_jsonl(NEJM)
    first, raw = scenarios[0], records(NEJM)[0]
    assert first.objective == NEJM_OBJECTIVE
    assert first.diagnosis.name == next(a["text"] for a in raw["answers"] if a["correct"])
    assert sorted(first.distractors) == sorted(a["text"] for a in raw["answers"] if not a["correct"])
    assert first.images[0].url == raw["image_url"] and first.images[0].file is None
    assert first.patient.history_of_present_illness == raw["patient_info"]
    assert first.physical_exam["findings"] == raw["physical_exams"]
    assert first.notes == raw["question"]  # kept for reviewers, never given to an agent


@pytest.mark.parametrize(("request_name", "expected"), [
    ("CBC", "Complete Blood Count"), ("complete blood count", "Complete Blood Count"),
    ("chest x ray", "Chest X-ray"), ("Chest_X-Ray", "Chest X-ray"), ("CXR", "Chest X-ray"),
])
def test_heterogeneous_names_resolve(request_name, expected):
    scenarios, _ = read_jsonl(MEDQA)
    matched = 0
    for scenario in scenarios:
        names = {t.name.casefold() for t in scenario.tests}
        if expected.casefold() not in names:
            continue
        result = Resolver(scenario, load_terminology(), load_prices()).test(request_name)
        assert result.provenance == "case" and result.resolved.casefold() == expected.casefold(), scenario.id
        matched += 1
    assert matched, f"no imported case has a {expected!r} test"


def test_analytes_nested_in_panels_resolve():
    scenarios, _ = read_jsonl(MEDQA)
    with_troponin = [s for s in scenarios for t in s.tests for v in t.values if "troponin" in v.name.lower()]
    with_hb = [s for s in scenarios for t in s.tests for v in t.values if v.name.lower() == "hemoglobin"]
    assert with_hb
    for scenario in with_hb[:5]:
        result = Resolver(scenario, load_terminology(), load_prices()).test("haemoglobin")
        assert result.provenance == "case" and "emoglobin" in result.text
    for scenario in with_troponin[:3]:
        assert "roponin" in Resolver(scenario, load_terminology(), load_prices()).test("troponin").text


def test_malformed_lines_are_named_and_can_be_skipped(tmp_path):
    lines = MEDQA.read_text(encoding="utf-8").splitlines()[:2]
    bad = tmp_path / "mixed.jsonl"
    bad.write_text("\n".join([lines[0], "{not json", '{"something": "else"}', lines[1]]) + "\n", encoding="utf-8")
    scenarios, problems = read_jsonl(bad)
    assert len(scenarios) == 2
    assert [p.field for p in problems] == ["line 2", "line 3"]
    assert all(p.file == str(bad) for p in problems)
    with pytest.raises(ScenarioError, match="line 2"):
        load_pack(bad)
    assert len(load_pack(bad, skip_invalid=True).scenarios) == 2


def test_short_episode_over_an_imported_case():
    pack = load_pack(MEDQA)
    roles = resolve_roles()
    scenario = pack.scenarios[0]
    episode = Episode(scenario, roles.patient(scenario, 0), roles.measurement(scenario, 0), roles.assessor(0),
                      max_turns=6)
    asyncio.run(run_episode(episode, roles.doctor(episode.brief, 0)))
    assert episode.done and episode.turn <= 6 and episode.assessment is not None
    assert any(r.speaker == "measurement" and r.provenance == "case" for r in episode.records)
