"""The specialist-pack images: every catalogued image is in its pack, referenced by its
case and by a test, small, free of the diagnosis, and redrawn byte for byte."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import yaml
from conftest import REPO
from PIL import Image

from agentclinic.validity.guard import guard_for

pytest.importorskip("matplotlib")
sys.path.insert(0, str(REPO / "scripts"))

from case_images.catalogue import IMAGES, names_in, packs
from case_images.cli import parse_args, target

SCENARIOS = REPO / "scenarios"
MAX_BYTES = 150_000
SPECIALIST = [name for name, entry in IMAGES.items() if entry.pack != "core"]


def case_of(name: str) -> tuple[str, dict]:
    pack = IMAGES[name].pack
    case_id = "-".join(name.split("-")[: len(pack.split("-")) + 1])
    return case_id, yaml.safe_load((SCENARIOS / pack / f"{case_id}.yaml").read_text(encoding="utf-8"))


def test_the_catalogue_covers_the_packs_it_should():
    counts = {p: len(names_in([p])) for p in packs()}
    assert sum(n for p, n in counts.items() if p != "core") >= 57
    for pack in ("cardiology", "pulmonology", "neurology", "gastroenterology", "endocrinology",
                 "infectious-disease", "pediatrics"):
        assert counts[pack] >= 7, (pack, counts[pack])  # a quarter of 25 cases, rounded up
    # Two of its illustrated cases were replaced by new diagnoses (duplicates of hard-pack cases).
    assert counts["internal-medicine"] >= 5
    assert "dermatology" not in counts  # photographs cannot be drawn honestly (IMAGES.md)


@pytest.mark.parametrize("name", SPECIALIST)
def test_each_image_is_in_its_case_and_shown_by_a_test(name):
    case_id, case = case_of(name)
    path = SCENARIOS / IMAGES[name].pack / "images" / f"{name}.png"
    entries = [i for i in case.get("images", []) if i.get("file") == f"images/{name}.png"]
    assert len(entries) == 1, case_id
    image = entries[0]
    assert any(image["id"] in t.get("images", []) for t in case["tests"]), case_id
    assert path.stat().st_size <= MAX_BYTES, (name, path.stat().st_size)
    with Image.open(path) as im:
        assert im.format == "PNG" and min(im.size) >= 250 and max(im.size) >= 600
    finder = guard_for(case["diagnosis"]["name"], tuple(case["diagnosis"].get("synonyms", [])))
    assert finder.find(" ".join([image["caption"], image["modality"], image["file"]])) == []


def test_no_pack_holds_an_image_the_generator_does_not_draw():
    drawn = {(e.pack, n) for n, e in IMAGES.items()}
    for pack in packs():
        on_disk = {(pack, p.stem) for p in (SCENARIOS / pack / "images").glob("*.png")}
        assert on_disk <= drawn, sorted(on_disk - drawn)


def test_the_command_line_selects_packs_and_targets():
    out, names, _ = parse_args([])
    assert out is None and names == names_in(["core"])
    _, names, _ = parse_args(["--pack", "cardiology"])
    assert names and all(IMAGES[n].pack == "cardiology" for n in names)
    assert target(names[0], None) == SCENARIOS / "cardiology" / "images" / f"{names[0]}.png"
    _, names, _ = parse_args(["--pack", "all"])
    assert set(names) == set(IMAGES)
    with pytest.raises(SystemExit):
        parse_args(["--pack", "no-such-pack"])


QUICK = ["cardiology-103-ecg", "gastroenterology-106-emptying-chart", "neurology-104-spect",
         "endocrinology-117-water-deprivation", "pediatrics-121-rns", "pulmonology-101-spirometry",
         "internal-medicine-120-ecg", "pediatrics-122-xr-neck"]


def test_quick_images_redraw_to_the_committed_bytes(tmp_path):
    """Fixed seeds, no timestamps: running the generator twice gives the same bytes, and
    the committed files are what it draws (pixels compared: font hinting may differ)."""
    for run in ("a", "b"):
        done = subprocess.run([sys.executable, str(REPO / "scripts" / "generate_case_images.py"),
                               "--out", str(tmp_path / run), "--only", *QUICK],
                              capture_output=True, text=True, timeout=600, check=False)
        assert done.returncode == 0, done.stderr
    for name in QUICK:
        a, b = ((tmp_path / run / f"{name}.png").read_bytes() for run in ("a", "b"))
        assert a == b, name
        committed = SCENARIOS / IMAGES[name].pack / "images" / f"{name}.png"
        fresh = np.asarray(Image.open(tmp_path / "a" / f"{name}.png").convert("RGB"), dtype=np.int16)
        kept = np.asarray(Image.open(committed).convert("RGB"), dtype=np.int16)
        assert fresh.shape == kept.shape and np.abs(fresh - kept).mean() < 2.0, name
