"""Widgets shared by the games and the browser. Text from cases and models is always a
``rich.text.Text``: shown literally, never read as markup, and made printable first (stored
rows may predate reply sanitising)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Group, RenderableType
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from ..printable import printable

SPEAKER_STYLE = {"doctor": "bold cyan", "patient": "green", "measurement": "magenta", "system": "dim"}
TOOL_STYLE = "yellow"
IMAGE_SIZE = (40, 20)  # cells: fits beside the text in an 80x24 terminal (two pixels per cell row)


def line(speaker: str, text: str, label: str | None = None) -> Text:
    """One transcript line: a styled speaker label and the literal text."""
    result = Text(f"{printable(label or speaker)}: ", style=SPEAKER_STYLE.get(speaker, ""))
    result.append(printable(text))  # appended as plain text: '[bold]' stays '[bold]'
    return result


def tool_line(tool: str, text: str, spent: str = "") -> Text:
    """A doctor-tool use, marked apart from the turns: '⚙ rag: query → passages …', literal text."""
    result = Text(f"⚙ {printable(tool)}: ", style=f"bold {TOOL_STYLE}")
    result.append(printable(text), style=f"italic {TOOL_STYLE}")
    if spent:
        result.append(f" ({printable(spent)})", style="dim")
    return result


def image(path: Path | None, caption: str) -> RenderableType:
    """The image as half-block pixels (rich-pixels), or a text line where that cannot work."""
    if path is not None and path.is_file():
        try:
            from PIL import Image
            from rich_pixels import Pixels

            with Image.open(path) as picture:
                picture.thumbnail((IMAGE_SIZE[0], IMAGE_SIZE[1] * 2))
                return Group(Pixels.from_image(picture.convert("RGB")), Text(f"[{caption}]", style="dim"))
        except (ImportError, OSError):
            pass
    return Text(f"[image: {caption}{'' if path is None else f' — {path}'}]", style="dim")


class Transcript(VerticalScroll):
    """The conversation, newest at the bottom, scrolled to follow it."""

    DEFAULT_CSS = """
    Transcript { height: 1fr; border: round $primary; padding: 0 1; }
    Transcript > Static { margin-bottom: 1; }
    """

    def add(self, renderable: RenderableType, classes: str = "") -> Static:
        entry = Static(renderable, classes=classes, markup=False)
        self.mount(entry)
        self.scroll_end(animate=False)
        return entry
