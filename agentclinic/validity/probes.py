"""The audit's question battery, built from one case's card (pure).

Every probe knows what would answer it, because it is built from the card: the open
questions (the story), each topic the card holds, each symptom (present or denied),
compound questions joining two topics the card holds, topics the card is silent on, and
for the measurement role each test in the case and common tests it lacks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..language import base_code, language_data, phrasebook
from ..scenario import PatientCard, Scenario
from ..terminology import Terminology
from .topics import SOCIAL_TOPICS, card_topics



def audit_words(tag: str | None) -> dict:
    """The audit's questions (and reply readers) in the language of ``tag``, key by key over English."""
    english = language_data("en", "audit")
    own = language_data(tag, "audit") if base_code(tag) != "en" else {}
    return {**english, **own}


_ENGLISH = audit_words("en")
OPEN_QUESTIONS = tuple(_ENGLISH["open_questions"])
TOPIC_QUESTIONS: dict[str, str] = dict(_ENGLISH["topic_questions"])
OFF_CARD_SYMPTOMS = tuple(_ENGLISH["off_card_symptoms"])
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


_SENTENCE = re.compile(r"(?<=\.) |(?<=[。！？])|(?<=[।؟]) ")


def _card_text(card: PatientCard) -> list[str]:
    return [card.chief_complaint, card.history_of_present_illness, *card.social_history.values(),
            *card.review_of_systems.values(),
            *(v if isinstance(v, str) else ". ".join(v) for v in card.extra_sections.values())]


def _on_card(card: PatientCard, topic: str) -> str:
    """The card's text on ``topic`` ('' when the card is silent)."""
    keyed = [text for key, text in card.social_history.items() if key.startswith(topic[:5])]
    if topic == "occupation" and card.demographics.occupation:  # the identity line is on the card too
        keyed.append(card.demographics.occupation)
    said = [sentence for text in _card_text(card) for sentence in _SENTENCE.split(text) if topic in card_topics(sentence)]
    return " ".join(dict.fromkeys(keyed + said))


def topic_probes(card: PatientCard, words: dict | None = None) -> list[Probe]:
    """A question for each topic the card holds, and the expected answer."""
    words = words or _ENGLISH
    questions = words["topic_questions"]
    probes = [Probe("topic", questions["onset"], "onset", answer=card.history_of_present_illness)]
    for topic, field_name in (("past_medical_history", "past_medical_history"),
                              ("past_surgical_history", "past_surgical_history"), ("medications", "medications"),
                              ("allergies", "allergies"), ("family_history", "family_history")):
        items = getattr(card, field_name)
        extra = _on_card(card, topic)
        expect = "content" if items or extra else "none_said"
        probes.append(Probe("topic", questions[topic], topic, expect, " ".join([*items, extra])))
    for topic in SOCIAL_TOPICS:
        if text := _on_card(card, topic):
            probes.append(Probe("topic", questions[topic], topic, answer=text))
    for key, text in card.review_of_systems.items():
        system = words["system_words"].get(key.lower(), key.replace("_", " "))
        probes.append(Probe("topic", words["system_question"].format(system=system), f"review_of_systems.{key}",
                            answer=text))
    return probes


def symptom_probes(card: PatientCard, words: dict | None = None) -> list[Probe]:
    template = (words or _ENGLISH)["symptom_question"]
    probes = []
    for symptom in card.symptoms:
        name = symptom.name[0].lower() + symptom.name[1:]
        answer = " ".join([symptom.name, *symptom.synonyms, symptom.detail or ""])
        probes.append(Probe("symptom", template.format(symptom=name), symptom.name,
                            "yes" if symptom.present else "no", answer))
    return probes


def compound_probes(topics: list[Probe], symptoms: list[Probe], words: dict | None = None) -> list[Probe]:
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
    template = (words or _ENGLISH)["compound_question"]
    return [Probe("compound", template.format(first=a.question[:-1], second=f"{b.question[0].lower()}{b.question[1:]}"),
                  f"{a.topic}+{b.topic}", parts=(a, b)) for a, b in pairs]


def off_card_probes(card: PatientCard, words: dict | None = None) -> list[Probe]:
    """Topics the card is silent on: the patient should not invent an answer."""
    words = words or _ENGLISH
    text = " ".join(_card_text(card) + [s.name for s in card.symptoms]).lower()
    probes = [Probe("off_card", words["topic_questions"][t], t, "dont_know") for t in SOCIAL_TOPICS
              if not _on_card(card, t)]
    probes += [Probe("off_card", words["symptom_question"].format(symptom=name), name, "dont_know")
               for name in words["off_card_symptoms"] if (name.split() or [name])[-1] not in text]
    return probes[:5]


def patient_battery(scenario: Scenario) -> tuple[list[Probe], list[Probe]]:
    """(the open questions, asked in one conversation; every other probe, asked afresh)."""
    card, words = scenario.patient, audit_words(scenario.language)
    story = " ".join([card.chief_complaint, card.history_of_present_illness, *(s.name for s in card.symptoms)])
    opening = [Probe("open", q, "opening", answer=story) for q in words["open_questions"]]
    topics, symptoms = topic_probes(card, words), symptom_probes(card, words)
    return opening, topics + symptoms + compound_probes(topics, symptoms, words) + off_card_probes(card, words)


def measurement_battery(scenario: Scenario, terms: Terminology) -> list[Probe]:
    """Every test of the case by name, and the common tests it lacks."""
    reference = phrasebook(scenario.language, "measurement").say("reference")
    probes = [Probe("test", test.name, test.name, answer=test.render(reference)) for test in scenario.tests]
    held = {terms.concept(test.name) or test.name for test in scenario.tests}
    probes += [Probe("missing_test", name, name) for name in MISSING_TESTS if name not in held]
    return probes
