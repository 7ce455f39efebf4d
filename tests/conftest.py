"""Shared fixtures: the bundled pack, a minimal valid case, temporary databases."""

from __future__ import annotations

import copy
import os
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml

from agentclinic.loader import Pack, load_pack

# Parsed cases are cached on disk (agentclinic.pack_cache): each session (and each xdist worker,
# and the subprocesses its tests start) gets its own empty cache, never the user's, so a test
# cannot pass on entries an earlier session left. Set here, before any test module loads a pack.
TEST_CACHE_DIR = os.environ["AGENTCLINIC_CACHE_DIR"] = tempfile.mkdtemp(prefix="agentclinic-test-cache-")


@pytest.fixture(scope="session", autouse=True)
def _remove_test_cache():
    yield
    shutil.rmtree(TEST_CACHE_DIR, ignore_errors=True)


REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data" / "agentclinic"

MINIMAL_CASE = {
    "id": "test-001",
    "title": "A cough that will not settle",
    "specialty": "pulmonology",
    "license": "CC-BY-4.0",
    "objective": "Evaluate the patient with a week of cough and fever.",
    "patient": {
        "demographics": {"age_years": 40, "sex": "female"},
        "chief_complaint": "I've had a cough and fever for a week.",
        "history_of_present_illness": "It started a week ago with a sore throat. Now I cough up green phlegm.",
        "symptoms": [
            {"name": "cough", "detail": "I cough all day and bring up green phlegm."},
            {"name": "fever", "synonyms": ["temperature"], "detail": "I've had a temperature of 38.5."},
            {"name": "chest pain", "present": False},
        ],
        "medications": ["paracetamol when needed"],
        "social_history": {"smoking": "I smoke ten a day."},
    },
    "physical_exam": {
        "vital_signs": {"temperature": "38.4 °C", "heart_rate": "98 /min"},
        "respiratory": "Bronchial breathing and coarse crackles at the right base.",
        "cardiovascular": "Normal heart sounds.",
    },
    "tests": [
        {"name": "Chest X-ray", "aliases": ["CXR"], "category": "imaging",
         "result": "Dense opacity in the right lower zone with air bronchograms."},
        {"name": "Complete blood count", "aliases": ["CBC"], "category": "lab",
         "values": [{"name": "White blood cells", "value": 16.2, "unit": "x10^9/L",
                     "reference": {"low": 4, "high": 11}, "aliases": ["WBC"]}]},
        {"name": "Cardiac enzymes", "category": "lab", "cost_usd": 99,
         "values": [{"name": "Troponin I", "value": 3, "unit": "ng/L", "reference": {"high": 16}}]},
    ],
    "diagnosis": {"name": "Community-acquired pneumonia", "synonyms": ["CAP"]},
    "distractors": ["Acute bronchitis", "Pulmonary embolism", "Lung abscess", "Influenza"],
    "key_facts": ["Productive cough", "Fever", "Smoker", "Right basal crackles", "Raised white count"],
}


def case_data(**overrides) -> dict:
    """A deep copy of the minimal valid case with top-level fields replaced."""
    data = copy.deepcopy(MINIMAL_CASE)
    data.update(overrides)
    return data


def write_case(directory: Path, data: dict, name: str | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / (name or f"{data.get('id', 'case')}.yaml")
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """AgentClinic's sample files in ../shared (read there, never copied). CI always has them."""
    if not (SHARED_DATA / "agentclinic_medqa.jsonl").is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{SHARED_DATA} is missing; CI runs beside a copy of shared/")
        pytest.skip(f"{SHARED_DATA} is not present")
    return SHARED_DATA


@pytest.fixture(scope="session")
def core_pack() -> Pack:
    return load_pack("core")


@pytest.fixture()
def mini_pack(tmp_path: Path) -> Pack:
    write_case(tmp_path / "pack", case_data())
    write_case(tmp_path / "pack", case_data(id="test-002"))
    return load_pack(tmp_path / "pack")


@pytest.fixture()
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'runs' / 'test.db'}"


@pytest.fixture(scope="session")
def llama_server():
    """A real ``python -m llama_cpp.server`` with the embedded SmolLM2 on a free loopback port."""
    from llm_support import start_llama_server

    yield from start_llama_server()


@pytest.fixture(scope="session")
def postgres_server():
    """A PostgreSQL server URL: the one .ci/run started (AGENTCLINIC_TEST_POSTGRES), else a
    throwaway one from the installed binaries; skipped without them, except under CI."""
    from pg_support import bin_dir, start, stop

    url = os.environ.get("AGENTCLINIC_TEST_POSTGRES")
    if url:
        yield url
        return
    if bin_dir() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is required under CI (.ci/run installs and starts it)")
        pytest.skip("PostgreSQL is not installed")
    import shutil
    import tempfile

    # Under /tmp itself: the server runs as the postgres user, who cannot enter pytest's root-only dirs.
    directory = Path(tempfile.mkdtemp(prefix="agentclinic-pg-"))
    try:
        yield start(directory)
    finally:
        stop(directory)
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture()
def postgres_url(postgres_server, request):
    """A new, empty database on the server for one test."""
    import re
    import uuid

    from sqlalchemy import create_engine, text

    name = "t_" + re.sub(r"\W", "_", request.node.name.lower())[:40] + "_" + uuid.uuid4().hex[:8]
    admin = create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return postgres_server.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="module")
def browser():
    """A headless Debian Chromium driven by Playwright (skipped without it, except under CI).

    Module-scoped: while Playwright's sync API is open it keeps an event loop running on this
    thread, and every later ``asyncio.run`` in the session would fail; a browser test module
    therefore must not run event loops itself (its servers run in subprocesses)."""
    from browser_support import launch_browser

    yield from launch_browser()


@pytest.fixture()
def page(browser):
    """A page in its own browser context (no cookies or storage shared between tests)."""
    context = browser.new_context()
    opened = context.new_page()
    yield opened
    context.close()
