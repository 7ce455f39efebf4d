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
from ..language import phrasebook
from ..text import TextIndex, is_content_token, normalize, per_character
from ..validity.topics import card_topics, expanded, load_topics, question_topics, symptoms_asked

MAX_SENTENCES = 3
MAX_PARTS = 5  # a compound question gets one sentence per part, up to this many
# Sentences end in Latin, CJK (no space follows) and Devanagari punctuation.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])\s*|(?<=[।؟])\s+")
_RECALL_TOPICS = {"onset", "past_medical_history", "past_surgical_history", "medications", "family_history"}
_HISTORY_TOPICS = ("onset", "course", "severity", "character", "location", "triggers")
# The card fields of the topics answered as a list ("I take ..."); phrases are per language.
_LIST_TOPICS = ("past_medical_history", "past_surgical_history", "medications", "allergies", "family_history")


def _mix_timeline(sentence: str, swaps: dict[str, str]) -> str:
    """A mildly confused patient's version: time words swapped (two days -> two weeks)."""
    if not swaps:
        return sentence
    return re.sub(r"\b(" + "|".join(map(re.escape, swaps)) + r")\b", lambda m: swaps[m.group(1)], sentence)


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text.strip()) if s.strip()]


def _content_words(text: str, stop: frozenset[str]) -> set[str]:
    return {word for word in normalize(text).split() if word not in stop and is_content_token(word)}


def _interleave(groups: list[list[str]], limit: int) -> list[str]:
    """The first sentence of every group, then the second of every group, ... up to ``limit``."""
    split = [list(dict.fromkeys(s for part in group for s in _sentences(part))) for group in groups]
    chosen: list[str] = []
    for depth in range(max((len(g) for g in split), default=0)):
        for group in split:
            if depth < len(group) and group[depth] not in chosen and len(chosen) < limit:
                chosen.append(group[depth])
    return chosen


def _shingles(sentence: str, stop: frozenset[str]) -> frozenset:
    """What a sentence says, for spotting one that repeats another: its content words, or
    pairs of neighbouring characters in scripts written without spaces (single characters
    are shared by too many unrelated sentences)."""
    words = [w for w in normalize(sentence).split() if w not in stop and is_content_token(w)]
    if any(per_character(w) for w in words):
        return frozenset(zip(words, words[1:]))
    return frozenset(words)


def _same_content(one: frozenset, other: frozenset) -> bool:
    """Most of the shorter sentence's content is in the other (short replies never count)."""
    shorter = min(len(one), len(other))
    return shorter >= 3 and len(one & other) >= 0.6 * shorter


def _is_question(text: str) -> bool:
    return any(mark in text for mark in "?？؟")


def _sentence(text: str, full_stop: str = ".") -> str:
    text = text.strip()
    text = text[0].upper() + text[1:] if text else text
    return text if text.endswith((".", "!", "?", "。", "！", "？", "।", "؟")) else text + full_stop


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
        self.said_shingles: list[frozenset] = []  # what each said sentence is about (_shingles)
        self.terminology = load_terminology()
        self.say = phrasebook(scenario.language, "patient")
        self.stop = self.say.words("stop_words")
        self.time_words = self.say.words("time_words")

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
            return self.say.say("ask_jargon", term=term)
        topics = self._topics_in(question)
        if "unsure_history" in self.rules and set(topics) & _RECALL_TOPICS and self.rng.random() < 0.5:
            return self.say.say("cannot_remember")
        # One group of sentences per thing asked, so a compound question is answered part by part.
        groups = [[answer] for answer in self._symptom_answers(question)]
        groups += [group for topic in topics if (group := self._topic_answer(topic, question))]
        if not groups:
            groups = [self._fallback(question)]
        limit = 1 if self.rules & {"brief_answers", "less_forthcoming", "withhold_details"} \
            else max(MAX_SENTENCES, min(len(groups), MAX_PARTS))
        unique = self._persona_turns(_interleave(self._without_repeats(groups), limit))
        self.said.update(unique)
        self.said_shingles += [_shingles(s, self.stop) for s in unique]
        return " ".join(unique)

    def _without_repeats(self, groups: list[list[str]]) -> list[list[str]]:
        """Each part's answer without the sentences after its first that say again what was said
        before or elsewhere in this answer (the story and a symptom's detail often tell the same
        thing in other words). A part's first sentence, its answer, stays even when said
        before: asked again about medicines, a patient names them again."""
        seen = list(self.said_shingles)
        answered = []
        for group in groups:
            kept = []
            for sentence in dict.fromkeys(s for part in group for s in _sentences(part)):
                shingles = _shingles(sentence, self.stop)
                if kept and any(_same_content(shingles, other) for other in seen):
                    continue
                kept.append(sentence)
                seen.append(shingles)
            answered.append(kept)
        return answered

    # ---- persona behaviour (documented in personas/temperaments.yaml and biases.yaml) ------
    def _unexplained_jargon(self, question: str) -> str | None:
        index = TextIndex(question)
        return next((term for term in self.lay_terms if term not in self.asked_about and index.contains(term)), None)

    def _persona_turns(self, sentences: list[str]) -> list[str]:
        rules, rng = self.rules, self.rng
        if "mix_timeline" in rules:
            sentences = [_mix_timeline(s, self.say.raw("timeline_swaps")) for s in sentences]
        if "add_irrelevant_detail" in rules:
            sentences = sentences[:2] + [self.say.say("tangents", rng)]
        if "express_worry" in rules and rng.random() < 0.6:
            sentences.append(self.say.say("worry"))
        if "steer_to_anchor" in rules and self.turns % 2 == 1:
            sentences.append(self.say.say("steer_to_anchor", anchor=self.persona.anchor))  # type: ignore[union-attr]
        if rules & {"distrust_doctor", "question_competence"} and self.turns % 3 == 1:
            sentences.insert(0, self.say.say("distrust"))
        if "agree_readily" in rules:
            sentences.append(self.say.say("agree"))
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
                answers.append(self.say.say("denied_part", symptom=f"{symptom.name[0].lower()}{symptom.name[1:]}"))
            elif not symptom.present:
                answers.append(self.say.say("denied", self.rng, symptom=symptom.name.lower()))
            elif "under_report" in self.rules:
                answers.append(self.say.say("minimised"))
            elif symptom.detail:
                answers.append(self._yes(symptom.detail) if _is_question(question) else self._sentence(symptom.detail))
            else:
                answers.append(self.say.say("had_symptom", symptom=symptom.name.lower()))
        return answers

    def _topic_answer(self, topic: str, question: str) -> list[str]:
        card = self.card
        if topic == "opening":
            return [self._sentence(card.chief_complaint), *self._untold_story(1)]
        if topic == "more":
            return self._untold_story(2) or self._other_symptoms()
        if topic in _HISTORY_TOPICS:
            return self._history_sentences(question, prefer_time=topic == "onset")
        if topic == "other_symptoms":
            return self._other_symptoms()
        if topic in _LIST_TOPICS:
            template, empty = self._list_phrases(topic)
            items = getattr(card, topic)
            if not items:  # an empty list means none, unless the story says otherwise
                return self._card_sentences(topic) or [empty]
            if any(self._is_said_as_sentence(item) for item in items):
                return [self._sentence(item) for item in items]  # items already said as sentences
            return [self._sentence(template.format(items=self._join(items)))]
        return self._section_answer(topic)

    def _untold_story(self, count: int) -> list[str]:
        """The next story sentences the patient has not said yet."""
        untold = [s for s in _sentences(self.card.history_of_present_illness)
                  if self._sentence(s) not in self.said and self._sentence(s) != self._sentence(self.card.chief_complaint)]
        return [self._sentence(s) for s in untold[:count]]

    def _card_sentences(self, topic: str) -> list[str]:
        """Sentences anywhere on the card that speak to ``topic`` (at most two)."""
        card = self.card
        texts = [card.chief_complaint, card.history_of_present_illness, *card.social_history.values(),
                 *card.review_of_systems.values(),
                 *(v if isinstance(v, str) else ". ".join(v) for v in card.extra_sections.values())]
        found = [self._sentence(s) for text in texts for s in _sentences(text) if topic in card_topics(s)]
        return list(dict.fromkeys(found))[:2]

    def _section_answer(self, topic: str) -> list[str]:
        # Social history and extra sections are keyed by topic ("smoking", "travel", ...).
        for key, text in {**self.card.social_history, **self.card.extra_sections}.items():
            if normalize(key.replace("_", " ")).startswith(topic[:5]) or topic[:5] in normalize(key):
                return [self._sentence(text if isinstance(text, str) else self._join(text))]
        occupation = self.card.demographics.occupation
        if topic == "occupation" and occupation:  # the card's identity line (and an occupation swap)
            return [self.say.say("occupation", occupation=occupation[0].upper() + occupation[1:])]
        return self._card_sentences(topic)  # [] when the card is silent: the patient does not know

    def _history_sentences(self, question: str, prefer_time: bool) -> list[str]:
        # The story and what the patient says about each symptom both hold onset,
        # character, site and triggers; the best one or two sentences answer.
        story = _sentences(self.card.history_of_present_illness)
        details = [s for symptom in self.card.symptoms if symptom.present and symptom.detail
                   for s in _sentences(symptom.detail)]
        pool = story + details
        wanted = _content_words(self._expanded(question), self.stop)

        def score(sentence: str) -> float:
            words = _content_words(sentence, self.stop)
            bonus = 1.5 * len(words & self.time_words) if prefer_time else 0.0
            repeat = 2.0 if self._sentence(sentence) in self.said else 0.0
            return len(words & wanted) + bonus - repeat

        best = [s for s in sorted(pool, key=score, reverse=True)[:2] if score(s) > 0]
        if not best and prefer_time:
            best = story[:1]
        return [self._sentence(s) for s in sorted(best, key=pool.index)]

    def _ros_sentences(self) -> list[str]:
        return [s for text in self.card.review_of_systems.values() for s in _sentences(text)]

    def _other_symptoms(self) -> list[str]:
        told = set(normalize(" ".join(self.said)).split())  # "pain in my chest" has told of chest pain
        unmentioned = [s for s in self.card.symptoms if s.present and s.name not in self.mentioned
                       and not self._told(s.name, told)]
        if not unmentioned:
            return [self.say.say("nothing_else")]
        # A minimising or guarded patient mentions one thing at most.
        chosen = unmentioned[:1] if self.rules & {"under_report", "less_forthcoming", "withhold_details"} \
            else unmentioned[:3]
        self.mentioned.update(s.name for s in chosen)
        items = self._join([s.name.lower() for s in chosen])
        if self.card.demographics.informant and self._has("informant_also_had"):
            return [self.say.raw("informant_also_had")[self._sex()].format(items=items)]
        return [self.say.say("also_had", items=items)]

    def _told(self, name: str, told: set[str]) -> bool:
        """Whether every content word of a symptom's name has been said already."""
        words = _content_words(name, self.stop)
        return bool(words) and words <= told

    def _fallback(self, question: str) -> list[str]:
        index = TextIndex(question)
        for key, text in self.card.review_of_systems.items():  # "any problems with your bowels?"
            if index.contains(key.replace("_", " ")):
                return [self._sentence(s) for s in _sentences(text)][:2]
        system = self.terminology.exam_system(question)
        if system:
            for key, text in self.card.review_of_systems.items():
                if self.terminology.exam_system(key.replace("_", " ")) == system:
                    return [self._sentence(s) for s in _sentences(text)][:2]
        wanted = _content_words(self._expanded(question), self.stop)
        # A review-of-systems line is specific, so one shared word suffices ("fever");
        # a story sentence needs two, or ordinary words would pull in the wrong one.
        for pool, needed in ((self._ros_sentences(), 1), (_sentences(self.card.history_of_present_illness), 2)):
            best = max(pool, key=lambda s: len(_content_words(s, self.stop) & wanted), default="")
            if best and len(_content_words(best, self.stop) & wanted) >= needed:
                return [self._sentence(best)]
        if not _is_question(question):
            return [self.say.say("acknowledge")]
        return [self.say.say("dont_know", self.rng)]

    # ---- the language's way of saying things ------------------------------------------------
    def _has(self, key: str) -> bool:
        try:
            return bool(self.say.raw(key))
        except KeyError:
            return False

    def _sex(self) -> str:
        return self.card.demographics.sex if self.card.demographics.sex in ("female", "male") else "other"

    def _list_phrases(self, topic: str) -> list[str]:
        """How a list topic is said: by a parent or carer about the patient, else in the first person."""
        if self.card.demographics.informant and self._has("informant_list"):
            about = self.say.raw("informant_list").get(self._sex(), {})
            if topic in about:
                return about[topic]
        return self.say.raw("list")[topic]

    def _sentence(self, text: str) -> str:
        return _sentence(text, self.say.raw("full_stop"))

    def _join(self, items: list[str]) -> str:
        items = [item.rstrip(".。।") for item in items]
        if len(items) == 1:
            return items[0]
        return self.say.raw("list_separator").join(items[:-1]) + self.say.raw("list_last") + items[-1]

    def _yes(self, detail: str) -> str:
        """'Yes, ' and the first sentence of what the patient says about a symptom."""
        first = _sentences(detail)[0] if detail.strip() else detail
        if not self._is_said_as_sentence(first, ("I'm", "I've", "I'd", "I'll")):
            first = first[:1].lower() + first[1:]
        return self._sentence(self.say.say("yes", detail=first))

    def _is_said_as_sentence(self, text: str, extra: tuple[str, ...] = ()) -> bool:
        starts = [*self.say.raw("sentence_starts"), *extra]
        # A start word ends at a non-letter, except in scripts written without spaces.
        pattern = "|".join(re.escape(s) if per_character(s) else rf"{re.escape(s)}(?!\w)" for s in starts)
        return bool(re.match(rf"^(?:{pattern})", text, re.IGNORECASE))
