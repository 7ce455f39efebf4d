"""The image URL policy: http(s) to public hosts only, checked by the validator, the fetcher
(before the request, at every redirect, at every connection) and the importer.

Servers here listen on 127.0.0.1, a loopback address the policy refuses by default, so the
tests that check refusal run with AGENTCLINIC_ALLOW_PRIVATE_IMAGE_HOSTS unset.
"""

import io
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from conftest import case_data, write_case
from stub_server import LoopbackServer
from PIL import Image
from synthetic_records import nejm_line
from typer.testing import CliRunner

from agentclinic.cli import app
from agentclinic.image_cache import ImageCache, ImageFetchError, _CheckedHTTPConnection
from agentclinic.importers import read_jsonl
from agentclinic.loader import check_case_file
from agentclinic.url_policy import (
    ALLOW_PRIVATE_ENV,
    UrlRefused,
    address_problem,
    check_addresses,
    check_url,
    scheme_problem,
    url_problem,
)


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (10, 200, 10)).save(buffer, format="PNG")
    return buffer.getvalue()


class RedirectingServer(LoopbackServer):
    """/ok.png is an image; /to?url=X answers 302 with Location X. Counts hits per path."""

    def __init__(self):
        self.hits: dict[str, int] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                path, _, query = self.path.partition("?")
                server.hits[path] = server.hits.get(path, 0) + 1
                if path == "/to":
                    self.send_response(302)
                    self.send_header("Location", query.removeprefix("url="))
                    self.send_header("content-length", "0")
                    self.end_headers()
                    return
                body = png_bytes()
                self.send_response(200 if path == "/ok.png" else 404)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.serve(Handler)


@pytest.fixture()
def server():
    with RedirectingServer() as s:
        yield s


@pytest.fixture(autouse=True)
def policy_default(monkeypatch):
    """The default (nothing private allowed), whatever the shell running the tests says."""
    monkeypatch.delenv(ALLOW_PRIVATE_ENV, raising=False)


# ---- the rules themselves ----------------------------------------------------------------

@pytest.mark.parametrize(("url", "said"), [
    ("file:///etc/passwd", "scheme 'file:'"), ("ftp://example.org/x.png", "scheme 'ftp:'"),
    ("data:image/png;base64,iVBORw0KGgo=", "scheme 'data:'"), ("images/x.png", "no scheme"),
    ("//example.org/x.png", "no scheme"), ("http:///x.png", "no host"), ("http://example.org:port/x", "valid URL"),
])
def test_only_http_and_https_with_a_host(url, said):
    assert said in scheme_problem(url)


@pytest.mark.parametrize("url", ["http://example.org/x.png", "HTTPS://example.org/x.png"])
def test_http_and_https_pass(url):
    assert scheme_problem(url) is None


@pytest.mark.parametrize(("address", "kind"), [
    ("127.0.0.1", "loopback"), ("::1", "loopback"), ("10.1.2.3", "private"), ("192.168.0.1", "private"),
    ("169.254.169.254", "link-local"), ("fe80::1%eth0", "link-local"), ("224.0.0.1", "multicast"),
    ("0.0.0.0", "unspecified"), ("240.0.0.1", "reserved"), ("::ffff:10.0.0.1", "private"),
    ("100.64.0.1", "not a public"),
])
def test_non_public_addresses(address, kind):
    assert kind in address_problem(address)


def test_public_addresses_pass():
    assert address_problem("93.184.216.34") is None and address_problem("2606:4700::1111") is None


def test_every_address_a_name_resolves_to_is_checked():
    with pytest.raises(UrlRefused, match="resolves to 10.0.0.5, a private address"):
        check_addresses("mixed.example", ["93.184.216.34", "10.0.0.5"])
    check_addresses("public.example", ["93.184.216.34", "2606:4700::1111"])


def test_names_are_resolved(monkeypatch):
    with pytest.raises(UrlRefused, match="host 'localhost' resolves to .*loopback"):
        check_url("http://localhost/x.png")
    assert "loopback" in url_problem("http://localhost/x.png")
    assert url_problem("http://2130706433/x.png")  # 127.0.0.1 written as one number


def test_unresolvable_names_are_no_validation_problem():
    assert url_problem("https://no-such-host.invalid/x.png") is None


def test_the_env_var_allows_all_or_listed_networks(monkeypatch):
    monkeypatch.setenv(ALLOW_PRIVATE_ENV, "1")
    check_url("http://10.0.0.1/x.png", resolver=None)
    monkeypatch.setenv(ALLOW_PRIVATE_ENV, "10.0.0.0/8, 127.0.0.1")
    check_url("http://10.9.9.9/x.png", resolver=None)
    with pytest.raises(UrlRefused, match="192.168.1.1 is a private address"):
        check_url("http://192.168.1.1/x.png", resolver=None)
    monkeypatch.setenv(ALLOW_PRIVATE_ENV, "yes please")
    with pytest.raises(UrlRefused, match="neither 1 nor an IP address"):
        check_url("http://10.0.0.1/x.png", resolver=None)


# ---- the fetcher ------------------------------------------------------------------------

def test_private_host_is_refused_without_the_env_var_and_fetched_with_it(server, tmp_path, monkeypatch):
    cache = ImageCache(tmp_path, timeout_s=2)
    with pytest.raises(ImageFetchError, match="refused: 127.0.0.1 is a loopback address"):
        cache.fetch(server.url_for("/ok.png"))
    assert server.hits == {} and not list(tmp_path.iterdir())
    monkeypatch.setenv(ALLOW_PRIVATE_ENV, "1")
    assert cache.fetch(server.url_for("/ok.png")).is_file() and server.hits == {"/ok.png": 1}


@pytest.mark.parametrize(("target", "message"), [
    ("file:///etc/passwd", "scheme 'file:' is not allowed"),
    ("ftp://127.0.0.1/x.png", "scheme 'ftp:' is not allowed"),
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
    ("http://10.255.255.1/x.png", "10.255.255.1 is a private address"),
])
def test_redirects_are_checked(server, tmp_path, monkeypatch, target, message):
    monkeypatch.setenv(ALLOW_PRIVATE_ENV, "127.0.0.1")  # the server, and nothing else private
    cache = ImageCache(tmp_path, timeout_s=2)
    with pytest.raises(ImageFetchError, match=f"redirected to .*{message}"):
        cache.fetch(server.url_for(f"/to?url={target}"))
    assert not list(tmp_path.iterdir())


def test_a_redirect_to_an_allowed_host_is_followed(server, tmp_path, monkeypatch):
    monkeypatch.setenv(ALLOW_PRIVATE_ENV, "127.0.0.1")
    path = ImageCache(tmp_path, timeout_s=2).fetch(server.url_for(f"/to?url={server.url_for('/ok.png')}"))
    assert path.is_file() and server.hits == {"/to": 1, "/ok.png": 1}


def test_each_connection_checks_the_address_it_dials(server):
    # Independent of the checks before the request: a name that resolves to a public address
    # first and a private one when connecting (DNS rebinding) is stopped here.
    connection = _CheckedHTTPConnection("127.0.0.1", server.httpd.server_address[1], timeout=2)
    with pytest.raises(UrlRefused, match="loopback"):
        connection.request("GET", "/ok.png")
    assert server.hits == {}


@pytest.mark.parametrize("url", ["file:///etc/hostname", "images/x.png", "ftp://example.org/x.png"])
def test_fetch_refuses_other_schemes_without_a_traceback(tmp_path, url):
    with pytest.raises(ImageFetchError, match="refused"):
        ImageCache(tmp_path).fetch(url)


# ---- the validator and the importer -----------------------------------------------------

@pytest.mark.parametrize(("url", "said"), [
    ("file:///etc/hostname", "scheme 'file:'"), ("x-ray.png", "no scheme"), ("ftp://example.org/x.png", "'ftp:'"),
    ("http://127.0.0.1:9/x.png", "loopback"), ("http://[::1]/x.png", "loopback"),
])
def test_validation_names_file_and_field(tmp_path, url, said):
    path = write_case(tmp_path, case_data(images=[{"id": "x", "url": url, "modality": "photo"}]))
    _, problems = check_case_file(path)
    [problem] = [p for p in problems if p.severity == "error"]
    assert problem.file == str(path) and problem.field == "images[0].url" and said in problem.message


def test_validation_allows_a_private_host_when_told(tmp_path, monkeypatch):
    monkeypatch.setenv(ALLOW_PRIVATE_ENV, "1")
    path = write_case(tmp_path, case_data(images=[{"id": "x", "url": "http://127.0.0.1:9/x.png", "modality": "p"}]))
    assert check_case_file(path)[1] == []


def test_import_does_not_copy_a_file_url(tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(png_bytes())
    source = tmp_path / "cases.jsonl"
    source.write_text(nejm_line(secret.as_uri()) + "\n" + nejm_line("https://example.org/x.png") + "\n")
    _, problems = read_jsonl(source)
    assert [(p.field, "file:" in p.message) for p in problems] == [("line 1: images[0].url", True)]
    out = tmp_path / "pack"
    result = CliRunner().invoke(app, ["scenarios", "import", str(source), "--out", str(out), "--skip-invalid",
                                      "--no-fetch-images"])
    assert result.exit_code == 0, result.output
    written = list(out.rglob("*"))
    assert [p.name for p in written] == ["cases-002.yaml"]
    assert secret.read_bytes() not in [p.read_bytes() for p in written]


def test_import_fetches_from_a_private_host_only_when_allowed(server, tmp_path, monkeypatch):
    source = tmp_path / "cases.jsonl"
    source.write_text(nejm_line(server.url_for("/ok.png")) + "\n")
    refused = CliRunner().invoke(app, ["scenarios", "import", str(source), "--out", str(tmp_path / "a")])
    assert refused.exit_code == 1 and "loopback" in refused.output and server.hits == {}
    monkeypatch.setenv(ALLOW_PRIVATE_ENV, "1")
    monkeypatch.setenv("AGENTCLINIC_IMAGE_CACHE", str(tmp_path / "cache"))
    allowed = CliRunner().invoke(app, ["scenarios", "import", str(source), "--out", str(tmp_path / "b")])
    assert allowed.exit_code == 0, allowed.output
    assert [p.name for p in Path(tmp_path / "b" / "images").iterdir()] == ["cases-001-image.png"]
