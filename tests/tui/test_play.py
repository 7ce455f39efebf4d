"""Whole games played headless with Pilot: rows written like any episode, quitting abandons,
markup in case text stays literal, the patient role, and a real model as the patient."""

import asyncio

from rich.text import Text
from textual.widgets import Input, Static

from agentclinic.agents.registry import RoleSettings
from agentclinic.loader import load_pack
from agentclinic.store import Store
from agentclinic.tui.play import GameApp, GameSettings
from agentclinic.tui.result import ResultScreen
from agentclinic.tui.widgets import Transcript

from conftest import case_data, write_case
from tui_support import say, wait_for_turn

SIZE = (80, 24)


def transcript_text(app) -> str:
    return "\n".join(str(entry.content) if not isinstance(entry.content, Text) else entry.content.plain
                     for entry in app.query_one(Transcript).query(Static))


def test_a_whole_game_is_logged_and_scored_like_any_episode(core_pack, db_url):
    async def game():
        app = GameApp(GameSettings(scenario_id="cardiology-001", db=db_url, seed=3), core_pack)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for_turn(pilot, app)
            assert "Turn 1 of 20" in str(app.query_one("#status", Static).content)
            await say(pilot, app, "What brings you in today?")
            await say(pilot, app, "/exam")
            await say(pilot, app, "/test ECG")
            assert "ECG" in transcript_text(app)  # the image's caption, under its pixels
            await say(pilot, app, "/dx atrial fibrillation")
            assert isinstance(app.screen, ResultScreen)
            shown = app.screen.body
            await pilot.press("q")
        return app, shown

    app, shown = asyncio.run(game())
    store = Store(db_url)
    [run] = store.runs()
    assert run.source == "tui" and run.status == "completed" and run.bindings["doctor"] == "human"
    [episode] = store.episodes(run.id)
    assert episode.status == "completed" and episode.correct and episode.diagnosis == "atrial fibrillation"
    actions = [t.action for t in store.turns(episode.id) if t.speaker == "doctor"]
    assert actions == ["ask", "examine", "request_test", "diagnose"]
    assert store.surveys_of([episode.id]) and store.assessments_of([episode.id])[episode.id][0].verdict == "exact"
    assert app.return_value is not None and app.return_value.episode_id == episode.id
    assert shown is not None


def test_quitting_mid_game_records_the_episode_as_abandoned(core_pack, db_url):
    async def game():
        app = GameApp(GameSettings(scenario_id="neurology-001", db=db_url, seed=1), core_pack)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for_turn(pilot, app)
            await say(pilot, app, "What happened?")
            await pilot.press("ctrl+q")

    asyncio.run(game())
    store = Store(db_url)
    [run] = store.runs()
    [episode] = store.episodes(run.id)
    assert run.status == "interrupted" and episode.status == "abandoned"
    assert [t.speaker for t in store.turns(episode.id)][:3] == ["system", "doctor", "patient"]


def test_a_bad_command_costs_no_turn(core_pack, db_url):
    async def game():
        app = GameApp(GameSettings(scenario_id="cardiology-001", db=db_url, seed=1, max_turns=2), core_pack)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for_turn(pilot, app)
            box = app.query_one("#say", Input)
            box.value = "/dx"
            await pilot.press("enter")
            await pilot.pause(0.1)
            assert box.value == "/dx" and not box.loading  # kept for fixing, nothing sent
            await say(pilot, app, "Any chest pain?")
            assert "FINAL TURN" in str(app.query_one("#status", Static).content)
            await pilot.press("ctrl+q")

    asyncio.run(game())
    [episode] = Store(db_url).episodes()
    assert episode.turns == 1


def test_text_from_cases_is_shown_literally_never_as_markup(tmp_path, db_url):
    hostile = "[bold red]boom[/] [link=https://example.com]click[/link] [@click=app.quit]x[/]"
    data = case_data()
    data["patient"]["chief_complaint"] = f"I have a cough {hostile}."
    data["patient"]["history_of_present_illness"] = f"It began a week ago {hostile}."
    write_case(tmp_path / "pack", data)
    pack = load_pack(tmp_path / "pack")

    async def game():
        app = GameApp(GameSettings(scenarios=str(tmp_path / "pack"), db=db_url, seed=1), pack)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for_turn(pilot, app)
            await say(pilot, app, "What brings you in?")
            entries = list(app.query_one(Transcript).query(Static))
            patient = next(e for e in entries if "patient:" in e.content.plain)
            assert hostile in patient.content.plain
            # Only the speaker label is styled; the case text carries no style, link or action.
            styled = [span for span in patient.content.spans if span.end > len("patient: ")]
            assert styled == []
            assert app.is_running
            await pilot.press("ctrl+q")

    asyncio.run(game())


def test_playing_the_patient_for_the_baseline_doctor(core_pack, db_url):
    async def game():
        app = GameApp(GameSettings(scenario_id="dermatology-001", role="patient", doctor="baseline", db=db_url,
                                   seed=2, max_turns=8), core_pack)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for_turn(pilot, app)
            card = app.query_one("#card-text", Static)
            assert "Why you came" in card.content.plain
            answers = 0
            while not isinstance(app.screen, ResultScreen):
                await say(pilot, app, "I'm not sure, doctor.")
                answers += 1
                assert answers < 10
            await pilot.press("q")
        return answers

    answers = asyncio.run(game())
    store = Store(db_url)
    [run] = store.runs()
    assert run.bindings["patient"] == "human" and run.bindings["doctor"] == "baseline"
    [episode] = store.episodes(run.id)
    patient_turns = [t.text for t in store.turns(episode.id) if t.speaker == "patient"]
    assert episode.status == "completed" and patient_turns == ["I'm not sure, doctor."] * answers


def test_a_real_model_plays_the_patient_while_the_screen_shows_thinking(core_pack, db_url, llama_server):
    settings = GameSettings(scenario_id="cardiology-001", patient="openai:smollm2", db=db_url, seed=1,
                            roles=RoleSettings(base_url=llama_server, max_tokens=48, temperature=0.0,
                                               timeout_s=120))

    async def game():
        app = GameApp(settings, core_pack)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for_turn(pilot, app)
            box = app.query_one("#say", Input)
            box.value = "What brings you in today?"
            await pilot.press("enter")
            assert box.loading  # thinking, and the app keeps handling events meanwhile
            await pilot.press("ctrl+k")
            await wait_for_turn(pilot, app, timeout_s=300)
            assert "patient:" in transcript_text(app)
            await say(pilot, app, "/dx atrial fibrillation", timeout_s=300)
            assert isinstance(app.screen, ResultScreen)
            await pilot.press("q")

    asyncio.run(game())
    store = Store(db_url)
    [episode] = store.episodes()
    calls = store.calls(episode.id)
    assert episode.status == "completed" and {c.role for c in calls} == {"patient"}
    assert any(c.note == "survey" for c in calls)


def test_a_role_that_cannot_be_built_ends_the_app_with_its_message(core_pack, db_url, capsys):
    async def game():
        app = GameApp(GameSettings(scenario_id="cardiology-001", patient="gpt-99", db=db_url, seed=1), core_pack)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause(0.5)
        return app

    app = asyncio.run(game())
    assert app.return_code == 2
    assert "Error: unknown patient 'gpt-99'" in capsys.readouterr().err
