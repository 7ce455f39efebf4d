"""The scripted patient answers from its card, in the first person, briefly."""

import re

import pytest

from agentclinic.agents.patient import MAX_PARTS, MAX_SENTENCES, ScriptedPatient
from agentclinic.scenario import Scenario

from conftest import case_data


@pytest.fixture()
def patient():
    return ScriptedPatient(Scenario.model_validate(case_data()), seed=3)


@pytest.mark.parametrize(("question", "expected"), [
    ("What brings you in today?", "I've had a cough and fever for a week."),
    ("Do you have a temperature?", "Yes, I've had a temperature of 38.5."),
    ("Any chest pain?", None),
    ("What medicines do you take?", "I take paracetamol when needed."),
    ("Any allergies?", "No allergies that I know of."),
    ("Do you smoke?", "I smoke ten a day."),
    ("When did this start?", "It started a week ago with a sore throat."),
])
def test_answers_from_the_right_section(patient, question, expected):
    answer = patient.answer(question)
    if expected is None:
        assert answer.startswith("No")
    else:
        assert expected in answer


def test_jargon_finds_lay_symptom(patient):
    assert "phlegm" in patient.answer("Is your cough productive?")
    assert patient.answer("Any pyrexia?").startswith("Yes")


def test_silent_card_means_does_not_know(patient):
    answer = patient.answer("Have you travelled abroad recently?")
    assert re.search(r"not sure|don't know|couldn't say", answer)


def test_other_symptoms_lists_unmentioned_ones(patient):
    patient.answer("Do you have a cough?")
    assert "fever" in patient.answer("Any other symptoms?")


def test_a_compound_question_gets_a_sentence_per_part_within_a_cap(patient):
    answer = patient.answer("Tell me about your cough, fever, medicines, allergies, smoking and family?")
    assert len(re.findall(r"[.!?](?:\s|$)", answer)) <= MAX_PARTS
    assert "phlegm" in answer and "38.5" in answer and "paracetamol" in answer and "ten a day" in answer


def test_a_simple_question_gets_at_most_three_sentences(patient):
    answer = patient.answer("Tell me about your cough?")
    assert len(re.findall(r"[.!?](?:\s|$)", answer)) <= MAX_SENTENCES


def test_never_echoes_a_diagnosis_from_the_question(patient):
    answer = patient.answer("Do you think you have community-acquired pneumonia?")
    assert "pneumonia" not in answer.lower()


def test_deterministic_for_a_seed():
    scenario = Scenario.model_validate(case_data())
    questions = ["What is going on?", "Any rash?", "How is your mood?", "Anything else?"]
    first = [ScriptedPatient(scenario, 7).answer(q) for q in questions]
    assert first == [ScriptedPatient(scenario, 7).answer(q) for q in questions]


def test_statement_without_question_is_acknowledged(patient):
    assert patient.answer("I am going to listen to your chest now.") == "Okay."
