"""The scripted patient: answers from its card only, in the first person, deterministically.

Rules, in order (documented so results can be interpreted):

1. Symptoms named in the question (by name, synonym, or a jargon word whose lay forms match,
   see ``data/patient_topics.yaml``) are confirmed with the card's own words or denied when
   the card lists them as absent.
2. Topics recognised from cue words (opening, onset, medications, family, smoking, ...) are
   answered from the matching card section.
3. A body-system question ("any trouble with your bowels?") is answered from the review of
   systems; otherwise the history sentence sharing most words with the question is used.
4. When the card is silent the patient says it does not know.

Answers are at most three sentences. Only card text and fixed phrases are ever spoken, so the
patient cannot say a diagnosis the card does not contain (and the validator keeps the
diagnosis out of the card).
"""

from __future__ import annotations

import random
import re
from functools import lru_cache
from pathlib import Path

import yaml

from ..paths import data_file
from ..scenario import PatientCard, Scenario, Symptom
from ..terminology import load_terminology
from ..text import TextIndex, normalize

MAX_SENTENCES = 3
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_TIME_WORDS = {"ago", "days", "day", "weeks", "week", "months", "month", "hours", "hour", "since", "started",
               "began", "yesterday", "morning", "night", "last", "suddenly", "today", "years", "year"}
_STOP = frozenset("a an and are at be been did do does for had has have how i if in is it me my of on or so "
                  "that the this to was were what when where which who why with you your any ever".split())
_HISTORY_TOPICS = ("onset", "course", "severity", "character", "location", "triggers")
# topic -> (card field, how a non-empty list is said, what is said when it is empty)
_LIST_TOPICS = {
    "past_medical_history": ("past_medical_history", "I've had {}.", "I've been pretty healthy, nothing serious before this."),
    "past_surgical_history": ("past_surgical_history", "I've had {}.", "I've never had an operation."),
    "medications": ("medications", "I take {}.", "I don't take any regular medicines."),
    "allergies": ("allergies", "I'm allergic to {}.", "No allergies that I know of."),
    "family_history": ("family_history", "{}", "Nothing runs in my family that I know of."),
}


@lru_cache(maxsize=2)
def load_topics(path: Path | None = None) -> dict:
    with open(path or data_file("patient_topics.yaml"), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text.strip()) if s.strip()]


def _content_words(text: str) -> set[str]:
    return {word for word in normalize(text).split() if word not in _STOP and len(word) > 2}


def _join(items: list[str]) -> str:
    items = [item.rstrip(".") for item in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _sentence(text: str) -> str:
    text = text.strip()
    text = text[0].upper() + text[1:] if text else text
    return text if text.endswith((".", "!", "?")) else text + "."


class ScriptedPatient:
    """A rule-based standardised patient bound to one case."""

    def __init__(self, scenario: Scenario, seed: int = 0, topics: dict | None = None):
        self.card: PatientCard = scenario.patient
        self.rng = random.Random(seed)
        data = topics or load_topics()
        self.topics: dict[str, list[str]] = data["topics"]
        self.lay_terms: dict[str, list[str]] = data.get("lay_terms", {})
        self.mentioned: set[str] = set()
        self.said: set[str] = set()  # story sentences already told, so follow-ups move on
        self.terminology = load_terminology()

    async def reply(self, question: str) -> str:
        return self.answer(question)

    def answer(self, question: str) -> str:
        """The reply to one question (synchronous core of :meth:`reply`)."""
        sentences = self._symptom_answers(question)
        for topic in self._topics_in(question):
            sentences += self._topic_answer(topic, question)
        if not sentences:
            sentences = self._fallback(question)
        unique = list(dict.fromkeys(s for part in sentences for s in _sentences(part)))[:MAX_SENTENCES]
        self.said.update(unique)
        return " ".join(unique)

    # ---- recognising the question ---------------------------------------------------------
    def _topics_in(self, question: str) -> list[str]:
        index = TextIndex(question)
        return [topic for topic, cues in self.topics.items() if any(index.contains(cue) for cue in cues)]

    def _expanded(self, text: str) -> str:
        index = TextIndex(text)
        extra = [lay for term, lays in self.lay_terms.items() if index.contains(term) for lay in lays]
        return " | ".join([text, *extra])

    def _symptom_phrases(self, symptom: Symptom) -> list[str]:
        phrases = [symptom.name, *symptom.synonyms]
        return phrases + [lay for phrase in phrases for lay in self.lay_terms.get(normalize(phrase), [])]

    def _symptoms_asked(self, question: str) -> list[Symptom]:
        expanded = TextIndex(self._expanded(question))
        return [s for s in self.card.symptoms if any(expanded.contains(p) for p in self._symptom_phrases(s))]

    # ---- answering ------------------------------------------------------------------------
    def _symptom_answers(self, question: str) -> list[str]:
        answers = []
        for symptom in self._symptoms_asked(question)[:2]:
            self.mentioned.add(symptom.name)
            if not symptom.present:
                answers.append(self.rng.choice(["No, I haven't had that.", "No, nothing like that.",
                                                f"No, no {symptom.name.lower()}."]))
            elif symptom.detail:
                answers.append("Yes. " + _sentence(symptom.detail) if "?" in question else _sentence(symptom.detail))
            else:
                answers.append(f"Yes, I've had {symptom.name.lower()}.")
        return answers

    def _topic_answer(self, topic: str, question: str) -> list[str]:
        card = self.card
        if topic == "opening":
            return [_sentence(card.chief_complaint)]
        if topic in _HISTORY_TOPICS:
            return self._history_sentences(question, prefer_time=topic == "onset")
        if topic == "other_symptoms":
            return self._other_symptoms()
        if topic in _LIST_TOPICS:
            field, template, empty = _LIST_TOPICS[topic]
            items = getattr(card, field)
            return [_sentence(template.format(_join(items))) if items else empty]
        return self._section_answer(topic)

    def _section_answer(self, topic: str) -> list[str]:
        # Social history and extra sections are keyed by topic ("smoking", "travel", ...).
        for key, text in {**self.card.social_history, **self.card.extra_sections}.items():
            if normalize(key.replace("_", " ")).startswith(topic[:5]) or topic[:5] in normalize(key):
                return [_sentence(text if isinstance(text, str) else _join(text))]
        return []  # the card is silent: the fallback says the patient does not know

    def _history_sentences(self, question: str, prefer_time: bool) -> list[str]:
        # The story and what the patient says about each symptom both hold onset,
        # character, site and triggers; the best one or two sentences answer.
        story = _sentences(self.card.history_of_present_illness)
        details = [s for symptom in self.card.symptoms if symptom.present and symptom.detail
                   for s in _sentences(symptom.detail)]
        pool = story + details
        wanted = _content_words(self._expanded(question))

        def score(sentence: str) -> float:
            words = _content_words(sentence)
            bonus = 1.5 * len(words & _TIME_WORDS) if prefer_time else 0.0
            repeat = 2.0 if _sentence(sentence) in self.said else 0.0
            return len(words & wanted) + bonus - repeat

        best = [s for s in sorted(pool, key=score, reverse=True)[:2] if score(s) > 0]
        if not best and prefer_time:
            best = story[:1]
        return [_sentence(s) for s in sorted(best, key=pool.index)]

    def _ros_sentences(self) -> list[str]:
        return [s for text in self.card.review_of_systems.values() for s in _sentences(text)]

    def _other_symptoms(self) -> list[str]:
        unmentioned = [s for s in self.card.symptoms if s.present and s.name not in self.mentioned]
        if not unmentioned:
            return ["No, I think that's everything."]
        chosen = unmentioned[:3]
        self.mentioned.update(s.name for s in chosen)
        return [f"I've also had {_join([s.name.lower() for s in chosen])}."]

    def _fallback(self, question: str) -> list[str]:
        system = self.terminology.exam_system(question)
        if system:
            for key, text in self.card.review_of_systems.items():
                if self.terminology.exam_system(key.replace("_", " ")) == system:
                    return [_sentence(s) for s in _sentences(text)][:2]
        wanted = _content_words(self._expanded(question))
        # A review-of-systems line is specific, so one shared word suffices ("fever");
        # a story sentence needs two, or ordinary words would pull in the wrong one.
        for pool, needed in ((self._ros_sentences(), 1), (_sentences(self.card.history_of_present_illness), 2)):
            best = max(pool, key=lambda s: len(_content_words(s) & wanted), default="")
            if best and len(_content_words(best) & wanted) >= needed:
                return [_sentence(best)]
        if "?" not in question:
            return ["Okay."]
        return [self.rng.choice(["I'm not sure about that.", "I don't know, to be honest.",
                                 "I really couldn't say."])]
