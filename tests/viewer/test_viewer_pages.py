"""The viewer's pages and routes (Starlette's test client, in process) over a real log."""

from __future__ import annotations

import json
import re
import socket
import sys
from html.parser import HTMLParser

import pytest
import typer
from starlette.testclient import TestClient
from typer.testing import CliRunner
from viewer_support import HOSTILE_MODEL, IMAGE_CASE, shared_log

from agentclinic.cli.view import view
from agentclinic.store import Store
from agentclinic.viewer.launch import ViewerUnavailable, bind, require_extra, url_of
from agentclinic.viewer.server import allowed_hosts, create_app


@pytest.fixture(scope="module")
def log(tmp_path_factory):
    return shared_log(tmp_path_factory)


@pytest.fixture(scope="module")
def client(log):
    store = Store(log.url, create=False)
    yield TestClient(create_app(store), base_url="http://127.0.0.1")
    store.close()


@pytest.fixture(scope="module")
def hostile(log):
    store = Store(log.hostile_url, create=False)
    yield TestClient(create_app(store), base_url="http://127.0.0.1")
    store.close()


def _hrefs(html: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', html)


def test_runs_page_links_each_run_and_its_report(client, log):
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    for run_id in (log.scripted_run, log.failed_run):
        assert f"/runs/{run_id}" in _hrefs(page.text) and f"/runs/{run_id}/report" in _hrefs(page.text)
    assert "/static/viewer.css" in _hrefs(page.text)
    assert client.get("/static/viewer.css").headers["content-type"].startswith("text/css")


def test_every_page_forbids_script_and_sniffing(client):
    headers = client.get("/").headers
    assert "script-src" not in headers["content-security-policy"]  # default-src 'none' covers scripts
    assert "default-src 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"


def test_episode_list_filters_on_the_server(client, log):
    page = client.get(f"/runs/{log.scripted_run}", params={"outcome": "incorrect"})
    outcomes = re.findall(r'<tr class="outcome-(\w+)"', page.text)
    assert outcomes and set(outcomes) == {"incorrect"}
    shown = re.search(r'data-count="total">(\d+)<', page.text).group(1)
    assert int(shown) == len(outcomes)
    assert re.search(r'data-count="accuracy">0.0%<', page.text)
    assert '<option value="incorrect" selected>' in page.text
    form = client.get(f"/runs/{log.scripted_run}?outcome=incorrect&case=&model=", follow_redirects=False)
    assert form.status_code == 303 and form.headers["location"] == f"/runs/{log.scripted_run}?outcome=incorrect"
    episode_links = [h for h in _hrefs(page.text) if h.startswith("/episodes/")]
    assert episode_links and all(h.endswith("?outcome=incorrect") for h in episode_links)  # prev/next keep it


def test_transcript_shows_the_case_turns_image_and_verdict(client, log):
    store = Store(log.url, create=False)
    episode = next(e for e in store.episodes(log.scripted_run) if e.scenario_id == IMAGE_CASE)
    store.close()
    page = client.get(f"/episodes/{episode.id}").text
    for section in ('id="case"', 'id="verdict"', 'id="transcript"', 'id="judges"', 'id="metrics"', 'id="survey"'):
        assert section in page
    assert episode.correct_diagnosis in page and "prov-case" in page
    image = re.search(r'<img src="(/episodes/\d+/images/[^"]+)"', page).group(1)
    served = client.get(image)
    assert served.status_code == 200 and served.headers["content-type"] == "image/png"
    assert served.content.startswith(b"\x89PNG")
    assert f"/episodes/{episode.id + 1}" in _hrefs(page)  # next episode


@pytest.mark.parametrize("path", ["/episodes/1/images/..%2F..%2F..%2Fetc%2Fpasswd", "/episodes/1/images/missing",
                                  "/episodes/1/images/%2Fetc%2Fpasswd", "/episodes/999/images/ecg", "/runs/999",
                                  "/episodes/999", "/runs/999/report", "/nowhere"])
def test_unknown_things_are_404(client, path):
    assert client.get(path).status_code == 404


def test_requests_naming_another_host_are_refused(client):
    assert client.get("/", headers={"host": "attacker.example"}).status_code == 400
    assert client.get("/", headers={"host": "localhost:8765"}).status_code == 200
    assert "*" not in allowed_hosts("0.0.0.0") and "10.0.0.5" in allowed_hosts("10.0.0.5")
    assert "[fe80::1]" in allowed_hosts("fe80::1")


def test_report_page_renders_the_run(client, log):
    page = client.get(f"/runs/{log.scripted_run}/report")
    assert page.status_code == 200 and "Accuracy by condition" in page.text
    assert client.get(f"/runs/{log.scripted_run}/report").text == page.text  # kept while the run is unchanged


def test_report_links_into_the_viewer(client, log):
    page = client.get(f"/runs/{log.scripted_run}/report").text
    assert f"/runs/{log.scripted_run}" in _hrefs(page)
    assert f"/runs/{log.scripted_run}?case={IMAGE_CASE}" in _hrefs(page)


def test_hostile_text_is_escaped_and_stripped_on_every_page(hostile, log):
    pages = [hostile.get("/").text, hostile.get(f"/runs/{log.scripted_run}").text,
             hostile.get(f"/episodes/{log.hostile_episode}").text,
             hostile.get(f"/runs/{log.scripted_run}", params={"model": HOSTILE_MODEL}).text]
    for page in pages:
        assert "<script>window.__pwned" not in page and "<b>bold</b>" not in page
        assert "\x1b" not in page and "[31m" not in page and "file:///etc/passwd" not in page
    transcript = pages[2]
    assert transcript.count("&lt;b&gt;bold&lt;/b&gt;") >= 5  # diagnosis, turns, judge, differential, error
    models = [json.loads(attrs["data-models"]) for attrs in _rows(pages[3])]  # attributes stayed whole
    assert models == [[HOSTILE_MODEL]]


def _rows(html: str) -> list[dict]:
    rows: list[dict] = []
    parser = HTMLParser()
    parser.handle_starttag = lambda tag, attrs: rows.append(dict(attrs)) if tag == "tr" and dict(attrs).get(
        "data-models") else None
    parser.feed(html)
    return rows


def test_missing_extra_is_named(monkeypatch):
    monkeypatch.setitem(sys.modules, "starlette", None)  # import now fails, as when it is not installed
    with pytest.raises(ViewerUnavailable, match=r"pip install 'agentclinic\[view\]'"):
        require_extra()
    command = typer.Typer()
    command.command()(view)
    done = CliRunner().invoke(command, ["--db", "sqlite:///nowhere.db", "--no-open"])
    assert done.exit_code == 2 and "agentclinic[view]" in done.output


def test_view_refuses_a_missing_database(tmp_path):
    command = typer.Typer()
    command.command()(view)
    done = CliRunner().invoke(command, ["--db", f"sqlite:///{tmp_path / 'none.db'}", "--no-open"])
    assert done.exit_code == 2 and "no database at" in done.output
    assert not (tmp_path / "none.db").exists()


def test_a_busy_port_is_a_clear_error():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(ValueError, match="--port 0"):
            bind("127.0.0.1", taken.getsockname()[1])
    free = bind("127.0.0.1", 0)
    assert free.getsockname()[1] > 0
    free.close()


def test_urls_printed_for_bind_addresses():
    assert url_of("127.0.0.1", 8765) == "http://127.0.0.1:8765/"
    assert url_of("0.0.0.0", 80) == "http://127.0.0.1:80/" and url_of("::1", 9) == "http://[::1]:9/"
