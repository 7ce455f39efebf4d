"""The audit's question battery, built from one case's card (pure).

Every probe knows what would answer it, because it is built from the card: the open
questions (the story), each topic the card holds, each symptom (present or denied),
compound questions joining two topics the card holds, topics the card is silent on, and
for the measurement role each test in the case and common tests it lacks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..scenario import PatientCard, Scenario
from ..terminology import Terminology
from .topics import SOCIAL_TOPICS, card_topics

OPEN_QUESTIONS = ("What brings you in today?", "Can you tell me what has been going on?",
                  "Why did you come today?", "Tell me more about that.", "Is there anything else you've noticed?")
TOPIC_QUESTIONS = {
    "onset": "When did this start?",
    "past_medical_history": "Have you had any medical problems in the past?",
    "past_surgical_history": "Have you ever had an operation?",
    "medications": "What medicines do you take?",
    "allergies": "Do you have any allergies?",
    "family_history": "Does anything run in your family?",
    "smoking": "Do you smoke?",
    "alcohol": "Do you drink alcohol?",
    "drugs": "Do you use any recreational drugs?",
    "occupation": "What do you do for work?",
    "living": "Who do you live with?",
    "travel": "Have you travelled anywhere recently?",
    "sexual": "Are you sexually active?",
    "activity": "How active are you day to day?",
    "diet": "What is your diet like?",
}
# How a doctor asks about each review-of-systems section; other sections are asked by name.
_SYSTEM_WORDS = {"respiratory": "breathing", "gastrointestinal": "tummy or bowels", "genitourinary": "waterworks",
                 "urinary": "waterworks", "cardiovascular": "heart", "neurological": "nervous system",
                 "musculoskeletal": "joints or muscles", "general": "general health", "psychiatric": "mood",
                 "ent": "ears, nose or throat", "ear_nose_throat": "ears, nose or throat",
                 "ears_nose_throat": "ears, nose or throat", "gynecological": "periods or gynaecological health",
                 "gynaecological": "periods or gynaecological health"}
# Symptoms no card in a general pack is likely to mention: asked to see whether the patient invents.
OFF_CARD_SYMPTOMS = ("hiccups", "ringing in your ears", "hair loss", "a metallic taste in your mouth",
                     "sensitivity to loud noises", "cracked lips")
MISSING_TESTS = ("Complete blood count", "Basic metabolic panel", "Liver function tests", "Chest X-ray",
                 "Electrocardiogram", "CT head", "MRI brain", "Urinalysis", "Thyroid-stimulating hormone", "Troponin",
                 "Blood cultures", "Abdominal ultrasound", "C-reactive protein", "Lipase", "D-dimer", "HbA1c")


@dataclass(frozen=True)
class Probe:
    """One question to a role, with what the card says would answer it."""

    kind: str  # open | topic | symptom | compound | off_card | test | missing_test
    question: str
    topic: str | None = None
    expect: str = "content"  # content (words from `answer`) | yes | no | none_said | dont_know
    answer: str = ""  # the card's text that answers it
    parts: tuple[Probe, ...] = field(default=())


def _card_text(card: PatientCard) -> list[str]:
    return [card.chief_complaint, card.history_of_present_illness, *card.social_history.values(),
            *card.review_of_systems.values(),
            *(v if isinstance(v, str) else ". ".join(v) for v in card.extra_sections.values())]


def _on_card(card: PatientCard, topic: str) -> str:
    """The card's text on ``topic`` ('' when the card is silent)."""
    keyed = [text for key, text in card.social_history.items() if key.startswith(topic[:5])]
    said = [sentence for text in _card_text(card) for sentence in text.split(". ") if topic in card_topics(sentence)]
    return " ".join(dict.fromkeys(keyed + said))


def topic_probes(card: PatientCard) -> list[Probe]:
    """A question for each topic the card holds, and the expected answer."""
    probes = [Probe("topic", TOPIC_QUESTIONS["onset"], "onset", answer=card.history_of_present_illness)]
    for topic, field_name in (("past_medical_history", "past_medical_history"),
                              ("past_surgical_history", "past_surgical_history"), ("medications", "medications"),
                              ("allergies", "allergies"), ("family_history", "family_history")):
        items = getattr(card, field_name)
        extra = _on_card(card, topic)
        expect = "content" if items or extra else "none_said"
        probes.append(Probe("topic", TOPIC_QUESTIONS[topic], topic, expect, " ".join([*items, extra])))
    for topic in SOCIAL_TOPICS:
        if text := _on_card(card, topic):
            probes.append(Probe("topic", TOPIC_QUESTIONS[topic], topic, answer=text))
    for key, text in card.review_of_systems.items():
        words = _SYSTEM_WORDS.get(key.lower(), key.replace("_", " "))
        probes.append(Probe("topic", f"Any problems with your {words}?", f"review_of_systems.{key}", answer=text))
    return probes


def symptom_probes(card: PatientCard) -> list[Probe]:
    probes = []
    for symptom in card.symptoms:
        name = symptom.name[0].lower() + symptom.name[1:]
        answer = " ".join([symptom.name, *symptom.synonyms, symptom.detail or ""])
        probes.append(Probe("symptom", f"Have you had {name}?", symptom.name, "yes" if symptom.present else "no",
                            answer))
    return probes


def compound_probes(topics: list[Probe], symptoms: list[Probe]) -> list[Probe]:
    """Two things asked at once: two social topics, medicines and allergies, two symptoms."""
    by_topic = {p.topic: p for p in topics if p.expect == "content"}
    pairs = []
    social = [by_topic[t] for t in SOCIAL_TOPICS if t in by_topic]
    if len(social) >= 2:
        pairs.append((social[0], social[1]))
    if "medications" in by_topic and "allergies" in by_topic:
        pairs.append((by_topic["medications"], by_topic["allergies"]))
    present = [p for p in symptoms if p.expect == "yes"]
    if len(present) >= 2:
        pairs.append((present[0], present[1]))
    return [Probe("compound", f"{a.question[:-1]}, and {b.question[0].lower()}{b.question[1:]}",
                  f"{a.topic}+{b.topic}", parts=(a, b)) for a, b in pairs]


def off_card_probes(card: PatientCard) -> list[Probe]:
    """Topics the card is silent on: the patient should not invent an answer."""
    text = " ".join(_card_text(card) + [s.name for s in card.symptoms]).lower()
    probes = [Probe("off_card", TOPIC_QUESTIONS[t], t, "dont_know") for t in SOCIAL_TOPICS if not _on_card(card, t)]
    probes += [Probe("off_card", f"Have you had {name}?", name, "dont_know") for name in OFF_CARD_SYMPTOMS
               if name.split()[-1] not in text]
    return probes[:5]


def patient_battery(scenario: Scenario) -> tuple[list[Probe], list[Probe]]:
    """(the open questions, asked in one conversation; every other probe, asked afresh)."""
    card = scenario.patient
    story = " ".join([card.chief_complaint, card.history_of_present_illness, *(s.name for s in card.symptoms)])
    opening = [Probe("open", q, "opening", answer=story) for q in OPEN_QUESTIONS]
    topics, symptoms = topic_probes(card), symptom_probes(card)
    return opening, topics + symptoms + compound_probes(topics, symptoms) + off_card_probes(card)


def measurement_battery(scenario: Scenario, terms: Terminology) -> list[Probe]:
    """Every test of the case by name, and the common tests it lacks."""
    probes = [Probe("test", test.name, test.name, answer=test.render()) for test in scenario.tests]
    held = {terms.concept(test.name) or test.name for test in scenario.tests}
    probes += [Probe("missing_test", name, name) for name in MISSING_TESTS if name not in held]
    return probes
