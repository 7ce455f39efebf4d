"""A test the case lacks is reported normal only where nothing in the case implicates it."""

from __future__ import annotations

import pytest

from agentclinic.importers import read_jsonl
from agentclinic.loader import load_pack
from agentclinic.prices import load_prices
from agentclinic.resolver import Resolver
from agentclinic.terminology import load_terminology
from agentclinic.validity.implicated import implicated_systems, load_body_systems
from conftest import case_data
from agentclinic.scenario import Scenario

PACK = load_pack("core")
TERMS = load_terminology()


def resolver(scenario, missing="default-normal"):
    return Resolver(scenario, TERMS, load_prices(), missing)


@pytest.mark.parametrize(("case_id", "test", "system"), [
    ("neurology-005", "MRI brain", "neurological"),  # epidural haematoma: the brain is the diagnosis's organ
    ("neurology-005", "CT angiography head and neck", "neurological"),
    ("hematology-001", "Haptoglobin", "hematologic"),  # iron deficiency anaemia
    ("cardiology-001", "Chest X-ray", "cardiovascular"),  # atrial fibrillation: the heart is implicated
    ("nephrology-001", "Lithium level", "renal_urinary"),  # hyperkalaemia: the kidneys are implicated
])
def test_a_missing_test_the_case_implicates_is_not_available(case_id, test, system):
    scenario = PACK.get(case_id)
    assert not any(TERMS.concept(t.name) == TERMS.concept(test) for t in scenario.tests), "the case has it"
    result = resolver(scenario).test(test)
    assert result.provenance == "unavailable" and "not available for this patient" in result.text
    assert system in result.note and "implicates" in result.note


def test_a_missing_test_nothing_implicates_is_normal():
    scenario = PACK.get("dermatology-001")  # atopic dermatitis: the kidneys are not involved
    result = resolver(scenario).test("Renal ultrasound")
    assert result.provenance == "default-normal"


def test_the_rule_reads_findings_not_negatives():
    systems = load_body_systems()
    assert systems.abnormal_part("No murmurs. JVP not raised. Calves soft and non-tender.") == ""
    assert "murmur" in systems.abnormal_part("Loud systolic murmur at the apex; no oedema.")
    case = Scenario.model_validate(case_data(physical_exam={"abdominal": "Soft and non-tender.",
                                                            "respiratory": "Crackles at the right base."}))
    implication = implicated_systems(case, TERMS)
    assert "respiratory" in implication.systems and "gastrointestinal" not in implication.systems


def test_every_test_and_exam_section_belongs_to_a_system():
    systems = load_body_systems()
    listed = set().union(*systems.tests.values())
    assert {concept for concept in TERMS.catalogue()} <= listed
    exam_keys = set().union(*systems.exam.values())
    assert {s.replace(" ", "_") for s in TERMS.systems()} <= exam_keys


@pytest.mark.parametrize("name", ["core", "agentclinic_medqa.jsonl", "agentclinic_nejm.jsonl"])
def test_no_normal_fill_contradicts_its_case(name, shared_data):
    scenarios = PACK.scenarios if name == "core" else read_jsonl(shared_data / name)[0]
    systems = load_body_systems()
    for scenario in scenarios:
        implication = implicated_systems(scenario, TERMS, systems)
        measure = resolver(scenario)
        for concept in TERMS.catalogue():
            result = measure.test(concept)
            if result.provenance == "default-normal":
                assert implication.overlap(systems.of_test(concept, concept, TERMS)) is None, (scenario.id, concept)


def test_the_unavailable_policy_still_withholds_everything():
    result = resolver(PACK.get("dermatology-001"), missing="unavailable").test("Renal ultrasound")
    assert result.provenance == "unavailable"
