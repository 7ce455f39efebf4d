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
