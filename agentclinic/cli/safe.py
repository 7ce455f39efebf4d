"""Stored text printed with rich: never as escape sequences, never as markup.

Every command that shows a database row (model replies, errors, bindings) goes through
here; see :func:`agentclinic.printable.printable` for what is dropped and why.
"""

from __future__ import annotations

from rich.markup import escape
from rich.text import Text


def printable(text: object) -> str:
    """:func:`agentclinic.printable.printable`, imported on first use (it loads the model layer's redaction)."""
    from ..printable import printable as made_printable

    return made_printable(text)


def shown(text: object) -> str:
    """Stored ``text`` for an f-string that rich reads as markup: made printable, then escaped."""
    return escape(printable(text))


def literal(text: object, style: str = "") -> Text:
    """Stored ``text`` as a ``rich.text.Text``: made printable, shown literally."""
    return Text(printable(text), style=style)
