"""The baseline doctor: a rule-based policy, the floor that model doctors are compared with.

It sees only what any doctor sees (the brief and its observations). Its clinical knowledge is
data (``data/baseline_doctor.yaml``): presenting complaints with trigger phrases, focused
questions, body systems and tests, and diagnoses with weighted features. Policy:

1. recognise the presenting complaint(s) from the objective;
2. take a structured history (opening, onset, focused questions, other symptoms, past
   history and medicines, allergies and habits, family and travel);
3. examine, then order the complaint's tests;
4. diagnose by scoring candidate diagnoses (the answer options in multiple-choice mode,
   else the complaint's candidates) against the features found in what it heard, skipping
   negated clauses ("no fever").

When the budget is short it keeps the opening question, the examination and the first tests
and drops the rest; it always answers on the final turn. Deterministic for a seed.

Doctor tools it can use without a model (see :mod:`.baseline_tools`): ``rag`` ranks
candidates by a search of the corpus with what it heard; ``notebook`` keeps the diagnoses it
missed and weighs them when their features turn up again.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..actions import Diagnose, Examine, RequestTest, format_action
from ..doctor_tools.context import EpisodeFeedback, ToolContext
from ..language import base_code, language_data, phrasebook
from ..language.names import diagnosis_label, test_label
from ..matching import load_diagnosis_graph
from ..paths import data_file
from ..persona import Persona, load_library
from ..roles import Observation
from ..scenario import DoctorBrief
from ..text import TextIndex, normalize, per_character
from ..yaml_cache import read_yaml
from .baseline_tools import BaselineTools

_CLAUSE = re.compile(r"[.;,\n。；，、！？।؛،]+")
_GENERIC_WORDS = frozenset("acute chronic disease syndrome disorder primary secondary with of the and type".split())
_FALLBACK_TESTS = ["Complete blood count", "Comprehensive metabolic panel", "C-reactive protein", "Urinalysis"]


@dataclass(frozen=True)
class Complaint:
    id: str
    triggers: tuple[str, ...]
    questions: tuple[str, ...]
    exam: tuple[str, ...]
    tests: tuple[str, ...]
    candidates: tuple[str, ...]


@dataclass
class Knowledge:
    complaints: list[Complaint]
    features: dict[str, dict[str, float]] = field(default_factory=dict)  # diagnosis -> phrase -> weight


@lru_cache(maxsize=8)
def load_knowledge(path: Path | None = None, languages: tuple[str, ...] = ("en",)) -> Knowledge:
    """The baseline's knowledge. Other languages' triggers and feature phrases (same weights) from
    ``data/languages/<code>/doctor.yaml`` join the English ones; the questions are the first
    language's."""
    data = read_yaml(path or data_file("baseline_doctor.yaml"))
    local = [language_data(code, "doctor") for code in languages if base_code(code) != "en"]
    asking = (local[0].get("complaints") or {}) if local and base_code(languages[0]) != "en" else {}
    complaints = []
    for c in data["complaints"]:
        triggers = [t for extra in local for t in ((extra.get("complaints") or {}).get(c["id"]) or {}).get(
            "triggers", ())]
        questions = (asking.get(c["id"]) or {}).get("questions") or c.get("questions", ())
        complaints.append(Complaint(c["id"], tuple(dict.fromkeys([*triggers, *c["triggers"]])), tuple(questions),
                                    tuple(c.get("exam", ())), tuple(c.get("tests", ())),
                                    tuple(c.get("candidates", ()))))
    features = {d["name"]: {str(k): float(v) for k, v in d["features"].items()} for d in data["diagnoses"]}
    for extra in local:
        for name, phrases in (extra.get("features") or {}).items():
            if name in features:
                features[name].update({str(k): float(v) for k, v in (phrases or {}).items()})
    return Knowledge(complaints, features)


# Verb-final languages put the negation after what it denies (Korean, Hindi, Persian), so a
# clause holding one is read as negative wherever it stands.
_NEGATION_AFTER_NOUN = frozenset({"ko", "hi", "fa"})


@lru_cache(maxsize=16)
def _negation(language: str) -> re.Pattern[str]:
    """A clause that starts (within two words) with a negation of the language or English."""
    words = sorted(phrasebook(language, "doctor").words("negations"), key=len, reverse=True)
    alternation = "|".join(map(re.escape, words))
    if base_code(language) in _NEGATION_AFTER_NOUN:  # "압통 없음", "बुखार नहीं", "تب ندارم": anywhere
        return re.compile(rf"^(?:.*\s)?(?:{alternation})(?!\w)")
    # Within two words of the clause's start; in Chinese a token is one character, so within
    # six ("右肺野未见气胸征象": no pneumothorax seen in the right lung field).
    reach = 6 if any(per_character(w) for w in words) else 2
    return re.compile(rf"^\s*(?:\w+\s+){{0,{reach}}}?(?:{alternation})(?!\w)")


def positive_clauses(texts: list[str], language: str = "en") -> list[str]:
    """Clauses of what was heard, without negated ones ('no murmurs', 'denies fever')."""
    negated = _negation(language)
    clauses = [c for text in texts for c in _CLAUSE.split(text)]
    # English clauses are read as written (lower-cased), as they always were; other languages'
    # negations are normalised phrases (Chinese "没有" is the two tokens "没 有").
    read = (lambda c: c.lower()) if base_code(language) == "en" else normalize
    return [c for c in clauses if c.strip() and not negated.match(read(c))]


class BaselineDoctor:
    """Structured history, examination, complaint-directed tests, then a feature-scored diagnosis."""

    def __init__(self, brief: DoctorBrief, seed: int = 0, knowledge: Knowledge | None = None,
                 persona: Persona | None = None, tools: ToolContext | None = None):
        self.brief = brief
        self.rng = random.Random(seed)
        # It asks in the doctor's language (the case's, unless --doctor-language says otherwise)
        # and reads answers in the case's language.
        self.language = brief.doctor_language or brief.language
        self.knowledge = knowledge or load_knowledge(languages=tuple(dict.fromkeys((self.language, brief.language))))
        self.say = phrasebook(self.language, "doctor")
        self.persona = persona
        self.hints: set[str] = load_library().hints(persona, "doctor") if persona else set()
        self.complaints = self._recognise(f"{brief.objective}")
        self.heard: list[str] = []
        self.turns_taken = 0
        self.tools = BaselineTools(tools) if tools is not None and tools.condition else None
        budget = brief.max_turns - 1  # the last turn is kept for the diagnosis
        if "early_closure" in self.hints:
            budget = max(1, budget // 2)
        self.plan = self._plan(budget)

    async def act(self, observation: Observation) -> str:
        self.turns_taken = observation.turn
        if observation.turn > 0:
            self.heard.append(observation.text)
        if observation.final_turn or observation.remaining <= 1 or not self.plan:
            return format_action(self.diagnose())
        return self.plan.pop(0)

    # ---- planning --------------------------------------------------------------------------
    def _recognise(self, text: str) -> list[Complaint]:
        index = TextIndex(text)
        scored = []
        for complaint in self.knowledge.complaints:
            hits = sum(1 for trigger in complaint.triggers if index.contains(trigger))
            if hits:
                scored.append((hits, complaint))
        scored.sort(key=lambda item: -item[0])
        return [complaint for _, complaint in scored[:2]]

    def _plan(self, budget: int) -> list[str]:
        main = self.complaints[0] if self.complaints else None
        focused = list(main.questions[:3]) if main else []
        if len(self.complaints) > 1:
            focused += list(self.complaints[1].questions[:1])
        tests = list(dict.fromkeys(t for c in self.complaints for t in c.tests)) or list(_FALLBACK_TESTS)
        exam = format_action(Examine())
        # (priority, step): lower priority survives a short budget; order below is the visit's order.
        say = self.say.say
        steps = [(0, say("opening")), (5, say("onset"))]
        steps += [(3, q) for q in focused]
        steps += [(6, say("other_symptoms")), (7, say("history")), (8, say("habits")), (9, say("family_travel")),
                  (1, exam)]
        steps += [(2 if i < 2 else 4, self._request(t)) for i, t in enumerate(tests[:6])]
        if self.hints & {"fewer_questions", "dismiss_patient"}:  # a biased doctor listens less
            steps = [step for step in steps if step[0] in (0, 1, 2, 4)]
        if "anchor_first" in self.hints:
            anchor_tests = [(1, self._request(t)) for t in self._anchor_tests()]
            steps = steps[:1] + anchor_tests + steps[1:]
        keep = sorted(range(len(steps)), key=lambda i: (steps[i][0], i))[:max(budget, 0)]
        return [steps[i][1] for i in sorted(keep)]

    def _request(self, test: str) -> str:
        """A test request, naming the test as a clinician of the doctor's language would."""
        return format_action(RequestTest(name=test_label(test, self.language)))

    def _anchor_tests(self) -> list[str]:
        """The work-up of the persona's anchor: the tests of a complaint that lists it, else imaging."""
        anchor = normalize(self.persona.anchor if self.persona else "")
        for complaint in self.knowledge.complaints:
            if any(anchor and anchor in normalize(c) for c in complaint.candidates):
                return list(complaint.tests[:2])
        return ["CT neck chest abdomen and pelvis", "Lactate dehydrogenase"]

    # ---- diagnosing ------------------------------------------------------------------------
    def candidates(self) -> list[str]:
        if self.brief.answer_options:
            return list(self.brief.answer_options)
        names = [n for c in self.complaints for n in c.candidates]
        return list(dict.fromkeys(names)) or list(self.knowledge.features)

    async def write_note(self, previous: str | None, feedback: EpisodeFeedback) -> str | None:
        """The notebook after an episode: the diagnoses it missed (only with the notebook tool)."""
        return self.tools.write_note(previous, feedback) if self.tools is not None else None

    def _features_for(self, option: str) -> dict[str, float]:
        if option in self.knowledge.features:
            return self.knowledge.features[option]
        same = load_diagnosis_graph().equivalents(option)
        for name, features in self.knowledge.features.items():
            if normalize(name) in same:
                return features
        # Unknown option: its own distinctive words are the only evidence available.
        return {w: 1.0 for w in normalize(option).split() if w not in _GENERIC_WORDS and len(w) > 3}

    def score(self, option: str, heard: TextIndex) -> float:
        """The summed weights of ``option``'s features found in what was heard."""
        return sum(weight for phrase, weight in self._features_for(option).items() if heard.contains(phrase))

    def diagnose(self) -> Diagnose:
        clauses = positive_clauses(self.heard, self.brief.language)
        heard = TextIndex(" | ".join(clauses))
        options = self.candidates()
        if self.tools is not None:  # retrieval and the notebook may add candidates
            options = self.tools.extend(options, clauses, self.turns_taken, multiple_choice=bool(
                self.brief.answer_options))
        scores = {option: self.score(option, heard) for option in options}
        if self.tools is not None:
            scores = self.tools.adjust(scores)
        if "anchor_first" in self.hints and self.persona is not None:  # confirmation: the anchor weighs more
            anchor = normalize(self.persona.anchor)
            scores = {o: v + (3.0 if anchor and anchor in normalize(o) else 0.0) for o, v in scores.items()}
        order = {name: i for i, name in enumerate(options)}
        jitter = {name: self.rng.random() for name in options}  # seeded tie-break
        ranked = sorted(options, key=lambda o: (-scores[o], order[o], jitter[o]))
        top = [scores[o] for o in ranked[:3]]
        confidence = round(top[0] / sum(top), 2) if sum(top) > 0 else None
        if not self.brief.answer_options:  # its own candidates are English names: say them in its language
            ranked = [diagnosis_label(name, self.language) for name in ranked]
        return Diagnose(diagnosis=ranked[0], differential=tuple(ranked[:3]), confidence=confidence)
