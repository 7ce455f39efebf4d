"""Planned episodes as Ray tasks (``agentclinic run --ray``) on a real local Ray cluster.

One cluster (2 CPUs) serves the whole module: Ray takes seconds to start. Episodes use the
deterministic scripted roles, so a Ray run must record exactly what the same run records
without Ray; one run uses the real llama.cpp server.
"""

import asyncio
import dataclasses
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from llm_support import need
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from agentclinic.agents.doctor import BaselineDoctor
from agentclinic.agents.registry import RoleSettings
from agentclinic.cli import app
from agentclinic.runner import RunConfig, run_batch
from agentclinic.seeding import derive_seed
from agentclinic.stopping import StopRequest

PLAN = {"limit": 4, "trials": 2, "seed": 11, "concurrency": 2}  # 8 episodes, 2 tasks in flight
VICTIM = ("cardiology-002", 1)  # the (case, trial) whose worker is killed


@pytest.fixture(scope="module")
def ray_cluster():
    need("ray", "the Ray executor tests")
    import ray
    from ray import cloudpickle

    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
    # The killing doctor below lives in this test module, which Ray workers cannot import.
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    yield ray
    cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    ray.shutdown()


def executor(**options):
    from agentclinic.integrations.ray_executor import RayExecutor

    return RayExecutor("local", **options)


def summary(result) -> list[tuple]:
    """What a run measured, without its database ids."""
    return [(o.scenario_id, o.trial, o.status, o.correct, o.diagnosis, o.turns, o.tests, o.cost_usd)
            for o in result.outcomes]


def rows(db_url: str) -> dict[tuple, tuple]:
    """(case, trial) -> (status, turns logged) for every episode row; duplicates fail here."""
    engine = create_engine(db_url)
    with engine.connect() as con:
        found = con.execute(text(
            "SELECT e.scenario_id, e.trial, e.status, (SELECT count(*) FROM turn t WHERE t.episode_id = e.id) "
            "FROM episode e")).fetchall()
        statuses = [r[0] for r in con.execute(text("SELECT status FROM run")).fetchall()]
    engine.dispose()
    by_key = {(r[0], r[1]): (r[2], r[3]) for r in found}
    assert len(by_key) == len(found), f"an episode was recorded twice: {sorted(found)}"
    return {"run": statuses, **by_key}


@pytest.fixture(scope="module")
def baseline(tmp_path_factory, core_pack):
    """The plan run without Ray: what every Ray run of it must reproduce."""
    db = f"sqlite:///{tmp_path_factory.mktemp('baseline') / 'plain.db'}"
    result = asyncio.run(run_batch(RunConfig(db=db, **PLAN), pack=core_pack))
    return summary(result), rows(db)


def test_ray_run_records_what_the_same_run_without_ray_does(ray_cluster, baseline, core_pack, db_url):
    planned, finished = [], []  # the progress bar's feed, called here in the driver
    result = asyncio.run(run_batch(RunConfig(db=db_url, **PLAN), pack=core_pack, executor=executor(),
                                   on_start=planned.append, on_episode=finished.append))
    assert summary(result) == baseline[0]
    assert planned == [8] and sorted(finished, key=lambda o: o.episode_id) == \
        sorted(result.outcomes, key=lambda o: o.episode_id)
    assert rows(db_url) == baseline[1]  # same turns logged, run completed, every episode once


def test_stopped_ray_run_resumes_to_the_full_plan(ray_cluster, baseline, core_pack, db_url):
    stop, seen = StopRequest(), []

    def stop_after_two(outcome) -> None:
        seen.append(outcome)
        if len(seen) == 2:
            stop.request()

    first = asyncio.run(run_batch(RunConfig(db=db_url, **PLAN), pack=core_pack, executor=executor(),
                                  on_episode=stop_after_two, stop=stop))
    assert first.interrupted and len(first.outcomes) < 8
    assert rows(db_url)["run"] == ["interrupted"]
    again = asyncio.run(run_batch(RunConfig(db=db_url, **PLAN), pack=core_pack, executor=executor()))
    assert again.run_id == first.run_id and again.resumed >= 2 and not again.interrupted
    assert summary(again) == baseline[0]
    assert rows(db_url) == baseline[1]


class KillsItsWorker:
    """A doctor factory: the baseline doctor, except that in the victim episode, after three
    turns, it SIGKILLs the Ray worker running it (on the first attempt only, unless ``always``)."""

    def __init__(self, victim_seed: int, marker: Path, always: bool = False):
        self.victim_seed, self.marker, self.always = victim_seed, marker, always

    def __call__(self, brief, seed, persona=None):
        doctor = BaselineDoctor(brief, seed, persona=persona)
        return _Killing(doctor, self) if seed == self.victim_seed else doctor


class _Killing:
    def __init__(self, doctor, plan: KillsItsWorker):
        self.doctor, self.plan, self.turns = doctor, plan, 0

    def __getattr__(self, name):
        return getattr(self.doctor, name)

    async def act(self, observation):
        self.turns += 1
        if self.turns == 4 and (self.plan.always or self._first_attempt()):
            os.kill(os.getpid(), signal.SIGKILL)
        return await self.doctor.act(observation)

    def _first_attempt(self) -> bool:
        try:
            os.close(os.open(self.plan.marker, os.O_CREAT | os.O_EXCL))
        except FileExistsError:
            return False
        return True


def killer(tmp_path: Path, always: bool = False) -> KillsItsWorker:
    case, trial = VICTIM
    seed = derive_seed(derive_seed(PLAN["seed"], case, trial), "doctor")
    return KillsItsWorker(seed, tmp_path / "killed-once", always)


def test_killed_worker_is_retried_and_every_episode_recorded_once(ray_cluster, baseline, core_pack, db_url, tmp_path):
    config = RunConfig(db=db_url, doctor=killer(tmp_path), **PLAN)
    result = asyncio.run(run_batch(config, pack=core_pack, executor=executor()))
    assert (tmp_path / "killed-once").exists()  # the victim's first worker really died
    assert summary(result) == baseline[0]
    assert rows(db_url) == baseline[1]  # the dead attempt's half-written episode was replaced


def test_task_that_keeps_dying_becomes_a_failed_episode_and_the_run_goes_on(ray_cluster, core_pack, db_url,
                                                                             tmp_path):
    config = RunConfig(db=db_url, doctor=killer(tmp_path, always=True), **PLAN)
    result = asyncio.run(run_batch(config, pack=core_pack, executor=executor(retries=1)))
    failed = [o for o in result.outcomes if o.status == "failed"]
    assert [(o.scenario_id, o.trial) for o in failed] == [VICTIM]
    assert "failed 2 time(s)" in failed[0].error and "Worker" in failed[0].error
    recorded = rows(db_url)
    assert recorded["run"] == ["completed"] and len(recorded) == 9  # the run row and 8 episodes
    assert recorded[VICTIM] == ("failed", 0)
    assert sum(status == "completed" for status, _ in list(recorded.values())[1:]) == 7


def test_ray_run_against_the_llama_cpp_server(ray_cluster, llama_server, core_pack, db_url):
    settings = RoleSettings(base_url=llama_server, temperature=0.0, max_tokens=40, timeout_s=120, max_in_flight=1)
    config = RunConfig(db=db_url, limit=2, max_turns=2, seed=5, patient="openai:smollm2", roles=settings,
                       survey=False)
    result = asyncio.run(run_batch(config, pack=core_pack, executor=executor()))
    assert [o.status for o in result.outcomes] == ["completed", "completed"], [o.error for o in result.outcomes]
    assert all(o.llm_calls >= 1 and o.tokens > 0 for o in result.outcomes)
    engine = create_engine(db_url)
    with engine.connect() as con:
        models = {r[0] for r in con.execute(text("SELECT model FROM llm_call")).fetchall()}
    engine.dispose()
    assert models == {f"openai:smollm2@{llama_server}"}


def test_ray_run_on_postgresql(ray_cluster, baseline, core_pack, postgres_url):
    result = asyncio.run(run_batch(RunConfig(db=postgres_url, **PLAN), pack=core_pack, executor=executor()))
    assert summary(result) == baseline[0]
    assert rows(postgres_url) == baseline[1]


def test_cli_run_with_ray(ray_cluster, db_url):
    runner = CliRunner()
    result = runner.invoke(app, ["run", "--ray", "local", "--limit", "3", "--seed", "4", "--db", db_url, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["completed"] == 3 and len({e["scenario_id"] for e in report["episodes"]}) == 3
    plain = runner.invoke(app, ["run", "--limit", "3", "--seed", "4", "--db", db_url, "--json"])
    assert json.loads(plain.stdout)["resumed_episodes"] == 3  # the same run, whichever way it was run
    shown = runner.invoke(app, ["run", "--ray", "local", "--limit", "3", "--seed", "4", "--db", db_url, "--fresh"])
    assert shown.exit_code == 0 and "episodes" in shown.output and "Accuracy" in shown.output


@pytest.mark.parametrize(("options", "reason"), [
    (["--shard", "1/2"], "--ray cannot be combined with --shard 1/2: Ray already spreads one run"),
    (["--db", "sqlite://"], "--ray needs a database its workers can reach"),
])
def test_settings_ray_cannot_honour_are_refused_with_the_reason(db_url, options, reason):
    need("ray", "the Ray executor tests")
    result = CliRunner().invoke(app, ["run", "--ray", "local", "--db", db_url, *options])
    assert result.exit_code == 2
    assert reason in " ".join(result.output.split())


def test_missing_ray_names_the_extra(monkeypatch, db_url):
    monkeypatch.setitem(sys.modules, "ray", None)  # as if ray were not installed
    result = CliRunner().invoke(app, ["run", "--ray", "auto", "--db", db_url])
    assert result.exit_code == 2 and "agentclinic[ray]" in result.output


def test_tasks_in_flight_follow_concurrency_cluster_and_max_in_flight():
    from agentclinic.integrations.ray_executor import tasks_in_flight

    assert tasks_in_flight(RunConfig(), 16) == 16  # no --concurrency: the cluster's CPUs
    assert tasks_in_flight(RunConfig(concurrency=4), 16) == 4
    model = dataclasses.replace(RunConfig(concurrency=8), patient="openai:m")
    assert tasks_in_flight(dataclasses.replace(model, roles=RoleSettings(max_in_flight=3)), 16) == 3
    per_role = RoleSettings(max_in_flight=6, per_role={"patient": {"max_in_flight": 2}})
    assert tasks_in_flight(dataclasses.replace(model, roles=per_role), 16) == 2
    scripted = dataclasses.replace(RunConfig(concurrency=8), roles=RoleSettings(max_in_flight=3))
    assert tasks_in_flight(scripted, 16) == 8  # no model role: nothing to protect


def test_ctrl_c_cancels_the_tasks_and_the_same_command_finishes_the_run(ray_cluster, tmp_path):
    database = tmp_path / "stopped.db"
    command = ["run", "--ray", "local", "-j", "2", "--limit", "10", "--trials", "10", "--db", f"sqlite:///{database}"]
    # Its own process group, which Ctrl-C in a terminal signals as a whole (Ray's processes too).
    process = subprocess.Popen([sys.executable, "-m", "agentclinic", *command, "-q"], cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and _finished(database) < 2 and process.poll() is None:
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert "Interrupted" in out and 2 <= _finished(database) < 100
    assert rows(f"sqlite:///{database}")["run"] == ["interrupted"]
    again = CliRunner().invoke(app, [*command, "--json"])  # the same command, in this process's cluster
    report = json.loads(again.stdout)
    assert again.exit_code == 0 and report["completed"] == 100 and report["resumed_episodes"] >= 2
    recorded = rows(f"sqlite:///{database}")
    assert recorded["run"] == ["completed"] and len(recorded) == 101


def _finished(database: Path) -> int:
    if not database.exists():
        return 0
    with sqlite3.connect(database, timeout=30) as con:
        try:
            return con.execute("SELECT count(*) FROM episode WHERE status = 'completed'").fetchone()[0]
        except sqlite3.OperationalError:  # the schema is not there yet
            return 0


def test_cli_joins_a_running_ray_cluster_by_address(tmp_path):
    """What `ray job submit` does: the driver joins a cluster started apart (`ray start --head`)."""
    need("ray", "the Ray executor tests")
    from llm_support import free_port

    port = free_port()
    # Its own temp dir: `ray start` notes its address there, where later `ray.init()` calls look.
    temp_dir = tempfile.mkdtemp(prefix="ray-head-")  # short: Ray's socket paths must stay under 108 bytes
    # Ray's token authentication is the cluster operator's business (`ray get-auth-token`); off here.
    env = {**os.environ, "RAY_AUTH_MODE": "disabled"}
    head = subprocess.Popen([str(Path(sys.executable).with_name("ray")), "start", "--head", "--block",
                             f"--port={port}", "--num-cpus=2", "--include-dashboard=false", f"--temp-dir={temp_dir}"],
                            cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        database = tmp_path / "cluster.db"
        command = [sys.executable, "-m", "agentclinic", "run", "--ray", f"127.0.0.1:{port}", "--limit", "4",
                   "--db", f"sqlite:///{database}", "--json"]
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and head.poll() is None and not _listening(port):
            time.sleep(0.5)  # the head takes seconds to come up
        done = subprocess.run(command, check=False, cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        assert json.loads(done.stdout)["completed"] == 4
        assert rows(f"sqlite:///{database}")["run"] == ["completed"]
    finally:
        os.killpg(head.pid, signal.SIGTERM)  # only the processes this test started (never `ray stop`)
        head.wait(timeout=60)
        shutil.rmtree(temp_dir, ignore_errors=True)


def _listening(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0
