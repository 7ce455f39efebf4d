"""Keeping the current case's diagnosis out of what tools show the doctor.

A note written after an earlier episode, or a worked example from another case, may name
this case's diagnosis (a second trial of the same case, a differential). Such sentences are
dropped whole, silently: a placeholder would tell the doctor where its answer was.
"""

from __future__ import annotations

import re

from ..validity.guard import TermFinder

_SENTENCES = re.compile(r"(?<=[.!?;])\s+|\n+")


def without_mentions(text: str, guard: TermFinder) -> tuple[str, int]:
    """``text`` without the sentences that mention a guarded term, and how many were dropped."""
    kept, dropped = [], 0
    for line in text.splitlines():
        pieces = [piece for piece in _SENTENCES.split(line) if piece.strip()]
        clean = [piece for piece in pieces if not guard.find(piece)]
        dropped += len(pieces) - len(clean)
        if clean or not pieces:
            kept.append(" ".join(clean))
    return "\n".join(kept).strip(), dropped
