"""Doctor tools for the rule-based doctor: retrieval to rank candidates, a notebook of misses.

- ``rag``: before diagnosing, it searches the corpus with everything it heard (negated
  clauses left out) and adds :data:`RAG_WEIGHT` x (score / best score) to each candidate a
  retrieved passage is about (by title, alias or known synonym). Without answer options the
  retrieved conditions become candidates too.
- ``notebook``: after a wrong diagnosis it writes ``Missed: <right answer> (I said <its
  answer>).``, newest last, oldest dropped past the cap. Reading it, a missed diagnosis joins
  the candidates and gains :data:`NOTE_WEIGHT` when any of its features was heard.

The weights were set once, from what the scores mean (a feature weighs 1–3), not fitted to a
pack.
"""

from __future__ import annotations

import re

from ..doctor_tools.context import EpisodeFeedback, ToolContext
from ..doctor_tools.notebook import NOTE_CHARS
from ..matching import load_diagnosis_graph
from ..text import normalize

RAG_WEIGHT = 3.0
RAG_TOP_K = 10
RAG_QUERY_CHARS = 4000  # its query is what it heard, not a model's short search
NOTE_WEIGHT = 1.0
_MISSED = re.compile(r"^Missed: (?P<name>.+?) \(I said .*\)\.?$")


def _names(name: str) -> set[str]:
    """A condition's name in every spelling the vocabulary knows (normalised)."""
    return load_diagnosis_graph().equivalents(name) | {normalize(name)}


class BaselineTools:
    def __init__(self, context: ToolContext):
        self.context = context
        note = context.note or ""
        self.missed = [m.group("name") for line in note.splitlines() if (m := _MISSED.match(line.strip()))]
        self.retrieved: dict[str, float] = {}  # condition title -> share of the best score
        self.aliases: dict[str, tuple[str, ...]] = {}  # condition title -> its passage's aliases

    def extend(self, options: list[str], clauses: list[str], turn: int, *, multiple_choice: bool) -> list[str]:
        """The candidates, with retrieved and previously missed conditions added (without options)."""
        names = list(options)
        if self.context.uses("rag") and clauses:
            hits = self.context.search(" | ".join(clauses), turn, k=RAG_TOP_K, limit=RAG_QUERY_CHARS)
            best = hits[0].score if hits else 0.0
            for hit in hits:
                self.retrieved.setdefault(hit.passage.title, hit.score / best if best else 0.0)
                self.aliases.setdefault(hit.passage.title, hit.passage.aliases)
        if not multiple_choice:
            known = set().union(*(_names(n) for n in names)) if names else set()
            for extra in [*self.retrieved, *(self.missed if self.context.uses("notebook") else [])]:
                if not _names(extra) & known:
                    names.append(extra)
                    known |= _names(extra)
        return names

    def adjust(self, scores: dict[str, float]) -> dict[str, float]:
        adjusted = dict(scores)
        for option in scores:
            spellings = _names(option)
            for title, share in self.retrieved.items():
                titles = _names(title).union(*(_names(a) for a in self.aliases.get(title, ())))
                if spellings & titles:
                    adjusted[option] += RAG_WEIGHT * share
                    break
            if self.context.uses("notebook") and scores[option] > 0 and any(
                    spellings & _names(name) for name in self.missed):
                adjusted[option] += NOTE_WEIGHT
        return adjusted

    def write_note(self, previous: str | None, feedback: EpisodeFeedback) -> str:
        lines = [line for line in (previous or "").splitlines() if line.strip()]
        if not feedback.correct:
            entry = f"Missed: {feedback.correct_diagnosis} (I said {feedback.diagnosis or 'nothing'})."
            lines = [line for line in lines if line != entry] + [entry]
        while lines and len("\n".join(lines)) > NOTE_CHARS:
            lines.pop(0)  # the oldest miss goes first
        return "\n".join(lines)
