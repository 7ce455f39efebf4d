"""The notebook's order: defined by plan positions, not by timing; the cap is enforced."""

from __future__ import annotations

import asyncio
import random

from agentclinic.doctor_tools.notebook import NOTE_CHARS, NotebookChain, cap_note


def test_the_cap_cuts_at_a_word_and_says_so():
    text, cut = cap_note("word " * 400)
    assert cut and len(text) <= NOTE_CHARS and not text.endswith(" ") and text.endswith("word")
    assert cap_note("  short note  ") == ("short note", False)
    assert len(cap_note("x" * 5000)[0]) == NOTE_CHARS  # no space to cut at: a hard cut


async def _episode(chain: NotebookChain, position: int, log: list, delay: float) -> None:
    note = await chain.read(position)
    log.append(("read", position, note.position if note else None))
    await asyncio.sleep(delay)

    async def rewrite(previous):
        return f"{previous.text if previous else ''}|{position}"

    await chain.write(position, rewrite)
    chain.settle(position)


def _run(lag: int, seed: int) -> tuple[dict, list]:
    rng = random.Random(seed)

    async def main():
        chain, log = NotebookChain(8, lag), []
        # Episodes start in plan order (as the runner's workers take them) but take random times.
        pending = set()
        for position in range(8):
            while len(pending) >= lag:
                _, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            pending.add(asyncio.ensure_future(_episode(chain, position, log, rng.random() / 100)))
        await asyncio.gather(*pending)
        return {p: n.text for p, n in chain.notes.items()}, sorted(e for e in log if e[0] == "read")

    return asyncio.run(main())


def test_with_one_at_a_time_each_episode_reads_the_one_before():
    notes, reads = _run(lag=1, seed=0)
    assert [r[2] for r in reads] == [None, 0, 1, 2, 3, 4, 5, 6]
    assert notes[7] == "|0|1|2|3|4|5|6|7"  # each rewrite starts from the previous note


def test_with_concurrency_the_notes_are_the_same_whatever_the_timing():
    first, reads = _run(lag=3, seed=1)
    for seed in range(2, 6):
        assert _run(lag=3, seed=seed) == (first, reads)
    # Episode p reads the note of episode p - 3; writes still chain in plan order.
    assert [r[2] for r in reads] == [None, None, None, 0, 1, 2, 3, 4]
    assert first[7] == "|0|1|2|3|4|5|6|7"


def test_a_failed_episode_writes_nothing_and_the_note_carries_over():
    async def main():
        chain = NotebookChain(3, 1)

        async def rewrite(previous):
            return "first"

        await chain.write(0, rewrite)
        chain.settle(0)
        chain.settle(1)  # failed: no note
        return await chain.read(2)

    note = asyncio.run(main())
    assert note is not None and note.position == 0 and note.text == "first"


def test_a_resumed_chain_starts_from_the_stored_notes():
    from agentclinic.doctor_tools.notebook import Note

    async def main():
        chain = NotebookChain(4, 1, {0: Note(0, "a"), 1: Note(1, "b")}, settled={0, 1})
        return await asyncio.wait_for(chain.read(2), 1)

    assert asyncio.run(main()).text == "b"
