"""Stored text made fit for a screen: the one rule the CLI and the TUI both print by.

Rows hold model replies, errors and role bindings, and a database written before replies
were cleaned (or before server URLs were redacted) may still hold escape sequences or a
password. Showing is where those are finally dropped, whatever the row's age.
"""

from __future__ import annotations

from .llm.redact import redact_secrets
from .llm.sanitise import terminal_safe


def printable(text: object) -> str:
    """``text`` (any type; ``None`` -> ``""``) without terminal controls, bidi overrides or
    credentials. Still plain text: escape it before rich reads it as markup."""
    return terminal_safe(redact_secrets(str(text))) if text is not None else ""
