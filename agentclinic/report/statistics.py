"""Statistics for evaluation reports (pure: no I/O, no printing).

Everything here takes plain Python sequences so the report layer can feed it straight from
stored results. Intervals are 95%. A statistic over nothing (n == 0) is None, which reports
print as "n/a": a 0% over no episodes reads as a measured failure. Other degenerate inputs
(a single pair, zero variance) return finite, documented values instead of NaN, because
reports render these numbers directly and a NaN in a table reads as a bug.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as _st

from ..stats import wilson_interval

_CONFIDENCE = 0.95


# --------------------------------------------------------------------------- proportions


@dataclass(frozen=True)
class Proportion:
    """A success rate with its Wilson 95% interval; value and interval are None when n is 0."""

    successes: int
    n: int
    value: float | None
    low: float | None
    high: float | None


def proportion(successes: int, n: int) -> Proportion:
    """``successes / n`` with a Wilson 95% interval; value and interval are None when n is 0."""
    if n < 0 or not 0 <= successes <= max(n, 0):
        raise ValueError(f"need 0 <= successes <= n, got successes={successes}, n={n}")
    if n == 0:
        return Proportion(0, 0, None, None, None)
    low, high = wilson_interval(successes, n)
    return Proportion(successes, n, successes / n, low, high)


# --------------------------------------------------------------------------- means


@dataclass(frozen=True)
class MeanCI:
    """A sample mean with its t-based 95% confidence interval; None values when n is 0."""

    n: int
    mean: float | None
    low: float | None
    high: float | None


def _t_half_width(values: np.ndarray) -> float:
    """Half-width of the t interval for the mean; 0 when it cannot be estimated.

    With fewer than two values there is no variance estimate, and with zero variance the
    interval collapses; both give 0 rather than NaN.
    """
    n = len(values)
    if n < 2:
        return 0.0
    sem = float(np.std(values, ddof=1)) / math.sqrt(n)
    if sem == 0.0:
        return 0.0
    return float(_st.t.ppf(0.5 + _CONFIDENCE / 2, n - 1)) * sem


def mean_interval(values: Sequence[float]) -> MeanCI:
    """Mean with a t-based 95% CI.

    Empty input gives ``MeanCI(0, None, None, None)``; a single value gives ``low == high == mean``.
    """
    arr = np.asarray(values, dtype=float)
    if arr.size == 0:
        return MeanCI(0, None, None, None)
    mean = float(arr.mean())
    half = _t_half_width(arr)
    return MeanCI(int(arr.size), mean, mean - half, mean + half)


# --------------------------------------------------------------------------- paired tests


def _check_paired(a: Sequence[object], b: Sequence[object]) -> None:
    """Paired tests are meaningless on misaligned samples, so refuse them loudly."""
    if len(a) != len(b):
        raise ValueError(f"paired samples must have equal lengths: len(a)={len(a)}, len(b)={len(b)}")


@dataclass(frozen=True)
class McNemar:
    """McNemar's test for paired binary outcomes (e.g. two agents on the same cases).

    ``a_only`` counts pairs where only ``a`` succeeded, ``b_only`` where only ``b`` did.
    ``p_value`` comes from ``method``; ``statistic`` is the continuity-corrected chi-square,
    reported for reference only. Both are None with no pairs: there is nothing to test.
    """

    n_pairs: int
    a_only: int
    b_only: int
    both: int
    neither: int
    statistic: float | None
    p_value: float | None
    method: str


def mcnemar(a: Sequence[bool], b: Sequence[bool]) -> McNemar:
    """Exact McNemar test: two-sided binomial test of the discordant pairs against 1/2.

    The exact test is used rather than the chi-square because benchmark runs often have only
    a handful of discordant pairs, where the chi-square approximation is poor. With no
    discordant pairs there is no evidence of a difference, so p is 1.0 and the statistic 0;
    with no pairs at all both are None.
    """
    _check_paired(a, b)
    if not a:
        return McNemar(0, 0, 0, 0, 0, None, None, "exact")
    pairs = [(bool(x), bool(y)) for x, y in zip(a, b)]
    a_only = sum(x and not y for x, y in pairs)
    b_only = sum(y and not x for x, y in pairs)
    both = sum(x and y for x, y in pairs)
    discordant = a_only + b_only
    if discordant == 0:
        statistic, p_value = 0.0, 1.0
    else:
        statistic = (abs(a_only - b_only) - 1) ** 2 / discordant
        p_value = float(_st.binomtest(b_only, discordant, 0.5).pvalue)
    return McNemar(
        n_pairs=len(pairs),
        a_only=a_only,
        b_only=b_only,
        both=both,
        neither=len(pairs) - discordant - both,
        statistic=float(statistic),
        p_value=min(1.0, p_value),
        method="exact",
    )


@dataclass(frozen=True)
class PairedDifference:
    """Mean of the paired differences ``b - a`` with a 95% interval and a two-sided p-value.

    Every number is None with no pairs.
    """

    n: int
    mean_diff: float | None
    low: float | None
    high: float | None
    p_value: float | None
    method: str


def _diffs(a: Sequence[float], b: Sequence[float]) -> np.ndarray:
    _check_paired(a, b)
    return np.asarray(b, dtype=float) - np.asarray(a, dtype=float)


def paired_t(a: Sequence[float], b: Sequence[float]) -> PairedDifference:
    """Paired t-test of ``b - a`` (``scipy.stats.ttest_rel``) with a t-based 95% CI.

    Degenerate cases, where the t statistic is undefined, are resolved without NaN:

    * no pairs: every number None (nothing was compared);
    * all differences 0: mean 0, CI (0, 0), p 1.0;
    * a single pair: CI collapses to the difference and p is 1.0 (one pair cannot show
      anything);
    * two or more pairs with identical non-zero differences (zero variance): CI collapses
      to the difference and p is 0.0, the limit of the t-test as the variance goes to 0.
    """
    d = _diffs(a, b)
    n = int(d.size)
    if n == 0:
        return PairedDifference(0, None, None, None, None, "paired_t")
    mean = float(d.mean())
    if not d.any():
        return PairedDifference(n, 0.0, 0.0, 0.0, 1.0, "paired_t")
    if n < 2:
        return PairedDifference(n, mean, mean, mean, 1.0, "paired_t")
    if float(np.std(d, ddof=1)) == 0.0:
        return PairedDifference(n, mean, mean, mean, 0.0, "paired_t")
    p_value = float(_st.ttest_rel(b, a).pvalue)
    half = _t_half_width(d)
    return PairedDifference(n, mean, mean - half, mean + half, p_value, "paired_t")


def paired_bootstrap(
    a: Sequence[float], b: Sequence[float], *, resamples: int = 2000, seed: int = 0
) -> PairedDifference:
    """Percentile-bootstrap 95% CI of the mean difference ``b - a``, resampling pairs.

    Deterministic for a given ``seed``. The p-value is the two-sided bootstrap p: the share
    of resampled means on the other side of 0 from the observed mean (ties with 0 count, to
    stay conservative), doubled and capped at 1. With one pair, or all differences 0, the
    resamples carry no information, so p is 1.0 and the CI collapses; with no pairs every
    number is None.
    """
    if resamples < 1:
        raise ValueError(f"resamples must be >= 1, got {resamples}")
    d = _diffs(a, b)
    n = int(d.size)
    if n == 0:
        return PairedDifference(0, None, None, None, None, "bootstrap")
    mean = float(d.mean())
    if n < 2 or not d.any():
        return PairedDifference(n, mean, mean, mean, 1.0, "bootstrap")
    rng = np.random.default_rng(seed)
    # Resample whole pairs (indices into d) so the pairing is preserved.
    boot_means = d[rng.integers(0, n, size=(resamples, n))].mean(axis=1)
    tail = (1 - _CONFIDENCE) / 2 * 100
    low, high = np.percentile(boot_means, [tail, 100 - tail])
    if mean > 0:
        other_side = float(np.mean(boot_means <= 0))
    elif mean < 0:
        other_side = float(np.mean(boot_means >= 0))
    else:
        other_side = 1.0
    return PairedDifference(n, mean, float(low), float(high), min(1.0, 2 * other_side), "bootstrap")


# --------------------------------------------------------------------------- benchmark metrics


def pass_hat_k(outcomes: Mapping[str, Sequence[bool]], k: int) -> float | None:
    """tau-bench's pass^k: the chance that k trials of a task, drawn without replacement, all pass.

    Per task it is ``C(c, k) / C(n, k)`` (n trials, c successes), averaged over tasks. Tasks
    with fewer than k trials cannot be scored and are skipped; ``None`` when none qualifies.
    """
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    scores = [
        math.comb(sum(map(bool, trials)), k) / math.comb(len(trials), k)
        for trials in outcomes.values()
        if len(trials) >= k
    ]
    return sum(scores) / len(scores) if scores else None


def normalised_accuracy(with_condition: float, without: float) -> float | None:
    """AgentClinic's normalised accuracy: accuracy under a bias over accuracy without it.

    ``None`` when ``without`` is 0, since the ratio is then undefined.
    """
    if without == 0:
        return None
    return with_condition / without


# --------------------------------------------------------------------------- agreement


def percent_agreement(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    """Share of positions where the two raters agree; 0.0 for empty input."""
    _check_paired(a, b)
    if not a:
        return 0.0
    return sum(x == y for x, y in zip(a, b)) / len(a)


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> float | None:
    """Cohen's kappa between two raters over the same items; ``None`` for empty input.

    Perfect observed agreement returns 1.0 even when chance agreement is also 1 (both raters
    used a single, identical label), where the formula would divide by zero.
    """
    _check_paired(a, b)
    n = len(a)
    if n == 0:
        return None
    observed = percent_agreement(a, b)
    if observed == 1.0:
        return 1.0
    count_a, count_b = Counter(a), Counter(b)
    expected = sum(count_a[label] * count_b[label] for label in count_a) / (n * n)
    return (observed - expected) / (1 - expected)


# --------------------------------------------------------------------------- cost vs accuracy


def pareto_front(points: Sequence[tuple[float, float]]) -> list[int]:
    """Indices of the (cost, accuracy) points that no other point dominates, sorted by cost.

    A point is dominated by another with cost <= and accuracy >=, one of them strictly.
    Identical points do not dominate each other, so both are kept. Ties in cost are ordered
    by index for a stable result. Quadratic, which is fine for the few models a report has.
    """

    def dominates(q: tuple[float, float], p: tuple[float, float]) -> bool:
        return q[0] <= p[0] and q[1] >= p[1] and (q[0] < p[0] or q[1] > p[1])

    front = [i for i, p in enumerate(points) if not any(dominates(q, p) for q in points)]
    return sorted(front, key=lambda i: (points[i][0], i))
