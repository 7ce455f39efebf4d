"""Ctrl-C: a real SIGINT to a real `agentclinic run` in a pseudo-terminal stops it promptly.

The first Ctrl-C starts no new episode and cancels those in flight (marked abandoned, their
model calls cancelled); the second quits at once; a run whose plan is finished is
``completed`` whatever happens after. The same command then resumes to exactly the plan.
"""

from __future__ import annotations

import asyncio
import os
import pty
import signal
import sqlite3
import subprocess
import sys
import time

from agentclinic.runner import RunConfig, run_batch
from agentclinic.stopping import StopRequest
from agentclinic.store import Store

from stub_server import StubServer

HANG_GUARD_S = 120  # a hang fails the test; the assertions below are about what happened, not speed


def _spawn_in_pty(args: list[str]) -> tuple[int, int]:
    pid, fd = pty.fork()
    if pid == 0:  # the child: agentclinic with the pty as its terminal
        os.execv(sys.executable, [sys.executable, "-m", "agentclinic", *args])
    return pid, fd


def _read_until(fd: int, marker: bytes, seen: bytearray) -> None:
    deadline = time.monotonic() + HANG_GUARD_S
    while marker not in seen:
        assert time.monotonic() < deadline, f"never saw {marker!r}: {bytes(seen[-2000:])!r}"
        seen.extend(os.read(fd, 65536))


def _wait(pid: int, fd: int, seen: bytearray) -> int:
    deadline = time.monotonic() + HANG_GUARD_S
    while True:
        try:
            data = os.read(fd, 65536)
        except OSError:  # the child closed the terminal
            data = b""
        seen.extend(data)
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        assert time.monotonic() < deadline, "agentclinic did not stop after Ctrl-C"


def _reap(pid: int) -> None:
    """Kill the child if a failed assertion left it running (a no-op once it has exited)."""
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


def _counts(db) -> tuple[dict, str, int, int]:
    with sqlite3.connect(db) as connection:
        statuses = dict(connection.execute("SELECT status, COUNT(*) FROM episode GROUP BY status").fetchall())
        status, planned = connection.execute("SELECT status, episodes_planned FROM run").fetchone()
        leases = connection.execute("SELECT COUNT(*) FROM run_lease").fetchone()[0]
    return statuses, status, planned, leases


def test_ctrl_c_stops_a_long_run_and_the_same_command_finishes_it(tmp_path):
    db = tmp_path / "stop.db"
    args = ["run", "--trials", "20", "--limit", "10", "-j", "2", "--db", f"sqlite:///{db}"]
    pid, fd = _spawn_in_pty(args)
    seen = bytearray()
    try:
        _read_until(fd, b"correct ", seen)  # episodes are finishing
        os.kill(pid, signal.SIGINT)
        assert _wait(pid, fd, seen) == 130
    finally:
        _reap(pid)
    assert b"Stopping: no new episodes" in seen and b"Traceback" not in seen
    statuses, status, planned, leases = _counts(db)
    assert status == "interrupted" and planned == 200 and leases == 0
    assert "running" not in statuses and statuses.get("abandoned", 0) <= 2
    assert sum(statuses.values()) < planned  # it stopped, rather than running the plan out

    again = subprocess.run([sys.executable, "-m", "agentclinic", *args, "-q"], capture_output=True, text=True,
                           timeout=600)
    assert again.returncode == 0, again.stderr
    statuses, status, planned, leases = _counts(db)
    assert statuses == {"completed": 200} and status == "completed" and leases == 0


def test_ctrl_c_cancels_a_model_call_in_flight(tmp_path):
    db = tmp_path / "stall.db"
    with StubServer(["slow:300"] * 20) as server:  # every call would take five minutes
        pid, fd = _spawn_in_pty(["run", "--limit", "1", "--db", f"sqlite:///{db}", "--patient", "openai:stub",
                                 "--base-url", server.url, "--timeout", "600", "--retries", "0"])
        deadline = time.monotonic() + HANG_GUARD_S
        try:
            while not server.requests:
                assert time.monotonic() < deadline, "the patient was never asked"
                time.sleep(0.05)
            os.kill(pid, signal.SIGINT)
            assert _wait(pid, fd, bytearray()) == 130
        finally:
            _reap(pid)
    with sqlite3.connect(db) as connection:
        status, error = connection.execute("SELECT status, error FROM episode").fetchone()
    assert (status, error) == ("abandoned", "interrupted by the user")


QUITTER = """
import time
from agentclinic.stopping import StopRequest, ctrl_c_stops
stop = StopRequest()
with ctrl_c_stops(stop, lambda text: print(text, flush=True)):
    print("working", flush=True)
    while True:  # work that ignores the stop request: only the second Ctrl-C ends it
        time.sleep(0.01)
"""


def test_a_second_ctrl_c_quits_at_once():
    process = subprocess.Popen([sys.executable, "-c", QUITTER], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        assert process.stdout.readline().strip() == "working"
        process.send_signal(signal.SIGINT)
        assert process.stdout.readline().startswith("Stopping: no new episodes")
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=HANG_GUARD_S) == 130
        assert "Stopped at once" in process.stderr.read()
    finally:
        process.kill()  # never leave it spinning when an assertion fails
        process.wait()


def test_a_stop_after_the_last_episode_leaves_the_run_completed(db_url, core_pack):
    stop = StopRequest()
    config = RunConfig(scenarios="core", limit=3, db=db_url)
    seen = []

    def on_episode(outcome) -> None:
        seen.append(outcome)
        if len(seen) == 3:
            stop.request()  # Ctrl-C lands after the plan is done

    result = asyncio.run(run_batch(config, pack=core_pack, on_episode=on_episode, stop=stop))
    store = Store(db_url)
    assert store.run(result.run_id).status == "completed"
    store.close()


def test_a_stop_part_way_marks_the_run_interrupted(db_url, core_pack):
    stop = StopRequest()
    config = RunConfig(scenarios="core", limit=6, db=db_url)
    result = asyncio.run(run_batch(config, pack=core_pack, on_episode=lambda outcome: stop.request(), stop=stop))
    assert result.interrupted and len(result.outcomes) == 1
    store = Store(db_url)
    assert store.run(result.run_id).status == "interrupted"
    assert [e.status for e in store.episodes(result.run_id)] == ["completed"]
    store.close()
