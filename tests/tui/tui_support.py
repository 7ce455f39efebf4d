"""Driving the games headless: type like a person, wait like a person."""

from textual.widgets import Input

from agentclinic.tui.result import ResultScreen


async def wait_for_turn(pilot, app, timeout_s: float = 120.0) -> None:
    """Until the input is open again (the other side answered) or the game ended."""
    waited = 0.0
    while waited < timeout_s:
        await pilot.pause(0.05)
        waited += 0.05
        if isinstance(app.screen, ResultScreen) or not app.query_one("#say", Input).loading:
            return
    raise AssertionError(f"no answer within {timeout_s} s")


async def say(pilot, app, text: str, timeout_s: float = 120.0) -> None:
    """Type ``text`` into the input, submit it and wait for the reply."""
    box = app.query_one("#say", Input)
    box.focus()
    box.value = text
    await pilot.press("enter")
    await wait_for_turn(pilot, app, timeout_s)
