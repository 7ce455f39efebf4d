"""Flags in ``--help`` read as flags, not as options that take a value.

typer 0.29 draws its rich help from ``TyperOption.display_type_rich`` for every option,
flags included, so ``--json``, ``--quiet`` and even ``--help`` showed a ``<bool>`` value
as if one had to type ``--json true`` (its plain-text help skips flags; the rich one does
not). How the options are declared is not the cause: any ``bool`` option shows it. Until
typer skips flags itself, flags report no type here; other options keep theirs (``<int>``,
metavars such as ``N|P%``). Older typers have no such method and are left alone.
"""

from __future__ import annotations

import functools
from typing import Any

import typer.core


def hide_flag_types() -> None:
    """Make typer's rich help show no value type for flags (idempotent)."""
    option = getattr(typer.core, "TyperOption", None)
    shown = getattr(option, "display_type_rich", None)
    if option is None or shown is None or getattr(shown, "hides_flag_types", False):
        return

    @functools.wraps(shown)
    def display_type_rich(self: Any, ctx: Any) -> str | None:
        if getattr(self, "is_flag", False) and not getattr(self, "count", False):
            return None  # a flag takes no value: nothing to show
        return shown(self, ctx)

    display_type_rich.hides_flag_types = True  # type: ignore[attr-defined]
    option.display_type_rich = display_type_rich
