"""The guard's prefix index finds exactly what searching every pattern finds (no-leak holds)."""

from __future__ import annotations

import random

from agentclinic.loader import load_pack
from agentclinic.matching import load_diagnosis_graph
from agentclinic.validity.guard import Mention, TermFinder, non_overlapping, _Stream
from agentclinic.validity.prefix_index import PrefixIndex


def _brute_force(finder: TermFinder, text: str) -> list[Mention]:
    stream = _Stream(text)
    return non_overlapping((Mention(p.term, s, e) for p in finder.patterns for s, e in stream.spans(p)), union=True)


def _variants(term: str, rng: random.Random) -> list[str]:
    spaced = " ".join(term)  # letters spread out
    dotted = ".".join(term.split())
    return [term, term.upper(), term.lower(), spaced, dotted, term + "'s", term.replace("e", "é"),
            term[: max(1, len(term) // 2)] + "\u200b" + term[max(1, len(term) // 2):], rng.choice(term.split() or [term])]


def _texts(rng: random.Random, terms: list[str], prose: list[str], count: int) -> list[str]:
    texts = []
    for _ in range(count):
        pieces = rng.sample(prose, k=2)
        for term in rng.sample(terms, k=3):
            pieces.insert(rng.randrange(len(pieces) + 1), rng.choice(_variants(term, rng)))
        texts.append(" ".join(pieces))
    return texts


def test_indexed_search_equals_searching_every_pattern():
    graph = load_diagnosis_graph()
    terms = sorted(graph.spelling.values())
    finder = graph.finder()
    pack = load_pack("core")
    prose = [s.patient.history_of_present_illness for s in pack.scenarios] + [s.title for s in pack.scenarios]
    rng = random.Random(18)
    texts = _texts(rng, terms, prose, 400) + ["", "a", "MI", "dka", "D K A", "to a", "Tb", "T.B."]
    found_any = 0
    for text in texts:
        fast, slow = finder.mentions(text), _brute_force(finder, text)
        assert fast == slow, text
        found_any += bool(fast)
    assert found_any > 300  # the texts do mention terms, so the comparison means something


def test_every_term_is_found_in_itself_and_short_terms_are_never_skipped():
    graph = load_diagnosis_graph()
    finder = graph.finder()
    for pattern in finder.patterns:  # terms with one folded form are found as one of them
        text = f"They said {pattern.term} today."
        assert finder.mentions(text) and finder.mentions(text) == _brute_force(finder, text), pattern.term
    short = TermFinder(["MI", "TB", "cancer"])
    assert short.find("a TB test") == ["TB"] and short.find("an MI") == ["MI"]


def test_candidates_keep_the_patterns_order():
    finder = TermFinder(["heart failure", "heart", "failure"])
    index = PrefixIndex(finder.patterns)
    stream = _Stream("heart failure")
    assert [p.term for p in index.candidates(stream.folded, stream.cased)] == ["heart failure", "heart", "failure"]


def test_a_copied_finder_finds_the_same():
    import copy
    import pickle

    finder = TermFinder(["heart failure", "heart", "MI", "failure"])
    text = "Heart failure after an MI"
    for twin in (copy.deepcopy(finder), pickle.loads(pickle.dumps(finder))):
        assert twin.mentions(text) == finder.mentions(text) and twin.mentions(text)
