"""Remote images: fetched on first use into a cache, against an HTTP server on 127.0.0.1."""

import asyncio
import io
import time
from http.server import BaseHTTPRequestHandler

import pytest
from PIL import Image

from agentclinic.agents.registry import resolve_roles
from agentclinic.episode import Episode
from agentclinic.image_cache import ImageCache, ImageFetchError
from agentclinic.scenario import Scenario

from conftest import case_data
from stub_server import LoopbackServer


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


class ImageServer(LoopbackServer):
    """/ok.png, /slow.png (3 s), /big.png (oversize), /text.png (not an image); counts hits."""

    def __init__(self):
        self.hits = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                server.hits += 1
                body = {"/ok.png": png_bytes(), "/big.png": b"\x89PNG" + b"0" * 5000,
                        "/text.png": b"<html>hello</html>", "/slow.png": png_bytes()}.get(self.path)
                if self.path == "/slow.png":
                    time.sleep(3)
                if body is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.serve(Handler)


@pytest.fixture(autouse=True)
def private_hosts_allowed(monkeypatch):
    """These servers listen on 127.0.0.1, which the URL policy refuses unless allowed
    (tests/test_url_policy.py checks the refusal)."""
    monkeypatch.setenv("AGENTCLINIC_ALLOW_PRIVATE_IMAGE_HOSTS", "1")


@pytest.fixture()
def server():
    with ImageServer() as s:
        yield s


def test_success_is_cached(server, tmp_path):
    cache = ImageCache(tmp_path, timeout_s=2)
    first = cache.fetch(server.url_for("/ok.png"))
    second = cache.fetch(server.url_for("/ok.png"))
    assert first == second and first.is_file() and server.hits == 1
    assert Image.open(first).size == (8, 6)


@pytest.mark.parametrize(("path", "message"), [("/slow.png", "timed out"), ("/big.png", "byte limit"),
                                               ("/text.png", "not an image"), ("/missing.png", "HTTP 404")])
def test_failures_are_clear(server, tmp_path, path, message):
    cache = ImageCache(tmp_path, timeout_s=1, max_bytes=1000)
    with pytest.raises(ImageFetchError, match=message):
        cache.fetch(server.url_for(path))
    assert not list(tmp_path.glob("*.img"))  # nothing half-written is left behind


def test_offline_says_so(tmp_path):
    cache = ImageCache(tmp_path, timeout_s=1)
    with pytest.raises(ImageFetchError, match="cannot reach the server.*offline"):
        cache.fetch("http://127.0.0.1:9/nothing-listens-here.png")


def remote_case(url: str) -> Scenario:
    data = case_data(images=[{"id": "photo", "url": url, "modality": "clinical photograph", "caption": "secret"}])
    data["tests"][0]["images"] = ["photo"]
    return Scenario.model_validate(data)


def run_cxr(scenario, fetcher):
    roles = resolve_roles(None)
    episode = Episode(scenario, roles.patient(scenario, 0), roles.measurement(scenario, 0), roles.assessor(0),
                      image_fetcher=fetcher)
    episode.start()
    return episode, asyncio.run(episode.step("REQUEST TEST: CXR"))


def test_episode_gets_the_fetched_image(server, tmp_path):
    episode, obs = run_cxr(remote_case(server.url_for("/ok.png")), ImageCache(tmp_path).fetch)
    assert len(obs.images) == 1 and obs.images[0].path.is_file()
    assert episode.stats.images_unavailable == 0 and "secret" not in obs.text


def test_episode_goes_on_without_an_unreachable_image_and_is_flagged(tmp_path):
    episode, obs = run_cxr(remote_case("http://127.0.0.1:9/x.png"), ImageCache(tmp_path, timeout_s=1).fetch)
    assert obs.images == () and "could not be loaded" in obs.text
    assert episode.stats.images_unavailable == 1 and "offline" in episode.image_errors[0]
    assert not episode.done
