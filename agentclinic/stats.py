"""Small statistics used in summaries (pure)."""

from __future__ import annotations

import math


def wilson_interval(successes: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score interval for a proportion (95% by default).

    Preferred to the normal approximation because benchmark runs are small and accuracies
    often sit near 0 or 1, where the normal interval leaves [0, 1].

    With n == 0 there is no estimate: the result is (0.0, 1.0), the formula's limit as n
    goes to 0 (anything is possible), so a caller that forgets to check n still shows an
    honest interval. Callers that display a rate check n first and show "n/a" (see
    :func:`agentclinic.report.formatting.format_rate`).
    """
    if n <= 0:
        return 0.0, 1.0
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)
