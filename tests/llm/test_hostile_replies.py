"""Hostile model output (lone surrogates, escape sequences, NUL, bidi overrides) neither
fails an episode nor reaches a terminal; old rows that hold such text are shown safely."""

import json
import os
import sqlite3
import subprocess
import sys
from itertools import chain, repeat

from stub_server import StubServer

from agentclinic.llm.sanitise import sanitise

CLEAR = "\x1b[2J"
LINK = "\x1b]8;;file:///etc/passwd\x07click me\x1b]8;;\x07"
DIRTY = f" \ud800{CLEAR}{LINK}\x00\u202e\u2066\x9b"
# The doctor asks once, the patient answers, the doctor diagnoses; survey and judge get the last.
REPLIES = [f"Where does it hurt?{DIRTY}", f"In my chest{DIRTY}.", f"DIAGNOSIS READY: Atrial fibrillation{DIRTY}"]
UNSAFE = ("\x1b", "\x00", "\u202e", "\u2066", "\x9b", "\x07")


def _agentclinic(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200"}  # no wrapping: assertions look for whole phrases
    return subprocess.run([sys.executable, "-m", "agentclinic", *args], capture_output=True, text=True,
                          timeout=300, env=env, check=False)


def _assert_terminal_safe(output: str) -> None:
    for char in UNSAFE:
        assert char not in output, ascii(char)
    assert not any("\ud800" <= char <= "\udfff" for char in output)


def test_hostile_replies_are_stored_clean_counted_and_shown_safely(db_url):
    replies = chain(REPLIES, repeat(REPLIES[-1]))
    with StubServer(reply=lambda body: next(replies)) as server:
        done = _agentclinic("run", "--scenario", "cardiology-001", "--doctor", "openai:stub", "--patient",
                            "openai:stub", "--assessor", "openai:stub", "--base-url", server.url, "--max-turns",
                            "4", "--retries", "0", "--db", db_url)
    assert done.returncode == 0, done.stderr
    _assert_terminal_safe(done.stdout + done.stderr)
    path = db_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as con:
        assert con.execute("SELECT status, error FROM episode").fetchone() == ("completed", None)
        texts = [row[0] for row in con.execute("SELECT text FROM turn ORDER BY \"index\"")]
        diagnosis = con.execute("SELECT diagnosis FROM episode").fetchone()[0]
        counts = [row[0] for row in con.execute("SELECT sanitised FROM llm_call")]
    assert texts[1:3] == ["Where does it hurt? \ufffdclick me", "In my chest \ufffdclick me."]
    assert diagnosis.startswith("Atrial fibrillation")
    for text in [*texts, diagnosis]:
        _assert_terminal_safe(text)
    assert len(counts) >= 4 and set(counts) == {sanitise(DIRTY)[1]}  # every call, survey and judge included
    shown = _agentclinic("episodes", "show", "1", "--db", db_url)
    assert shown.returncode == 0, shown.stderr
    assert "In my chest \ufffdclick me." in shown.stdout
    _assert_terminal_safe(shown.stdout + shown.stderr)


def test_old_rows_with_escapes_are_shown_as_text(db_url):
    """Rows written before replies were sanitised (or URLs redacted) are cleaned when shown."""
    done = _agentclinic("run", "--scenario", "cardiology-001", "--max-turns", "2", "--db", db_url, "--quiet")
    assert done.returncode == 0, done.stderr
    path = db_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as con:
        con.execute("UPDATE turn SET text = ? WHERE \"index\" = (SELECT min(\"index\") FROM turn)",
                    (f"[bold red]not markup[/]{CLEAR}{LINK}\x00\u202eevil",))
        con.execute("UPDATE turn SET provenance = ? WHERE speaker = 'patient'", (f"case{CLEAR}",))
        con.execute("UPDATE episode SET diagnosis = ?, error = ?, scenario_id = ?",
                    ("Atrial\x1b[31m fibrillation\u202e", f"boom{CLEAR}", "cardiology-001\x1b]0;title\x07"))
        con.execute("UPDATE run SET bindings = ?",
                    (json.dumps({"doctor": f"openai:m@http://user:OLDSECRET@h/v1{CLEAR}"}),))
    outputs = [_agentclinic(*args, "--db", db_url) for args in
               (["episodes", "show", "1"], ["episodes", "list"], ["runs", "list"])]
    for output in outputs:
        assert output.returncode == 0, output.stderr
        _assert_terminal_safe(output.stdout + output.stderr)
        assert "OLDSECRET" not in output.stdout
    show, listed, runs = (output.stdout for output in outputs)
    assert "[bold red]not markup[/]click meevil" in show and "patient [case]: " in show and "boom" in show
    assert "Atrial fibrillation" in show and "Atrial fibrillation" in listed
    assert "openai:m@http://h/v1" in runs
