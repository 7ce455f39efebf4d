"""Several processes fill one run (``--shard i/n``) without collisions or gaps: on PostgreSQL
(a real server) and on one SQLite file."""

import asyncio
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, text

from agentclinic.report.dataset import load_dataset
from agentclinic.report.summary import build_summary
from agentclinic.runner import RunConfig, run_batch, shard_of
from agentclinic.store import Store

PLANNED = 9


def run_shards(db_url: str, shards: int) -> None:
    command = [sys.executable, "-m", "agentclinic", "run", "-q", "--limit", str(PLANNED), "--db", db_url]
    processes = [subprocess.Popen([*command, "--shard", f"{i}/{shards}"], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True) for i in range(1, shards + 1)]
    for process in processes:
        _, errors = process.communicate(timeout=600)
        assert process.returncode == 0, errors


def check_one_full_run(db_url: str) -> None:
    engine = create_engine(db_url)
    with engine.connect() as con:
        runs = con.execute(text("SELECT id, status, episodes_planned FROM run")).fetchall()
        assert len(runs) == 1 and tuple(runs[0])[1:] == ("completed", PLANNED)
        rows = con.execute(text("SELECT scenario_id, trial, status FROM episode")).fetchall()
        assert len(rows) == PLANNED and len({(r[0], r[1]) for r in rows}) == PLANNED
        assert {r[2] for r in rows} == {"completed"}
    engine.dispose()


def test_shards_fill_one_run_on_postgresql(postgres_url):
    run_shards(postgres_url, 3)
    check_one_full_run(postgres_url)
    again = subprocess.run([sys.executable, "-m", "agentclinic", "run", "-q", "--limit", str(PLANNED),
                            "--db", postgres_url, "--json"], capture_output=True, text=True, timeout=300)
    assert '"resumed_episodes": 9' in again.stdout  # the whole run is already there


def test_store_and_report_work_on_postgresql(core_pack, postgres_url):
    result = asyncio.run(run_batch(RunConfig(db=postgres_url, limit=4), pack=core_pack))
    summary = build_summary(load_dataset(Store(postgres_url), [result.run_id]))
    assert summary["overall"]["n"] == 4 and summary["surveys"]["n"] == 4


def test_shards_fill_one_run_on_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    run_shards(url, 2)
    check_one_full_run(url)


@pytest.mark.parametrize("text_, expected", [("1/4", (1, 4)), ("4/4", (4, 4))])
def test_shard_syntax(text_, expected):
    assert shard_of(text_) == expected


@pytest.mark.parametrize("bad", ["0/4", "5/4", "1-4", "a/b", "2"])
def test_bad_shards_are_clear_errors(bad):
    with pytest.raises(ValueError, match="shard must look like i/n"):
        shard_of(bad)
