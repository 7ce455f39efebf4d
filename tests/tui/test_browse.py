"""The log browser: runs → episodes (filtered by outcome) → transcript with images and metrics."""

import asyncio

from textual.widgets import DataTable, Static

from agentclinic.runner import RunConfig, run_batch
from agentclinic.store import Store
from agentclinic.tui.browse import BrowseApp, EpisodesScreen, TranscriptScreen, keep

SIZE = (80, 24)


def logged(core_pack, db_url):
    config = RunConfig(db=db_url, scenario_ids=["cardiology-001", "neurology-001", "dermatology-001"], max_turns=4)
    return asyncio.run(run_batch(config, pack=core_pack))


def test_runs_episodes_transcript_and_back(core_pack, db_url):
    result = logged(core_pack, db_url)

    async def browse():
        app = BrowseApp(Store(db_url))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            runs = app.screen.query_one(DataTable)
            assert runs.row_count == 1
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, EpisodesScreen)
            assert app.screen.query_one(DataTable).row_count == 3
            for expected in ("correct", "wrong"):
                await pilot.press("f")
                await pilot.pause()
                assert app.screen.outcome == expected
                wanted = sum((o.correct if expected == "correct" else not o.correct) for o in result.outcomes)
                assert app.screen.query_one(DataTable).row_count == wanted
            for _ in range(3):  # back round to 'all'
                await pilot.press("f")
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, TranscriptScreen)
            texts = [str(s.content) if not hasattr(s.content, "plain") else s.content.plain
                     for s in app.screen.query(Static)]
            assert any("doctor (ask)" in t for t in texts)
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, EpisodesScreen)
            await pilot.press("q")

    asyncio.run(browse())


def test_outcome_filter_rules():
    from agentclinic.store import Episode

    done_right = Episode(run_id=1, scenario_id="a", status="completed", correct=True)
    done_wrong = Episode(run_id=1, scenario_id="a", status="completed", correct=False)
    failed = Episode(run_id=1, scenario_id="a", status="failed")
    assert [keep(e, "correct") for e in (done_right, done_wrong, failed)] == [True, False, False]
    assert [keep(e, "wrong") for e in (done_right, done_wrong, failed)] == [False, True, False]
    assert [keep(e, "failed") for e in (done_right, done_wrong, failed)] == [False, False, True]
    assert all(keep(e, "all") for e in (done_right, done_wrong, failed))
