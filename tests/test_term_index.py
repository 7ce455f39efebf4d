"""TermIndex never leaves out a term that TextIndex.contains accepts (so skipping the rest is safe)."""

from __future__ import annotations

import random

from agentclinic.text import TermIndex, TextIndex
from agentclinic.validity.topics import load_topics


def _every_cue() -> list[str]:
    data = load_topics()
    cues = [cue for cues in data["topics"].values() for cue in cues]
    lay = data.get("lay_terms", {})
    return cues + list(lay) + [word for words in lay.values() for word in words]


def test_candidates_hold_every_term_the_text_contains():
    terms = _every_cue() + ["MI", "AF", "Graves' disease", "x-ray", "胸痛", "dolor de pecho", "  "]
    index = TermIndex(terms)
    rng = random.Random(18)
    pieces = ["Do you", "have any", "since when", "Tell me about", "the", "and", "?", "!", "'s"]
    hits = 0
    for _ in range(600):
        words = rng.sample(terms, 3) + rng.sample(pieces, 3)
        rng.shuffle(words)
        text = " ".join(words)
        text = text.upper() if rng.random() < 0.1 else text
        found = {t for t in terms if TextIndex(text).contains(t)}
        assert found <= index.candidates(TextIndex(text)), text
        hits += len(found)
    assert hits > 600


def test_candidates_leave_out_terms_whose_first_word_is_absent():
    index = TermIndex(["chest pain", "pain", "fever", "MI"])
    assert index.candidates(TextIndex("Any chest pain?")) == {"chest pain", "pain", "MI"}
