"""Model text made safe to store and to show in a terminal.

A reply is data from outside the program: a lone surrogate cannot be encoded (so it would
fail the episode when the turn is written), and control characters or bidi overrides turn
into screen clears, hyperlinks to local files or text that reads backwards once printed.
:func:`sanitise` cleans every reply where it enters (``ModelClient.chat``) and counts what it
changed; :func:`terminal_safe` cleans any stored text before it is printed, because older
databases hold rows written before replies were cleaned.
"""

from __future__ import annotations

import re

REPLACEMENT = "\ufffd"

# A whole escape sequence goes, not just its ESC, so no "[2J" or OSC-8 link target is left
# behind as text: CSI (ESC [ ... final byte), OSC (ESC ] ... BEL or ST), their one-byte C1
# forms, and the two-byte escapes ESC @ .. ESC _.
_ESCAPE_SEQUENCE = re.compile(r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"  # CSI, 7- or 8-bit
                              r"|(?:\x1b\]|\x9d)[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)"  # OSC, terminated
                              r"|\x1b[@-_]")
# C0 controls except tab and newline, DEL, C1 controls; then bidi embeddings and overrides
# (U+202A-U+202E), isolates (U+2066-U+2069) and the invisible direction marks (LRM, RLM,
# ALM), which can reorder what a reader sees without changing what is stored.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _fix_surrogates(text: str) -> tuple[str, int]:
    """Join valid surrogate pairs into their character; replace lone ones with U+FFFD."""
    if not _SURROGATE.search(text):
        return text, 0
    fixed = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return fixed, fixed.count(REPLACEMENT) - text.count(REPLACEMENT)


def sanitise(text: str) -> tuple[str, int]:
    """``text`` without unsafe characters, and how many were removed or replaced.

    Lone surrogates become U+FFFD; terminal escape sequences, control characters other than
    newline and tab, and bidi controls are removed. ``\\r\\n`` becomes ``\\n`` and is not counted: it is only a
    line-ending convention.
    """
    text, replaced = _fix_surrogates(text.replace("\r\n", "\n"))
    cleaned = _UNSAFE.sub("", _ESCAPE_SEQUENCE.sub("", text))
    return cleaned, replaced + len(text) - len(cleaned)


def terminal_safe(text: str | None) -> str:
    """Any text (stored rows included) with nothing a terminal would act on; ``None`` -> ``""``.

    Markup is a separate matter: print the result as a ``rich.text.Text`` or through
    ``rich.markup.escape``.
    """
    return sanitise(text)[0] if text else ""
