"""Case images in the half-block fallback, drawn headless at 80x24: the picture takes the
transcript's full width at its true aspect, and a thin ECG trace is still there to see."""

import asyncio

import numpy as np
import pytest
from PIL import Image
from textual.app import App, ComposeResult
from textual.geometry import Region

from agentclinic.tui.images import CaseImage, CellPicture, fit_cells, is_paper, shrink
from agentclinic.tui.widgets import Transcript

from conftest import REPO

ECG = REPO / "scenarios" / "core" / "images" / "cardiology-001-ecg.png"  # a rhythm strip, 1519x261
TWELVE_LEAD = REPO / "scenarios" / "core" / "images" / "cardiology-002-ecg.png"  # 1519x800
DARK = 80  # luminance below which a half-cell reads as ink on a pale page


class Viewer(App):
    """A transcript holding one image, as tall as the game's at 80x24 (status, hint, input and
    footer take the other six rows)."""

    CSS = "Transcript { height: 18; }"

    def __init__(self, path, caption="ECG"):
        super().__init__()
        self.path, self.caption = path, caption

    def compose(self) -> ComposeResult:
        yield Transcript()

    def on_mount(self) -> None:
        self.query_one(Transcript).add_image(self.path, self.caption)


def luma(color) -> float:
    r, g, b = color.get_truecolor()
    return 0.299 * r + 0.587 * g + 0.114 * b


def drawn(path) -> tuple[np.ndarray, tuple[int, int], int]:
    """The picture as the terminal would get it (half-cell luminances, rows x columns), the
    width the image had to fill (the transcript's, less a scrollbar) and the rows visible."""
    async def show():
        app = Viewer(path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause(0.3)
            image = app.query_one(CaseImage)
            picture = image.picture
            assert isinstance(picture, CellPicture)  # headless: always the fallback
            width, height = picture.size
            lines = picture.render_lines(Region(0, 0, width, height))
            transcript = app.query_one(Transcript)
            room = transcript.scrollable_content_region.height
            available = transcript.content_region.width - transcript.styles.scrollbar_size_vertical
            assert image.content_size.width >= available
            return lines, (available, width), room

    lines, widths, room = asyncio.run(show())
    halves = []
    for strip in lines:
        top, bottom = [], []
        for segment in strip:
            assert set(segment.text) == {"▀"}
            top += [luma(segment.style.color)] * len(segment.text)
            bottom += [luma(segment.style.bgcolor)] * len(segment.text)
        halves += [top, bottom]
    return np.array(halves), widths, room


def test_an_ecg_fills_the_width_and_its_trace_stays_visible():
    pixels, (available, width), room = drawn(ECG)
    assert width == available == 80 - 2 - 2 - 2  # the transcript's width: border, padding, scrollbar
    rows = pixels.shape[0] // 2
    assert rows == round(width / ((1519 / 261) * 2))  # aspect kept: 1519x261 in 1:2 cells
    assert rows + 1 <= room  # picture and caption in view together
    dark = pixels < DARK
    # The trace runs the whole strip: nearly every column holds ink, along the trace's rows
    # (the baseline sits a little below the middle of the strip).
    assert dark.any(axis=0).mean() >= 0.9
    busiest = int(np.argmax(dark.sum(axis=1)))
    assert 0.4 <= busiest / pixels.shape[0] <= 0.75
    assert dark.sum() >= width  # a line's worth of dark half-cells, not a speck


def test_a_plain_white_image_draws_no_dark_cells(tmp_path):
    blank = tmp_path / "blank.png"
    Image.new("RGB", (1519, 261), "white").save(blank)
    pixels, _, _ = drawn(blank)
    assert pixels.size and (pixels < DARK).sum() == 0


def test_plain_averaging_would_lose_the_trace():
    # Why the fallback keeps ink: the same shrink by averaging alone leaves a pale strip.
    with Image.open(ECG) as picture:
        source = picture.convert("RGB")
    ours = np.asarray(shrink(source, 74, 12).convert("L"))
    averaged = np.asarray(source.resize((74, 12), Image.Resampling.BOX).convert("L"))
    assert (ours < DARK).any(axis=0).mean() >= 0.9
    assert (averaged < DARK).any(axis=0).mean() <= 0.2


def test_a_tall_image_is_limited_to_the_visible_rows():
    pixels, (available, width), room = drawn(TWELVE_LEAD)
    rows = pixels.shape[0] // 2
    assert rows + 1 <= room and width < available  # narrower, so the aspect holds
    assert abs(width / rows - (1519 / 800) * 2) < 0.3
    assert (pixels < DARK).any(axis=0).mean() >= 0.8  # four rows of traces, across the width


@pytest.mark.parametrize("pixels, room, cells", [
    ((1519, 261), (76, 15), (76, 7)),   # wide: the full width, the height follows
    ((1519, 800), (76, 15), (57, 15)),  # tall: the full height, the width follows
    ((1000, 1100), (76, 15), (27, 15)),
    ((10, 10), (76, 15), (30, 15)),     # small images grow to the room too
    ((0, 10), (76, 15), (0, 0)),
])
def test_fit_keeps_the_aspect_within_the_room(pixels, room, cells):
    assert fit_cells(pixels, room) == cells


def test_only_light_pages_with_little_dark_count_as_paper():
    arrays = {name: np.asarray(Image.open(REPO / "scenarios" / "core" / "images" / f"{name}.png").convert("RGB"),
                               dtype=np.float32)
              for name in ("cardiology-001-ecg", "pulmonology-004-spirometry", "pulmonology-001-cxr",
                           "neurology-005-ct-head")}
    assert {name: is_paper(a) for name, a in arrays.items()} == {
        "cardiology-001-ecg": True, "pulmonology-004-spirometry": True,
        "pulmonology-001-cxr": False, "neurology-005-ct-head": False}


def test_a_missing_file_is_a_text_line(tmp_path):
    async def show():
        app = Viewer(tmp_path / "gone.png", "chest X-ray")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause(0.2)
            image = app.query_one(CaseImage)
            return image.picture, image.query_one(".caption").content.plain

    picture, caption = asyncio.run(show())
    assert picture is None and caption.startswith("[image: chest X-ray — ") and "gone.png" in caption


def test_the_terminal_s_protocol_is_used_unless_told_cells(monkeypatch):
    from textual_image import renderable

    from agentclinic.tui import images

    assert images._detect() == ("cells", None)  # pytest's stdout is no terminal: no protocol to use
    monkeypatch.setattr(renderable, "Image", renderable.SixelImage)  # as textual-image finds a sixel terminal
    protocol, widget = images._detect()
    assert protocol == "sixel" and widget is not None
    monkeypatch.setenv(images.ENV_VAR, "cells")
    assert images._detect() == ("cells", None)
