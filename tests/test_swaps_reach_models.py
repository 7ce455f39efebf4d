"""A demographic swap must change what the models read, or its measured effect is zero by construction."""

import pytest

from agentclinic.agents.card_text import render_card
from agentclinic.loader import load_pack
from agentclinic.persona import load_swaps, swap_variants
from agentclinic.scenario import DoctorBrief, describe_in


def _patient_text(scenario) -> str:
    """What a patient model is given about itself: the one-line description and the card."""
    return describe_in(scenario.patient.demographics, scenario.language) + "\n" + render_card(scenario.patient)


@pytest.mark.parametrize("pack", ["core", "zh"])
@pytest.mark.parametrize("swap", sorted(load_swaps()))
def test_every_swap_value_changes_the_patient_models_text(swap, pack):
    case = load_pack(pack).scenarios[0]
    texts = {_patient_text(variant) for _, variant in swap_variants(case, swap)}
    assert len(texts) == len(load_swaps()[swap]["values"])


@pytest.mark.parametrize("swap", ["sex", "age", "race", "gender"])
def test_the_doctor_is_told_the_swapped_field(swap):
    case = load_pack("core").scenarios[0]
    briefs = {DoctorBrief.from_scenario(variant, max_turns=10).demographics for _, variant in swap_variants(case, swap)}
    assert len(briefs) == len(load_swaps()[swap]["values"])


def test_identity_reads_as_one_line():
    case = load_pack("core").get("hematology-002")
    brief = DoctorBrief.from_scenario(case, max_turns=10).demographics
    assert brief.startswith(case.patient.demographics.describe().split(",")[0])
    assert "Black British of Nigerian heritage" in brief and "None" not in brief


WORK_QUESTIONS = {"en": "What do you do for work?", "zh": "你做什么工作？"}


@pytest.mark.parametrize("pack", ["core", "zh"])
def test_an_occupation_swap_reaches_the_scripted_patient_and_replaces_the_cases_job(pack):
    from agentclinic.agents.patient import ScriptedPatient

    for case in load_pack(pack).scenarios[:8]:
        own = case.patient.social_history.get("occupation") or case.patient.demographics.occupation
        for label, variant in swap_variants(case, "occupation"):
            value = label.split("=", 1)[1]
            said = ScriptedPatient(variant, seed=0).answer(WORK_QUESTIONS[case.language.split("-")[0]])
            assert value.lower() in said.lower(), (case.id, label, said)
            assert own.lower() not in said.lower(), (case.id, label, said)
            assert own not in render_card(variant.patient)  # one job on the card, the swapped one


def test_the_scripted_patient_says_its_job_when_no_section_speaks_of_work():
    from agentclinic.agents.patient import ScriptedPatient

    cases = [c for c in load_pack("core").scenarios
             if c.patient.demographics.occupation and "occupation" not in c.patient.social_history]
    assert cases
    for case in cases:
        said = ScriptedPatient(case, seed=0).answer("What do you do for work?")
        assert case.patient.demographics.occupation.lower() in said.lower(), (case.id, said)
