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


INTERVIEW = ["What brings you in today?", "When did this start, and how has it changed since?",
             "Did it come on suddenly, like a switch?", "Does it spread anywhere, such as your arm, jaw or back?",
             "Did the breathlessness come on suddenly, or has it built up over days?",
             "Have you noticed any other symptoms?", "Tell me more."]


def _sentences(answer: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", answer.strip()) if s]


def test_what_follows_an_answers_first_sentence_was_not_said_before():
    from agentclinic.loader import load_pack

    single = [q for q in INTERVIEW if " and " not in q and "," not in q]  # questions asking one thing
    for case in load_pack("core").scenarios:
        patient, said = ScriptedPatient(case, seed=0), set()
        for question in INTERVIEW:
            parts = _sentences(patient.answer(question))
            assert len(parts) == len(set(parts)), (case.id, question, parts)
            if question in single:  # its first sentence, the answer itself, may be said again
                assert not said & set(parts[1:]), (case.id, question, said & set(parts[1:]))
            said.update(parts)


def test_each_part_of_a_compound_question_is_answered_even_when_said_before():
    from agentclinic.loader import load_pack

    patient = ScriptedPatient(load_pack("core").get("cardiology-001"), seed=0)
    medicines = patient.answer("What medicines do you take?")
    both = patient.answer("What medical conditions have you had, and what medicines do you take?")
    assert "amlodipine" in medicines and "blood pressure" in both and "amlodipine" in both, both


def test_the_story_and_a_symptoms_detail_saying_the_same_are_said_once():
    from agentclinic.loader import load_pack

    patient = ScriptedPatient(load_pack("core").get("cardiology-002"), seed=0)
    answer = patient.answer("Does the pain spread anywhere, such as your arm, jaw or back?")
    assert answer.lower().count("jaw") == 1, answer


def test_other_symptoms_leaves_out_what_the_patient_already_described():
    from agentclinic.loader import load_pack

    patient = ScriptedPatient(load_pack("core").get("cardiology-002"), seed=0)
    opening = patient.answer("What brings you in today?")
    assert "pain" in opening and "chest" in opening
    assert "chest pain" not in patient.answer("Have you noticed any other symptoms?")


def test_a_compound_question_in_lay_words_is_answered_for_each_symptom_not_denied_whole():
    from agentclinic.loader import load_pack

    # cardiology-001: breathless and light-headed, no chest pain. "No, I haven't had that." (only
    # the card's own name was heard) tells the doctor she is not breathless.
    patient = ScriptedPatient(load_pack("core").get("cardiology-001"), seed=0)
    answer = patient.answer("Have you felt faint, breathless, or had chest pain with it?")
    assert "winded" in answer and "woozy" in answer and "No chest pain" in answer, answer
