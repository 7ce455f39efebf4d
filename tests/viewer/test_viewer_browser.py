"""The viewer as a real process, driven in headless Chromium: navigate, filter, images, hostile text."""

from __future__ import annotations

import pytest
from viewer_support import IMAGE_CASE, ViewerProcess, shared_log

from agentclinic.store import Store


@pytest.fixture(scope="module")
def log(tmp_path_factory):
    return shared_log(tmp_path_factory)


def visible_outcomes(page) -> list[str]:
    return page.locator("#episodes tbody tr:visible td.outcome").all_inner_texts()


def assert_images_loaded(page) -> None:
    """Every transcript image finished loading and decoded to real pixels."""
    page.wait_for_selector("#transcript figure.image img")
    page.wait_for_function("() => [...document.querySelectorAll('#transcript img')].every(i => i.complete)")
    widths = page.eval_on_selector_all("#transcript figure.image img", "imgs => imgs.map(i => i.naturalWidth)")
    assert widths and all(w > 0 for w in widths)


def test_browse_runs_filter_and_open_a_transcript_with_its_image(page, log):
    with ViewerProcess(log.url) as viewer:
        page.goto(viewer.url)
        page.click(f"a.run-link[href='/runs/{log.scripted_run}']")
        page.wait_for_url(f"**/runs/{log.scripted_run}")
        everything = len(visible_outcomes(page))
        page.select_option("select[name=outcome]", "incorrect")
        page.click("form#filters button[type=submit]")
        page.wait_for_url("**outcome=incorrect")
        wrong = visible_outcomes(page)
        assert wrong and set(wrong) == {"incorrect"} and len(wrong) < everything
        assert page.inner_text("[data-count=total]") == str(len(wrong))
        page.goto(f"{viewer.url}runs/{log.scripted_run}?case={IMAGE_CASE}")
        page.locator("a.episode-link").first.click()
        assert_images_loaded(page)
        page.click("a.next")  # the next episode of the same case (the filter travels)
        assert IMAGE_CASE in page.inner_text("h1")


def test_hostile_text_is_shown_as_text_and_never_runs(page, log):
    with ViewerProcess(log.hostile_url) as viewer:
        for path in ("", f"runs/{log.scripted_run}", f"episodes/{log.hostile_episode}"):
            page.goto(viewer.url + path)
            assert page.evaluate("typeof window.__pwned") == "undefined"
            assert page.locator("b", has_text="bold").count() == 0  # no element made from model text
        assert "<b>bold</b>" in page.inner_text(".doctor-diagnosis")
        assert "\x1b" not in page.inner_text("body") and "[31m" not in page.inner_text("body")


def test_ctrl_c_stops_the_viewer_cleanly(log):
    viewer = ViewerProcess(log.url)
    with viewer:
        pass
    assert viewer.process.returncode == 0, viewer.output
    assert "Viewer stopped." in viewer.output and "Traceback" not in viewer.output


def test_the_viewer_never_writes_the_log(log):
    before = log.path.stat().st_mtime_ns
    store = Store(log.url, create=False)
    episodes = len(store.episodes())
    store.close()
    with ViewerProcess(log.url):
        pass
    assert log.path.stat().st_mtime_ns == before
    store = Store(log.url, create=False)
    assert len(store.episodes()) == episodes
    store.close()
