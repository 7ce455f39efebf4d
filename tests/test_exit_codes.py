"""`agentclinic run` exit codes and messages: failed episodes, --max-failures, an unwritable log.

Real processes: a closed loopback port for failed model calls, a file-size limit
(``ulimit -f``) for a database that cannot grow.
"""

from __future__ import annotations

import resource
import signal
import sqlite3
import subprocess
import sys

import pytest

from stub_server import StubServer

CLOSED = "http://127.0.0.1:9/v1"  # the discard port: nothing listens on loopback


def agentclinic(*args: str, cwd=None, preexec_fn=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "agentclinic", *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd, preexec_fn=preexec_fn)


def failing_run(db_url: str, *extra: str) -> subprocess.CompletedProcess:
    return agentclinic("run", "-q", "--limit", "3", "--db", db_url, "--patient", "openai:gpt-4o-mini",
                       "--base-url", CLOSED, "--retries", "0", "--timeout", "2", *extra)


def test_a_run_whose_episodes_all_failed_exits_1_with_one_line_per_cause(db_url):
    result = failing_run(db_url)
    assert result.returncode == 1, result.stderr
    assert "3/3 episodes failed: APIConnectionError: Connection error. at http://127.0.0.1:9/v1 — check " \
           "--base-url" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "Accuracy n/a over 0 completed episode(s), 3 failed" in result.stdout


def test_a_refused_key_is_named_once_with_what_to_check(db_url):
    with StubServer(["401"] * 50) as server:
        result = agentclinic("run", "-q", "--limit", "2", "--db", db_url, "--patient", "openai:stub",
                             "--base-url", server.url, "--retries", "0")
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if "episodes failed" in line]
    assert len(lines) == 1 and lines[0].startswith("2/2 episodes failed: AuthenticationError")
    assert "check the API key" in lines[0] and "Traceback" not in result.stderr


@pytest.mark.parametrize(("tolerance", "code"), [("3", 0), ("2", 1), ("100%", 0), ("50%", 1)])
def test_max_failures_tolerates_some(db_url, tolerance, code):
    assert failing_run(db_url, "--max-failures", tolerance, "--fresh").returncode == code


@pytest.mark.parametrize("tolerance", ["x", "101%", "-1", "5 %"])
def test_a_bad_max_failures_is_a_usage_error(db_url, tolerance):
    result = failing_run(db_url, "--max-failures", tolerance)
    assert result.returncode == 2
    assert "--max-failures must be a count" in result.stderr and "Traceback" not in result.stderr


def test_a_clean_run_exits_0(db_url):
    assert agentclinic("run", "-q", "--limit", "3", "--db", db_url).returncode == 0


def _small_files() -> None:
    # The database may not grow past 256 KiB; writes past it fail (EFBIG) instead of killing us.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, resource.RLIM_INFINITY))


@pytest.mark.skipif(not hasattr(resource, "RLIMIT_FSIZE"), reason="no file-size limit on this platform")
def test_a_log_that_cannot_grow_stops_the_run_with_one_line_and_resume_recovers(tmp_path):
    db = tmp_path / "full.db"
    command = ("run", "-q", "--trials", "3", "--db", f"sqlite:///{db}")
    full = agentclinic(*command, preexec_fn=_small_files)
    assert full.returncode == 2, full.stdout + full.stderr
    message = full.stderr.strip()
    assert "Traceback" not in full.stderr and len(message.splitlines()) == 1, message
    assert f"cannot write to database sqlite:///{db}" in message
    assert "free disk space (or raise the file size limit)" in message or "file system" in message
    resumed = agentclinic(*command)
    assert resumed.returncode == 0, resumed.stderr
    with sqlite3.connect(db) as connection:
        statuses = dict(connection.execute("SELECT status, COUNT(*) FROM episode GROUP BY status").fetchall())
        planned, status = connection.execute("SELECT episodes_planned, status FROM run").fetchone()
        keys = connection.execute("SELECT COUNT(DISTINCT scenario_id || '#' || trial) FROM episode").fetchone()[0]
    assert statuses == {"completed": planned} and status == "completed" and keys == planned


def test_read_only_commands_do_not_create_a_database(tmp_path):
    for command in (["report"], ["episodes", "list"], ["runs", "list"]):
        result = agentclinic(*command, cwd=tmp_path)
        assert result.returncode == 2, (command, result.stdout, result.stderr)
        assert "no database at runs/agentclinic.db (relative to the working directory" in result.stderr
    assert not (tmp_path / "runs").exists()



def test_a_damaged_page_is_one_line_for_every_command(tmp_path):
    db = tmp_path / "damaged.db"
    assert agentclinic("run", "-q", "--limit", "8", "--db", f"sqlite:///{db}").returncode == 0
    data = bytearray(db.read_bytes())
    page = 4096
    for offset in range(2 * page, len(data) - page, page):  # scribble over every page but the header's
        data[offset + 8: offset + 200] = bytes(range(192))
    db.write_bytes(bytes(data))
    for command in (["report"], ["episodes", "list"], ["runs", "list"], ["run", "-q", "--limit", "8"]):
        result = agentclinic(*command, "--db", f"sqlite:///{db}")
        assert result.returncode == 2, (command, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "damaged" in result.stderr or "malformed" in result.stderr
