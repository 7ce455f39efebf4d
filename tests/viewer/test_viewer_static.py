"""The static site (``write_site``): files written, and in Chromium from file:// URLs."""

from __future__ import annotations

import re

import pytest
from viewer_support import IMAGE_CASE, shared_log

from agentclinic.report.dataset import ReportError
from agentclinic.store import Store
from agentclinic.viewer import write_site


@pytest.fixture(scope="module")
def log(tmp_path_factory):
    return shared_log(tmp_path_factory)


@pytest.fixture(scope="module")
def site(log, tmp_path_factory):
    """The site of the hostile copy's scripted run (its episodes, plus one full of hostile text)."""
    store = Store(log.hostile_url, create=False)
    try:
        index = write_site(store, [log.scripted_run], tmp_path_factory.mktemp("site") / "out")
        episodes = [e.id for e in store.episodes(log.scripted_run)]
        image_episode = next(e.id for e in store.episodes(log.scripted_run) if e.scenario_id == IMAGE_CASE)
    finally:
        store.close()
    return index.parent, episodes, image_episode


def test_every_page_and_image_is_written(site, log):
    out, episodes, _ = site
    names = {p.name for p in out.iterdir()}
    assert {"index.html", "runs.html", f"run-{log.scripted_run}.html", "viewer.css"} <= names
    assert {f"episode-{e}.html" for e in episodes} <= names
    assert f"run-{log.failed_run}.html" not in names  # only the runs asked for
    images = list((out / "images").iterdir())
    assert images and all(p.read_bytes().startswith(b"\x89PNG") for p in images)
    for html in out.glob("*.html"):  # nothing outside the site, nothing from the network
        text = html.read_text()
        assert not re.search(r'(src|href)="(https?:|//|/)', text), html.name


def test_unknown_runs_are_refused(log, tmp_path):
    store = Store(log.url, create=False)
    with pytest.raises(ReportError):
        write_site(store, [999], tmp_path)
    store.close()


def test_index_links_to_the_run_page_whose_script_filters(page, site, log):
    out, episodes, _ = site
    page.goto((out / "index.html").as_uri())
    page.click(f"a[href='run-{log.scripted_run}.html']")
    page.wait_for_selector("#episodes")
    rows = page.locator("#episodes tbody tr:visible")
    assert rows.count() == len(episodes)
    page.select_option("select[name=outcome]", "incorrect")
    wrong = page.locator("#episodes tbody tr:visible td.outcome").all_inner_texts()
    assert wrong and set(wrong) == {"incorrect"} and len(wrong) < len(episodes)
    assert page.inner_text("[data-count=total]") == str(len(wrong))
    assert page.inner_text("[data-count=accuracy]") == "0.0%"
    assert "outcome=incorrect" in page.url  # the filter is kept in the #hash
    page.click("a.clear")
    assert page.locator("#episodes tbody tr:visible").count() == len(episodes)


def test_case_links_open_the_run_filtered_by_case(page, site, log):
    out, _, _ = site
    page.goto((out / f"run-{log.scripted_run}.html").as_uri() + f"#case={IMAGE_CASE}")
    cases = page.locator("#episodes tbody tr:visible a.case-link").all_inner_texts()
    assert cases and set(cases) == {IMAGE_CASE}
    assert page.input_value("select[name=case]") == IMAGE_CASE


def test_transcript_image_loads_from_disk(page, site):
    out, _, image_episode = site
    page.goto((out / f"episode-{image_episode}.html").as_uri())
    page.wait_for_function("() => [...document.querySelectorAll('#transcript img')].every(i => i.complete)")
    widths = page.eval_on_selector_all("#transcript figure.image img", "imgs => imgs.map(i => i.naturalWidth)")
    assert widths and all(w > 0 for w in widths)
    page.click("a.next")
    assert page.url.endswith(f"episode-{image_episode + 1}.html")


def test_hostile_text_never_runs_in_the_static_site(page, site, log):
    out, _, _ = site
    for name in ("runs.html", f"run-{log.scripted_run}.html", f"episode-{log.hostile_episode}.html", "index.html"):
        page.goto((out / name).as_uri())
        assert page.evaluate("typeof window.__pwned") == "undefined", name
        assert page.locator("b", has_text="bold").count() == 0, name
    assert "<b>bold</b>" in page.text_content("body")  # the report, too, shows it as text
    page.goto((out / f"episode-{log.hostile_episode}.html").as_uri())
    assert "<b>bold</b>" in page.inner_text(".doctor-diagnosis")
    # The filter script still works with the hostile model name among the rows.
    page.goto((out / f"run-{log.scripted_run}.html").as_uri())
    page.select_option("select[name=model]", index=1)
    assert page.locator("#episodes tbody tr:visible").count() == 1
