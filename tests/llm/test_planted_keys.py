"""A planted key, given every way a key can be given, appears nowhere: not in the database
file's bytes, not in any stored text, not on stdout or stderr of real ``agentclinic`` runs
(successful and failed), nor in what the commands that show them print."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from llm_support import free_port
from stub_server import StubServer
from typer.testing import CliRunner

from agentclinic.cli import app

PLANTED = "PLANTEDk3y9"
REPLY = "DIAGNOSIS READY: Atrial fibrillation"


class RecordingStub(StubServer):
    """The stub, also noting each request's path and Authorization header."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen: list[tuple[str, str | None]] = []

    def respond(self, handler, behaviour, body):
        self.seen.append((handler.path, handler.headers.get("authorization")))
        super().respond(handler, behaviour, body)


def _agentclinic(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "OPENAI_API_KEY": f"sk-{PLANTED}-env"}
    return subprocess.run([sys.executable, "-m", "agentclinic", *args], capture_output=True, text=True,
                          timeout=300, env=env, check=False)


def _with_key(url: str, query: str = "") -> str:
    return url.replace("http://", f"http://user:{PLANTED}@") + query


def _runs(server_url: str, dead_url: str) -> list[list[str]]:
    base = ["run", "--scenario", "cardiology-001", "--max-turns", "3", "--retries", "0", "--timeout", "10"]
    return [
        # --base-url with user-info and a query key; --role-option for one role.
        [*base, "--doctor", "openai:stub", "--patient", "openai:stub", "--assessor", "openai:stub",
         "--base-url", _with_key(server_url, f"?api_key={PLANTED}"),
         "--role-option", f"patient.base_url={server_url}?Token={PLANTED}&x=1"],
        # --patient-base-url, as a comma-separated list of servers.
        [*base, "--patient", "openai:stub", "--patient-base-url",
         f"{_with_key(server_url)},{server_url}?sig={PLANTED}"],
        # A server that is not there: the failure is recorded, the key is not.
        [*base, "--doctor", "openai:stub", "--base-url", _with_key(dead_url, f"?key={PLANTED}")],
    ]


def _database_text(path: Path) -> str:
    """Every text cell of every table, read through SQLite."""
    cells = []
    with sqlite3.connect(path) as con:
        tables = [row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for row in con.execute(f'SELECT * FROM "{table}"'):
                cells += [str(value) for value in row if value is not None]
    return "\n".join(cells)


def test_a_planted_key_is_never_stored_or_printed(tmp_path):
    db_path = tmp_path / "keys.db"
    db = f"sqlite:///{db_path}"
    outputs = []
    with RecordingStub(reply=lambda body: REPLY) as server:
        *working, failing = _runs(server.url, f"http://127.0.0.1:{free_port()}/v1")
        for args in [*working, failing]:
            done = _agentclinic(*args, "--db", db)
            outputs.append(done.stdout + done.stderr)
            assert "Traceback" not in done.stderr
            assert done.returncode == 0 or args is failing, done.stderr  # a failed run may say so in its exit code
        seen = list(server.seen)
    for args in (["episodes", "list", "--all"], ["runs", "list"], ["episodes", "show", "1"],
                 ["episodes", "show", "3"], ["episodes", "list", "--all", "--json"], ["runs", "list", "--json"]):
        shown = CliRunner().invoke(app, [*args, "--db", db])  # in-process: the runs above were the real thing
        assert shown.exit_code == 0, shown.output
        outputs.append(shown.output)

    # The credentials did reach the server: user-info as basic auth, query keys as parameters.
    assert any(auth and auth.startswith("Basic ") for _, auth in seen)
    assert any(f"api_key={PLANTED}" in path for path, _ in seen)
    assert any(f"Token={PLANTED}" in path for path, _ in seen)

    stored = _database_text(db_path)
    assert "failed" in stored and "http://127.0.0.1" in stored  # the rows the key could have been in
    assert PLANTED not in stored
    for file in tmp_path.iterdir():  # the database and any WAL/journal beside it
        assert PLANTED.encode() not in file.read_bytes(), file.name
    for output in outputs:
        assert PLANTED not in output
