"""Known-value tests for agentclinic.report.statistics (expected values worked out by hand)."""

import math

import numpy as np
import pytest

from agentclinic.report.statistics import (
    MeanCI,
    cohen_kappa,
    mcnemar,
    mean_interval,
    normalised_accuracy,
    paired_bootstrap,
    paired_t,
    pareto_front,
    pass_hat_k,
    percent_agreement,
    proportion,
)

# --------------------------------------------------------------------------- proportion


def test_proportion_wilson_8_of_10():
    p = proportion(8, 10)
    assert (p.successes, p.n, p.value) == (8, 10, 0.8)
    assert p.low == pytest.approx(0.4902, abs=1e-4) and p.high == pytest.approx(0.9433, abs=1e-4)


def test_proportion_empty_and_invalid():
    p = proportion(0, 0)  # no episodes: no rate, not a 0% one
    assert (p.n, p.value, p.low, p.high) == (0, None, None, None)
    with pytest.raises(ValueError):
        proportion(3, 2)


# --------------------------------------------------------------------------- mean_interval


def test_mean_interval_known_values():
    # mean 5, sample sd sqrt(32/7), t(0.975, df=7) = 2.364624 from tables.
    ci = mean_interval([2, 4, 4, 4, 5, 5, 7, 9])
    half = 2.364624 * math.sqrt(32 / 7) / math.sqrt(8)
    assert ci.n == 8 and ci.mean == 5.0
    assert ci.low == pytest.approx(5 - half, abs=1e-5) and ci.high == pytest.approx(5 + half, abs=1e-5)


def test_mean_interval_degenerate():
    assert mean_interval([]) == MeanCI(0, None, None, None)
    assert mean_interval([0.7]) == MeanCI(1, 0.7, 0.7, 0.7)
    assert mean_interval([3.0, 3.0, 3.0]) == MeanCI(3, 3.0, 3.0, 3.0)


# --------------------------------------------------------------------------- mcnemar


def test_mcnemar_exact_p_value():
    # 10 pairs where only a succeeds, 2 where only b does, plus concordant pairs.
    a = [True] * 10 + [False] * 2 + [True] * 5 + [False] * 3
    b = [False] * 10 + [True] * 2 + [True] * 5 + [False] * 3
    r = mcnemar(a, b)
    assert (r.n_pairs, r.a_only, r.b_only, r.both, r.neither) == (20, 10, 2, 5, 3)
    # 2 * P(X <= 2 | Binom(12, 1/2)) = 2 * (1 + 12 + 66) / 4096
    assert r.p_value == pytest.approx(2 * 79 / 4096) and r.p_value == pytest.approx(0.03857, abs=1e-5)
    assert r.statistic == pytest.approx((8 - 1) ** 2 / 12)
    assert r.method == "exact"
    assert mcnemar(b, a).p_value == pytest.approx(r.p_value)  # two-sided: symmetric


def test_mcnemar_no_discordant_pairs():
    r = mcnemar([True, False, True], [True, False, True])
    assert (r.p_value, r.statistic, r.both, r.neither) == (1.0, 0.0, 2, 1)
    empty = mcnemar([], [])
    assert (empty.n_pairs, empty.p_value, empty.statistic) == (0, None, None)


# --------------------------------------------------------------------------- paired_t


def test_paired_t_hand_example():
    a = [1, 2, 3, 4, 5]
    b = [2, 4, 5, 4, 7]
    # diffs 1,2,2,0,2: mean 1.4, sample variance 0.8, sem sqrt(0.8/5) = 0.4, t = 3.5 on 4 df.
    r = paired_t(a, b)
    assert r.n == 5 and r.mean_diff == pytest.approx(1.4)
    # Student t CDF for 4 df in closed form: F(t) = 1/2 + 3/4 x (1 - x^2/3), x = t / sqrt(4 + t^2).
    x = 3.5 / math.sqrt(4 + 3.5**2)
    expected_p = 2 * (1 - (0.5 + 0.75 * x * (1 - x * x / 3)))
    assert r.p_value == pytest.approx(expected_p, rel=1e-9) and r.p_value == pytest.approx(0.0249, abs=1e-4)
    half = 2.776445 * 0.4  # t(0.975, df=4) from tables
    assert r.low == pytest.approx(1.4 - half, abs=1e-5) and r.high == pytest.approx(1.4 + half, abs=1e-5)
    assert r.method == "paired_t"


def test_paired_t_degenerate_cases():
    same = paired_t([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    assert (same.mean_diff, same.low, same.high, same.p_value) == (0.0, 0.0, 0.0, 1.0)
    empty = paired_t([], [])
    assert (empty.n, empty.mean_diff, empty.low, empty.high, empty.p_value) == (0, None, None, None, None)
    single = paired_t([1.0], [3.0])
    assert (single.mean_diff, single.low, single.high, single.p_value) == (2.0, 2.0, 2.0, 1.0)
    constant = paired_t([1.0, 2.0, 3.0], [2.0, 3.0, 4.0])
    assert (constant.mean_diff, constant.low, constant.high, constant.p_value) == (1.0, 1.0, 1.0, 0.0)


# --------------------------------------------------------------------------- paired_bootstrap


def _shifted_pairs() -> tuple[list[float], list[float]]:
    rng = np.random.default_rng(123)
    a = rng.normal(0.5, 0.2, size=40)
    b = a + 0.3 + rng.normal(0, 0.05, size=40)
    return a.tolist(), b.tolist()


def test_paired_bootstrap_is_deterministic_for_a_seed():
    a, b = _shifted_pairs()
    assert paired_bootstrap(a, b, seed=7) == paired_bootstrap(a, b, seed=7)
    assert paired_bootstrap(a, b, seed=7) != paired_bootstrap(a, b, seed=8)


def test_paired_bootstrap_ci_covers_a_clear_shift():
    a, b = _shifted_pairs()
    r = paired_bootstrap(a, b, resamples=2000, seed=0)
    assert r.mean_diff == pytest.approx(float(np.mean(np.subtract(b, a))))
    assert r.low < 0.3 < r.high and r.low > 0
    assert r.p_value == 0.0  # no resampled mean reaches 0
    assert r.method == "bootstrap"
    reverse = paired_bootstrap(b, a, seed=0)
    assert reverse.mean_diff == pytest.approx(-r.mean_diff) and reverse.high < 0


def test_paired_bootstrap_no_effect_and_degenerate():
    r = paired_bootstrap([1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 1.0, 0.0], seed=0)
    assert r.mean_diff == 0.0 and r.p_value == 1.0 and r.low <= 0 <= r.high
    empty = paired_bootstrap([], [])
    assert (empty.n, empty.mean_diff, empty.low, empty.high, empty.p_value) == (0, None, None, None, None)
    assert paired_bootstrap([1.0], [2.0]).p_value == 1.0
    with pytest.raises(ValueError):
        paired_bootstrap([1.0, 2.0], [1.0, 2.0], resamples=0)


# --------------------------------------------------------------------------- pass^k


def test_pass_hat_k_single_task():
    assert pass_hat_k({"t": [True, True, True, False]}, 2) == pytest.approx(3 / 6)  # C(3,2)/C(4,2)
    assert pass_hat_k({"t": [True, True, True, False]}, 1) == pytest.approx(0.75)


def test_pass_hat_k_averages_and_skips_short_tasks():
    outcomes = {
        "a": [True, True, True, False],  # 0.5
        "b": [True, True, True],  # C(3,2)/C(3,2) = 1
        "c": [True, False, False],  # C(1,2) = 0
        "short": [True],  # fewer than k trials: skipped
    }
    assert pass_hat_k(outcomes, 2) == pytest.approx((0.5 + 1 + 0) / 3)


def test_pass_hat_k_edges():
    assert pass_hat_k({"t": [True]}, 2) is None
    assert pass_hat_k({}, 1) is None
    with pytest.raises(ValueError):
        pass_hat_k({"t": [True]}, 0)


# --------------------------------------------------------------------------- normalised accuracy


def test_normalised_accuracy():
    assert normalised_accuracy(0.42, 0.6) == pytest.approx(0.7)
    assert normalised_accuracy(0.5, 0.0) is None


# --------------------------------------------------------------------------- agreement


def test_cohen_kappa_textbook_example():
    # 50 items: both yes 20, a yes/b no 5, a no/b yes 10, both no 15.
    # p_o = 35/50 = 0.7; p_e = 0.5*0.6 + 0.5*0.4 = 0.5; kappa = (0.7-0.5)/(1-0.5) = 0.4.
    a = ["yes"] * 20 + ["yes"] * 5 + ["no"] * 10 + ["no"] * 15
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert percent_agreement(a, b) == pytest.approx(0.7)
    assert cohen_kappa(a, b) == pytest.approx(0.4)


def test_cohen_kappa_edges():
    assert cohen_kappa([], []) is None
    assert cohen_kappa(["x", "x"], ["x", "x"]) == 1.0  # chance agreement is also 1
    assert cohen_kappa([1, 0], [0, 1]) == pytest.approx(-1.0)
    assert percent_agreement([], []) == 0.0


# --------------------------------------------------------------------------- pareto front


def test_pareto_front_drops_dominated_points():
    points = [
        (3.0, 0.80),  # 0: front
        (1.0, 0.50),  # 1: front (cheapest)
        (2.0, 0.45),  # 2: dominated by 1
        (3.0, 0.70),  # 3: dominated by 0 (same cost, lower accuracy)
        (5.0, 0.90),  # 4: front (most accurate)
        (6.0, 0.90),  # 5: dominated by 4 (same accuracy, higher cost)
    ]
    assert pareto_front(points) == [1, 0, 4]


def test_pareto_front_edges():
    assert pareto_front([]) == []
    assert pareto_front([(1.0, 0.5), (1.0, 0.5)]) == [0, 1]  # identical points keep each other


# --------------------------------------------------------------------------- unequal lengths


@pytest.mark.parametrize(
    "func", [mcnemar, paired_t, paired_bootstrap, cohen_kappa, percent_agreement]
)
def test_unequal_lengths_raise_with_both_lengths(func):
    with pytest.raises(ValueError, match=r"len\(a\)=3.*len\(b\)=2"):
        func([1, 0, 1], [1, 0])
