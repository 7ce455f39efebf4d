"""Stored text printed with rich: never as escape sequences, never as markup.

Every command that shows a database row (model replies, errors, bindings) goes through
here; see :func:`agentclinic.printable.printable` for what is dropped and why.
"""

from __future__ import annotations

from rich.markup import escape
from rich.text import Text

from ..printable import printable


def shown(text: object) -> str:
    """Stored ``text`` for an f-string that rich reads as markup: made printable, then escaped."""
    return escape(printable(text))


def literal(text: object, style: str = "") -> Text:
    """Stored ``text`` as a ``rich.text.Text``: made printable, shown literally."""
    return Text(printable(text), style=style)
