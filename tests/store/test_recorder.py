"""The SQLite log: real files, WAL, foreign keys, failed episodes kept with their reason."""

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from agentclinic.agents.registry import resolve_roles
from agentclinic.episode import Episode, run_episode
from agentclinic.store import Store, StoreError, Turn

from conftest import case_data
from agentclinic.scenario import Scenario


class ScriptDoctor:
    def __init__(self, lines):
        self.lines = list(lines)

    async def act(self, observation):
        return self.lines.pop(0)


def db_file(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def record_episode(store: Store, lines) -> int:
    scenario = Scenario.model_validate(case_data())
    roles = resolve_roles(None)
    run_id = store.start_run(source="cli", scenarios="test", seed=1, max_turns=5, bindings=roles.bindings)
    episode_id = store.start_episode(run_id, scenario, seed=1, max_turns=5)
    state = Episode(scenario, roles.patient(scenario, 1), roles.measurement(scenario, 1), roles.assessor(1),
                    max_turns=5, on_turn=lambda r: store.record_turn(episode_id, r))
    asyncio.run(run_episode(state, ScriptDoctor(lines)))
    store.finish_episode(episode_id, state)
    return episode_id


def test_episode_round_trip(db_url):
    store = Store(db_url)
    episode_id = record_episode(store, ["Any cough?", "REQUEST TEST: CXR", "DIAGNOSIS READY: CAP"])
    row = store.episode(episode_id)
    assert (row.status, row.correct, row.diagnosis, row.correct_diagnosis) == (
        "completed", True, "CAP", "Community-acquired pneumonia")
    assert row.turns == 3 and row.tests_ordered == 1 and row.cost_usd > 0 and row.duration_s >= 0
    turns = store.turns(episode_id)
    assert [t.speaker for t in turns] == ["system", "doctor", "patient", "doctor", "measurement", "doctor", "system"]
    assert turns[3].action == "request_test" and turns[3].action_detail == {"name": "CXR"}
    assert turns[4].provenance == "case"


def test_plain_sql_on_a_real_sqlite_file(db_url):
    store = Store(db_url)
    record_episode(store, ["DIAGNOSIS READY: Influenza"])
    store.close()
    with sqlite3.connect(db_file(db_url)) as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"run", "episode", "turn", "assessment"} <= tables
        assert con.execute('SELECT speaker, "index" FROM turn ORDER BY "index" LIMIT 1').fetchone() == ("system", 0)
        assert con.execute("SELECT correct, verdict FROM episode").fetchone() == (0, "wrong")
        assert con.execute("SELECT assessor FROM assessment").fetchone() == ("scripted",)


def test_foreign_keys_are_enforced(db_url):
    store = Store(db_url)
    with pytest.raises(IntegrityError):
        store.record_turn(12345, Turn(index=0, speaker="doctor", text="x", episode_id=0))  # type: ignore[arg-type]


def test_failed_episode_keeps_reason(db_url):
    store = Store(db_url)
    scenario = Scenario.model_validate(case_data())
    run_id = store.start_run(source="cli", scenarios="test", max_turns=5)
    episode_id = store.start_episode(run_id, scenario, seed=None)
    store.end_episode(episode_id, "failed", "RuntimeError: server went away")
    row = store.episode(episode_id)
    assert row.status == "failed" and row.error == "RuntimeError: server went away" and row.finished_at


def test_default_location_is_created(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Store().close()
    assert (tmp_path / "runs" / "agentclinic.db").is_file()


@pytest.mark.parametrize("url", ["not a url", "nosuchdriver://x", "sqlite:////proc/forbidden/x.db"])
def test_bad_urls_raise_store_error(url):
    with pytest.raises(StoreError):
        Store(url)


def test_a_foreign_table_named_like_ours_is_not_taken_for_an_old_log(db_url):
    path = db_file(db_url)
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE episode (id INTEGER PRIMARY KEY, run_id INTEGER)")
    with pytest.raises(StoreError, match="not agentclinic's.*nothing was written"):
        Store(db_url)
