"""What a question, or a sentence of a patient card, is about (pure; words are data).

``data/patient_topics.yaml`` holds the cue words: ``topics`` recognise a doctor's question,
``card_cues`` put a sentence of a card on a topic. The scripted patient, the importers (to
split an imported social history) and the simulator audit all read topics here, so what
counts as "on the card" means the same thing everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from ..language.data import merged_lists
from ..language.registry import LANGUAGES
from ..paths import data_file
from ..scenario import Symptom
from ..text import TermIndex, TextIndex, normalize
from ..yaml_cache import read_yaml
from .folding import fold

SOCIAL_TOPICS = ("smoking", "alcohol", "drugs", "occupation", "living", "travel", "sexual", "activity", "diet")


@lru_cache(maxsize=2)
def load_topics(path: Path | None = None) -> dict:
    """The topic vocabulary (cached): English, with every language's cues added when no path is given.

    A question or a card sentence is recognised in any supported language, so a doctor may ask
    in a language other than the patient's (``--doctor-language``)."""
    data = read_yaml(path or data_file("patient_topics.yaml"))
    if path is None:
        for section in ("topics", "lay_terms", "card_cues"):
            extra = merged_lists([code for code in LANGUAGES if code != "en"], "patient", section)
            for key, cues in extra.items():
                data[section][key] = list(dict.fromkeys([*data[section].get(key, []), *cues]))
    return data


def question_topics(question: str, topics: dict[str, list[str]] | None = None) -> list[str]:
    """The topics a doctor's question asks about, in the order the question raises them."""
    if topics is None or topics is load_topics()["topics"]:
        return list(_default_question_topics(question))
    return _question_topics(question, topics)


@lru_cache(maxsize=16_384)
def _default_question_topics(question: str) -> tuple[str, ...]:
    return tuple(_question_topics(question, load_topics()["topics"]))


def _question_topics(question: str, topics: dict[str, list[str]]) -> list[str]:
    index = TextIndex(question)
    possible = _keyed(_CUE_INDEX, topics, lambda: TermIndex(cue for cues in topics.values() for cue in cues))
    present = possible.candidates(index)
    spans: dict[str, tuple[int, int]] = {}
    for topic, cues in topics.items():
        for cue in cues:
            if cue not in present:  # cannot occur (see TermIndex): the answer is the same
                continue
            if index.contains(cue) and (start := index.padded.find(f" {normalize(cue)} ")) >= 0:
                span = (start, start + len(normalize(cue)) + 1)
                if topic not in spans or span[1] - span[0] > spans[topic][1] - spans[topic][0]:
                    spans[topic] = span
            elif index.contains(cue) and topic not in spans:
                spans[topic] = (len(index.padded), len(index.padded))  # an abbreviation, found as written
    # A cue inside another topic's longer cue is not asked: "sexually active" is not "active".
    inside = {t for t, (a, b) in spans.items()
              for other, (c, d) in spans.items() if other != t and c <= a and b <= d and (d - c) > (b - a)}
    return sorted((t for t in spans if t not in inside), key=lambda t: spans[t][0])


@lru_cache(maxsize=1)
def _card_cues() -> tuple[dict[str, set[str]], dict[str, list[tuple[tuple[str, ...], str]]]]:
    """One-word cues by their text, longer ones by their first word."""
    single: dict[str, set[str]] = {}
    multi: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for topic, cues in load_topics()["card_cues"].items():
        for cue in cues:
            words = tuple(fold(cue).split())
            if len(words) == 1:
                single.setdefault(words[0], set()).add(topic)
            elif words:
                multi.setdefault(words[0], []).append((words, topic))
    return single, multi


@lru_cache(maxsize=16_384)
def card_topics(sentence: str) -> list[str]:
    """The topics a sentence of a card speaks to ("Smokes a pack a day" -> smoking).

    A one-word cue matches the start of a word ("smok" finds "smoker"); a longer cue matches
    its words in a row, the last one by its start.
    """
    words = fold(sentence).split()
    single, multi = _card_cues()
    found: dict[str, None] = {}
    for position, word in enumerate(words):
        for size in range(1, len(word) + 1):
            for topic in single.get(word[:size], ()):
                found.setdefault(topic)
        for cue, topic in multi.get(word, ()):
            rest = words[position + 1:position + len(cue)]
            if len(rest) == len(cue) - 1 and rest[:-1] == list(cue[1:-1]) and rest[-1].startswith(cue[-1]):
                found.setdefault(topic)
    order = list(load_topics()["card_cues"])
    return sorted(found, key=order.index)


def _lay_terms() -> dict[str, list[str]]:
    return load_topics().get("lay_terms", {})


def expanded(text: str, lay_terms: dict[str, list[str]] | None = None) -> str:
    """``text`` with the lay words of any doctor's term in it ("dyspnea" -> "short of breath")."""
    lay_terms = _lay_terms() if lay_terms is None else lay_terms
    # Every question is read several times (topics, symptoms) and scripted doctors ask the
    # same ones in every episode; each reading tries every term, so it is done once per text.
    done = _keyed(_EXPANDED, lay_terms, dict)
    if text not in done:
        if len(done) >= 16_384:
            done.clear()
        index = TextIndex(text)
        possible = _keyed(_CUE_INDEX, lay_terms, lambda: TermIndex(lay_terms)).candidates(index)
        extra = [lay for term, lays in lay_terms.items() if term in possible and index.contains(term) for lay in lays]
        done[text] = " | ".join([text, *extra])
    return done[text]


def symptom_phrases(symptom: Symptom, lay_terms: dict[str, list[str]] | None = None) -> list[str]:
    """A symptom's name, synonyms and their lay words."""
    if lay_terms is None or lay_terms is _lay_terms():
        return list(_default_phrases(symptom.name, tuple(symptom.synonyms)))
    return _phrases(symptom.name, symptom.synonyms, lay_terms)


@lru_cache(maxsize=16_384)
def _default_phrases(name: str, synonyms: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(_phrases(name, synonyms, _lay_terms()))


def _phrases(name: str, synonyms: Sequence[str], lay_terms: dict[str, list[str]]) -> list[str]:
    phrases = [name, *synonyms]
    by_key = _normalised_keys(lay_terms)
    return phrases + [lay for phrase in phrases for lay in by_key.get(normalize(phrase), [])]


def _normalised_keys(lay_terms: dict[str, list[str]]) -> dict[str, list[str]]:
    """``lay_terms`` keyed by the normalised term ('呼吸困难' is found as '呼 吸 困 难')."""
    return _keyed(_KEYED, lay_terms, lambda: {normalize(k): v for k, v in lay_terms.items()})


def _keyed(table: dict[int, tuple[dict, dict]], lay_terms: dict[str, list[str]], make) -> dict:
    """What ``make`` builds for this very ``lay_terms`` object (an id alone could be reused)."""
    cached = table.get(id(lay_terms))
    if cached is None or cached[0] is not lay_terms:
        cached = (lay_terms, make())
        table[id(lay_terms)] = cached
    return cached[1]


_KEYED: dict[int, tuple[dict, dict[str, list[str]]]] = {}
_EXPANDED: dict[int, tuple[dict, dict[str, str]]] = {}
_CUE_INDEX: dict[int, tuple[dict, TermIndex]] = {}


_SUFFIXES = ("ness", "ing", "ed", "es", "s", "e")


def _stem(word: str) -> str:
    """A crude stem, enough to read "coughed up blood" as "coughing up blood"."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


@lru_cache(maxsize=65_536)
def _stems(text: str) -> str:
    return " " + " ".join(_stem(w) for w in fold(text).split()) + " "


def symptoms_asked(question: str, symptoms: Sequence[Symptom],
                   lay_terms: dict[str, list[str]] | None = None) -> list[Symptom]:
    """The card's symptoms a question names, by name, synonym or lay word, in any inflection.

    The most specific wins: a symptom found only through words inside another one's longer
    match is not asked ("pleuritic chest pain" is not "chest pain"; "fainting" is not the
    "faint" feeling of light-headedness)."""
    said = expanded(question, lay_terms)
    index, stems = TextIndex(said), _stems(said)
    found: list[tuple[Symptom, str, int]] = []
    for symptom in symptoms:
        best = None
        for rank, phrase in enumerate(symptom_phrases(symptom, lay_terms)):
            direct = index.contains(phrase)
            if direct or (_stems(phrase).strip() and _stems(phrase) in stems):
                quality = (2 if rank == 0 else 1) if direct else 0
                if best is None or (quality, len(phrase)) > (best[2], len(best[1])):
                    best = (symptom, phrase, quality)
        if best is not None:
            found.append(best)
    # The best kind of match wins ("faint" said outright is light-headedness, not a stem of
    # "fainting"), but a lay word in the question's own words is asked too, not only one found
    # in the expansion: "faint, breathless, or chest pain?" asks three.
    top = max((quality for _, _, quality in found), default=0)
    own = TextIndex(question)
    found = [item for item in found if item[2] == top or (item[2] > 0 and own.contains(item[1]))]
    return [symptom for symptom, phrase, _ in found
            if not any(len(other) > len(phrase) and _stems(phrase) in _stems(other) for _, other, _ in found)]
