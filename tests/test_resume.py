"""Resuming runs: identical re-runs and --resume keep finished episodes and redo the rest; a
run killed with SIGKILL part-way ends with exactly the planned episodes, no duplicates and
no half-written rows."""

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from stub_server import StubServer

from agentclinic.agents import registry
from agentclinic.agents.doctor import BaselineDoctor
from agentclinic.agents.registry import RoleSettings
from agentclinic.runner import RunConfig, run_batch
from agentclinic.store import Store

BROKEN = {"on": True}


class SometimesBrokenDoctor(BaselineDoctor):
    async def act(self, observation):
        if BROKEN["on"] and "palpitations" in observation.text.lower():
            raise RuntimeError("doctor crashed")
        return await super().act(observation)


registry.register("doctor", "sometimes-broken",
                  lambda settings: lambda brief, seed, persona=None: SometimesBrokenDoctor(brief, seed, persona=persona))


def run(core_pack, db_url, **options):
    return asyncio.run(run_batch(RunConfig(db=db_url, limit=6, **options), pack=core_pack))


def keys(store, run_id):
    return sorted((r.scenario_id, r.trial, r.persona_id, r.swap) for r in store.episodes(run_id))


def test_an_identical_rerun_keeps_what_is_done(core_pack, db_url):
    first = run(core_pack, db_url)
    again = run(core_pack, db_url, concurrency=3)  # operational settings may differ
    assert again.run_id == first.run_id and again.resumed == 6
    assert [o.episode_id for o in again.outcomes] == [o.episode_id for o in first.outcomes]
    fresh = run(core_pack, db_url, fresh=True)
    assert fresh.run_id != first.run_id and fresh.resumed == 0
    other = run(core_pack, db_url, seed=9)  # a different experiment is a different run
    assert other.run_id not in (first.run_id, fresh.run_id)


def test_failed_episodes_are_kept_unless_retried(core_pack, db_url):
    BROKEN["on"] = True
    try:
        first = run(core_pack, db_url, doctor="sometimes-broken")
    finally:
        BROKEN["on"] = False
    failed = [o for o in first.outcomes if o.status == "failed"]
    assert failed and "doctor crashed" in failed[0].error
    kept = run(core_pack, db_url, doctor="sometimes-broken", resume=first.run_id)
    assert kept.resumed == 6 and [o.status for o in kept.outcomes] == [o.status for o in first.outcomes]
    retried = run(core_pack, db_url, doctor="sometimes-broken", resume=first.run_id, retry_failed=True)
    assert retried.resumed == 6 - len(failed)
    assert all(o.status == "completed" for o in retried.outcomes)
    store = Store(db_url)
    assert len(store.episodes(first.run_id)) == 6 and len(set(keys(store, first.run_id))) == 6


def test_resume_needs_a_known_run_with_the_same_settings(core_pack, db_url):
    first = run(core_pack, db_url)
    with pytest.raises(ValueError, match="no run 99 to resume"):
        run(core_pack, db_url, resume=99)
    with pytest.raises(ValueError, match="made with other settings"):
        run(core_pack, db_url, resume=first.run_id, max_turns=5)


def _counts(db_path):
    """Episodes by status; empty while the run has not created its tables yet."""
    try:
        with sqlite3.connect(db_path) as con:
            return dict(con.execute("SELECT status, count(*) FROM episode GROUP BY status").fetchall())
    except sqlite3.OperationalError:
        return {}


def test_a_run_killed_with_sigkill_resumes_to_exactly_the_plan(tmp_path):
    db_path = tmp_path / "kill.db"

    def reply(body):  # ask once, then diagnose: two slow calls per episode
        asked = sum(m["role"] == "user" for m in body["messages"])
        return "What brings you in today?" if asked < 2 else "DIAGNOSIS READY: Atrial fibrillation"

    def mid_episode():
        counts = _counts(db_path)
        return counts.get("completed", 0) >= 3 and counts.get("running", 0) >= 1

    # Calls slow enough that an episode lasts 0.6 s: the two in flight run in step, so the kill
    # must land inside an episode, not in the short gap while both write and the next two start.
    with StubServer(schedule=["slow:0.3"] * 10_000, reply=reply) as server:
        command = [sys.executable, "-m", "agentclinic", "run", "-q", "--limit", "12", "--doctor", "openai:stub",
                   "--base-url", server.url, "--retries", "0", "--concurrency", "2", "--db", f"sqlite:///{db_path}"]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   start_new_session=True)
        deadline = time.time() + 120
        while time.time() < deadline and process.poll() is None and not mid_episode():
            time.sleep(0.05)
        if process.poll() is not None:
            pytest.fail(f"the run ended before it could be killed: {_counts(db_path)}\n{process.stderr.read()}")
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        before = _counts(db_path)
        assert before.get("completed", 0) >= 3 and before.get("running", 0) >= 1, before  # killed mid-episode
        # An episode's turns and calls are written when it ends, not one commit at a time: the
        # episodes cut off hold none, and the resume below redoes them whole.
        with sqlite3.connect(db_path) as con:
            cut_off = con.execute("SELECT count(*) FROM turn JOIN episode ON episode.id = turn.episode_id "
                                  "WHERE episode.status = 'running'").fetchone()
            assert cut_off == (0,)
        done = subprocess.run(command + ["--json"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["resumed_episodes"] == before["completed"] and summary["completed"] == 12
    with sqlite3.connect(db_path) as con:
        assert con.execute("SELECT count(*) FROM run").fetchone() == (1,)
        assert con.execute("SELECT episodes_planned, status FROM run").fetchone() == (12, "completed")
        rows = con.execute("SELECT scenario_id, trial, status FROM episode").fetchall()
        assert len(rows) == 12 and len({(s, t) for s, t, _ in rows}) == 12 and {s for *_, s in rows} == {"completed"}
        orphans = con.execute("SELECT count(*) FROM turn WHERE episode_id NOT IN (SELECT id FROM episode)").fetchone()
        assert orphans == (0,)
        calls = con.execute("SELECT count(*) FROM llm_call WHERE episode_id NOT IN (SELECT id FROM episode)").fetchone()
        assert calls == (0,)
        # Every kept episode is whole: its transcript ends with the diagnosis's closing line.
        for (episode_id,) in con.execute("SELECT id FROM episode").fetchall():
            last = con.execute('SELECT text FROM turn WHERE episode_id = ? ORDER BY "index" DESC LIMIT 1',
                               (episode_id,)).fetchone()
            assert last == ("Diagnosis recorded. The encounter is over.",)


def test_interrupting_a_concurrent_run_marks_every_episode_in_flight(core_pack, db_url):
    def reply(body):  # four slow calls an episode: none can finish before all three have started
        asked = sum(m["role"] == "user" for m in body["messages"])
        return "What brings you in today?" if asked < 4 else "DIAGNOSIS READY: Atrial fibrillation"

    with StubServer(schedule=["slow:0.3"] * 1000, reply=reply) as server:
        config = RunConfig(db=db_url, limit=8, doctor="openai:stub", concurrency=3,
                           roles=RoleSettings(base_url=server.url, max_retries=0))

        async def interrupted():
            # Like Ctrl-C mid-run: once each of the three episodes has called the model, however
            # long start-up took (a fixed clock raced with it on a slow or cold machine).
            run = asyncio.ensure_future(run_batch(config, pack=core_pack))
            deadline = time.monotonic() + 60
            while len(server.requests) < 3 and not run.done() and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            run.cancel()
            await run

        with pytest.raises(asyncio.CancelledError):
            asyncio.run(interrupted())
        store = Store(db_url)
        [run] = store.runs()
        statuses = [r.status for r in store.episodes(run.id)]
        assert run.status == "interrupted" and statuses.count("abandoned") == 3 and "running" not in statuses
        resumed = asyncio.run(run_batch(config, pack=core_pack))
    assert resumed.run_id == run.id and [o.status for o in resumed.outcomes] == ["completed"] * 8
    assert len(store.episodes(run.id)) == 8


def test_runs_logged_before_the_doctor_interface_setting_keep_their_identity():
    from agentclinic.resume import identity_hash

    old = {"doctor": "openai:m", "patient": "scripted", "measurement": "scripted", "assessor": "scripted",
           "roles": {"structured": True, "prompts": "default"}}
    new = {**old, "roles": {"structured": True, "prompts": "default", "doctor_interface": "json"}}
    tools = {**old, "roles": {"structured": False, "prompts": "default", "doctor_interface": "tools"}}
    assert identity_hash(new) == identity_hash(old)
    assert identity_hash(tools) != identity_hash(old)
