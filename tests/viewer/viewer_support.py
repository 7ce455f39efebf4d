"""A real episode log for the viewer tests, a copy holding hostile text, and the viewer as a process.

The log is made by ``agentclinic run`` itself (scripted roles, core pack cases with images,
a doctor bias so some answers are wrong) plus a run whose model server refuses every call,
so every outcome and a model binding appear. It is built once per test session.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, select

from agentclinic.store import AssessmentRow, Episode, LLMCall, Store, Turn

IMAGE_CASE = "cardiology-001"  # shows an ECG when the doctor orders one
CASES = [IMAGE_CASE, "cardiology-003", "pulmonology-001", "emergency-001"]
HOSTILE = "<script>window.__pwned=1</script><b>bold</b>\x1b[31m red \x1b]8;;file:///etc/passwd\x07link\x1b]8;;\x07"
# Closes a single-quoted attribute if an escaper forgot quotes; the viewer's model filter lists it.
HOSTILE_MODEL = "evil'\"><script>window.__pwned=2</script>"


@dataclass(frozen=True)
class Log:
    """The built log: its URL and file, its runs, and a copy with one hostile episode."""

    url: str
    path: Path
    scripted_run: int
    failed_run: int
    hostile_url: str
    hostile_episode: int


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(*args: str, exit_code: int = 0) -> None:
    # A process of its own: browser tests hold an event loop in this one, and a run starts one.
    done = subprocess.run([sys.executable, "-m", "agentclinic", "run", "-q", *args], check=False,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == exit_code, done.stdout + done.stderr


def build_log(directory: Path) -> Log:
    path = directory / "log.db"
    url = f"sqlite:///{path}"
    _run("--db", url, "--doctor-bias", "none,confirmation", *[f"--scenario={c}" for c in CASES])
    _run("--db", url, "--limit", "1", "--model", "openai:gpt-4o-mini", "--retries", "0", "--timeout", "2",
         "--base-url", f"http://127.0.0.1:{_closed_port()}/v1", exit_code=1)  # 1: episodes failed
    hostile = directory / "hostile.db"
    _copy(path, hostile)
    episode = add_hostile_episode(f"sqlite:///{hostile}", run_id=1)
    return Log(url, path, 1, 2, f"sqlite:///{hostile}", episode)


def _copy(source: Path, target: Path) -> None:
    """A consistent copy of a WAL database (the file alone may lack recent pages)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def add_hostile_episode(url: str, run_id: int) -> int:
    """An episode of ``run_id`` whose every text field a model or a case author could write is hostile."""
    store = Store(url)
    try:
        template = next(e for e in store.episodes(run_id) if e.scenario_id == IMAGE_CASE)
        with Session(store.engine) as session:
            row = Episode(**{**template.model_dump(exclude={"id"}), "scenario_title": HOSTILE, "diagnosis": HOSTILE,
                             "verdict": HOSTILE, "error": HOSTILE, "differential": [HOSTILE]})
            session.add(row)
            session.commit()
            episode_id = row.id
            turns = session.exec(select(Turn).where(Turn.episode_id == template.id).order_by(Turn.index)).all()
            for turn in turns:
                data = turn.model_dump(exclude={"id", "episode_id"})
                session.add(Turn(**{**data, "episode_id": episode_id,
                                    "text": HOSTILE if turn.speaker != "system" else turn.text}))
            session.add(AssessmentRow(episode_id=episode_id, assessor=HOSTILE, correct=False, verdict="wrong",
                                      reason=HOSTILE))
            session.add(LLMCall(episode_id=episode_id, role="doctor", model=HOSTILE_MODEL, error=HOSTILE))
            session.commit()
        return episode_id
    finally:
        store.close()


_LOGS: dict[str, Log] = {}


def shared_log(tmp_path_factory) -> Log:
    """The session's log, built on first use."""
    if "log" not in _LOGS:
        _LOGS["log"] = build_log(tmp_path_factory.mktemp("viewer-log"))
    return _LOGS["log"]


class ViewerProcess:
    """``python -m agentclinic.viewer`` on a free port, as a real process; use as a context manager."""

    def __init__(self, db_url: str, *extra: str, start_timeout_s: float = 90.0):
        self.command = [sys.executable, "-m", "agentclinic.viewer", "--db", db_url, "--port", "0", "--no-open", *extra]
        self.start_timeout_s = start_timeout_s
        self.process: subprocess.Popen | None = None
        self.url = ""
        self.output = ""

    def __enter__(self) -> ViewerProcess:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(self.command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                        env=env)
        try:
            self.url = self._read_url()
            self._wait_until_answering()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _read_url(self) -> str:
        assert self.process is not None and self.process.stdout is not None
        line = self.process.stdout.readline()  # the first line names the URL (or the error)
        found = re.search(r"Viewer at (http://\S+/)", line)
        assert found, f"the viewer did not start: {line}{self.process.stdout.read() if self.process.poll() else ''}"
        return found.group(1)

    def _wait_until_answering(self) -> None:
        deadline = time.monotonic() + self.start_timeout_s
        while True:
            try:
                with urllib.request.urlopen(self.url, timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:  # type: ignore[union-attr]
                    raise
            time.sleep(0.05)

    def stop(self, timeout_s: float = 20.0) -> int | None:
        """Ctrl+C, as a person stops it; killed if it does not stop in time. Returns the exit code."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.output = self.process.stdout.read()
            self.process.stdout.close()
        return self.process.returncode
