"""A damaged or crafted log must not make the viewer serve or copy other files, write outside
its output folder, crash with a traceback, or show keys; and it must say when it is ready."""

from __future__ import annotations

import html
import json
import logging
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
import yaml
from conftest import case_data
from markupsafe import escape
from PIL import Image
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient
from viewer_support import IMAGE_CASE, _copy, shared_log

from agentclinic.paths import bundled_dir
from agentclinic.scenario import Scenario
from agentclinic.store import Store
from agentclinic.viewer import write_site
from agentclinic.viewer.images import ImageFinder, locate_case, pack_path
from agentclinic.viewer.launch import _announce, is_loopback, network_warning
from agentclinic.viewer.pages import ServerLinks, render_error, render_missing
from agentclinic.viewer.server import ErrorPage, allowed_hosts, create_app
from agentclinic.viewer.static_site import image_name

CORE = bundled_dir("scenarios") / "core"
ECG = CORE / "images" / f"{IMAGE_CASE}-ecg.png"


@pytest.fixture(scope="module")
def log(tmp_path_factory):
    return shared_log(tmp_path_factory)


def _png(path: Path, colour: str = "blue") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (5, 5), colour).save(path, format="PNG")
    return path


class Damaged:
    """A copy of the shared log, edited with plain SQL as a hostile author would."""

    def __init__(self, log, tmp_path: Path):
        self.path = tmp_path / "damaged.db"
        _copy(log.path, self.path)
        self.url = f"sqlite:///{self.path}"
        self.run_id = log.scripted_run
        with sqlite3.connect(self.path) as db:
            self.episode, self.digest = db.execute(
                "SELECT id, case_digest FROM episode WHERE run_id = ? AND scenario_id = ? ORDER BY id",
                (self.run_id, IMAGE_CASE)).fetchone()

    def sql(self, statement: str, *params) -> None:
        with sqlite3.connect(self.path) as db:
            db.execute(statement, params)

    def edit_case(self, change) -> None:
        with sqlite3.connect(self.path) as db:
            data = json.loads(db.execute("SELECT data FROM case_snapshot WHERE digest = ?", (self.digest,)).fetchone()[0])
            change(data)
            db.execute("UPDATE case_snapshot SET data = ? WHERE digest = ?", (json.dumps(data), self.digest))

    def point_images_at(self, file: str) -> None:
        def change(data):
            for image in data["images"]:
                image["file"] = file
        self.edit_case(change)

    def client(self, host: str = "127.0.0.1") -> TestClient:
        self.store = Store(self.url, create=False)
        return TestClient(create_app(self.store, host), base_url="http://127.0.0.1")


@pytest.fixture()
def damaged(log, tmp_path):
    copy = Damaged(log, tmp_path)
    yield copy
    if hasattr(copy, "store"):
        copy.store.close()


@pytest.fixture()
def pack_beside_secret(tmp_path):
    """A pack holding the image case and its ECG, with a private picture in a folder inside it."""
    pack = tmp_path / "work"
    (pack / "images").mkdir(parents=True)
    shutil.copy(CORE / f"{IMAGE_CASE}.yaml", pack)
    shutil.copy(ECG, pack / "images")
    return pack, _png(pack / "private" / "secret.png")


# ---- 1. image paths come from the case file on disk, inside its folder; odd packs refused ----
def test_the_logs_copy_of_the_case_cannot_choose_the_image_file(damaged, pack_beside_secret):
    pack, secret = pack_beside_secret
    damaged.sql("UPDATE run SET scenarios = ? WHERE id = ?", str(pack), damaged.run_id)
    client = damaged.client()
    for file in (str(secret), "private/secret.png", "../../../.." + str(secret)):
        damaged.point_images_at(file)
        served = client.get(f"/episodes/{damaged.episode}/images/ecg")
        assert served.status_code == 200 and served.content == ECG.read_bytes() != secret.read_bytes()


def test_a_case_file_on_disk_pointing_outside_its_folder_is_refused(tmp_path):
    pack = tmp_path / "pack"
    _png(tmp_path / "secret.png")
    data = yaml_case(pack / "odd-001.yaml", "../secret.png")
    found = ImageFinder().lookup(str(pack), "odd-001", Scenario.model_validate(data), "pic")
    assert found.found is None and "outside" in found.reason


def yaml_case(path: Path, image_file: str) -> dict:
    data = case_data(id=path.stem, images=[{"id": "pic", "file": image_file, "modality": "photograph"}])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return data


@pytest.mark.parametrize("scenarios,why", [("/", "filesystem root"), (str(Path.home()), "home folder")])
def test_a_run_naming_the_root_or_home_folder_shows_no_images(damaged, scenarios, why):
    damaged.sql("UPDATE run SET scenarios = ? WHERE id = ?", scenarios, damaged.run_id)
    damaged.point_images_at(str(ECG))  # a real image: refused for where it is, not what it is
    client = damaged.client()
    refused = client.get(f"/episodes/{damaged.episode}/images/ecg")
    assert refused.status_code == 404 and "unavailable" in refused.text and why in refused.text
    page = client.get(f"/episodes/{damaged.episode}")
    assert page.status_code == 200 and "images unavailable" in page.text and why in page.text


def test_only_a_folder_with_case_files_at_its_top_is_a_pack(tmp_path):
    (tmp_path / "deep" / "down").mkdir(parents=True)
    yaml_case(tmp_path / "deep" / "down" / "x-001.yaml", "pic.png")
    assert "no case files at its top level" in pack_path(str(tmp_path / "deep"))
    assert "not a pack" in locate_case(str(tmp_path / "deep"), "x-001")
    (tmp_path / "notes.txt").write_text("hello")
    assert "not a pack" in pack_path(str(tmp_path / "notes.txt"))
    assert "not found" in pack_path("no-such-pack-anywhere")
    assert pack_path("core") == CORE and pack_path(str(tmp_path / "deep" / "down")) == tmp_path / "deep" / "down"


# ---- 2. the static export writes only inside its folder --------------------------------------
def test_a_crafted_digest_cannot_write_outside_the_site(damaged, tmp_path):
    damaged.sql("UPDATE case_snapshot SET digest = ? WHERE digest = ?", "../../PWNED12345", damaged.digest)
    damaged.sql("UPDATE episode SET case_digest = ? WHERE case_digest = ?", "../../PWNED12345", damaged.digest)
    out = tmp_path / "a" / "b" / "site"
    store = Store(damaged.url, create=False)
    try:
        write_site(store, [damaged.run_id], out)
    finally:
        store.close()
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p != damaged.path and "damaged.db" not in p.name]
    assert written and all(p.is_relative_to(out) for p in written)
    images = [p.name for p in (out / "images").iterdir()]
    assert images and all(re.fullmatch(r"[0-9a-f]{16}-[A-Za-z0-9_-]+\.png", name) for name in images)
    assert (out / f"episode-{damaged.episode}.html").read_text().count('src="images/') >= 1


def test_image_names_hold_only_a_hash_and_safe_characters():
    for digest, image_id in (("../../x", "ecg"), ("abc", "../../etc/passwd"), ("/abs", "a b\\c")):
        name = image_name(digest, image_id, ".png")
        assert re.fullmatch(r"[0-9a-f]{16}-[A-Za-z0-9_-]+\.png", name), name
    assert image_name("d", "a/b", ".png") != image_name("d", "a_b", ".png")  # both sanitised alike: kept apart


# ---- 3. a damaged row: a readable page where possible, else one escaped line ------------------
def test_a_stored_case_that_fails_validation_is_named_unreadable(damaged):
    damaged.edit_case(lambda data: data.pop("title"))
    page = damaged.client().get(f"/episodes/{damaged.episode}")
    assert page.status_code == 200 and "stored case unreadable" in page.text and "title" in page.text


def test_bad_image_ids_json_reads_as_no_images_with_a_note(damaged, caplog):
    damaged.sql("UPDATE turn SET image_ids = 'not json' WHERE episode_id = ? AND image_ids != '[]'", damaged.episode)
    client = damaged.client()
    page = client.get(f"/episodes/{damaged.episode}")
    assert page.status_code == 200 and "image ids unreadable" in page.text and "shown as none" in page.text
    with caplog.at_level(logging.ERROR, logger="agentclinic.viewer.server"):
        report = client.get(f"/runs/{damaged.run_id}/report")  # the report reads every turn itself
    assert report.status_code == 500 and "This page cannot be shown" in report.text
    assert "Traceback" not in report.text and f"/runs/{damaged.run_id}/report failed" in report.text
    logged = [r for r in caplog.records if r.name == "agentclinic.viewer.server"]
    assert len(logged) == 1 and logged[0].exc_info is None and "\n" not in logged[0].getMessage()


def test_bindings_that_are_not_a_mapping_show_as_text(damaged):
    damaged.sql("UPDATE run SET bindings = '[1]' WHERE id = ?", damaged.run_id)
    client = damaged.client()
    runs = client.get("/")
    assert runs.status_code == 200 and "not a mapping" in runs.text and "[1]" in runs.text
    assert client.get(f"/runs/{damaged.run_id}").status_code == 200
    assert client.get(f"/episodes/{damaged.episode}").status_code == 200


def test_any_failure_is_one_escaped_line_on_the_error_page(caplog):
    def broken(request):
        raise ValueError("<script>alert(1)</script> first line\nsecond line")

    app = Starlette(routes=[Route("/boom", broken)])
    app.add_middleware(ErrorPage, links=ServerLinks())
    with caplog.at_level(logging.ERROR, logger="agentclinic.viewer.server"):
        page = TestClient(app).get("/boom")
    assert page.status_code == 500 and "&lt;script&gt;" in page.text and "<script>" not in page.text
    assert "first line" in page.text and "second line" not in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'none'")
    assert len(caplog.records) == 1 and caplog.records[0].exc_info is None


# ---- 4. binding to the network keeps the Host check -------------------------------------------
def test_all_addresses_still_check_the_host_header(damaged):
    assert "*" not in allowed_hosts("0.0.0.0") and "*" not in allowed_hosts("192.0.2.7")
    assert {"localhost", "127.0.0.1", socket.gethostname()} <= set(allowed_hosts("0.0.0.0"))
    assert "192.0.2.7" in allowed_hosts("192.0.2.7")
    client = damaged.client(host="0.0.0.0")
    assert client.get("/", headers={"host": "rebound.attacker.example"}).status_code == 400
    assert client.get("/", headers={"host": f"{socket.gethostname()}:8765"}).status_code == 200
    assert client.get("/", headers={"host": "localhost:8765"}).status_code == 200


def test_serving_to_the_network_prints_a_warning(capsys):
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost") and is_loopback("127.1.2.3")
    assert network_warning("127.0.0.1") is None and network_warning("0.0.0.0") and network_warning("192.0.2.7")
    _announce("http://127.0.0.1:1/", "0.0.0.0", open_browser=False)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Viewer at http://127.0.0.1:1/") and "served to the network" in lines[1]


# ---- 5. the URL line means the server already answers ----------------------------------------
def test_the_url_is_printed_once_the_server_listens(log):
    process = subprocess.Popen([sys.executable, "-m", "agentclinic.viewer", "--db", log.url, "--port", "0",
                                "--no-open"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = process.stdout.readline()
        url = re.search(r"Viewer at (http://\S+/)", line)
        assert url, line
        with urllib.request.urlopen(url.group(1), timeout=10) as response:  # at once: no retry, no wait
            assert response.status == 200
    finally:
        process.terminate()
        process.communicate(timeout=20)


# ---- 6. keys from the environment are masked before escaping ----------------------------------
def test_environment_keys_holding_html_characters_are_masked(monkeypatch):
    secret = "sk-a&b<c>\"d'e-0123456789"
    monkeypatch.setenv("AGENTCLINIC_TEST_API_KEY", secret)
    for page in (render_missing(f"before {secret} after", ServerLinks()),
                 render_error(f"failed with {secret}", ServerLinks())):
        assert "***" in page
        for form in (secret, str(escape(secret)), html.escape(secret), html.escape(secret, quote=False)):
            assert form not in page
