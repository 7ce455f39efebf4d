"""Widgets shared by the games and the browser. Text from cases and models is always a
``rich.text.Text``: shown literally, never read as markup, and made printable first (stored
rows may predate reply sanitising)."""

from __future__ import annotations

from pathlib import Path

from rich.console import RenderableType
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

from ..printable import printable
from .bidi_text import for_display, take_note
from .images import CaseImage

SPEAKER_STYLE = {"doctor": "bold cyan", "patient": "green", "measurement": "magenta", "system": "dim"}
TOOL_STYLE = "yellow"


def line(speaker: str, text: str, label: str | None = None) -> Text:
    """One transcript line: a styled speaker label and the literal text (Persian reordered and
    shaped, Chinese wrapped by cells when drawn: :mod:`.bidi_text`)."""
    result = Text(f"{printable(label or speaker)}: ", style=SPEAKER_STYLE.get(speaker, ""))
    start = len(result)
    result.append(printable(text))  # appended as plain text: '[bold]' stays '[bold]'
    return for_display(result, [start])


def tool_line(tool: str, text: str, spent: str = "") -> Text:
    """A doctor-tool use, marked apart from the turns: '⚙ rag: query → passages …', literal text."""
    result = Text(f"⚙ {printable(tool)}: ", style=f"bold {TOOL_STYLE}")
    start = len(result)
    result.append(printable(text), style=f"italic {TOOL_STYLE}")
    if spent:
        result.append(f" ({printable(spent)})", style="dim")
    return for_display(result, [start])


def cell_text(text: object) -> Text:
    """Case or model text for a table cell or panel: literal, printable, drawn as :func:`line` is."""
    return for_display(Text(printable(text)))


def labelled(text: str) -> Text:
    """'Label: value' lines (the patient's card): each value keeps its own direction, so an
    English heading stays left of a Persian value."""
    text = printable(text)
    starts, offset = [], 0
    for row in text.split("\n"):
        head, sep, _ = row.partition(": ")
        if sep:
            starts.append(offset + len(head) + len(sep))
        offset += len(row) + 1
    return for_display(Text(text), starts)


def note_missing_rtl(widget: Widget) -> None:
    """Tell the person once that right-to-left text shows as stored until the ``rtl`` extra is in."""
    note = take_note()
    if note is not None:
        widget.app.notify(note, severity="warning", timeout=10, markup=False)


class Transcript(VerticalScroll):
    """The conversation, newest at the bottom, scrolled to follow it."""

    DEFAULT_CSS = """
    Transcript { height: 1fr; border: round $primary; padding: 0 1; }
    Transcript > Static, Transcript > CaseImage { margin-bottom: 1; }
    """

    def on_mount(self) -> None:
        self.anchor()  # follow new lines (and pictures growing to size) until the person scrolls up

    def add(self, renderable: RenderableType, classes: str = "") -> Static:
        entry = Static(renderable, classes=classes, markup=False)
        self.mount(entry)
        self.scroll_end(animate=False)
        note_missing_rtl(self)
        return entry

    def add_image(self, path: Path | None, caption: str) -> CaseImage:
        """A case image (:class:`~.images.CaseImage`), as wide as the transcript allows."""
        entry = CaseImage(path, caption)
        self.mount(entry)
        self.scroll_end(animate=False)
        return entry
