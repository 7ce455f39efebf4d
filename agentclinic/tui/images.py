"""Case images in the terminal: sixel or the kitty graphics protocol where the terminal
speaks one (drawn by ``textual-image``), coloured half-block cells everywhere else.

The picture takes the full width it is given, with a height that keeps the image's aspect
ratio and still fits the visible part of the scrolling view around it. Half-block cells hold
two pixels each, so an ECG of 1500 pixels becomes some 80x14 pixels; averaging blocks that
large turns a one-pixel trace into a faint tint of the paper. For charts and tracings on light
paper the shrink keeps ink: a block holding a clearly dark pixel takes the colour of its
darkest pixels, so the trace survives (:func:`shrink`).

The terminal is asked what it supports when this module is imported, which must happen
before Textual takes over the terminal (the UI commands import the app modules first).
``AGENTCLINIC_TUI_IMAGES=cells`` skips the question and always draws half-blocks, for a
terminal (or multiplexer) that claims a protocol it does not show.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np
from PIL import Image as PILImage
from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import ScrollableContainer, Vertical
from textual.events import Resize
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from ..printable import printable

ENV_VAR = "AGENTCLINIC_TUI_IMAGES"
LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)
# A chart or tracing on paper: a light page (median luminance) with little dark in it. A chest
# X-ray has a light median too, but a third of it is dark, so it is shrunk as a photograph.
PAPER_MEDIAN, PAPER_DARK_SHARE = 170.0, 0.05
INK = 110.0  # darker than any ECG grid line (about 167), lighter than a pen trace or a label
DEFAULT_CELL = (10, 20)  # pixels per terminal cell when the terminal does not say


def _detect() -> tuple[str, type[Widget] | None]:
    """('sixel' | 'kitty' | 'cells', the textual-image widget class for a graphics protocol)."""
    if os.environ.get(ENV_VAR, "").strip().lower() == "cells":
        return "cells", None
    # textual-image warns through logging when the terminal does not report its cell size;
    # without a handler Python would print that over the screen about to open.
    logging.getLogger("textual_image").addHandler(logging.NullHandler())
    try:
        from textual_image import renderable
        from textual_image.widget import Image as GraphicsImage
    except Exception:  # noqa: BLE001 - e.g. stdout a terminal but stdin not: half-blocks work anywhere
        return "cells", None
    if renderable.Image is renderable.SixelImage:
        return "sixel", GraphicsImage
    if renderable.Image is renderable.TGPImage:
        return "kitty", GraphicsImage
    return "cells", None


PROTOCOL, _GRAPHICS = _detect()


def cell_pixels() -> tuple[int, int]:
    """The terminal cell's size in pixels (width, height), as textual-image measured it."""
    try:
        from textual_image._terminal import get_cell_size

        size = get_cell_size()
        return (size.width, size.height) if size.width > 0 and size.height > 0 else DEFAULT_CELL
    except Exception:  # noqa: BLE001 - an older textual-image or no terminal: the usual 1:2 cell
        return DEFAULT_CELL


def fit_cells(pixels: tuple[int, int], room: tuple[int, int], cell: tuple[int, int] = DEFAULT_CELL) -> tuple[int, int]:
    """Cells (columns, rows) for an image of ``pixels`` in ``room`` cells: the full width, unless
    the aspect-true height would not fit, then the full height and a narrower width."""
    (width_px, height_px), (max_cols, max_rows) = pixels, room
    if min(width_px, height_px, max_cols, max_rows) <= 0:
        return 0, 0
    columns_per_row = (width_px / height_px) * (cell[1] / cell[0])
    cols, rows = max_cols, max(1, round(max_cols / columns_per_row))
    if rows > max_rows:
        rows = max_rows
        cols = max(1, min(max_cols, round(rows * columns_per_row)))
    return cols, rows


def is_paper(pixels: np.ndarray) -> bool:
    """Whether an RGB array looks like a chart or tracing on light paper (see :data:`INK`)."""
    luma = pixels @ LUMA
    return bool(np.median(luma) >= PAPER_MEDIAN and (luma < INK).mean() <= PAPER_DARK_SHARE)


def shrink(picture: PILImage.Image, width: int, height: int) -> PILImage.Image:
    """``picture`` resized to ``width`` x ``height`` pixels by block averages, except that on
    paper a block holding ink takes the ink's colour (each channel's minimum), so thin dark
    lines stay visible however far the image is shrunk. Growing repeats pixels."""
    pixels = np.asarray(picture.convert("RGB"), dtype=np.float32)
    rows = np.floor(np.arange(height) * pixels.shape[0] / height).astype(int)
    cols = np.floor(np.arange(width) * pixels.shape[1] / width).astype(int)
    # A block runs from its start to the next one; where starts repeat (growing) it is one pixel.
    row_counts = np.maximum(np.diff(np.append(rows, pixels.shape[0])), 1)
    col_counts = np.maximum(np.diff(np.append(cols, pixels.shape[1])), 1)
    sums = np.add.reduceat(np.add.reduceat(pixels, rows, axis=0), cols, axis=1)
    result = sums / (row_counts[:, None, None] * col_counts[None, :, None])
    if is_paper(pixels):
        darkest = np.minimum.reduceat(np.minimum.reduceat(pixels, rows, axis=0), cols, axis=1)
        luma = np.minimum.reduceat(np.minimum.reduceat(pixels @ LUMA, rows, axis=0), cols, axis=1)
        result = np.where((luma < INK)[..., None], darkest, result)
    return PILImage.fromarray(np.clip(np.rint(result), 0, 255).astype(np.uint8), "RGB")


def half_block_strips(picture: PILImage.Image) -> list[Strip]:
    """One strip per pair of pixel rows: '▀' in the upper pixel's colour on the lower's."""
    pixels = np.asarray(picture.convert("RGB"))
    if pixels.shape[0] % 2:
        pixels = np.concatenate([pixels, pixels[-1:]], axis=0)
    styles: dict[tuple, Style] = {}
    strips = []
    for upper, lower in zip(pixels[0::2].tolist(), pixels[1::2].tolist(), strict=True):
        segments = []
        for top, bottom in zip(upper, lower, strict=True):
            key = (*top, *bottom)
            if key not in styles:
                styles[key] = Style(color=Color.from_rgb(*top), bgcolor=Color.from_rgb(*bottom))
            segments.append(Segment("▀", styles[key]))
        strips.append(Strip(Segment.simplify(segments), len(upper)))
    return strips


class CellPicture(Widget):
    """An image drawn in half-block cells at whatever size its styles give it."""

    DEFAULT_CSS = "CellPicture { width: 0; height: 0; }"

    def __init__(self, picture: PILImage.Image, **kwargs) -> None:
        super().__init__(**kwargs)
        self.picture = picture
        self._strips: tuple[tuple[int, int], list[Strip]] | None = None

    def strips(self) -> list[Strip]:
        """The rendered rows for the current size (kept until the size changes)."""
        size = (self.size.width, self.size.height)
        if self._strips is None or self._strips[0] != size:
            drawn = half_block_strips(shrink(self.picture, size[0], 2 * size[1])) if all(size) else []
            self._strips = size, drawn
        return self._strips[1]

    def render_line(self, y: int) -> Strip:
        strips = self.strips()
        return strips[y] if y < len(strips) else Strip.blank(self.size.width)


class CaseImage(Vertical):
    """A case image with its caption under it; a text line where the file cannot be shown."""

    DEFAULT_CSS = """
    CaseImage { height: auto; }
    CaseImage > .caption { color: $text-muted; }
    """

    def __init__(self, path: Path | None, caption: str, *, cells: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.path, self.caption = path, caption
        self.force_cells = cells  # the half-block fallback whatever the terminal supports
        self.source = _open(path)
        self.fitted: tuple[int, int] = (0, 0)  # the picture's size in cells, once laid out

    def compose(self) -> ComposeResult:
        if self.source is not None:
            yield self._picture()
            yield Static(Text(f"[{printable(self.caption)}]"), classes="caption", markup=False)
        else:
            where = "" if self.path is None else f" — {self.path}"
            yield Static(Text(printable(f"[image: {self.caption}{where}]")), classes="caption", markup=False)

    def _picture(self) -> Widget:
        # A headless app (tests, snapshots) has no terminal to draw sixels on.
        if _GRAPHICS is None or self.force_cells or self.app.is_headless:
            return CellPicture(self.source, classes="picture")  # type: ignore[arg-type]
        graphics = _GRAPHICS(str(self.path), classes="picture")
        graphics.styles.width, graphics.styles.height = 0, 0
        return graphics

    @property
    def picture(self) -> Widget | None:
        """The widget drawing the image (None for a text line)."""
        return next(iter(self.query(".picture")), None)

    def on_resize(self, event: Resize) -> None:
        self.fit()

    def fit(self) -> None:
        """Size the picture to the width it has and the height the visible view allows."""
        picture = self.picture
        if picture is None or self.source is None:
            return
        cell = DEFAULT_CELL if isinstance(picture, CellPicture) else cell_pixels()
        width, height = self._room()
        cols, rows = fit_cells(self.source.size, (min(self.content_size.width, width), height - 1), cell)
        if self.fitted != (cols, rows):  # set only on change: a new size lays the view out again
            self.fitted = cols, rows
            picture.styles.width, picture.styles.height = cols, rows

    def _room(self) -> tuple[int, int]:
        """Columns and rows of the scrolling view this image sits in (the screen's when there is
        none). The columns leave room for a vertical scrollbar even while there is none: else a
        picture that brings the scrollbar would shrink, lose it, grow and bring it again."""
        for ancestor in self.ancestors:
            if isinstance(ancestor, ScrollableContainer):
                width = ancestor.content_region.width - ancestor.styles.scrollbar_size_vertical
                return width, ancestor.scrollable_content_region.height
        return self.screen.size.width, self.screen.size.height


def _open(path: Path | None) -> PILImage.Image | None:
    """The image decoded once, or None when there is no file or it is not an image."""
    if path is None or not path.is_file():
        return None
    try:
        with PILImage.open(path) as picture:
            return picture.convert("RGB")
    except OSError:
        return None
