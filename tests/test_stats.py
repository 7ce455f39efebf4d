import pytest

from agentclinic.seeding import derive_seed
from agentclinic.stats import wilson_interval


def test_wilson_known_values():
    low, high = wilson_interval(8, 10)
    assert low == pytest.approx(0.4902, abs=1e-3) and high == pytest.approx(0.9433, abs=1e-3)
    assert wilson_interval(0, 0) == (0.0, 1.0)  # no data: the whole range, never a confident 0
    low, high = wilson_interval(0, 5)
    assert low == 0.0 and 0 < high < 0.6


def test_derived_seeds_are_stable_and_distinct():
    assert derive_seed(1, "case", 0) == derive_seed(1, "case", 0)
    assert len({derive_seed(1, "case", t) for t in range(100)}) == 100
    assert 0 <= derive_seed(0) < 2**32
