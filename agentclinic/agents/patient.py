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

A persona (``personas/``) changes the behaviour by documented rules: see the README section
"Biases, temperaments and persona sweeps" and ``_persona_turns``.

Answers are at most three sentences. Only card text and fixed phrases are ever spoken, so the
patient cannot say a diagnosis the card does not contain (and the validator keeps the
diagnosis out of the card).
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

from ..persona import Persona, load_library
from ..survey import Survey, TurnLike, heuristic_survey, perceive
from ..scenario import PatientCard, Scenario, Symptom
from ..terminology import load_terminology
from ..text import TextIndex, normalize
from ..validity.topics import card_topics, expanded, load_topics, question_topics, symptoms_asked

MAX_SENTENCES = 3
MAX_PARTS = 5  # a compound question gets one sentence per part, up to this many
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_TIME_WORDS = {"ago", "days", "day", "weeks", "week", "months", "month", "hours", "hour", "since", "started",
               "began", "yesterday", "morning", "night", "last", "suddenly", "today", "years", "year"}
_STOP = frozenset("a an and are at be been did do does for had has have how i if in is it me my of on or so "
                  "that the this to was were what when where which who why with you your any ever".split())
_RECALL_TOPICS = {"onset", "past_medical_history", "past_surgical_history", "medications", "family_history"}
_TANGENTS = ("My neighbour had something a bit like it, though hers was her knee.",
             "I nearly didn't come because the buses have been terrible this week.",
             "My sister says it's all the weather we've been having.")
_TIMELINE_SWAPS = {"days": "weeks", "weeks": "days", "day": "week", "week": "day", "yesterday": "last week",
                   "hours": "days", "morning": "evening", "evening": "morning", "months": "years", "month": "year"}
_HISTORY_TOPICS = ("onset", "course", "severity", "character", "location", "triggers")
# topic -> (card field, how a non-empty list is said, what is said when it is empty)
_LIST_TOPICS = {
    "past_medical_history": ("past_medical_history", "I've had {}.", "I've been pretty healthy, nothing serious before this."),
    "past_surgical_history": ("past_surgical_history", "I've had {}.", "I've never had an operation."),
    "medications": ("medications", "I take {}.", "I don't take any regular medicines."),
    "allergies": ("allergies", "I'm allergic to {}.", "No allergies that I know of."),
    "family_history": ("family_history", "{}", "Nothing runs in my family that I know of."),
}


def _mix_timeline(sentence: str) -> str:
    """A mildly confused patient's version: time words swapped (two days -> two weeks)."""
    return re.sub(r"\b(" + "|".join(_TIMELINE_SWAPS) + r")\b", lambda m: _TIMELINE_SWAPS[m.group(1)], sentence)


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text.strip()) if s.strip()]


def _content_words(text: str) -> set[str]:
    return {word for word in normalize(text).split() if word not in _STOP and len(word) > 2}


def _yes(detail: str) -> str:
    """'Yes, ' and the first sentence of what the patient says about a symptom."""
    first = _sentences(detail)[0] if detail.strip() else detail
    if not re.match(r"^(?:I|I'm|I've|I'd|I'll)\b", first):
        first = first[:1].lower() + first[1:]
    return _sentence(f"Yes, {first}")


def _interleave(groups: list[list[str]], limit: int) -> list[str]:
    """The first sentence of every group, then the second of every group, ... up to ``limit``."""
    split = [list(dict.fromkeys(s for part in group for s in _sentences(part))) for group in groups]
    chosen: list[str] = []
    for depth in range(max((len(g) for g in split), default=0)):
        for group in split:
            if depth < len(group) and group[depth] not in chosen and len(chosen) < limit:
                chosen.append(group[depth])
    return chosen


def _join(items: list[str]) -> str:
    items = [item.rstrip(".") for item in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _sentence(text: str) -> str:
    text = text.strip()
    text = text[0].upper() + text[1:] if text else text
    return text if text.endswith((".", "!", "?")) else text + "."


class ScriptedPatient:
    """A rule-based standardised patient bound to one case."""

    def __init__(self, scenario: Scenario, seed: int = 0, topics: dict | None = None,
                 persona: Persona | None = None):
        self.card: PatientCard = scenario.patient
        self.rng = random.Random(seed)
        self.persona = persona
        self.rules: set[str] = load_library().hints(persona, "patient") if persona else set()
        self.asked_about: set[str] = set()  # jargon already explained
        self.turns = 0
        data = topics or load_topics()
        self.topics: dict[str, list[str]] = data["topics"]
        self.lay_terms: dict[str, list[str]] = data.get("lay_terms", {})
        self.mentioned: set[str] = set()
        self.said: set[str] = set()  # story sentences already told, so follow-ups move on
        self.terminology = load_terminology()

    async def reply(self, question: str) -> str:
        return self.answer(question)

    async def survey(self, transcript: Sequence[TurnLike]) -> Survey:
        """Ratings by the documented rules of :func:`agentclinic.survey.heuristic_survey`."""
        seen = perceive(transcript, [symptom.name for symptom in self.card.symptoms if symptom.present])
        biased = len(self.persona.patient_biases) if self.persona else 0
        return heuristic_survey(seen, self.rules, biased)

    def answer(self, question: str) -> str:
        """The reply to one question (synchronous core of :meth:`reply`)."""
        self.turns += 1
        if "ask_jargon" in self.rules and (term := self._unexplained_jargon(question)):
            self.asked_about.add(term)
            return f"Sorry, what does '{term}' mean?"
        topics = self._topics_in(question)
        if "unsure_history" in self.rules and set(topics) & _RECALL_TOPICS and self.rng.random() < 0.5:
            return "I'm not sure, I can't remember that well."
        # One group of sentences per thing asked, so a compound question is answered part by part.
        groups = [[answer] for answer in self._symptom_answers(question)]
        groups += [group for topic in topics if (group := self._topic_answer(topic, question))]
        if not groups:
            groups = [self._fallback(question)]
        limit = 1 if self.rules & {"brief_answers", "less_forthcoming", "withhold_details"} \
            else max(MAX_SENTENCES, min(len(groups), MAX_PARTS))
        unique = self._persona_turns(_interleave(groups, limit))
        self.said.update(unique)
        return " ".join(unique)

    # ---- persona behaviour (documented in personas/temperaments.yaml and biases.yaml) ------
    def _unexplained_jargon(self, question: str) -> str | None:
        index = TextIndex(question)
        return next((term for term in self.lay_terms if term not in self.asked_about and index.contains(term)), None)

    def _persona_turns(self, sentences: list[str]) -> list[str]:
        rules, rng = self.rules, self.rng
        if "mix_timeline" in rules:
            sentences = [_mix_timeline(s) for s in sentences]
        if "add_irrelevant_detail" in rules:
            sentences = sentences[:2] + [rng.choice(_TANGENTS)]
        if "express_worry" in rules and rng.random() < 0.6:
            sentences.append("Is it something serious?")
        if "steer_to_anchor" in rules and self.turns % 2 == 1:
            sentences.append(f"I read online this could be {self.persona.anchor}. Could it be that?")  # type: ignore[union-attr]
        if rules & {"distrust_doctor", "question_competence"} and self.turns % 3 == 1:
            sentences.insert(0, "I'm not sure you're the right person to ask.")
        if "agree_readily" in rules:
            sentences.append("Whatever you think is best, doctor.")
        return sentences

    # ---- recognising the question ---------------------------------------------------------
    def _topics_in(self, question: str) -> list[str]:
        topics = question_topics(question, self.topics)
        # "Tell me more about the pain" is a follow-up and "tell me about your cough" a question
        # about the cough: the opening story is for open questions only.
        if len(topics) > 1 or self._symptoms_asked(question):
            topics = [t for t in topics if t != "opening"]
        return topics

    def _expanded(self, text: str) -> str:
        return expanded(text, self.lay_terms)

    def _symptoms_asked(self, question: str) -> list[Symptom]:
        return symptoms_asked(question, self.card.symptoms, self.lay_terms)

    # ---- answering ------------------------------------------------------------------------
    def _symptom_answers(self, question: str) -> list[str]:
        answers = []
        asked = self._symptoms_asked(question)[:MAX_PARTS]
        for symptom in asked:
            self.mentioned.add(symptom.name)
            if not symptom.present and len(asked) > 1:  # say which part the "no" is for
                answers.append(f"No {symptom.name[0].lower()}{symptom.name[1:]}, though.")
            elif not symptom.present:
                answers.append(self.rng.choice(["No, I haven't had that.", "No, nothing like that.",
                                                f"No, no {symptom.name.lower()}."]))
            elif "under_report" in self.rules:
                answers.append("Yes, a little, but it's nothing much.")
            elif symptom.detail:
                answers.append(_yes(symptom.detail) if "?" in question else _sentence(symptom.detail))
            else:
                answers.append(f"Yes, I've had {symptom.name.lower()}.")
        return answers

    def _topic_answer(self, topic: str, question: str) -> list[str]:
        card = self.card
        if topic == "opening":
            return [_sentence(card.chief_complaint), *self._untold_story(1)]
        if topic == "more":
            return self._untold_story(2) or self._other_symptoms()
        if topic in _HISTORY_TOPICS:
            return self._history_sentences(question, prefer_time=topic == "onset")
        if topic == "other_symptoms":
            return self._other_symptoms()
        if topic in _LIST_TOPICS:
            field, template, empty = _LIST_TOPICS[topic]
            items = getattr(card, field)
            if not items:  # an empty list means none, unless the story says otherwise
                return self._card_sentences(topic) or [empty]
            if any(re.match(r"^(?:I|My|Nothing|None|No|Never|Healthy)\b", item) for item in items):
                return [_sentence(item) for item in items]  # items already said as sentences
            return [_sentence(template.format(_join(items)))]
        return self._section_answer(topic)

    def _untold_story(self, count: int) -> list[str]:
        """The next story sentences the patient has not said yet."""
        untold = [s for s in _sentences(self.card.history_of_present_illness)
                  if _sentence(s) not in self.said and _sentence(s) != _sentence(self.card.chief_complaint)]
        return [_sentence(s) for s in untold[:count]]

    def _card_sentences(self, topic: str) -> list[str]:
        """Sentences anywhere on the card that speak to ``topic`` (at most two)."""
        card = self.card
        texts = [card.chief_complaint, card.history_of_present_illness, *card.social_history.values(),
                 *card.review_of_systems.values(),
                 *(v if isinstance(v, str) else ". ".join(v) for v in card.extra_sections.values())]
        found = [_sentence(s) for text in texts for s in _sentences(text) if topic in card_topics(s)]
        return list(dict.fromkeys(found))[:2]

    def _section_answer(self, topic: str) -> list[str]:
        # Social history and extra sections are keyed by topic ("smoking", "travel", ...).
        for key, text in {**self.card.social_history, **self.card.extra_sections}.items():
            if normalize(key.replace("_", " ")).startswith(topic[:5]) or topic[:5] in normalize(key):
                return [_sentence(text if isinstance(text, str) else _join(text))]
        return self._card_sentences(topic)  # [] when the card is silent: the patient does not know

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
        # A minimising or guarded patient mentions one thing at most.
        chosen = unmentioned[:1] if self.rules & {"under_report", "less_forthcoming", "withhold_details"} \
            else unmentioned[:3]
        self.mentioned.update(s.name for s in chosen)
        return [f"I've also had {_join([s.name.lower() for s in chosen])}."]

    def _fallback(self, question: str) -> list[str]:
        index = TextIndex(question)
        for key, text in self.card.review_of_systems.items():  # "any problems with your bowels?"
            if index.contains(key.replace("_", " ")):
                return [_sentence(s) for s in _sentences(text)][:2]
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
