"""The game's keys and small print at 80x24: Ctrl+K from the input, typing that finds the
input, a hint that fits, /images on a case without images, and a result screen for people."""

import asyncio
import io

from rich.console import Console
from textual.geometry import Region
from textual.widgets import Footer, Input, Static
from textual.widgets._footer import FooterKey

from agentclinic.store import Store
from agentclinic.tui.commands import HELP
from agentclinic.tui.play import NO_IMAGES, GameApp, GameSettings
from agentclinic.tui.result import ResultScreen
from agentclinic.tui.widgets import Transcript

from tui_support import say, wait_for_turn

SIZE = (80, 24)


async def footer_keys(pilot, app) -> list[tuple[str, str]]:
    """(key, description) of the footer's entries, once the footer has drawn them."""
    for _ in range(100):
        keys = [(key.key, key.description) for key in app.screen.query_one(Footer).query(FooterKey)]
        if keys:
            return keys
        await pilot.pause(0.05)
    raise AssertionError("the footer shows no keys")


def rows_of(widget) -> list[str]:
    region = Region(0, 0, widget.size.width, widget.size.height)
    return ["".join(segment.text for segment in strip).rstrip() for strip in widget.render_lines(region)]


def status(app) -> str:
    return str(app.query_one("#status", Static).content)


def test_ctrl_k_toggles_the_card_from_the_input_and_is_in_the_footer(core_pack, db_url):
    async def game():
        app = GameApp(GameSettings(scenario_id="dermatology-001", role="patient", db=db_url, seed=2), core_pack)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for_turn(pilot, app)
            box, card = app.query_one("#say", Input), app.query_one("#card")
            assert app.focused is box and ("ctrl+k", "Card") in await footer_keys(pilot, app)
            box.value, box.cursor_position = "itchy", 2
            await pilot.press("ctrl+k")
            await pilot.pause()
            assert not card.display and box.value == "itchy"  # the input's own Ctrl+K (cut to end) did not run
            await pilot.press("ctrl+k")
            await pilot.pause()
            assert card.display
            await pilot.press("ctrl+q")

    asyncio.run(game())


def test_the_doctor_has_no_card_key_and_a_hint_that_fits_80_columns(core_pack, db_url):
    async def game():
        app = GameApp(GameSettings(scenario_id="cardiology-001", db=db_url, seed=1), core_pack)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for_turn(pilot, app)
            keys = await footer_keys(pilot, app)
            hint = app.query_one("#hint", Static)
            shown = rows_of(hint), hint.region
            await pilot.press("ctrl+q")
        return keys, shown

    keys, (rows, region) = asyncio.run(game())
    assert [k for k, _ in keys if k == "ctrl+k"] == [] and ("ctrl+q", "Quit") in keys
    assert region.right <= SIZE[0] and len(rows) == 1  # one line, inside the screen
    assert rows[0].strip() == HELP  # nothing cut off


def test_typing_while_the_input_is_not_focused_goes_into_it(core_pack, db_url):
    async def game():
        app = GameApp(GameSettings(scenario_id="dermatology-001", role="patient", db=db_url, seed=2), core_pack)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for_turn(pilot, app)
            box = app.query_one("#say", Input)
            app.query_one(Transcript).focus()
            await pilot.pause()
            assert app.focused is not box
            await pilot.press("i", "t", "c", "h")
            assert app.focused is box and box.value == "itch"
            app.set_focus(None)  # nothing focused at all
            await pilot.press("y")
            assert app.focused is box and box.value == "itchy"
            await pilot.press("enter")
            await wait_for_turn(pilot, app)
            await pilot.press("ctrl+q")

    asyncio.run(game())
    [episode] = Store(db_url).episodes()
    assert [t.text for t in Store(db_url).turns(episode.id) if t.speaker == "patient"][0] == "itchy"


def test_asking_for_images_on_a_case_without_any_costs_no_turn(core_pack, db_url):
    assert not core_pack.get("dermatology-001").images and core_pack.get("cardiology-001").images

    async def game(case: str):
        app = GameApp(GameSettings(scenario_id=case, db=db_url, seed=1), core_pack)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for_turn(pilot, app)
            before = status(app)
            await say(pilot, app, "/images")
            after, text = status(app), [e.content.plain for e in app.query_one(Transcript).query(Static)
                                        if hasattr(e.content, "plain")]
            await pilot.press("ctrl+q")
        return before, after, text

    before, after, text = asyncio.run(game("dermatology-001"))
    assert before.startswith("Turn 1 of 20") and after == before  # the counter did not move
    assert text[-1] == f"system: {NO_IMAGES}"
    [episode] = Store(db_url).episodes()
    assert [t.speaker for t in Store(db_url).turns(episode.id)] == ["system"]  # nothing reached the episode
    # A case that has images still answers in the episode, for a turn.
    before, after, _ = asyncio.run(game("cardiology-001"))
    assert before.startswith("Turn 1 of 20") and after.startswith("Turn 2 of 20")


def test_the_result_screen_reads_like_prose_with_one_quit(core_pack, db_url):
    async def game():
        app = GameApp(GameSettings(scenario_id="cardiology-001", db=db_url, seed=1), core_pack)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for_turn(pilot, app)
            await say(pilot, app, "/test ECG")
            await say(pilot, app, "/dx atrial fibrillation")
            assert isinstance(app.screen, ResultScreen)
            keys = await footer_keys(pilot, app)
            console = Console(record=True, width=SIZE[0], file=io.StringIO())
            console.print(app.screen.body)
            await pilot.press("ctrl+q")  # leaves from the result screen as q does
        return app, keys, console.export_text()

    app, keys, text = asyncio.run(game())
    assert [description for _, description in keys].count("Quit") == 1 and ("ctrl+q", "Quit") in keys
    lines = [" ".join(line.split()) for line in text.splitlines()]
    for expected in ("Turns: 2 of 20", "Tests ordered: 1", "Premature closure: no", "Diagnosed on the last turn: no",
                     "Diagnosis given: yes"):
        assert expected in lines, (expected, lines)
    cost = next(line for line in lines if line.startswith("Test cost: "))
    assert cost.removeprefix("Test cost: $").replace(",", "").replace(".", "", 1).isdigit() and cost.count(".") == 1
    assert not any(word in text for word in ("True", "False", " usd"))
    assert app.return_value is not None and app.return_value.correct  # Ctrl+Q handed the outcome back


def test_a_long_patient_card_scrolls_at_80x24(core_pack, db_url):
    """The card is longer than an 80x24 screen: its panel scrolls rather than cutting it off."""
    async def game():
        app = GameApp(GameSettings(scenario_id="cardiology-001", role="patient", doctor="baseline", db=db_url,
                                   seed=0, max_turns=4), core_pack)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for_turn(pilot, app)
            panel = app.query_one("#card")
            overflow = panel.virtual_size.height > panel.size.height
            panel.scroll_end(animate=False)
            await pilot.pause()
            scrolled = panel.scroll_y
            await pilot.press("ctrl+q")
        return overflow, scrolled

    overflow, scrolled = asyncio.run(game())
    assert overflow and scrolled > 0
