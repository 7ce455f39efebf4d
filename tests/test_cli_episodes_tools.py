"""`episodes show` with doctor-tool uses between the turns (escaped, in order, in --json too)
and `episodes notes`: a run's notebook versions, replayable in order."""

import asyncio
import json
import re

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from agentclinic.cli import app
from agentclinic.runner import RunConfig, run_batch
from agentclinic.store import DoctorNote, DoctorToolCall, Store

runner = CliRunner()
CLEAR, LINK = "\x1b[2J", "\x1b]8;;file:///etc/passwd\x07click\x1b]8;;\x07"
UNSAFE = ("\x1b", "\x07", "\u202e", "\x00")
ENTRY = re.compile(r"^(?:(?P<tool>  ⚙ [\w-]+:)|(?:doctor|patient|measurement|system)(?: \(|:| \[))")


@pytest.fixture()
def logged(db_url):
    result = asyncio.run(run_batch(RunConfig(db=db_url, doctor_tools="none,rag,notebook", limit=6)))
    return db_url, Store(db_url), result


def cli(*args):
    done = runner.invoke(app, [*args])
    assert done.exit_code == 0, done.output
    return done.stdout


def entries(output: str) -> list[str]:
    """The transcript's entries in printed order: 'tool' or 'turn' (wrapped lines skipped)."""
    return ["tool" if m.group("tool") else "turn" for text in output.splitlines() if (m := ENTRY.match(text))]


def test_show_interleaves_tool_calls_at_their_positions(logged):
    db_url, store, result = logged
    episode = next(o.episode_id for o in result.outcomes if o.doctor_tools == "rag")
    calls = json.loads(cli("episodes", "show", str(episode), "--db", db_url, "--json"))["tool_calls"]
    assert [c["tool"] for c in calls] == ["rag"] and calls[0]["detail"]["passages"]
    order = entries(cli("episodes", "show", str(episode), "--db", db_url))
    turns = len(store.turns(episode))
    assert order.count("turn") == turns and order.count("tool") == 1
    assert order.index("tool") == calls[0]["position"]  # after exactly `position` turns
    shown = cli("episodes", "show", str(episode), "--db", db_url)
    assert "⚙ rag: " in shown and f"passages {calls[0]['detail']['passages'][0]}," in " ".join(shown.split())
    assert "tools rag" in shown


def test_show_prints_hostile_tool_text_as_text(logged):
    db_url, store, result = logged
    episode = next(o.episode_id for o in result.outcomes if o.doctor_tools == "notebook")
    with Session(store.engine) as session:
        session.add(DoctorToolCall(episode_id=episode, position=2, tool="cot",
                                   output=f"[bold red]not markup[/]{CLEAR}{LINK}\u202eevil\x00",
                                   input_tokens=40, output_tokens=2))
        session.add(DoctorToolCall(episode_id=episode, position=3, tool="reflect", input="x",
                                   detail={"before": "[red]A[/]", "after": "B", "changed": True, "continued": False}))
        session.commit()
    shown = cli("episodes", "show", str(episode), "--db", db_url)
    for char in UNSAFE:
        assert char not in shown, ascii(char)
    assert "⚙ cot: [bold red]not markup[/]clickevil (42 tokens)" in shown
    assert "⚙ reflect: [red]A[/] → B (changed)" in shown
    order = entries(shown)
    tools = [i for i, kind in enumerate(order) if kind == "tool"]
    # notebook-read before the first turn, cot after 2 turns, reflect after 3, notebook-write after all
    assert [order[:i].count("turn") for i in tools] == [0, 2, 3, len(store.turns(episode))]
    listed = json.loads(cli("episodes", "show", str(episode), "--db", db_url, "--json"))["tool_calls"]
    assert [c["tool"] for c in listed] == ["notebook-read", "notebook-write", "cot", "reflect"]


def test_notes_lists_the_versions_in_order(logged):
    db_url, store, result = logged
    notes = json.loads(cli("episodes", "notes", str(result.run_id), "--db", db_url, "--json"))
    written = [o.episode_id for o in result.outcomes if o.doctor_tools == "notebook"]
    assert [n["chain"] for n in notes] == ["notebook"] * 6
    assert [n["version"] for n in notes] == [1, 2, 3, 4, 5, 6]
    assert sorted(n["episode_id"] for n in notes) == sorted(written)
    wrong = [o for o in result.outcomes if o.doctor_tools == "notebook" and not o.correct]
    assert wrong and all(f"Missed: {o.correct_diagnosis}" in notes[-1]["text"] for o in wrong)
    with Session(store.engine) as session:  # the note each episode wrote is the one its notebook-write logged
        for note in notes:
            [write] = session.exec(select(DoctorToolCall).where(DoctorToolCall.episode_id == note["episode_id"],
                                                                DoctorToolCall.tool == "notebook-write")).all()
            assert write.output == note["text"] and write.detail["version"] == note["version"]
    printed = cli("episodes", "notes", str(result.run_id), "--db", db_url, "--chain", "notebook")
    for note in notes:
        assert f"notebook · version {note['version']} · episode {note['episode_id']}" in printed


def test_notes_escapes_text_and_explains_what_is_missing(logged):
    db_url, store, result = logged
    with Session(store.engine) as session:
        note = session.exec(select(DoctorNote).where(DoctorNote.position == 5)).one()
        note.text, note.truncated = f"[blink]keep[/]{CLEAR}{LINK}", True
        session.add(note)
        session.commit()
    printed = cli("episodes", "notes", str(result.run_id), "--db", db_url)
    assert "[blink]keep[/]click" in printed and "version 6" in printed and "truncated" in printed
    for char in UNSAFE:
        assert char not in printed, ascii(char)
    other = cli("episodes", "notes", str(result.run_id), "--db", db_url, "--chain", "rag")
    assert "no notebook versions in chain rag; its chains: notebook" in other
    missing = runner.invoke(app, ["episodes", "notes", "99", "--db", db_url])
    assert missing.exit_code == 2 and "no run 99" in missing.stderr
