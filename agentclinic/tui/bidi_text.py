"""Right-to-left and double-width text on a terminal, done at render time.

Terminals draw cells left to right and apply no Unicode bidirectional algorithm, so Persian
stored in logical order would show reversed, with every letter in its isolated form. Each
*displayed* line that holds right-to-left letters is therefore shaped (arabic-reshaper:
contextual letter forms) and put in visual order (python-bidi), after wrapping: the
algorithm reorders line by line, so wrapping has to see the logical text. Stored text is
never changed. Without the ``rtl`` extra, such lines show as stored, and :func:`take_note`
hands out one note naming the extra.

Chinese, Korean and Japanese characters take two cells each and may break a line between
any two of them (Rich breaks only at spaces, leaving a label alone on a line above a
sentence). Wrapping here counts cells (Rich's ``cell_len``), never puts half a wide
character on a line, and keeps closing punctuation off the start of a line.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
from itertools import pairwise

from rich.cells import cell_len, get_character_cell_size
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text

RTL_NOTE = "Right-to-left text is shown as stored; for Persian display run: pip install 'agentclinic[rtl]'"
ELLIPSIS = "…"
# A line never starts with these (they close what comes before) nor ends with the openers.
_CLOSING = frozenset("，。、；：！？）」』】》〉〕…‥・,.;:!?)]}%؟،؛")
_OPENING = frozenset("（「『【《〈〔([{")

_note_state = {"pending": False, "given": False}


def has_rtl(text: str) -> bool:
    """Whether ``text`` holds a right-to-left letter (Hebrew, Arabic, Persian, ...)."""
    return any(unicodedata.bidirectional(char) in ("R", "AL") for char in text)


def has_wide(text: str) -> bool:
    """Whether ``text`` holds a character two cells wide (CJK, Hangul, fullwidth forms)."""
    return any(get_character_cell_size(char) == 2 for char in text)


def base_direction(text: str) -> str:
    """'R' or 'L': the direction of the first strong letter (Unicode rule P2), 'L' without one."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "R"
        if kind == "L":
            return "L"
    return "L"


@lru_cache(maxsize=1)
def _shaper() -> Callable[[str, str], str] | None:
    """Shape-then-reorder, or None without the ``rtl`` extra (imported on first need only)."""
    # python-bidi's Python implementation: the Rust one (``from bidi import get_display``)
    # skips rule L4, so '(' in Persian would show pointing the wrong way (python-bidi #25).
    try:
        import arabic_reshaper
        from bidi.algorithm import get_display
    except ImportError:
        return None

    def visual(text: str, base: str) -> str:
        return get_display(arabic_reshaper.reshape(text), base_dir=base)

    return visual


def rtl_available() -> bool:
    """Whether the ``rtl`` extra is installed (right-to-left lines are reordered and shaped)."""
    return _shaper() is not None


def visual_order(text: str, base: str = "R") -> str:
    """One displayed line, shaped and in left-to-right cell order; unchanged without RTL letters."""
    if not has_rtl(text):
        return text
    shaper = _shaper()
    if shaper is None:
        _note_state["pending"] = not _note_state["given"]
        return text
    return shaper(text, base)


def take_note() -> str | None:
    """The one-time note that the ``rtl`` extra is missing, once RTL text was shown without it."""
    if not _note_state["pending"]:
        return None
    _note_state.update(pending=False, given=True)
    return RTL_NOTE


def clip(text: str, cells: int) -> str:
    """``text`` cut to at most ``cells`` cells, ending in '…' when cut; never half a wide character."""
    if cell_len(text) <= cells:
        return text
    kept, used = [], cell_len(ELLIPSIS)
    for char in text:
        used += get_character_cell_size(char)
        if used > cells:
            break
        kept.append(char)
    return "".join(kept) + ELLIPSIS


# ---- wrapping by cells ------------------------------------------------------------------------
def _can_break(text: str, index: int) -> bool:
    """Whether a line may break between ``text[index - 1]`` and ``text[index]``."""
    before, after = text[index - 1], text[index]
    if get_character_cell_size(after) == 0 and not after.isspace():
        return False  # a combining mark stays with its letter
    if before.isspace() != after.isspace():
        return True
    if before.isspace() or after in _CLOSING or before in _OPENING:
        return False  # punctuation stays with the word it closes or opens
    return get_character_cell_size(before) == 2 or get_character_cell_size(after) == 2


def _tokens(text: str, begin: int, end: int) -> Iterable[tuple[int, int]]:
    """Unbreakable pieces of ``text[begin:end]``: words, space runs, single wide characters."""
    start = begin
    for index in range(begin + 1, end):
        if _can_break(text, index):
            yield start, index
            start = index
    if start < end:
        yield start, end


def _fold(text: str, begin: int, end: int, width: int) -> list[tuple[int, int]]:
    """A piece wider than the line, cut into lines of at most ``width`` cells between characters."""
    pieces, start, used = [], begin, 0
    for index in range(begin, end):
        size = get_character_cell_size(text[index])
        if used + size > width and used:
            pieces.append((start, index))
            start, used = index, 0
        used += size
    pieces.append((start, end))
    return pieces


def _wrap_paragraph(text: str, begin: int, end: int, width: int) -> list[tuple[int, int]]:
    lines: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None
    used = pending = 0  # cells on the line; cells of spaces waiting for the next word
    for start, stop in _tokens(text, begin, end):
        size = cell_len(text[start:stop])
        if text[start].isspace() and current is not None:
            pending += size  # shown between words, dropped at a line break
            continue  # (leading indentation goes on as a word does)
        if current is not None and used + pending + size <= width:
            current, used, pending = (current[0], stop), used + pending + size, 0
            continue
        if current is not None:
            lines.append(current)
        *full, current = _fold(text, start, stop, width)
        lines += full
        used, pending = cell_len(text[current[0]:current[1]]), 0
    lines.append(current or (begin, begin))
    return lines


def wrap_offsets(text: str, width: int) -> list[tuple[int, int]]:
    """Lines of ``text`` as (start, end) offsets, each at most ``width`` cells (a wide character
    overflows only a line narrower than two cells). Newlines always break."""
    lines, start = [], 0
    for paragraph in text.split("\n"):
        lines += _wrap_paragraph(text, start, start + len(paragraph), max(width, 1))
        start += len(paragraph) + 1
    return lines


def min_width(text: str) -> int:
    """The widest piece that cannot be broken: a table column narrower than this must fold it."""
    return max((cell_len(text[a:b]) for a, b in _tokens(text, 0, len(text)) if not text[a].isspace()),
               default=0)


# ---- the renderable ---------------------------------------------------------------------------
class BidiText(Text):
    """A ``rich.text.Text`` that renders RTL lines shaped in visual order and wraps by cells.

    It stays a ``Text`` (``plain``, ``spans``: what was given, in logical order), so code and
    tests read it as before; only drawing differs. Each styled run (a speaker label, the
    message) keeps its own direction, from its first strong letter, so an English label
    stays left of a Persian reply and the reply reads from its right end.
    """

    stretch_starts: tuple[int, ...] = ()  # where a stretch with its own direction begins (after a label)

    def _runs(self) -> list[tuple[int, int, str]]:
        """(start, end, direction) of each stretch with one style, split at newlines and at
        :attr:`stretch_starts`."""
        plain = self.plain
        cuts = {0, len(plain), *self.stretch_starts}
        cuts |= {edge for span in self.spans for edge in (span.start, span.end)}
        cuts |= {i + shift for i, char in enumerate(plain) if char == "\n" for shift in (0, 1)}
        edges = sorted(cut for cut in cuts if 0 <= cut <= len(plain))
        return [(a, b, base_direction(plain[a:b])) for a, b in pairwise(edges) if a < b]

    def _visual_line(self, start: int, end: int, runs: list[tuple[int, int, str]],
                     ellipsis: bool = False) -> tuple[Text, bool, int | None]:
        """One displayed line; whether all of its text is in right-to-left stretches; and where
        its last piece begins when that piece is right to left (None otherwise)."""
        line = self.blank_copy()
        right_to_left, last_rtl = True, None
        pieces = [(max(a, start), min(b, end), base) for a, b, base in runs if a < end and b > start]
        for number, (a, b, base) in enumerate(pieces):
            piece = self[a:b]
            logical = piece.plain + (ELLIPSIS if ellipsis and number == len(pieces) - 1 else "")
            shown = Text(visual_order(logical, base))
            for span in piece.spans:  # one style per stretch: it covers the whole piece
                shown.stylize(span.style)
            last_rtl = len(line) if base == "R" else None
            line.append_text(shown)
            right_to_left &= (base == "R" or not logical.strip())
        return line, right_to_left and bool(line.plain.strip()), last_rtl

    def _hang_right(self, line: Text, rtl_from: int | None, end: int, runs, width: int) -> Text:
        """A right-to-left paragraph hangs from the right edge: its lines share that edge, and a
        first line after a label keeps the label at the left, the gap between them."""
        if not rtl_available():  # shown as stored, left to right: hanging it would mislead
            return line
        if rtl_from == 0:
            line.align("right", width)
        elif rtl_from is not None and any(a < end < b for a, b, _ in runs):  # continues below
            line = Text.assemble(line[:rtl_from], " " * max(0, width - cell_len(line.plain)), line[rtl_from:])
        return line

    def display_lines(self, width: int, no_wrap: bool = False) -> list[Text]:
        """The lines as drawn ``width`` cells wide: wrapped (or cut with '…'), then reordered."""
        plain, runs, lines = self.plain, self._runs(), []
        offsets = [(a, b, False) for a, b in wrap_offsets(plain, 10**9 if no_wrap else width)]
        if no_wrap:  # cut in logical order, so a Persian line loses its end (drawn at the left)
            offsets = [(a, a + len(clip(plain[a:b], width)) - 1, True) if cell_len(plain[a:b]) > width
                       else (a, b, False) for a, b, _ in offsets]
        for a, b, cut in offsets:
            line, right_to_left, rtl_from = self._visual_line(a, b, runs, ellipsis=cut)
            if not no_wrap and self.justify in (None, "default"):
                line = self._hang_right(line, 0 if right_to_left else rtl_from, b, runs, width)
            lines.append(line)
        return lines

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lines = self.display_lines(options.max_width, no_wrap=bool(options.no_wrap or self.no_wrap))
        yield from Text("\n").join(lines).render(console, end=self.end)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        widest = max((cell_len(part) for part in self.plain.split("\n")), default=0)
        return Measurement(min(min_width(self.plain), widest), widest).with_maximum(options.max_width)

    def visualize(self) -> _Drawn:
        """For Textual: draw through Rich (not Textual's own wrapping of a ``Text``)."""
        return _Drawn(self)


class _Drawn:
    """A :class:`BidiText` seen by Textual as a plain renderable, so heights come from the
    lines it really draws, not from re-wrapping its text the usual way."""

    def __init__(self, text: BidiText):
        self.text = text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.text

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return self.text.__rich_measure__(console, options)


def for_display(text: Text, stretch_starts: Iterable[int] = ()) -> Text:
    """``text`` ready for the screen: itself when it has neither right-to-left letters nor wide
    characters (drawn exactly as before), else a :class:`BidiText` with the same content.

    ``stretch_starts``: offsets where a part with its own direction begins, such as a reply
    after its speaker label ('patient: ' stays left, the Persian reply reads from the right).
    """
    plain = text.plain
    if isinstance(text, BidiText) or not (has_rtl(plain) or has_wide(plain)):
        return text
    shown = BidiText(plain, style=text.style, justify=text.justify, overflow=text.overflow,
                     no_wrap=text.no_wrap, end=text.end)
    for span in text.spans:
        shown.stylize(span.style, span.start, span.end)
    shown.stretch_starts = tuple(stretch_starts)
    if has_rtl(plain) and not rtl_available():
        _note_state["pending"] = not _note_state["given"]
    return shown
