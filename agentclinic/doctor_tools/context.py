"""What one episode's doctor gets from its tools (built by :class:`.runtime.ToolRuntime`)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from .events import ToolEvent, emit
from .retrieval import DEFAULT_TOP_K, Hit, Retriever, format_hits
from .selection import Condition

MAX_SEARCHES = 6  # per episode: retrieval is a help, not a way to stall
MAX_SEARCHES_PER_TURN = 2
QUERY_CHARS = 300


@dataclass
class EpisodeFeedback:
    """How an episode ended, told to the doctor when it rewrites its notebook (never before)."""

    diagnosis: str | None
    correct_diagnosis: str
    correct: bool
    turns: int = 0  # doctor turns the episode took (the note is written after the last)


@dataclass(frozen=True)
class NoteDraft:
    """A rewritten note with what writing it cost (a model doctor's; the baseline's is free)."""

    text: str
    usage: dict = field(default_factory=dict)  # input_tokens, output_tokens, cost_usd, latency_ms


@dataclass
class ToolContext:
    """The tools of one episode: which are on, the retriever, the note and the example to read."""

    condition: Condition = ()
    retriever: Retriever | None = None
    note: str | None = None  # the notebook as this episode reads it (already filtered for the case)
    experience: str | None = None  # the worked example (already filtered for the case)
    top_k: int = DEFAULT_TOP_K
    searches_by_turn: dict[int, int] = field(default_factory=dict)

    @property
    def searches(self) -> int:
        return sum(self.searches_by_turn.values())

    def uses(self, tool: str) -> bool:
        return tool in self.condition

    def may_search(self, turn: int) -> bool:
        return (self.retriever is not None and self.searches < MAX_SEARCHES
                and self.searches_by_turn.get(turn, 0) < MAX_SEARCHES_PER_TURN)

    def search(self, query: str, turn: int, k: int | None = None, limit: int = QUERY_CHARS) -> list[Hit]:
        """Search the corpus and log it (query, passage ids, scores) as a ``rag`` tool event;
        the query is cut to ``limit`` characters."""
        if self.retriever is None:
            raise RuntimeError("retrieval is not among this doctor's tools")
        query = " ".join(str(query).split())[:limit]
        started = time.perf_counter()
        hits = self.retriever.search(query, k or self.top_k)
        self.searches_by_turn[turn] = self.searches_by_turn.get(turn, 0) + 1
        emit(ToolEvent("rag", input=query, output=format_hits(hits), turn=turn,
                       latency_ms=round((time.perf_counter() - started) * 1000, 3),
                       detail={"passages": [h.passage.id for h in hits], "scores": [round(h.score, 4) for h in hits],
                               "corpus": self.retriever.digest[:12]}))
        return hits
