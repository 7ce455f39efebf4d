"""Number formats shared by the terminal tables, the HTML report and the run summary, and
:class:`FitTable`, the terminal table every CLI listing uses so ids are never cut.

A statistic over no episodes arrives as None and prints as ``NA``: "0.0%" over nothing
would read as a measured failure, and "nan" as a bug.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.console import (
    Console,
    ConsoleOptions,
    JustifyMethod,
    RenderableType,
    RenderResult,
)
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

# Not .statistics: the `run` summary calls format_rate and should not pay for importing scipy.
from ..stats import wilson_interval

NA = "n/a"


def pct(value: float | None) -> str:
    """0.825 -> '82.5%'; None -> 'n/a'."""
    return NA if value is None else f"{100 * value:.1f}%"


def number(value: float | None, spec: str = ",.2f") -> str:
    """``value`` formatted with a format ``spec`` (e.g. ',.0f', '.3g'); None -> 'n/a'."""
    return NA if value is None else format(value, spec)


def accuracy_with_ci(row: dict) -> str:
    """'82.1% (70–90)' from a summary row with accuracy, low and high; 'n/a' when n was 0."""
    if row["accuracy"] is None:
        return NA
    return f"{pct(row['accuracy'])} ({100 * row['low']:.0f}–{100 * row['high']:.0f})"


def format_rate(successes: int, n: int) -> str:
    """A rate with its Wilson 95% interval, or 'n/a' when there is nothing to rate.

    ``format_rate(23, 28)`` -> '82.1% (95% CI 64.4%–92.1%)'; ``format_rate(0, 0)`` -> 'n/a'.
    """
    if not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n, got successes={successes}, n={n}")
    if n == 0:
        return NA
    low, high = wilson_interval(successes, n)
    return f"{pct(successes / n)} (95% CI {pct(low)}–{pct(high)})"


# --------------------------------------------------------------------------- terminal tables
@dataclass(frozen=True)
class Label:
    """An identifying cell: ``text`` is shown whole (or keyed), ``mark`` follows it either way."""

    text: str
    mark: str = ""


@dataclass
class _Column:
    header: str
    ident: bool
    justify: JustifyMethod
    free_text: bool
    group: str | None  # identifying columns keyed together (None: never keyed, e.g. numeric ids)
    key_prefix: str | None  # None: the table's


# How narrow a free-text column (a diagnosis, a description) may get before the identifying
# columns are keyed instead: narrower, its words break.
_FREE_TEXT_MIN = 8
_UNBOUNDED = 10_000


class FitTable:
    """A rich table whose identifying columns (ids you type, condition labels) are never cut.

    Identifying cells are never wrapped, folded or ended with '…': the other columns wrap
    around them. When the terminal is too narrow even for that, the identifying values are
    replaced by short keys (``C1``, ``C2`` …) and a legend under the table gives each one in
    full. ``keys`` may be shared between tables so one value keeps one key in a whole report.
    """

    def __init__(self, title: str | None = None, *, caption: str | None = None, show_header: bool = True,
                 key_prefix: str = "K", keys: dict[str, str] | None = None) -> None:
        self.title, self.caption, self.show_header = title, caption, show_header
        self.key_prefix = key_prefix
        self.keys = keys if keys is not None else {}
        self.columns: list[_Column] = []
        self.rows: list[tuple[RenderableType | Label, ...]] = []

    def add_column(self, header: str, *, ident: bool = False, justify: JustifyMethod = "left",
                   free_text: bool = False, key_group: str | None = "", key_prefix: str | None = None) -> None:
        """A column. ``ident`` marks an identifying one; identifying columns of one ``key_group``
        (default: each its own) are keyed together, and ``key_group=None`` ones never (short
        numeric ids), with keys ``key_prefix`` + a number (default: the table's prefix).
        ``free_text`` marks prose that may wrap inside words when space is short."""
        group = (key_group or header) if ident and key_group is not None else None
        self.columns.append(_Column(header, ident, justify, free_text, group, key_prefix))

    def add_row(self, *cells: RenderableType | Label) -> None:
        """A row; identifying cells are plain strings or :class:`Label` (never read as markup)."""
        self.rows.append(cells)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        keyed: set[int] = set()
        for group in [None, *self._groups_widest_first()]:  # key one group more each time until it fits
            keyed |= {i for i, c in enumerate(self.columns) if group is not None and c.group == group}
            probe = self._build(keyed, probe=True)
            # Measured unbounded: rich clamps a measurement to the width it is given.
            if Measurement.get(console, options.update_width(_UNBOUNDED), probe).minimum <= options.max_width:
                break
        yield self._build(keyed, probe=False)
        if keyed:
            yield self._legend(keyed)

    def _groups_widest_first(self) -> list[str]:
        widths: dict[str, int] = {}
        for index, column in enumerate(self.columns):
            if column.group is not None:
                widths[column.group] = max(widths.get(column.group, 0), self._ident_width(index, set()))
        return sorted(widths, key=lambda group: -widths[group])

    def _label(self, cell: RenderableType | Label) -> Label:
        return cell if isinstance(cell, Label) else Label(str(cell))

    def _key(self, text: str, prefix: str) -> str:
        if text not in self.keys:
            taken = sum(_key_order(key)[0] == prefix for key in self.keys.values())
            self.keys[text] = f"{prefix}{taken + 1}"
        return self.keys[text]

    def _shown(self, index: int, cell: RenderableType | Label, keyed: set[int]) -> str:
        label = self._label(cell)
        if index not in keyed:
            return label.text + label.mark
        return self._key(label.text, self.columns[index].key_prefix or self.key_prefix) + label.mark

    def _ident_width(self, index: int, keyed: set[int]) -> int:
        cells = [self._shown(index, row[index], keyed) for row in self.rows]
        return max([cell_len(line) for text in cells for line in text.splitlines()] or [1])

    def _build(self, keyed: set[int], probe: bool) -> Table:
        table = Table(title=self.title, caption=self.caption, show_header=self.show_header)
        for index, column in enumerate(self.columns):
            if column.ident:
                width = max(self._ident_width(index, keyed), cell_len(column.header) if self.show_header else 0)
                table.add_column(column.header, justify=column.justify, no_wrap=True, overflow="fold",
                                 min_width=width)
            else:
                table.add_column(column.header, justify=column.justify, overflow="fold",
                                 max_width=_FREE_TEXT_MIN if probe and column.free_text else None)
        for row in self.rows:
            table.add_row(*(Text(self._shown(i, cell, keyed)) if self.columns[i].ident else cell
                            for i, cell in enumerate(row)))
        return table

    def _legend(self, keyed: set[int]) -> Text:
        """'C1  baseline · neutral', one key a line, in key order."""
        used = {self._label(row[i]).text for row in self.rows for i in keyed}
        entries = sorted(((k, t) for t, k in self.keys.items() if t in used), key=lambda item: _key_order(item[0]))
        legend = Text(overflow="fold")
        for number_, (key, text) in enumerate(entries):
            legend.append("\n" if number_ else "").append(key, style="bold").append(f"  {text}")
        return legend


def _key_order(key: str) -> tuple[str, int]:
    """'C10' after 'C9'."""
    head = key.rstrip("0123456789")
    return head, int(key[len(head):] or 0)
