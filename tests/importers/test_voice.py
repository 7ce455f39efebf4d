"""Imported card prose in the patient's own voice: third and second person to first, meta dropped.

The sentences are written for this test in the style of the AgentClinic records, not taken
from them; the importer tests run the real files.
"""

from __future__ import annotations

import pytest

from agentclinic.importers.cards import denied_symptoms, history_items, split_social, without_conclusions
from agentclinic.importers.voice import first_person, informant_of
from agentclinic.validity.detectors import meta_reply


@pytest.mark.parametrize(("written", "sex", "spoken"), [
    ("The patient reports a 3-week history of cough.", "male", "I've had a 3-week history of cough."),
    ("She notes that the pain is worse at night.", "female", "The pain is worse at night."),
    ("He reports that he has lost weight.", "male", "I have lost weight."),
    ("The patient denies chest pain or fever.", "female", "I haven't had chest pain or fever."),
    ("Patient denies experiencing any palpitations.", "male", "I haven't been experiencing any palpitations."),
    ("The patient presents with a rash on her left arm.", "female", "I came in with a rash on my left arm."),
    ("The 42-year-old woman describes burning when she urinates.", "female",
     "I've had burning when I urinate."),
    ("His wife says he snores.", "male", "My wife says I snore."),
    ("She has a history of asthma and takes an inhaler daily.", "female",
     "I have a history of asthma and take an inhaler daily."),
    ("Non-smoker, drinks beer at weekends.", "male", "I'm a non-smoker, I drink beer at weekends."),
    ("Does not smoke or drink alcohol.", "female", "I do not smoke or drink alcohol."),
    ("Retired bus driver. Lives alone.", "male", "I'm a retired bus driver. I live alone."),
    ("For your role as a patient, you are a 60-year-old man who has noticed your ankles swelling.", "male",
     "I have noticed my ankles swelling."),
    ("You have been feeling tired, and you get breathless on the stairs.", "female",
     "I have been feeling tired, and I get breathless on the stairs."),
    ("- **Symptoms**: - You've had a sore throat for two days.", "male", "I've had a sore throat for two days."),
    ("Mention noticing a lump in your neck.", "female", "I've been noticing a lump in my neck."),
])
def test_prose_becomes_first_person(written, sex, spoken):
    assert first_person(written, sex) == spoken


@pytest.mark.parametrize("meta", [
    "No mention of travel.", "Information not provided.", "N/A", "Not applicable due to age.",
    "Remember, you are not aware of your diagnosis.", "No other significant history provided.",
    "You haven't seen any specific test results.",
])
def test_meta_sentences_are_dropped(meta):
    assert first_person(f"I have a cough. {meta}", "male") == "I have a cough."


def test_a_parent_speaks_for_a_young_child():
    informant = informant_of("The mother reports that the infant has been feeding poorly.", 0.5)
    assert informant == "mother"
    spoken = first_person("The mother reports that the infant has been feeding poorly. He reports ear pain.",
                          "male", informant, "baby")
    assert spoken == "My baby has been feeding poorly. He complains of ear pain."
    assert informant_of("Lives with parents.", 35) is None


def test_card_sections_are_split_without_losing_negatives():
    denied = denied_symptoms("She denies fever, night sweats, or weight loss.")
    assert denied == ["fever", "night sweats", "weight loss"]
    conditions, treatments, family, other = history_items(
        "Hypertension, type 2 diabetes; current treatment includes metformin. Family history of stroke. "
        "Immunizations up to date.")
    assert conditions == ["Hypertension", "type 2 diabetes"] and treatments == ["current treatment includes metformin"]
    assert family == ["Family history of stroke"] and "immunisations" in other
    assert history_items("No significant past medical history.") == ([], [], [], {})
    social, allergies = split_social("Smokes 10 cigarettes a day. Works as a chef. No known allergies.",
                                     lambda s: first_person(s, "male"))
    assert social == {"smoking": "I smoke 10 cigarettes a day.", "occupation": "I work as a chef."}
    assert allergies == []


@pytest.mark.parametrize(("report", "kept"), [
    ("Transition zone in the sigmoid colon, consistent with Hirschsprung disease.",
     "Transition zone in the sigmoid colon."),
    ("Thickened bowel wall; findings suggestive of Crohn disease.", "Thickened bowel wall."),
    ("Thickened bowel wall, consistent with inflammation.", "Thickened bowel wall, consistent with inflammation."),
])
def test_report_conclusions_naming_the_diagnosis_are_left_to_the_doctor(report, kept):
    names = {"Hirschsprung disease", "Crohn disease"}
    assert without_conclusions(report, lambda text: [n for n in names if n.lower() in text.lower()]) == kept


def test_every_spoken_sentence_passes_the_meta_detector():
    written = ("The patient reports two days of fever. She denies cough. Patient's husband says she is confused. "
               "No mention of rash. She has been taking paracetamol.")
    assert meta_reply(first_person(written, "female")) is None
