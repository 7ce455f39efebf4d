"""Persian and Chinese on the game screen, played headless with Pilot: what the terminal would
show, cell by cell. Persian reads from the right with joined letter forms; Chinese wraps
between characters by cell width, never half a character and never past the edge."""

import asyncio
import shutil
import unicodedata
from pathlib import Path

import pytest
import yaml
from rich.cells import cell_len
from textual.geometry import Region
from textual.widgets import Static

from agentclinic.loader import load_pack
from agentclinic.tui.play import GameApp, GameSettings
from agentclinic.tui.widgets import Transcript

from conftest import REPO
from test_bidi_text import without_rtl_extra  # noqa: F401 - the fixture
from tui_support import say, wait_for_turn

# Written for this test: "For three days I have had fever and chills and my cough has got worse."
ANSWER = "از سه روز پیش تب و لرز دارم و سرفه\u200cام بدتر شده است"
FIRST_WORD_SHOWN = "\ufeaf\ufe8d"  # 'از' shaped (zain, alef: both isolated), right to left
LAST_WORD_SHOWN = "\ufe96\ufeb3\ufe8d"  # 'است': teh final, seen initial, alef isolated


def persian_pack(root: Path) -> Path:
    """A core case copied with `language: fa` and a card in Persian (the images come along)."""
    data = yaml.safe_load((REPO / "scenarios/core/pulmonology-001.yaml").read_text(encoding="utf-8"))
    data.update(id="fa-pulmonology-test", language="fa", title="تب، لرز و خلط زنگ\u200cزده در یک راننده")
    data["patient"]["chief_complaint"] = "سه روز است که تب و لرز دارم و سرفه\u200cام خیلی بد شده."
    data["patient"]["history_of_present_illness"] = (
        "هفته\u200cی پیش کمی سرماخوردگی داشتم. از سه روز پیش تب بالا گرفتم و موقع نفس کشیدن "
        "سمت راست سینه\u200cام درد می\u200cگیرد.")
    pack = root / "fa"
    pack.mkdir(parents=True)
    (pack / "fa-pulmonology-test.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                                                   encoding="utf-8")
    shutil.copytree(REPO / "scenarios/core/images", pack / "images")
    return pack


def screen_rows(widget) -> list[str]:
    """The widget's cells as the terminal gets them, one string per row."""
    region = Region(0, 0, widget.outer_size.width, widget.outer_size.height)
    return ["".join(segment.text for segment in strip) for strip in widget.render_lines(region)]


def entry_of(app, prefix: str) -> Static:
    return next(e for e in app.query_one(Transcript).query(Static) if e.content.plain.startswith(prefix))


def play_patient(pack: Path, db_url: str, answers: list[str], notes: list[str] | None = None):
    """The person plays the patient and answers in Persian; returns the rows of the first answer."""
    async def game():
        app = GameApp(GameSettings(scenarios=str(pack), role="patient", doctor="baseline", db=db_url, seed=1,
                                   max_turns=6), load_pack(pack))
        if notes is not None:  # the real notify, recorded
            shown = app.notify
            app.notify = lambda message, **kw: (notes.append(message), shown(message, **kw))[1]
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for_turn(pilot, app)
            for answer in answers:
                await say(pilot, app, answer)
            entry = entry_of(app, "you: ")
            rows, width, card = screen_rows(entry), entry.size.width, screen_rows(app.query_one("#card-text"))
            await pilot.press("ctrl+q")
        return rows, width, card

    return asyncio.run(game())


def test_a_persian_answer_reads_from_the_right_with_joined_letters(tmp_path, db_url):
    rows, width, card = play_patient(persian_pack(tmp_path), db_url, [ANSWER])
    text = [row.rstrip() for row in rows]
    assert len(text) == 2 and all(cell_len(row) <= width for row in rows)  # wrapped inside the transcript
    assert text[0].startswith("you: ") and text[0].endswith(FIRST_WORD_SHOWN)  # the answer starts at the right
    last = text[-1].lstrip()
    assert last.startswith(LAST_WORD_SHOWN)  # the leftmost cells hold the logical last word
    assert all(cell_len(row) == width for row in text)  # the paragraph hangs from the right edge
    letters = [c for row in text for c in row if unicodedata.bidirectional(c) == "AL"]
    assert letters and all(0xFB50 <= ord(c) <= 0xFEFF for c in letters)  # every letter in a shaped form
    # The card's Persian too: 'شده.' as heh isolated, dal final, sheen initial, the full stop at its left.
    assert any(".\ufee9\ufeaa\ufeb7" in row for row in card)


def test_without_the_extra_persian_shows_as_stored_and_says_how_to_fix_it_once(tmp_path, db_url,
                                                                             without_rtl_extra):  # noqa: F811
    notes: list[str] = []
    rows, _, _ = play_patient(persian_pack(tmp_path), db_url, [ANSWER, ANSWER], notes)
    assert rows[0].startswith("you: از سه روز")  # logical order, letters unshaped
    assert [n for n in notes if "agentclinic[rtl]" in n] == [
        "Right-to-left text is shown as stored; for Persian display run: pip install 'agentclinic[rtl]'"]


def test_a_chinese_reply_wraps_at_40_columns_between_whole_characters(db_url):
    pack = REPO / "scenarios" / "zh"
    if not (pack / "zh-cardiology-001.yaml").is_file():
        pytest.skip("the Chinese pack is not in this checkout")

    async def game():
        app = GameApp(GameSettings(scenarios=str(pack), scenario_id="zh-cardiology-001", db=db_url, seed=1),
                      load_pack(pack))
        async with app.run_test(size=(44, 24)) as pilot:  # border and padding leave 40 columns
            await wait_for_turn(pilot, app)
            await say(pilot, app, "您今天哪里不舒服？")
            entry = entry_of(app, "patient: ")
            result = screen_rows(entry), entry.size.width, entry.content.plain
            await pilot.press("ctrl+q")
        return result

    rows, width, logical = asyncio.run(game())
    assert width == 40
    text = [row.rstrip() for row in rows]
    assert len(text) >= 2 and all(cell_len(row) <= 40 for row in rows)
    # Every character arrives whole and in order: nothing cut at an edge, nothing pushed past it.
    assert "".join(text).replace(" ", "") == logical.replace(" ", "")
    assert text[0].startswith("patient: ") and cell_len(text[0]) > len("patient: ") + 20  # fills beside the label
    assert all(cell_len(row) >= 36 for row in text[:-1])  # lines end at the edge, at most a character short
    assert not any(row[:1] in "，。、；：！？" for row in text)
