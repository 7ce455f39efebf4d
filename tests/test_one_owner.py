"""Two identical `agentclinic run` commands at once on one fresh database never duplicate the plan.

One process holds the run's lease and runs it; the other finds the live lease and is refused
with one line naming the run and ``--shard`` (or, if it starts after the first has finished,
finds nothing left to do). Repeated on fresh databases, since the race is at start-up.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time

from stub_server import StubServer


def _slow_reply(body: dict) -> str:
    time.sleep(0.05)  # the plan takes seconds, so the two commands overlap
    return "It started two days ago and it is getting worse."


def test_two_identical_runs_at_once_never_duplicate_the_plan(tmp_path):
    refusals = 0
    with StubServer(reply=_slow_reply) as server:
        for round_ in range(4):
            db = tmp_path / f"twice-{round_}.db"
            command = [sys.executable, "-m", "agentclinic", "run", "-q", "--limit", "4", "--trials", "2",
                       "--db", f"sqlite:///{db}", "--patient", "openai:stub", "--base-url", server.url]
            both = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                    for _ in range(2)]
            results = [(p.wait(timeout=600), p.stderr.read()) for p in both]
            codes = sorted(code for code, _ in results)
            assert codes in ([0, 0], [0, 2]), results
            with sqlite3.connect(db) as connection:
                rows = connection.execute("SELECT scenario_id, trial, status FROM episode").fetchall()
                runs = connection.execute("SELECT id, status, episodes_planned FROM run").fetchall()
            # Either process may have made the surviving run (the loser of the claim deletes its own).
            assert [(status, planned) for _, status, planned in runs] == [("completed", 8)]
            if codes == [0, 2]:
                refusals += 1
                message = next(err for code, err in results if code == 2).strip()
                assert len(message.splitlines()) == 1
                assert f"run {runs[0][0]} is being run by another process" in message
                assert "--shard I/N" in message and "Traceback" not in message
            assert len(rows) == 8 and len({(case, trial) for case, trial, _ in rows}) == 8
            assert {status for _, _, status in rows} == {"completed"}
    assert refusals >= 1  # the commands did overlap at least once: the lease, not luck, kept them apart
