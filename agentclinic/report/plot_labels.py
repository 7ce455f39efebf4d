"""Short labels for the report's figures: condition keys (A, B, …), wrapped names, shared points.

Condition names ("baseline · doctor:confirmation · tools:rag · 20 turns") are too long for a
figure's axis. Cutting them short made different conditions read the same, and writing them
beside the points of a scatter overprinted them where conditions shared a point. Instead each
condition gets a key, shown in the report's accuracy table and on the figures; nearby points
share one label that lists their keys.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from string import ascii_uppercase


def condition_key(index: int) -> str:
    """The key of the ``index``-th condition: A … Z, then AA, AB, … (spreadsheet columns)."""
    if index < 0:
        raise ValueError(f"index must be >= 0, got {index}")
    key = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        key = ascii_uppercase[rest] + key
    return key


def condition_keys(summary: dict) -> dict[str, str]:
    """Condition label -> key, in the order of ``summary["conditions"]`` (the table's order)."""
    return {row["label"]: condition_key(index) for index, row in enumerate(summary["conditions"])}


def _pieces(label: str) -> list[str]:
    """Where a label may break: after " · " between its parts and after "+" inside one
    ("doctor:confirmation+patient:self_diagnosis"); a piece ending in "+" joins the next
    without a space."""
    pieces = []
    parts = label.split(" · ")
    for index, part in enumerate(parts):
        words = part.split("+")
        pieces += [word + "+" for word in words[:-1]]
        pieces.append(words[-1] + (" ·" if index < len(parts) - 1 else ""))
    return pieces


def wrap_label(label: str, width: int = 34, lines: int = 3) -> str:
    """``label`` over at most ``lines`` lines of about ``width`` characters, broken after " · "
    or "+" (inside a piece too long for a line only where it must).

    Only a label longer than all its lines together is cut (its end marked "…"): callers put
    the condition's key in front, so two cut labels still read differently.
    """
    wrapped: list[str] = []
    for piece in _pieces(label):
        joint = "" if wrapped and wrapped[-1].endswith("+") else " "
        if wrapped and len(wrapped[-1]) + len(joint) + len(piece) <= width:
            wrapped[-1] += joint + piece
        else:
            wrapped += textwrap.wrap(piece, width, break_on_hyphens=False) or [piece]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = wrapped[-1][: width - 1].rstrip() + "…"
    return "\n".join(wrapped)


@dataclass(frozen=True)
class PointLabel:
    """One label on a scatter: where it goes and the keys of the conditions it stands for."""

    x: float
    y: float
    keys: tuple[str, ...]

    @property
    def text(self) -> str:
        # Four keys a line keeps a label of many coinciding conditions narrow.
        return "\n".join(", ".join(self.keys[i:i + 4]) for i in range(0, len(self.keys), 4))


def point_labels(points: Sequence[tuple[float, float]], keys: Sequence[str], spans: tuple[float, float],
                 near: float = 0.05) -> list[PointLabel]:
    """One label per group of points closer than ``near`` of the axes' ``spans`` (x, y) on both axes.

    Points are grouped greedily, in order; a group's label sits at its first point. Equal
    points always share a label, so labels of coinciding conditions cannot overprint.
    """
    if len(points) != len(keys):
        raise ValueError("one key per point")
    span_x, span_y = (abs(span) or 1.0 for span in spans)
    groups: list[tuple[tuple[float, float], list[str]]] = []
    for (x, y), key in zip(points, keys):
        for anchor, members in groups:
            if abs(x - anchor[0]) <= near * span_x and abs(y - anchor[1]) <= near * span_y:
                members.append(key)
                break
        else:
            groups.append(((x, y), [key]))
    return [PointLabel(anchor[0], anchor[1], tuple(members)) for anchor, members in groups]
