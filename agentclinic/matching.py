"""Deterministic diagnosis matching (pure): is the doctor's answer the case's diagnosis?

Names are compared after normalisation (case, accents, punctuation, British spellings),
through the case's synonyms and a synonym/hierarchy graph kept as data
(``data/diagnoses.yaml``, a networkx graph). Loose string similarity is deliberately not
used: "contact dermatitis" shares most of its letters with "atopic dermatitis" and is a
different disease. An answer that names the diagnosis inside a longer phrase counts, unless
it also names one of the case's other answer options (a hedge) or negates it, or the name sits
inside a longer name the vocabulary knows as another condition ("heat stroke" is not a stroke,
"non-Hodgkin lymphoma" not a Hodgkin lymphoma).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .language.names import diagnosis_names
from .paths import data_file
from .terminology import networkx as _nx
from .text import TextIndex, contains_term, normalize
from .validity.answers import AnswerShape, read_answer
from .validity.guard import Mention, TermFinder, non_overlapping
from .yaml_cache import read_yaml

# Severity and acuity words: "aortic stenosis" names the disease of "Severe aortic stenosis".
_QUALIFIERS = frozenset({"acute", "severe", "mild", "moderate", "symptomatic", "significant"})
_NEGATION = re.compile(r"\b(?:not|no|without|rule out|ruled out|unlikely|excluded?)\s+(?:\w+\s+){0,2}$")
# Negation after the name ("pulmonary embolism ruled out"). "unlikely" counts only at the very
# end: in "PE, unlikely pneumonia" it negates what follows (punctuation is gone by then).
_NEGATION_AFTER = re.compile(r"^(?:(?:is|was|has been|been)\s+)?(?:ruled out|excluded|unlikely$)")


@dataclass(frozen=True)
class Verdict:
    """The outcome of a match, with the reason a person can check."""

    verdict: str  # exact | equivalent | narrower | broader | wrong | hedged | none
    reason: str
    matched: str | None = None

    @property
    def correct(self) -> bool:
        return self.verdict in {"exact", "equivalent", "narrower"}


class DiagnosisGraph:
    """Equivalence groups (undirected 'same' edges) and 'is_a' links between diagnoses."""

    def __init__(self, data: dict):
        self.same = _nx().Graph()
        self.is_a = _nx().DiGraph()
        # The written form of each normalised name: abbreviations ("MI", "AS") are matched
        # case-sensitively inside a phrase, so the word "as" or "all" is not one of them.
        self.spelling: dict[str, str] = {}
        for group in data.get("equivalents", []):
            names = [normalize(name) for name in group]
            self.same.add_nodes_from(names)
            self.same.add_edges_from((names[0], other) for other in names[1:])
            for name in group:
                self.spelling.setdefault(normalize(name), name)
        for child, parent in (data.get("is_a") or {}).items():
            self.is_a.add_edge(normalize(child), normalize(parent))
            self.spelling.setdefault(normalize(child), child)
            self.spelling.setdefault(normalize(parent), parent)
        self.opposed = [(normalize(a), normalize(b)) for a, b in data.get("opposed_qualifiers", [])]
        self._finder: TermFinder | None = None

    def conflict(self, predicted: str, correct: str) -> tuple[str, str] | None:
        """A qualifier pair that sets the two names apart, e.g. ('chronic', 'acute')."""
        for a, b in self.opposed:
            for mine, theirs in ((a, b), (b, a)):
                if contains_term(predicted, mine) and contains_term(correct, theirs) \
                        and not contains_term(correct, mine):
                    return mine, theirs
        return None

    def longer_names(self, name: str) -> list[str]:
        """Vocabulary names that contain ``name`` as a phrase: 'heat stroke' for 'stroke'."""
        needle = f" {normalize(name)} "
        return [other for other in self.spelling if other != needle.strip() and needle in f" {other} "]

    def equivalents(self, name: str) -> set[str]:
        key = normalize(name)
        return set(_nx().node_connected_component(self.same, key)) if key in self.same else {key}

    def finder(self) -> TermFinder:
        """Every name the vocabulary knows, for finding conditions in an answer (built once)."""
        if self._finder is None:
            self._finder = TermFinder(self.spelling.values())
        return self._finder

    def related_forms(self, name: str) -> set[str]:
        """Every name that reveals ``name``: its equivalents and all narrower forms with theirs
        ("STEMI" and "inferior STEMI" reveal "myocardial infarction")."""
        forms = self.equivalents(name)
        for node in list(forms):
            if node in self.is_a:
                for child in _nx().ancestors(self.is_a, node):
                    forms |= self.equivalents(child)
        return forms

    def _canonical_nodes(self, names: Iterable[str]) -> set[str]:
        nodes: set[str] = set()
        for name in names:
            nodes |= self.equivalents(name)
        return {node for node in nodes if node in self.is_a}

    def relation(self, predicted: Iterable[str], correct: Iterable[str]) -> str | None:
        """'narrower' if predicted is a kind of correct, 'broader' if the reverse, else None."""
        pred_nodes, correct_nodes = self._canonical_nodes(predicted), self._canonical_nodes(correct)
        for p in pred_nodes:
            for c in correct_nodes:
                if _nx().has_path(self.is_a, p, c):
                    return "narrower"
                if _nx().has_path(self.is_a, c, p):
                    return "broader"
        return None


@lru_cache(maxsize=4)
def load_diagnosis_graph(path: Path | None = None) -> DiagnosisGraph:
    data = read_yaml(path or data_file("diagnoses.yaml"))
    if path is None:  # every language's names join the group of their canonical name
        data["equivalents"] = _with_local_names(data.get("equivalents") or [], diagnosis_names())
    return DiagnosisGraph(data)


def _with_local_names(groups: list[list[str]], local: dict[str, list[str]]) -> list[list[str]]:
    by_name = {normalize(name): group for group in groups for name in group}
    extra: list[list[str]] = []
    for canonical, names in local.items():
        group = by_name.get(normalize(canonical))
        if group is None:
            group = [canonical]
            extra.append(group)
            by_name[normalize(canonical)] = group
        group.extend(name for name in names if name not in group)
    return [*groups, *extra]


def _negated(text: str, term: str) -> bool:
    norm_text, norm_term = f" {normalize(text)} ", f" {normalize(term)} "
    position = norm_text.find(norm_term)
    if position < 0:
        return False
    after = norm_text[position + len(norm_term):].strip()
    return _NEGATION.search(norm_text[: position + 1]) is not None or _NEGATION_AFTER.search(after) is not None


def _names(index: TextIndex, term: str) -> bool:
    """Whether the answer names ``term``, and not only as "non-<term>" (non-Hodgkin lymphoma)."""
    if not index.contains(term):
        return False
    needle = f" {normalize(term)} "
    return needle in index.padded.replace(f" non{needle}", "  ")


def _strip_qualifiers(text: str) -> str:
    return " ".join(word for word in normalize(text).split() if word not in _QUALIFIERS)


def _without_qualifier(said: str, correct: str, distractors: Sequence[str]) -> Verdict | None:
    """Accept the answer without a severity word, unless that also names another option."""
    if said != _strip_qualifiers(correct) or said == normalize(correct):
        return None
    if any(_strip_qualifiers(d) == said for d in distractors):
        return None
    return Verdict("equivalent", f"names {correct!r} without its severity or acuity qualifier", correct)


def match(
    predicted: str | None,
    correct: str,
    synonyms: Sequence[str] = (),
    distractors: Sequence[str] = (),
    graph: DiagnosisGraph | None = None,
) -> Verdict:
    """Judge ``predicted`` against ``correct`` (with its ``synonyms``).

    The answer's shape is read first (:mod:`agentclinic.validity.answers`): an answer that
    offers several conditions is ``hedged`` and never credited; two conditions linked as
    cause and effect are credited when one is the diagnosis and the other is not one of
    ``distractors`` (the case's other answer options); one condition is compared by name.
    """
    if not predicted or not normalize(predicted):
        return Verdict("none", "no diagnosis was given")
    if graph is None:  # the bundled vocabulary: the same answers are judged again and again
        return _match_bundled(predicted, correct, tuple(synonyms), tuple(distractors))
    return _match(predicted, correct, synonyms, distractors, graph)


@lru_cache(maxsize=16_384)
def _match_bundled(predicted: str, correct: str, synonyms: tuple[str, ...], distractors: tuple[str, ...]) -> Verdict:
    return _match(predicted, correct, synonyms, distractors, load_diagnosis_graph())


def _match(predicted: str, correct: str, synonyms: Sequence[str], distractors: Sequence[str],
           graph: DiagnosisGraph) -> Verdict:
    case = _CaseNames(graph, correct, synonyms, distractors)
    shape = read_answer(predicted, case.mentions, case.same)
    if shape.kind == "empty":
        return Verdict("none", shape.reason)
    if shape.kind == "hedged":
        return Verdict("hedged", f"a final diagnosis names one condition; this answer {shape.reason}")
    if shape.kind == "negation":
        negated = [term for term in shape.excluded if case.is_correct(term)]
        return Verdict("wrong", f"the answer negates {negated[0]!r}" if negated else shape.reason)
    if shape.kind == "linked":
        return _linked(shape, correct, synonyms, distractors, graph)
    verdict = _match_name(shape.parts[0], correct, synonyms, distractors, graph)
    if shape.excluded and verdict.verdict == "exact":  # "PE, not pneumonia" is more than the name
        return Verdict("equivalent", f"the answer names {verdict.matched!r} and rules out "
                                     f"{', '.join(map(repr, shape.excluded))}", verdict.matched)
    return verdict


def _linked(shape: AnswerShape, correct: str, synonyms: Sequence[str], distractors: Sequence[str],
            graph: DiagnosisGraph) -> Verdict:
    """Two linked conditions: both are asserted, so one must be the diagnosis and neither an
    alternative the case rules against."""
    verdicts = [_match_name(part, correct, synonyms, distractors, graph) for part in shape.parts]
    right = [v for v in verdicts if v.correct]
    rivals = [part for part, v in zip(shape.parts, verdicts) if not v.correct
              and any(_match_name(part, d, (), (), graph).correct for d in distractors)]
    if right and rivals:
        return Verdict("hedged", f"the answer {shape.reason}, and {rivals[0]!r} is one of the case's "
                                 "alternative diagnoses")
    if right:
        return Verdict(right[0].verdict, f"the answer {shape.reason}; {right[0].reason}", right[0].matched)
    if any(v.verdict == "broader" for v in verdicts):
        return Verdict("broader", f"the answer {shape.reason}; neither is as specific as {correct!r}")
    return Verdict("wrong", f"the answer {shape.reason}; neither is {correct!r}")


_ITEM_BREAK = re.compile(r"[,;，、；]")


class _CaseNames:
    """The names an answer is read with: the vocabulary's and the case's own."""

    def __init__(self, graph: DiagnosisGraph, correct: str, synonyms: Sequence[str], distractors: Sequence[str]):
        self.graph = graph
        self.correct = set().union(*(graph.equivalents(n) for n in [correct, *synonyms]))
        self.groups = [self.correct] + [graph.equivalents(d) for d in distractors]
        self.finder = TermFinder([correct, *synonyms, *distractors])

    def mentions(self, text: str) -> list[Mention]:
        # A name is read within one list item: "Bacterial meningitis, viral meningitis excluded"
        # does not name the Spanish "meningitis viral" across its comma.
        found = self.finder.mentions(text) + self.graph.finder().mentions(text)
        return non_overlapping(m for m in found if not _ITEM_BREAK.search(text[m.start:m.end]))

    def is_correct(self, name: str) -> bool:
        return bool(self.graph.equivalents(name) & self.correct)

    def same(self, a: str, b: str) -> bool:
        ea, eb = self.graph.equivalents(a), self.graph.equivalents(b)
        if ea & eb or any(ea & group and eb & group for group in self.groups):
            return True
        return self.graph.relation([a], [b]) is not None


def match_name(predicted: str, correct: str, synonyms: Sequence[str] = (), distractors: Sequence[str] = (),
               graph: DiagnosisGraph | None = None) -> Verdict:
    """One condition's name against the diagnosis (no reading of the answer's shape): names,
    synonyms, the graph, qualifiers. For comparing names that are known to be single, such
    as answer options."""
    return _match_name(predicted, correct, synonyms, distractors, graph or load_diagnosis_graph())


def _match_name(predicted: str, correct: str, synonyms: Sequence[str], distractors: Sequence[str],
                graph: DiagnosisGraph) -> Verdict:
    """One named condition against the diagnosis: names, synonyms, the graph, qualifiers."""
    terms = {normalize(correct): correct}
    for name in [correct, *synonyms]:
        for equivalent in graph.equivalents(name):
            terms.setdefault(equivalent, name)
        terms.setdefault(normalize(name), name)
    said = normalize(predicted)
    # The vocabulary's own hierarchy outranks a qualifier clash: an "acute exacerbation of COPD"
    # is a form of "chronic obstructive pulmonary disease".
    if (conflict := graph.conflict(predicted, correct)) \
            and graph.relation([predicted], [correct, *synonyms]) != "narrower":
        return Verdict("wrong", f"the answer says {conflict[0]!r} where the diagnosis is {conflict[1]!r}")
    if said == normalize(correct):
        return Verdict("exact", "same name as the case diagnosis", correct)
    if said in terms:
        return Verdict("equivalent", f"{predicted!r} is a synonym of {correct!r}", terms[said])
    # The answer is one of the case's own wrong options ("effusive-constrictive pericarditis"
    # beside "constrictive pericarditis"): it names that option, not the diagnosis.
    if any(said in graph.equivalents(option) for option in distractors):
        return Verdict("wrong", f"{predicted!r} is one of the case's alternative diagnoses")

    # Terms are looked for as written, so an abbreviation keeps its case ("MI", not the word "mi").
    spelled = {normalize(name): name for name in [correct, *synonyms]}
    index = TextIndex(predicted)
    hits = [term for term in terms if _names(index, spelled.get(term) or graph.spelling.get(term, term))]
    # A hit inside a longer name the vocabulary knows as another condition is that condition:
    # "heat stroke" does not name "stroke"; "inferior STEMI" (a kind of STEMI) still names it.
    shadow = {term: other for term in hits for other in graph.longer_names(term)
              if other not in terms and _names(index, graph.spelling[other])
              and graph.relation([other], [correct, *synonyms]) != "narrower"}
    hits = [term for term in hits if term not in shadow]
    if hits:
        term = max(hits, key=len)
        if _negated(predicted, term):
            return Verdict("wrong", f"the answer negates {term!r}")
        # A rival is a distractor named by any of its vocabulary synonyms ("PE" for "Pulmonary
        # embolism"), unless the answer names it only inside the diagnosis or rules it out.
        rivals = [alias for d in distractors
                  for alias in dict.fromkeys([d, *(graph.spelling.get(n, n) for n in graph.equivalents(d))])
                  if normalize(alias) not in terms and _names(index, alias)
                  and f" {normalize(alias)} " not in f" {term} " and not _negated(predicted, alias)]
        if rivals:
            return Verdict("hedged", f"the answer hedges between {term!r} and {rivals[0]!r}")
        if graph.relation([predicted], [correct, *synonyms]) == "narrower":
            return Verdict("narrower", f"{predicted!r} is a more specific form of {correct!r}", correct)
        return Verdict("equivalent", f"the answer names {term!r}", terms[term])

    if (qualified := _without_qualifier(said, correct, distractors)) is not None:
        return qualified
    relation = graph.relation([predicted], [correct, *synonyms])
    if relation == "narrower":
        return Verdict("narrower", f"{predicted!r} is a more specific form of {correct!r}", correct)
    if relation == "broader":
        return Verdict("broader", f"{predicted!r} is broader than {correct!r}")
    if shadow:
        return Verdict("wrong", f"{next(iter(shadow.values()))!r} in the answer is a different condition "
                                f"from {correct!r}")
    return Verdict("wrong", f"{predicted!r} does not match {correct!r} or its synonyms")
