"""Snapshot tests of the main screens at 80x24 (pytest-textual-snapshot; SVGs under
``__snapshots__``). After a deliberate change, review the new screens and accept them with
``python -m pytest tests/tui/test_snapshots.py --snapshot-update``."""

import asyncio

from textual.widgets import Input

from agentclinic.runner import RunConfig, run_batch
from agentclinic.store import Store
from agentclinic.tui.browse import BrowseApp, TranscriptScreen
from agentclinic.tui.play import GameApp, GameSettings

from tui_support import say, wait_for_turn

SIZE = (80, 24)


async def steady(pilot, app) -> None:
    """A blinking cursor makes a picture depend on when it is taken: keep every cursor still."""
    for box in app.screen.query(Input):
        box.cursor_blink = False
        box.cursor_position = len(box.value)
    await pilot.pause(0.2)


def game(core_pack, db_url, **settings):
    return GameApp(GameSettings(db=db_url, seed=1, **settings), core_pack)


def test_doctor_game_screen(snap_compare, core_pack, db_url):
    app = game(core_pack, db_url, scenario_id="cardiology-001")

    async def play(pilot):
        await wait_for_turn(pilot, app)
        await say(pilot, app, "What brings you in today?")
        await say(pilot, app, "/test ECG")
        app.query_one("#say").value = "/test trop"
        await steady(pilot, app)

    assert snap_compare(app, terminal_size=SIZE, run_before=play)


def test_result_screen(snap_compare, core_pack, db_url):
    app = game(core_pack, db_url, scenario_id="dermatology-001")

    async def play(pilot):
        await wait_for_turn(pilot, app)
        await say(pilot, app, "What is bothering you?")
        await say(pilot, app, "/dx atopic dermatitis")
        await steady(pilot, app)

    assert snap_compare(app, terminal_size=SIZE, run_before=play)


def test_patient_game_screen(snap_compare, core_pack, db_url):
    app = game(core_pack, db_url, scenario_id="dermatology-001", role="patient")

    async def play(pilot):
        await wait_for_turn(pilot, app)
        await say(pilot, app, "An itchy rash on my elbows, doctor.")
        await steady(pilot, app)

    assert snap_compare(app, terminal_size=SIZE, run_before=play)


def test_browse_transcript_screen(snap_compare, core_pack, db_url):
    config = RunConfig(db=db_url, scenario_ids=["cardiology-001"], max_turns=3)
    result = asyncio.run(run_batch(config, pack=core_pack))
    app = BrowseApp(Store(db_url))

    async def open_transcript(pilot):
        await pilot.pause()
        await app.push_screen(TranscriptScreen(result.outcomes[0].episode_id))
        await steady(pilot, app)

    assert snap_compare(app, terminal_size=SIZE, run_before=open_transcript)
