"""Model roles work in the case's language: an instruction in that language ends each role's
system prompt, the doctor's in --doctor-language when one is set; English adds nothing."""

from __future__ import annotations

import asyncio

import pytest

from agentclinic.agents.llm_roles import LLMDoctor, LLMPatient
from agentclinic.language.instructions import language_instruction
from agentclinic.loader import load_pack
from agentclinic.paths import bundled_dir
from agentclinic.prompting import load_prompts
from agentclinic.scenario import DoctorBrief
from doctor_tools_support import ScriptedModel, scripted_client

ZH = bundled_dir("scenarios") / "zh"
pytestmark = pytest.mark.skipif(not any(ZH.glob("*.yaml")), reason="the Chinese pack is not bundled")


def _case():
    return load_pack(ZH).scenarios[0]


def test_a_model_patient_is_told_to_speak_the_case_language():
    model = ScriptedModel([], default="我胸口疼。")
    patient = LLMPatient(_case(), 0, scripted_client(model), load_prompts("default"))
    assert asyncio.run(patient.reply("What brings you in?")) == "我胸口疼。"
    system = model.requests[0][0].text
    assert system.endswith(language_instruction("zh")) and language_instruction("zh")
    assert "岁" in system  # the card's demographics are said in Chinese too


def test_the_doctor_works_in_its_own_language_when_one_is_set():
    brief = DoctorBrief.from_scenario(_case(), 10)
    prompts, client = load_prompts("default"), scripted_client(ScriptedModel([]))
    in_case_language = LLMDoctor(brief, 0, client, prompts).messages[0].text
    in_english = LLMDoctor(brief.model_copy(update={"doctor_language": "en"}), 0, client, prompts).messages[0].text
    assert in_case_language.endswith(language_instruction("zh"))
    assert language_instruction("zh") not in in_english and language_instruction("en") == ""
