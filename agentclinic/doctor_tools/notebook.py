"""The doctor's notebook: a note of at most 1,000 characters, rewritten after each episode.

Notes belong to one run and one doctor condition (the same tools, persona and swap): a
*chain*. Within a chain, episodes are numbered by their order in the run's plan (their
*position*), and the order of reading and writing is defined by positions, not by timing:

- episode ``p`` reads the note written by the latest episode at a position ``<= p - c``
  (``c`` = ``--concurrency``; with ``c = 1`` that is the episode just before it);
- when it ends, it rewrites the note left by the latest episode before it (position ``< p``),
  waiting for those episodes to finish first.

So a run gives the same notes whatever the timing, and a resumed run continues from the
notes its finished episodes wrote. An episode that fails writes nothing: the note carries
over. The note is capped at :data:`NOTE_CHARS` characters (cut at a word), and what the
doctor reads passes the case's guard (see :mod:`.filtering`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

NOTE_CHARS = 1000


def cap_note(text: str) -> tuple[str, bool]:
    """``text`` within :data:`NOTE_CHARS` characters (cut at a word boundary) and whether it was cut."""
    text = text.strip()
    if len(text) <= NOTE_CHARS:
        return text, False
    cut = text[:NOTE_CHARS]
    space = cut.rfind(" ")
    return (cut[:space] if space > NOTE_CHARS // 2 else cut).rstrip(), True


@dataclass(frozen=True)
class Note:
    position: int
    text: str
    episode_id: int | None = None


class NotebookChain:
    """The notes of one chain and the order in which its episodes read and write them."""

    def __init__(self, positions: int, lag: int, notes: dict[int, Note] | None = None,
                 settled: set[int] | None = None):
        self.lag = max(1, lag)
        self.notes: dict[int, Note] = dict(notes or {})
        self._events = [asyncio.Event() for _ in range(positions)]
        for position in settled or ():
            self._events[position].set()

    def settle(self, position: int) -> None:
        """Mark ``position`` finished (with or without a note): later episodes may go on."""
        self._events[position].set()

    async def _wait_through(self, last: int) -> None:
        for event in self._events[:max(last + 1, 0)]:
            await event.wait()

    def _latest(self, last: int) -> Note | None:
        earlier = [p for p in self.notes if p <= last]
        return self.notes[max(earlier)] if earlier else None

    async def read(self, position: int) -> Note | None:
        """The note episode ``position`` starts with (see the module doc)."""
        await self._wait_through(position - self.lag)
        return self._latest(position - self.lag)

    async def write(self, position: int, rewrite: Callable[[Note | None], Awaitable[str | None]],
                    episode_id: int | None = None) -> Note | None:
        """Wait for the episodes before ``position``, then keep ``rewrite(previous note)`` as its version."""
        await self._wait_through(position - 1)
        text = await rewrite(self._latest(position - 1))
        if text is None:
            return None
        note = Note(position, text, episode_id)
        self.notes[position] = note
        return note
