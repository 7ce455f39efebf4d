"""Number formats: a statistic over nothing prints "n/a", never 0.0% or nan."""

import pytest

from agentclinic.report.formatting import NA, accuracy_with_ci, format_rate, number, pct
from agentclinic.report.statistics import proportion


def test_format_rate_with_its_wilson_interval():
    assert format_rate(23, 28) == "82.1% (95% CI 64.4%–92.1%)"
    assert format_rate(0, 5) == "0.0% (95% CI 0.0%–43.4%)"  # a measured 0 is still shown as 0
    assert format_rate(5, 5) == "100.0% (95% CI 56.6%–100.0%)"


def test_nothing_to_rate_is_na():
    assert format_rate(0, 0) == NA == "n/a"
    with pytest.raises(ValueError):
        format_rate(3, 2)


def test_none_prints_na_everywhere():
    assert pct(None) == number(None) == number(None, ".3g") == NA
    assert pct(0.825) == "82.5%" and number(1234.5, ",.0f") == "1,234" and number(0.0123, ".3g") == "0.0123"
    empty = proportion(0, 0)
    assert accuracy_with_ci({"accuracy": empty.value, "low": empty.low, "high": empty.high}) == NA
    full = proportion(8, 10)
    assert accuracy_with_ci({"accuracy": full.value, "low": full.low, "high": full.high}) == "80.0% (49–94)"
