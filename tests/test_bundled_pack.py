"""The bundled case pack meets the bar set for it (issue: original cases, coverage, images)."""

import subprocess
import sys
from collections import Counter

import numpy as np
import pytest
from PIL import Image

from agentclinic.loader import check_sources
from agentclinic.prices import load_prices
from agentclinic.resolver import render_findings

from conftest import REPO

PACK_DIR = REPO / "scenarios" / "core"


@pytest.fixture(scope="module")
def loaded():
    cases, problems = check_sources([PACK_DIR])
    return [s for _, s in cases], problems


def test_pack_is_clean_with_no_warnings(loaded):
    _, problems = loaded
    assert problems == []


def test_size_and_breadth(loaded):
    scenarios, _ = loaded
    assert len(scenarios) >= 40
    assert len(Counter(s.specialty for s in scenarios)) >= 9
    assert sum(1 for s in scenarios if s.images) >= 10


def test_every_case_meets_the_minimums(loaded):
    prices = load_prices()
    for s in loaded[0]:
        findings = render_findings(s.physical_exam).count(":")
        assert findings >= 3, s.id
        assert len(s.tests) >= 3 and all(prices.test_price(t) > 0 for t in s.tests), s.id
        assert len(s.distractors) >= 4, s.id
        assert len(s.key_facts) >= 5, s.id
        assert s.license and s.source == "original", s.id


def test_every_image_is_referenced_by_a_test(loaded):
    for s in loaded[0]:
        referenced = {ref for t in s.tests for ref in t.images}
        assert {image.id for image in s.images} <= referenced, s.id


def test_images_regenerate_from_the_script(tmp_path):
    """The committed PNGs are what the script draws (pixels compared, so font hinting may differ)."""
    pytest.importorskip("matplotlib")
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "generate_case_images.py"), "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    committed = sorted(p.name for p in (PACK_DIR / "images").glob("*.png"))
    assert sorted(p.name for p in tmp_path.glob("*.png")) == committed
    for name in committed:
        fresh = np.asarray(Image.open(tmp_path / name).convert("RGB"), dtype=np.int16)
        kept = np.asarray(Image.open(PACK_DIR / "images" / name).convert("RGB"), dtype=np.int16)
        assert fresh.shape == kept.shape, name
        assert np.abs(fresh - kept).mean() < 2.0, name
