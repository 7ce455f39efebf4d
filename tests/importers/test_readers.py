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
from agentclinic.importers.cards import without_conclusions
from agentclinic.validity.guard import guard_for

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
    # The card is in the patient's own voice; the record as written is in the notes.
    story = first.patient.history_of_present_illness
    assert story.startswith("I've had a 1-month history of experiencing double vision")
    assert "brush my hair" in story and "The patient" not in story and " she " not in f" {story.lower()} "
    assert "double vision" in first.patient.chief_complaint.lower()
    assert [s.name for s in first.patient.symptoms if s.present][1:] == actor["Symptoms"]["Secondary_Symptoms"]
    assert {s.name for s in first.patient.symptoms if not s.present} >= {"chest pain", "palpitations"}
    assert first.patient.demographics.age_years == 35 and first.patient.demographics.sex == "female"
    assert first.patient.social_history == {"smoking": "I'm a non-smoker, I drink wine occasionally.",
                                            "alcohol": "I'm a non-smoker, I drink wine occasionally.",
                                            "occupation": "I work as a graphic designer."}
    assert actor["History"] in first.notes and actor["Social_History"] in first.notes
    assert first.key_facts and "Double vision" in first.key_facts
    exam = raw["Physical_Examination_Findings"]
    assert first.physical_exam["vital_signs"]["blood_pressure"] == exam["Vital_Signs"]["Blood_Pressure"]
    assert first.distractors == []  # OSCE files carry no answer options


@pytest.mark.parametrize("path", [MEDQA, NEJM])
def test_normalisation_loses_nothing(path):
    """Every text of every record's patient section is kept, word for word, in the notes."""
    scenarios, _ = read_jsonl(path)
    for scenario, raw in zip(scenarios, records(path)):
        source = raw["OSCE_Examination"]["Patient_Actor"] if "OSCE_Examination" in raw else \
            {key: raw[key] for key in ("patient_info", "question", "physical_exams")}
        for leaf in _strings(source):
            assert json.dumps(leaf, ensure_ascii=False)[1:-1] in scenario.notes or leaf in scenario.notes, \
                (scenario.id, leaf[:80])


def _strings(value):
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return [str(value)] if str(value).strip() else []


def test_every_osce_test_result_becomes_a_test():
    """Every result is kept; only a closing opinion that names the diagnosis ("..., consistent
    with Hirschsprung disease") is left for the doctor to draw (the record keeps it in notes)."""
    scenarios, _ = read_jsonl(MEDQA)
    for scenario, raw in zip(scenarios, records(MEDQA)):
        text = "\n".join(t.render() for t in scenario.tests)
        names = guard_for(scenario.diagnosis.name).find
        for leaf in _leaves(raw["OSCE_Examination"]["Test_Results"]):
            assert leaf in text or without_conclusions(leaf, names)[:40] in text, (scenario.id, leaf)
            assert json.dumps(leaf, ensure_ascii=False)[1:-1] in scenario.notes or leaf in scenario.notes


def test_report_conclusions_that_name_the_diagnosis_are_left_out():
    scenarios, _ = read_jsonl(MEDQA)
    text = {s.id: "\n".join(t.render() for t in s.tests) for s in scenarios}
    named = [sid for sid, s in zip(text, scenarios) if guard_for(s.diagnosis.name).find(text[sid])]
    assert len(named) <= 5, named  # findings that are the diagnosis itself ("an atrial septal defect")


def _leaves(value):
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _leaves(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaves(item)]
    text = str(value)
    return [text] if text.strip() else []


def test_nejm_fields():
    scenarios, _ = read_jsonl(NEJM)
    first, raw = scenarios[0], records(NEJM)[0]
    assert first.objective == NEJM_OBJECTIVE
    assert first.diagnosis.name == next(a["text"] for a in raw["answers"] if a["correct"])
    assert sorted(first.distractors) == sorted(a["text"] for a in raw["answers"] if not a["correct"])
    assert first.images[0].url == raw["image_url"] and first.images[0].file is None
    story = first.patient.history_of_present_illness
    assert story.startswith("I have noticed my skin darkening on my face") and "your role" not in story.lower()
    assert "main complaint" not in [s.name for s in first.patient.symptoms]
    assert "Dermoscopy findings" in first.physical_exam["findings"]
    assert "information extracted" not in first.physical_exam["findings"]
    assert raw["question"] in first.notes and raw["patient_info"] in first.notes  # for reviewers, never agents


def test_nejm_age_comes_from_the_vignette_or_stays_unknown():
    scenarios, _ = read_jsonl(NEJM)
    for scenario, raw in zip(scenarios, records(NEJM)):
        said = raw["question"].split(" presented")[0].split(" was ")[0]
        age = scenario.patient.demographics.age_years
        assert age is None or f"{age:g}-year-old" in said or f"{round(age * 12)}-month-old" in said, (scenario.id, said)
    girl = next(s for s, raw in zip(scenarios, records(NEJM)) if raw["question"].startswith("A 3-year-old girl"))
    assert girl.patient.demographics.age_years == 3 and girl.patient.demographics.sex == "female"


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
