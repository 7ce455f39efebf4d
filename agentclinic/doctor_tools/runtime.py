"""A run's doctor tools: the shared retriever, the notebook chains and the experience source.

The runner asks :meth:`ToolRuntime.prepare` for each episode's :class:`~.context.ToolContext`
before the doctor is built, and calls :meth:`ToolRuntime.finish` (or :meth:`abandon`) when
the episode ends, so notes are written in the order :mod:`.notebook` defines.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..validity.guard import TermFinder, guard_for
from .context import EpisodeFeedback, NoteDraft, ToolContext
from .events import ToolEvent, emit
from .experience import PastEpisode, choose, render
from .filtering import without_mentions
from .notebook import Note, NotebookChain, cap_note
from .retrieval import DEFAULT_TOP_K, Retriever, open_retriever
from .selection import Condition


@dataclass(frozen=True)
class Slot:
    """Where an episode sits among its doctor's notes: its chain and its position in it."""

    chain: str
    position: int


@dataclass
class ToolSettings:
    """The run-level settings of the tools (from CLI flags or keyword arguments)."""

    rag_corpus: str | None = None  # a folder of .md/.txt files; None: the bundled condition summaries
    rag_retriever: str = "bm25"
    rag_top_k: int = DEFAULT_TOP_K
    experience_run: int | None = None
    experience_rule: str = "similar"


@dataclass
class ToolRuntime:
    settings: ToolSettings
    store: Any = None  # the run's Store (notes and past episodes live there)
    run_id: int | None = None
    seed: int = 0
    chains: dict[str, NotebookChain] = field(default_factory=dict)
    slots: dict[int, Slot] = field(default_factory=dict)  # plan index -> notebook slot
    _retriever: Retriever | None = None
    _past: list[PastEpisode] | None = None

    def retriever(self) -> Retriever:
        if self._retriever is None:
            self._retriever = open_retriever(self.settings.rag_corpus, self.settings.rag_retriever)
        return self._retriever

    def slot(self, index: int) -> Slot | None:
        """The notebook slot of the plan's ``index``-th episode (None without the notebook)."""
        return self.slots.get(index)

    # ---- an episode ------------------------------------------------------------------------
    async def prepare(self, condition: Condition, scenario, objective: str, slot: Slot | None) -> ToolContext:
        """The tools of one episode of ``scenario`` (its guard keeps the answer out of notes and examples)."""
        context = ToolContext(condition, top_k=self.settings.rag_top_k)
        if not condition:
            return context
        guard = guard_for(scenario.diagnosis.name, tuple(scenario.diagnosis.synonyms))
        if "rag" in condition:
            context.retriever = self.retriever()
        if "notebook" in condition and slot is not None:
            context.note = await self._read_note(slot, guard)
        if "experience" in condition:
            context.experience = self._example(scenario, objective, guard)
        return context

    async def finish(self, slot: Slot | None, doctor: Any, feedback: EpisodeFeedback, episode_id: int,
                     condition: Condition) -> None:
        """After an episode: its doctor rewrites the notebook (in chain order)."""
        if slot is None or "notebook" not in condition:
            return
        chain = self.chains[slot.chain]
        try:
            await chain.write(slot.position, lambda previous: self._rewrite(doctor, previous, feedback, slot,
                                                                             episode_id), episode_id or None)
        finally:
            chain.settle(slot.position)

    def abandon(self, slot: Slot | None) -> None:
        """An episode that failed writes no note; later ones go on with the one before."""
        if slot is not None and slot.chain in self.chains:
            self.chains[slot.chain].settle(slot.position)

    # ---- notebook --------------------------------------------------------------------------
    async def _read_note(self, slot: Slot, guard: TermFinder) -> str | None:
        note = await self.chains[slot.chain].read(slot.position)
        if note is None:
            emit(ToolEvent("notebook-read", output="", detail={"version": None, "chain": slot.chain}))
            return None
        text, dropped = without_mentions(note.text, guard)
        emit(ToolEvent("notebook-read", output=text, detail={
            "version": note.position + 1, "written_by_episode": note.episode_id, "chain": slot.chain,
            "sentences_withheld": dropped}))
        return text or None

    async def _rewrite(self, doctor: Any, previous: Note | None, feedback: EpisodeFeedback, slot: Slot,
                       episode_id: int) -> str | None:
        writer: Callable | None = getattr(doctor, "write_note", None)
        if writer is None:
            return None
        written = await writer(previous.text if previous else None, feedback)
        if written is None:
            return None
        draft = written if isinstance(written, NoteDraft) else NoteDraft(str(written))
        text, truncated = cap_note(draft.text)
        if self.store is not None and self.run_id is not None:
            from ..store.tool_log import save_note

            save_note(self.store, self.run_id, slot.chain, slot.position, episode_id, text, truncated)
        emit(ToolEvent("notebook-write", input=previous.text if previous else "", output=text, detail={
            "version": slot.position + 1, "chain": slot.chain, "truncated": truncated,
            "characters_written": len(draft.text.strip())}, turn=feedback.turns, **draft.usage))
        return text

    # ---- experience ------------------------------------------------------------------------
    def _example(self, scenario, objective: str, guard: TermFinder) -> str | None:
        chosen = choose(self.past_episodes(), scenario_id=scenario.id, objective=objective,
                        same_answer=lambda name: bool(guard.find(name)), rule=self.settings.experience_rule,
                        seed=self.seed)
        if chosen is None:
            emit(ToolEvent("experience", detail={"episode_id": None, "rule": self.settings.experience_rule,
                                                 "source_run": self.settings.experience_run}))
            return None
        text, dropped = without_mentions(render(chosen), guard)
        emit(ToolEvent("experience", output=text, detail={
            "episode_id": chosen.episode_id, "scenario_id": chosen.scenario_id, "rule": self.settings.experience_rule,
            "source_run": self.settings.experience_run, "sentences_withheld": dropped}))
        return text

    def past_episodes(self) -> list[PastEpisode]:
        """The correct episodes of the experience run (read once)."""
        if self._past is None:
            self._past = load_past_episodes(self.store, self.settings.experience_run)
        return self._past


def load_past_episodes(store: Any, run_id: int | None) -> list[PastEpisode]:
    if store is None or run_id is None:
        raise ValueError("the experience tool needs --experience-run RUN_ID: a finished run whose correct "
                         "episodes serve as worked examples (e.g. a run of the same doctor without tools)")
    if store.run(run_id) is None:
        raise ValueError(f"--experience-run {run_id}: no such run in {store.url}; see `agentclinic runs list`")
    rows = [row for row in store.episodes(run_id, status="completed") if row.correct]
    turns = store.turns_of([row.id for row in rows])
    past = []
    for row in rows:
        logged = turns.get(row.id, [])
        opening = logged[0].text.splitlines()[0] if logged else row.scenario_title
        transcript = tuple((t.speaker, t.text) for t in logged[1:] if t.speaker != "system")
        past.append(PastEpisode(row.id, row.scenario_id, row.correct_diagnosis, opening, transcript))
    return past


def chain_key(condition_label: str, persona_label: str | None, swap: str | None) -> str:
    """The notebook chain of a doctor condition: its tools, persona and swap."""
    return " · ".join(part for part in (condition_label, persona_label, swap) if part)
