"""The log browser at 80x24: every column of the runs and episodes tables on screen (run and
case ids whole, free text cut), accuracy per run, the active filter, and each episode's
condition (persona, tools) in the list and in the transcript's summary."""

import asyncio
import io

from rich.console import Console
from textual.widgets import DataTable, Static

from agentclinic.persona import load_library
from agentclinic.runner import RunConfig, run_batch
from agentclinic.store import Store
from agentclinic.tui.browse import EPISODE_COLUMNS, RUN_COLUMNS, BrowseApp, EpisodesScreen, TranscriptScreen
from agentclinic.tui.browse_rows import accuracy_text, fit_columns

SIZE = (80, 24)
LONG_PACK = "/home/someone/projects/clinic/scenarios/packs/internal-medicine-extended"


def plain(cell) -> str:
    return getattr(cell, "plain", str(cell))


def shows_every_column(table: DataTable, columns) -> None:
    assert [str(c.label) for c in table.ordered_columns] == list(columns)
    assert table.virtual_size.width <= table.size.width  # nothing scrolled off to the right


def summary_text(static: Static) -> str:
    console = Console(record=True, width=SIZE[0], file=io.StringIO())
    console.print(static.content)
    return console.export_text()


def test_runs_and_episodes_fit_80_columns_with_accuracy_filter_and_condition(core_pack, db_url):
    ids = ["cardiology-001", "infectious-disease-001", "gastroenterology-002"]
    neutral = asyncio.run(run_batch(RunConfig(db=db_url, scenario_ids=ids, max_turns=2, scenarios=LONG_PACK),
                                    pack=core_pack))
    persona = load_library().stack("worried-googler")
    with_persona = asyncio.run(run_batch(RunConfig(db=db_url, scenario_ids=ids[:2], personas=[persona],
                                                   doctor_tools="rag"), pack=core_pack))

    async def browse():
        app = BrowseApp(Store(db_url))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            runs = app.screen.query_one(DataTable)
            shows_every_column(runs, RUN_COLUMNS)
            for result in (neutral, with_persona):
                key = str(result.run_id)
                assert plain(runs.get_cell(key, "run")) == key  # the id is whole
                right = sum(bool(o.correct) for o in result.outcomes)
                assert plain(runs.get_cell(key, "correct")) == accuracy_text(right, len(result.outcomes))
            pack = plain(runs.get_cell(str(neutral.run_id), "cases"))
            assert pack.endswith("…") and LONG_PACK.startswith(pack[:-1])  # cut to fit, marked as cut

            await app.push_screen(EpisodesScreen(with_persona.run_id))
            await pilot.pause()
            episodes = app.screen.query_one(DataTable)
            shows_every_column(episodes, EPISODE_COLUMNS)
            heading = app.screen.query_one("#heading", Static).content.plain
            assert "filter: all" in heading and len(heading) <= SIZE[0] - 2
            cases = {plain(episodes.get_cell(str(o.episode_id), "case")) for o in with_persona.outcomes}
            assert cases == set(ids[:2])  # the longest case id is whole
            # Persona and tools, cut (with diagnosis) to share the room the long case id leaves.
            [condition] = {plain(episodes.get_cell(str(o.episode_id), "condition")) for o in with_persona.outcomes}
            assert condition.endswith("…") and "worried-googler · tools:rag".startswith(condition[:-1])
            assert len(condition) >= 12
            await pilot.press("f")
            await pilot.pause()
            assert "filter: correct" in app.screen.query_one("#heading", Static).content.plain

            await app.push_screen(TranscriptScreen(with_persona.outcomes[0].episode_id))
            await pilot.pause()
            summary = summary_text(app.screen.query(Static).first())
            assert any(line.split() == ["persona", "worried-googler"] for line in summary.splitlines())
            assert any(line.split() == ["tools", "rag"] for line in summary.splitlines())
            await app.push_screen(EpisodesScreen(neutral.run_id))
            await pilot.pause()
            episodes = app.screen.query_one(DataTable)
            shows_every_column(episodes, EPISODE_COLUMNS)
            assert {plain(episodes.get_cell(str(o.episode_id), "condition")) for o in neutral.outcomes} == {"-"}
            await pilot.press("q")

    asyncio.run(browse())


def test_free_columns_share_the_room_the_fixed_ones_leave():
    columns = {"id": ["id", "12345"], "case": ["case", "infectious-disease-001"],
               "condition": ["condition", "worried-googler · tools:rag+notebook"],
               "diagnosis": ["diagnosis", "Inferior ST-elevation myocardial infarction"]}
    widths = fit_columns(80, columns, free=("condition", "diagnosis"))
    assert widths["id"] == 5 and widths["case"] == len("infectious-disease-001")
    assert sum(widths.values()) + 2 * len(columns) + 2 <= 80
    assert widths["condition"] >= len("condition") and widths["diagnosis"] >= len("condition")
    short = fit_columns(80, {**columns, "diagnosis": ["diagnosis", "Asthma"]}, free=("condition", "diagnosis"))
    assert short["diagnosis"] == len("diagnosis")  # a short column keeps its width, the other gets the rest
    assert short["condition"] == 80 - 2 - 2 * len(columns) - 5 - 22 - len("diagnosis")
