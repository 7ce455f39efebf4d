"""Building blocks of the HTML report: escaped text, cells, links, tables in scroll boxes, figures.

Every string is escaped here, URLs included: a transcript, a case id or a model label can
never inject markup into the page. Case and model text may be Chinese, Korean, Hindi or
Persian: each element holding it takes its direction from its own first letter
(``dir="auto"``, so Persian reads right to left inside an English page) and, where the
episode's language is known, carries it (``lang``), which picks the script's fonts.
"""

from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass

from ..language import base_code

# A case in Persian may still hold an English name, and a model may answer in English: text
# with no letter of its language's script does not claim that language.
_SCRIPTS = {"fa": re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]"),
            "zh": re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"),
            "ko": re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]"),
            "hi": re.compile("[\u0900-\u097f]")}


def escape(value: object) -> str:
    """``value`` as HTML text or attribute value."""
    return html.escape(str(value), quote=True)


@dataclass(frozen=True)
class Text:
    """A cell of case or model text: its own direction, and its language where known."""

    value: object
    lang: str | None = None

    def attributes(self) -> str:
        script = _SCRIPTS.get(base_code(self.lang)) if self.lang else None
        claims = self.lang and (script is None or script.search(str(self.value)))
        return ' dir="auto"' + (f' lang="{escape(self.lang)}"' if claims else "")


@dataclass(frozen=True)
class Key:
    """A condition's key (A, B, …), as written on the figures."""

    value: str


@dataclass(frozen=True)
class Cell:
    """Ready-made, already escaped cell content (e.g. links), with how it aligns."""

    markup: str
    text: bool = True  # names align to their start and may wrap; numbers align right


# An href may be relative ("runs/3.html"), absolute on this site ("/runs/3") or http(s). Any
# other scheme (javascript:, data:) is not linked: a case id in a URL must not become a script.
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):")


def safe_href(url: str) -> bool:
    """Whether ``url`` may be linked: relative, or http(s)."""
    found = _SCHEME.match(url)
    return found is None or found.group(1).lower() in ("http", "https")


def link(text: object, url: str | None) -> str:
    """``<a href=url>text</a>``, both escaped; just the text when there is no (safe) URL."""
    if url is None or not safe_href(url):
        return escape(text)
    return f'<a href="{escape(url)}">{escape(text)}</a>'


def _is_text(cell: object) -> bool:
    return isinstance(cell, Text) or (isinstance(cell, Cell) and cell.text)


def td(cell: object) -> str:
    if isinstance(cell, Text):
        return f"<td{cell.attributes()}>{escape(cell.value)}</td>"
    if isinstance(cell, Key):
        return f'<td class="key">{escape(cell.value)}</td>'
    if isinstance(cell, Cell):
        return f'<td{" class=text" if cell.text else ""}>{cell.markup}</td>'
    return f"<td>{escape(cell)}</td>"


def slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def table(caption: str, header: list[str], rows: list[list[object]]) -> str:
    """A titled table in its own horizontal scroll box (a wide table never widens the page).

    A column's header aligns like its cells (text to the start, numbers right), judged by the
    first row. The box is focusable and named by the title, so keyboards can scroll it too.
    """
    first = rows[0] if rows else []
    head = "".join(f"<th{' class=text' if i < len(first) and _is_text(first[i]) else ''}>{escape(h)}</th>"
                   for i, h in enumerate(header))
    body = "".join("<tr>" + "".join(td(c) for c in row) + "</tr>" for row in rows)
    name = "t-" + slug(caption)
    return (f'<h2 id="{name}">{escape(caption)}</h2><div class="table-wrap" role="region" tabindex="0" '
            f'aria-labelledby="{name}"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>')


def figure(title: str, png: bytes | None, note: str | None = None, caption: str | None = None) -> str:
    """An embedded PNG (no file to fetch) under its title; or, when not drawn, the note why."""
    if png is None:
        return f"<p class=note>{escape(title)}: {escape(note)}</p>" if note else ""
    data = base64.b64encode(png).decode("ascii")
    below = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return (f'<figure><h2>{escape(title)}</h2><img alt="{escape(title)}" '
            f'src="data:image/png;base64,{data}">{below}</figure>')
