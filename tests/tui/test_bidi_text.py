"""Display rules for right-to-left and double-width text (agentclinic.tui.bidi_text): wrapping
by cells, visual order with shaped letters and mirrored brackets, and life without the extra."""

import sys
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from agentclinic.tui import bidi_text
from agentclinic.tui.bidi_text import BidiText, clip, for_display, take_note, visual_order, wrap_offsets

# Letters a screen sees: Latin words, Chinese characters and punctuation, Persian letters, spaces.
PIECES = st.sampled_from(["a", "bc", "word", " ", "  ", "两", "天", "。", "，", "「", "ا", "س", "ت", "\n", "é", "한"])


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=60).map("".join), st.integers(min_value=2, max_value=50))
def test_lines_never_exceed_the_width_and_lose_no_character(text, width):
    lines = wrap_offsets(text, width)
    assert all(cell_len(text[a:b]) <= width for a, b in lines)
    assert all(a <= b for a, b in lines) and all(b1 <= a2 for (_, b1), (a2, _) in pairwise(lines))
    shown = "".join(text[a:b] for a, b in lines)
    assert "".join(shown.split()) == "".join(text.split())  # only spaces may go, at breaks


def test_chinese_breaks_between_characters_but_not_before_closing_punctuation():
    text = "患者：我这两天心跳得又快又乱，心里一阵阵扑腾。"
    lines = [text[a:b] for a, b in wrap_offsets(text, 10)]
    assert lines[0] == "患者：我这"  # 10 cells: five characters, none cut
    assert not any(line[0] in "，。：" for line in lines)
    assert "".join(lines) == text


def test_a_label_shares_its_line_with_chinese_text():
    text = "patient: 两天前我在院子里种花"
    assert [text[a:b] for a, b in wrap_offsets(text, 20)] == ["patient: 两天前我在", "院子里种花"]


def test_clip_counts_cells_and_never_halves_a_wide_character():
    assert clip("两天前我在院子里", 5) == "两天…"
    assert clip("short", 10) == "short"
    assert cell_len(clip("这是一个很长的诊断名称", 40)) <= 40


def test_persian_is_shaped_and_put_in_visual_order_with_mirrored_brackets():
    # 'است': alef isolated, seen initial, teh final; drawn from the right, so reversed in cells.
    assert visual_order("است") == "\ufe96\ufeb3\ufe8d"
    # 'تب (بالا)': lam-alef becomes one ligature; '(' opens towards the text it encloses.
    assert visual_order("تب (بالا)") == "(\ufefb\ufe8e\ufe91) \ufe90\ufe97"
    assert visual_order("ECG normal") == "ECG normal"  # no right-to-left letter: untouched


def test_each_stretch_keeps_its_own_direction_and_style():
    text = Text("patient: ", style="green")
    text.append("سرفه دارم", style="bold")
    shown = for_display(text, [len("patient: ")])
    assert isinstance(shown, BidiText) and shown.plain == text.plain  # stored order unchanged
    [line] = shown.display_lines(40)
    assert line.plain == "patient: \ufee1\ufead\ufe8d\ufea9 \ufeea\ufed3\ufeae\ufeb3"
    assert [(s.start, s.end, str(s.style)) for s in line.spans] == [(9, 18, "bold")]


def test_a_cell_that_cannot_wrap_loses_the_end_of_its_sentence_not_the_start():
    # 'سرفه دارم و تب' in a 7-cell table cell: the logical start stays, drawn at the right.
    [line] = for_display(Text("سرفه دارم و تب")).display_lines(7, no_wrap=True)
    assert cell_len(line.plain) <= 7
    assert line.plain.startswith("…") and line.plain.endswith("\ufeea\ufed3\ufeae\ufeb3")


def test_text_without_rtl_or_wide_characters_is_left_to_rich():
    plain = Text("What brings you in?")
    assert for_display(plain) is plain


def test_tables_measure_and_wrap_chinese_by_cells():
    table = Table(show_header=False, box=None, padding=0)
    table.add_column(width=12)
    table.add_row(for_display(Text("两天前我在院子里种花的时候开始的。")))
    console = Console(width=30, color_system=None)
    lines = ["".join(seg.text for seg in row).rstrip() for row in console.render_lines(table, pad=False)]
    assert lines == ["两天前我在院", "子里种花的时", "候开始的。"]


@pytest.fixture
def without_rtl_extra(monkeypatch):
    """As if `pip install 'agentclinic[rtl]'` had not been run: the imports fail."""
    monkeypatch.setitem(sys.modules, "bidi", None)
    monkeypatch.setitem(sys.modules, "bidi.algorithm", None)
    monkeypatch.setitem(sys.modules, "arabic_reshaper", None)
    monkeypatch.setattr(bidi_text, "_note_state", {"pending": False, "given": False})
    bidi_text._shaper.cache_clear()
    yield
    bidi_text._shaper.cache_clear()


def test_without_the_extra_text_shows_as_stored_with_one_note(without_rtl_extra):
    assert not bidi_text.rtl_available()
    assert take_note() is None  # nothing right-to-left shown yet
    assert visual_order("است") == "است"
    note = take_note()
    assert note is not None and "pip install 'agentclinic[rtl]'" in note
    visual_order("تب دارم")
    assert take_note() is None  # once per process
