"""Processes opening one fresh (or old) database at the same moment all get the schema; none fails.

The schema used to be created by looking and then creating, so two processes starting
together raced ("table run already exists"). Now migrations run once under the database's
lock. Each round uses a new database, with the processes released together (each says it is
ready after importing, then spins until a go-file appears), several rounds in a row, on
SQLite and on PostgreSQL.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import sqlalchemy as sa

from agentclinic.store import Store
from agentclinic.store.schema import current_revision, head

BARRIER = """
import os, sys
print("ready", flush=True)
while not os.path.exists(sys.argv[2]):
    pass
"""

OPENER = BARRIER + """
from agentclinic.store import Store
store = Store(sys.argv[1])
store.start_run(source="env", scenarios="core", max_turns=1)
store.close()
"""

GYM_WORKER = """
import gymnasium as gym
import agentclinic
""" + BARRIER + """
env = gym.make(agentclinic.ENV_ID, db=sys.argv[1])
env.reset(seed=int(sys.argv[3]))
env.step("What brings you in today?")
env.close()
"""


def _release_together(script: str, url: str, processes: int = 6) -> None:
    go = Path(tempfile.mkdtemp()) / "go"
    running = [subprocess.Popen([sys.executable, "-c", script, url, str(go), str(i)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for i in range(processes)]
    for process in running:
        assert process.stdout.readline().strip() == "ready", process.communicate(timeout=60)
    go.touch()
    for process in running:
        _, errors = process.communicate(timeout=180)
        assert process.returncode == 0, errors


def _runs(url: str) -> int:
    store = Store(url)
    try:
        assert current_revision(store.engine) == head()
        return len(store.runs(limit=1000))
    finally:
        store.close()


def test_many_processes_create_the_schema_of_a_fresh_sqlite_file_together(tmp_path):
    for round_ in range(4):
        url = f"sqlite:///{tmp_path / f'fresh-{round_}.db'}"
        _release_together(OPENER, url)
        assert _runs(url) == 6


def test_many_processes_upgrade_an_old_sqlite_log_together(tmp_path):
    from test_schema import _baseline

    for round_ in range(2):
        url = f"sqlite:///{tmp_path / f'old-{round_}.db'}"
        engine = sa.create_engine(url)
        _baseline().create_all(engine)  # a log written before migrations existed
        engine.dispose()
        _release_together(OPENER, url)
        assert _runs(url) == 6


def test_many_processes_create_the_schema_of_a_fresh_postgresql_database_together(postgres_server):
    admin = sa.create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    try:
        for _ in range(3):
            name = "race_" + uuid.uuid4().hex[:12]
            with admin.connect() as connection:
                connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
            url = postgres_server.rsplit("/", 1)[0] + "/" + name
            _release_together(OPENER, url)
            assert _runs(url) == 6
    finally:
        admin.dispose()


def test_gym_environments_in_worker_processes_share_one_fresh_log(tmp_path):
    for round_ in range(2):
        url = f"sqlite:///{tmp_path / f'gym-{round_}.db'}"
        _release_together(GYM_WORKER, url, processes=4)
        store = Store(url)
        assert len(store.runs()) == 4 and len(store.episodes()) == 4
        store.close()
