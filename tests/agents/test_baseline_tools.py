"""The rule-based doctor's tools, offline: its notebook of misses across episodes and a resume,
retrieval ranking its candidates, and the answer never reaching it through a note."""

from __future__ import annotations

import asyncio

from sqlmodel import Session, select

from agentclinic.runner import RunConfig, run_batch
from agentclinic.stopping import StopRequest
from agentclinic.store import DoctorToolCall, Store
from agentclinic.store.tool_log import notes_of, tool_calls_of

CASES = ["cardiology-003", "cardiology-001", "hematology-003", "neurology-001", "gastroenterology-004",
         "pulmonology-001"]


def _run(db_url: str, **settings):
    config = RunConfig(db=db_url, survey=False, scenario_ids=list(settings.pop("cases", CASES)), **settings)
    return asyncio.run(run_batch(config))


def _notes(db_url: str, run_id: int) -> list[tuple[str, int, str]]:
    store = Store(db_url)
    try:
        return [(n.chain, n.position, n.text) for n in notes_of(store, run_id)]
    finally:
        store.close()


def test_the_notebook_keeps_misses_and_later_episodes_read_them(db_url: str):
    result = _run(db_url, doctor_tools="notebook")
    missed = [o for o in result.outcomes if not o.correct]
    assert missed, "the chosen cases include some the baseline gets wrong"
    notes = _notes(db_url, result.run_id)
    assert [position for _, position, _ in notes] == list(range(len(CASES)))  # a version per episode
    assert all(f"Missed: {o.correct_diagnosis}" in notes[-1][2] for o in missed)
    store = Store(db_url)
    reads = {eid: rows for eid, rows in tool_calls_of(store, [o.episode_id for o in result.outcomes]).items()}
    store.close()
    versions = [next(r.detail["version"] for r in reads[o.episode_id] if r.tool == "notebook-read")
                for o in result.outcomes]
    assert versions == [None, 1, 2, 3, 4, 5]  # each episode reads the note the one before it wrote


def test_a_resumed_run_continues_from_the_last_note(db_url: str, tmp_path):
    whole = _run(f"sqlite:///{tmp_path / 'whole.db'}", doctor_tools="notebook")
    stop = StopRequest()
    seen = []

    def halt_after_three(outcome) -> None:
        seen.append(outcome)
        if len(seen) == 3:
            stop.request()

    config = RunConfig(db=db_url, survey=False, scenario_ids=CASES, doctor_tools="notebook")
    first = asyncio.run(run_batch(config, stop=stop, on_episode=halt_after_three))
    assert first.interrupted and len(first.outcomes) == 3
    resumed = _run(db_url, doctor_tools="notebook")
    assert resumed.run_id == first.run_id and resumed.resumed == 3
    assert [t for _, _, t in _notes(db_url, first.run_id)] == [t for _, _, t in _notes(
        f"sqlite:///{tmp_path / 'whole.db'}", whole.run_id)]


def test_with_concurrency_the_notes_do_not_depend_on_timing(tmp_path):
    runs = [_run(f"sqlite:///{tmp_path / f'{n}.db'}", doctor_tools="notebook", concurrency=3) for n in range(3)]
    notes = [_notes(f"sqlite:///{tmp_path / f'{n}.db'}", r.run_id) for n, r in enumerate(runs)]
    assert notes[0] == notes[1] == notes[2]


def test_a_second_trial_never_reads_its_own_answer_in_the_note(db_url: str):
    result = _run(db_url, doctor_tools="notebook", cases=["cardiology-003"], trials=2)
    first, second = result.outcomes
    assert not first.correct  # the baseline misses complete heart block: the note names it
    assert "Complete heart block" in _notes(db_url, result.run_id)[0][2]
    store = Store(db_url)
    with Session(store.engine) as session:
        read = session.exec(select(DoctorToolCall).where(DoctorToolCall.episode_id == second.episode_id,
                                                         DoctorToolCall.tool == "notebook-read")).one()
    store.close()
    assert "heart block" not in read.output.lower() and read.detail["sentences_withheld"] == 1


def test_retrieval_ranks_with_what_was_heard_and_is_logged(db_url: str):
    result = _run(db_url, doctor_tools="none,rag")
    plain = {o.scenario_id: o for o in result.outcomes if o.doctor_tools is None}
    searched = {o.scenario_id: o for o in result.outcomes if o.doctor_tools == "rag"}
    assert plain.keys() == searched.keys() == set(CASES)
    assert any(plain[c].diagnosis != searched[c].diagnosis for c in CASES)  # retrieval changes rankings
    store = Store(db_url)
    calls = tool_calls_of(store, [o.episode_id for o in searched.values()])
    store.close()
    for outcome in searched.values():
        (search,) = [r for r in calls[outcome.episode_id] if r.tool == "rag"]
        assert search.detail["passages"] and search.input  # query and the passages it found
        assert outcome.turns == plain[outcome.scenario_id].turns  # a search is never a turn
