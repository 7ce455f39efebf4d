"""Number formats shared by the terminal tables, the HTML report and the run summary.

A statistic over no episodes arrives as None and prints as ``NA``: "0.0%" over nothing
would read as a measured failure, and "nan" as a bug.
"""

from __future__ import annotations

# Not .statistics: the `run` summary calls format_rate and should not pay for importing scipy.
from ..stats import wilson_interval

NA = "n/a"


def pct(value: float | None) -> str:
    """0.825 -> '82.5%'; None -> 'n/a'."""
    return NA if value is None else f"{100 * value:.1f}%"


def number(value: float | None, spec: str = ",.2f") -> str:
    """``value`` formatted with a format ``spec`` (e.g. ',.0f', '.3g'); None -> 'n/a'."""
    return NA if value is None else format(value, spec)


def accuracy_with_ci(row: dict) -> str:
    """'82.1% (70–90)' from a summary row with accuracy, low and high; 'n/a' when n was 0."""
    if row["accuracy"] is None:
        return NA
    return f"{pct(row['accuracy'])} ({100 * row['low']:.0f}–{100 * row['high']:.0f})"


def format_rate(successes: int, n: int) -> str:
    """A rate with its Wilson 95% interval, or 'n/a' when there is nothing to rate.

    ``format_rate(23, 28)`` -> '82.1% (95% CI 64.4%–92.1%)'; ``format_rate(0, 0)`` -> 'n/a'.
    """
    if not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n, got successes={successes}, n={n}")
    if n == 0:
        return NA
    low, high = wilson_interval(successes, n)
    return f"{pct(successes / n)} (95% CI {pct(low)}–{pct(high)})"
