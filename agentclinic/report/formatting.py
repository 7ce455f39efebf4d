"""Number formats shared by the terminal tables and the HTML report."""

from __future__ import annotations


def pct(value: float | None) -> str:
    """0.825 -> '82.5%'; None -> an en dash."""
    return "–" if value is None else f"{100 * value:.1f}%"


def accuracy_with_ci(row: dict) -> str:
    """'82.1% (70–90)' from a summary row with accuracy, low and high."""
    return f"{pct(row['accuracy'])} ({100 * row['low']:.0f}–{100 * row['high']:.0f})"
