"""The log browser with doctor tools: the episode list names each episode's tools (its condition), and the
transcript shows tool uses at their positions, styled apart and shown as literal text."""

import asyncio
import io

from rich.console import Console
from sqlmodel import Session
from textual.widgets import DataTable, Static

from agentclinic.runner import RunConfig, run_batch
from agentclinic.store import DoctorToolCall, Store
from agentclinic.store.tool_log import tool_calls_of
from agentclinic.tui.browse import BrowseApp, EpisodesScreen, TranscriptScreen
from agentclinic.tui.widgets import TOOL_STYLE

SIZE = (100, 30)
SPEAKERS = {"doctor", "patient", "measurement", "system"}
HOSTILE = "[bold red]not markup[/]\x1b[2J\x1b]8;;file:///etc/passwd\x07click\x1b]8;;\x07\u202eevil"


def plain(static: Static) -> str:
    content = static.content
    if hasattr(content, "plain"):
        return content.plain
    console = Console(record=True, width=SIZE[0], file=io.StringIO())  # a rich renderable (a table, an image)
    console.print(content)
    return console.export_text()


def test_transcript_shows_tool_uses_in_place_and_escaped(core_pack, db_url):
    result = asyncio.run(run_batch(RunConfig(db=db_url, doctor_tools="none,rag,notebook", limit=2), pack=core_pack))
    store = Store(db_url)
    episode = next(o.episode_id for o in result.outcomes if o.doctor_tools == "rag")
    with Session(store.engine) as session:
        session.add(DoctorToolCall(episode_id=episode, position=1, tool="cot", output=HOSTILE))
        session.commit()
    turns = store.turns(episode)

    async def browse():
        app = BrowseApp(store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await app.push_screen(EpisodesScreen(result.run_id))
            await pilot.pause()
            table = app.screen.query_one(DataTable)
            # The condition column names the tools ('-' for none), cut to fit but not here.
            tools = {str(row.value): table.get_cell(row, "condition") for row in table.rows}
            assert {o.episode_id: f"tools:{o.doctor_tools}" if o.doctor_tools not in (None, "", "none") else "-"
                    for o in result.outcomes} == {int(key): getattr(cell, "plain", cell) for key, cell in tools.items()}
            await app.push_screen(TranscriptScreen(episode))
            await pilot.pause()
            statics = list(app.screen.query(Static))
            summary, entries = plain(statics[0]), statics[1:]
            assert any(line.split() == ["tools", "rag"] for line in summary.splitlines())
            kinds = [kind(entry) for entry in entries]
            assert kinds.count("turn") == len(turns)
            [cot, rag] = [entry for entry in entries if entry.has_class("tool")]
            assert kinds[:kinds.index("tool")].count("turn") == 1  # the cot row sits after one turn
            rag_at = entries.index(rag)
            search = next(c for c in tool_calls_of(store, [episode])[episode] if c.tool == "rag")
            assert kinds[:rag_at].count("turn") == search.position
            text = plain(cot)
            assert text.startswith("⚙ cot: [bold red]not markup[/]click") and "evil" in text
            assert not any(char in text for char in ("\x1b", "\x07", "\u202e"))
            styles = [str(cot.content.style)] + [str(span.style) for span in cot.content.spans]
            assert len(styles) == 2 and all(TOOL_STYLE in style for style in styles)  # styled apart from turns
            assert plain(rag).startswith("⚙ rag: ") and f"passages {search.detail['passages'][0]}" in plain(rag)
            await pilot.press("q")

    asyncio.run(browse())


def kind(entry: Static) -> str:
    """'tool', 'turn' (a speaker's line) or 'image' (what the turns attach)."""
    if entry.has_class("tool"):
        return "tool"
    return "turn" if plain(entry).split(" ")[0].rstrip(":") in SPEAKERS else "image"
