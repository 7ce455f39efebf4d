"""What the log browser's tables say, and how they fit the terminal's width.

Identifying columns (run id, case id) and short fixed ones keep their full width; the free-text
columns (doctor, pack, condition, diagnosis) share what is left and are cut by cells with '…',
so an 80-column terminal shows every column of both tables.
"""

from __future__ import annotations

from collections import defaultdict

from rich.cells import cell_len
from sqlalchemy import func
from sqlmodel import Session, select

from ..printable import printable
from ..store import Episode, Store

CELL_PADDING = 1  # DataTable's default: one cell each side of a column
SCROLLBAR = 2  # the vertical scrollbar's width, reserved so a long table still fits
MIN_FREE = 6  # the least a free-text column is cut to ('base…')


def outcome_of(row: Episode) -> str:
    """One word for an episode: correct, wrong, or its status (failed, abandoned, running)."""
    if row.status == "completed" and row.correct is not None:
        return "correct" if row.correct else "wrong"
    return row.status


def condition_of(row: Episode) -> str:
    """The episode's condition beyond the run's doctor: persona, swap and doctor tools, or ''."""
    parts = [row.persona_id or "", row.swap or "",
             f"tools:{row.doctor_tools}" if row.doctor_tools not in (None, "", "none") else ""]
    return printable(" · ".join(part for part in parts if part))


def run_accuracy(store: Store) -> dict[int, tuple[int, int]]:
    """Run id -> (correct, judged) over its completed episodes with a verdict, in one query."""
    query = (select(Episode.run_id, Episode.correct, func.count())
             .where(Episode.status == "completed", Episode.correct.is_not(None))  # type: ignore[union-attr]
             .group_by(Episode.run_id, Episode.correct))
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    with Session(store.engine) as session:
        for run_id, correct, count in session.exec(query).all():
            totals[run_id][1] += count
            totals[run_id][0] += count if correct else 0
    return {run_id: (right, judged) for run_id, (right, judged) in totals.items()}


def accuracy_text(right: int, judged: int) -> str:
    """'67% 2/3', or '-' when nothing was judged (no accuracy, rather than a zero)."""
    return f"{100 * right / judged:.0f}% {right}/{judged}" if judged else "-"


def fit_columns(width: int, columns: dict[str, list[str]], free: tuple[str, ...]) -> dict[str, int]:
    """Column key -> width in cells. ``columns`` maps each key to its header and cells; columns
    not in ``free`` get their full width, the free ones share the rest (the narrowest needs
    first, so a short column is never cut to feed a long one)."""
    need = {key: max(cell_len(text) for text in texts) for key, texts in columns.items()}
    room = width - SCROLLBAR - 2 * CELL_PADDING * len(columns) - sum(w for k, w in need.items() if k not in free)
    widths = {key: need[key] for key in columns if key not in free}
    waiting = sorted((key for key in columns if key in free), key=lambda k: need[k])
    for index, key in enumerate(waiting):
        share = room // (len(waiting) - index)
        widths[key] = max(MIN_FREE, min(need[key], share))
        room -= widths[key]
    return widths
