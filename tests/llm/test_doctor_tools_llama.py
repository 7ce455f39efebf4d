"""Doctor tools with a real model: the embedded SmolLM2 behind llama.cpp's OpenAI server.

The doctor is the model; patient, measurement and assessor are scripted, so every model call
is the doctor's (or one of its tools'). The 135M model cannot diagnose, and whether it
searches is up to it: these tests check the plumbing (rows, tokens, limits, what reaches
whom), not whether the tools help. Where the model's own choice decides whether a tool is
used, a prompt set written for the test steers it, so the check runs every time.
"""

import asyncio

import yaml

from agentclinic.actions import parse_action
from agentclinic.agents.model_tools import search_query
from agentclinic.agents.patient import ScriptedPatient
from agentclinic.agents.registry import RoleSettings
from agentclinic.doctor_tools import load_corpus
from agentclinic.doctor_tools.filtering import without_mentions
from agentclinic.doctor_tools.notebook import NOTE_CHARS
from agentclinic.loader import load_pack
from agentclinic.prompting import load_prompts
from agentclinic.runner import RunConfig, run_batch
from agentclinic.store import Store
from agentclinic.store.tool_log import notes_of, tool_calls_of
from agentclinic.validity.guard import guard_for

PACK = load_pack("core")
CASE = "cardiology-001"  # atrial fibrillation
# The documented limits, written out so a change in the code shows up here.
MAX_SEARCHES_PER_TURN, MAX_SEARCHES = 2, 6


def run(db_url: str, server: str, tools: str, *, interface: str = "json", prompts: str | None = None,
        cases: tuple[str, ...] = (CASE,), max_turns: int = 2, max_tokens: int = 32, **config):
    """A model-doctor run on the server; every episode must complete."""
    settings = RoleSettings(base_url=server, max_tokens=max_tokens, temperature=0.0, timeout_s=600,
                            doctor_interface=interface, **({"prompts": prompts} if prompts else {}))
    result = asyncio.run(run_batch(RunConfig(
        db=db_url, doctor="openai:smollm2", scenario_ids=list(cases), max_turns=max_turns, survey=False,
        doctor_tools=tools, roles=settings, **config), pack=PACK))
    assert result.outcomes and all(o.status == "completed" for o in result.outcomes), \
        [o.error for o in result.outcomes]
    return result, Store(db_url)


def steered_prompts(tmp_path, **changes: str) -> str:
    """The default prompt set with some fields replaced, as a YAML file (a custom prompt set)."""
    fields = {**load_prompts("default").model_dump(), "name": "steered", **changes}
    path = tmp_path / "steered.yaml"
    path.write_text(yaml.safe_dump(fields), encoding="utf-8")
    return str(path)


def episode_rows(store: Store, episode_id: int):
    """(turn rows, doctor turn rows, llm_call rows, tool rows) of one episode."""
    turns = list(store.turns(episode_id))
    return (turns, [t for t in turns if t.speaker == "doctor"], list(store.calls(episode_id)),
            tool_calls_of(store, [episode_id])[episode_id])


def diagnosis_guard(scenario_id: str):
    scenario = next(s for s in PACK.scenarios if s.id == scenario_id)
    return guard_for(scenario.diagnosis.name, tuple(scenario.diagnosis.synonyms))


# ---- chain of thought --------------------------------------------------------------------------
def test_cot_reasons_before_every_turn_and_the_patient_never_hears_it(llama_server, db_url, monkeypatch):
    heard: list[str] = []
    reply = ScriptedPatient.reply

    async def listening(self, question: str) -> str:  # the real patient, with what it was told noted
        heard.append(question)
        return await reply(self, question)

    monkeypatch.setattr(ScriptedPatient, "reply", listening)
    # The text interface: whatever the model says that is no action keyword is a question, so
    # the patient is spoken to and what it hears can be compared with the reasoning.
    result, store = run(db_url, llama_server, "cot", interface="text")
    [outcome] = result.outcomes
    turns, doctor, calls, tools = episode_rows(store, outcome.episode_id)
    assert len(doctor) == outcome.turns >= 1
    cots = [t for t in tools if t.tool == "cot"]
    assert {t.tool for t in tools} == {"cot"}
    assert [c.turn for c in cots] == list(range(len(doctor)))  # one before each doctor turn, in order
    cot_calls = [c for c in calls if c.role == "doctor" and c.note == "tool:cot"]
    action_calls = [c for c in calls if c.role == "doctor" and c.note is None]
    assert len(cot_calls) == len(cots) and len(action_calls) == len(doctor)
    for row, call in zip(cots, cot_calls):
        assert row.output.strip() and row.input_tokens and row.output_tokens
        assert (row.input_tokens, row.output_tokens) == (call.input_tokens, call.output_tokens)
    # The patient heard exactly the doctor's questions, and no reasoning reached the transcript.
    asked = [parse_action(t.text) for t in doctor if t.action == "ask"]
    assert heard and heard == [a.text for a in asked]
    spoken = [t.text for t in turns if t.speaker in ("doctor", "patient")]
    assert not any(row.output.strip() in text for row in cots for text in spoken)


# ---- reflection --------------------------------------------------------------------------------
def test_reflect_reviews_a_diagnosis_once_per_episode(llama_server, db_url, tmp_path):
    # Steered to diagnose at once, so the diagnosis the reflection reviews always comes.
    prompts = steered_prompts(tmp_path, doctor_structured=(
        'Answer with one JSON object, for example {{"action": "diagnose", "diagnosis": "Influenza"}}.'))
    result, store = run(db_url, llama_server, "reflect", prompts=prompts, cases=(CASE, "cardiology-002"))
    reviewed = 0
    for outcome in result.outcomes:
        _, doctor, calls, tools = episode_rows(store, outcome.episode_id)
        reflections = [t for t in tools if t.tool == "reflect"]
        assert len(reflections) <= 1 and {t.tool for t in tools} <= {"reflect"}
        assert len([c for c in calls if c.role == "doctor"]) == len(doctor) + len(reflections)
        for row in reflections:
            reviewed += 1
            detail = row.detail
            assert set(detail) >= {"before", "after", "changed", "continued"}
            assert detail["before"] == parse_action(row.input).diagnosis
            assert detail["changed"] == (detail["after"] != detail["before"])
            assert detail["continued"] == (detail["after"] is None)
            assert row.input_tokens and row.output_tokens is not None
            # What the reflection settled on is the turn the episode logged.
            assert doctor[row.turn].text == row.output
            if detail["after"] is not None:
                assert outcome.diagnosis == detail["after"] and doctor[-1] is doctor[row.turn]
    assert reviewed >= 1


# ---- retrieval ---------------------------------------------------------------------------------
def check_searches(store: Store, outcome, max_turns: int, k: int) -> int:
    """The retrieval invariants of one episode; returns how many searches it made."""
    _, doctor, calls, tools = episode_rows(store, outcome.episode_id)
    searches = [t for t in tools if t.tool == "rag"]
    assert {t.tool for t in tools} <= {"rag"}
    assert len(doctor) == outcome.turns <= max_turns  # searches never took a turn
    assert len(searches) <= MAX_SEARCHES
    for turn in {s.turn for s in searches}:
        assert sum(s.turn == turn for s in searches) <= MAX_SEARCHES_PER_TURN
        assert 0 <= turn < len(doctor)
    ids = {p.id for p in load_corpus()}
    for search in searches:
        passages, scores = search.detail["passages"], search.detail["scores"]
        assert 1 <= len(passages) <= k and set(passages) <= ids
        assert scores == sorted(scores, reverse=True)
        assert search.input.strip() and all(f"[{p}]" in search.output for p in passages)
    # Each action call was a search, a refused one, or the turn's action.
    actions = [c for c in calls if c.role == "doctor"]
    assert len(doctor) + len(searches) <= len(actions) <= 2 * len(doctor) + len(searches)
    # A search that became the turn's (invalid) action was refused: the limits had been reached.
    for index, turn in enumerate(doctor):
        if search_query(turn.text, "tools") is not None:
            assert turn.action == "invalid"
            assert sum(s.turn == index for s in searches) == MAX_SEARCHES_PER_TURN or len(searches) == MAX_SEARCHES
    return len(searches)


def test_rag_on_its_own_keeps_every_limit_when_the_model_searches(llama_server, db_url):
    # Whether the untrained model searches is its choice; whatever it does, the limits hold.
    result, store = run(db_url, llama_server, "rag", rag_top_k=1)
    for outcome in result.outcomes:
        check_searches(store, outcome, 2, 1)


def test_rag_steered_to_search_gets_passages_and_is_stopped_at_the_turn_limit(llama_server, db_url, tmp_path):
    prompts = steered_prompts(
        tmp_path, doctor_structured='Answer with one JSON object, for example {{"action": "search", "query": '
                                    '"chest pain"}}.',
        doctor_turn="[Turn {turn} of {max_turns}]\n{observation}\nFirst search the knowledge base with two keywords.")
    result, store = run(db_url, llama_server, "rag", prompts=prompts, max_turns=1, rag_top_k=1)
    [outcome] = result.outcomes
    assert check_searches(store, outcome, 1, 1) >= 1
    # The passages came back to the model: the next call's prompt grew by more than the query.
    _, _, calls, tools = episode_rows(store, outcome.episode_id)
    first = next(t for t in tools if t.tool == "rag")
    assert calls[1].input_tokens - calls[0].input_tokens > len(first.output) // 8


# ---- notebook ----------------------------------------------------------------------------------
def test_notebook_is_written_capped_and_read_by_the_next_episode_without_the_answer(llama_server, db_url):
    # The text interface: there the small model writes long notes (with JSON it repeats its action).
    result, store = run(db_url, llama_server, "notebook", interface="text", trials=2, max_turns=1)
    first, second = sorted(result.outcomes, key=lambda o: o.episode_id)
    guard = diagnosis_guard(CASE)
    notes = notes_of(store, result.run_id)
    assert [n.position for n in notes] == [0, 1] and [n.episode_id for n in notes] == [first.episode_id,
                                                                                       second.episode_id]
    for outcome, note in zip((first, second), notes):
        _, _, calls, tools = episode_rows(store, outcome.episode_id)
        [read] = [t for t in tools if t.tool == "notebook-read"]
        [write] = [t for t in tools if t.tool == "notebook-write"]
        [call] = [c for c in calls if c.note == "tool:notebook"]
        assert call.role == "doctor" and call.input_tokens and call.output_tokens is not None
        assert (write.input_tokens, write.output_tokens) == (call.input_tokens, call.output_tokens)
        assert len(note.text) <= NOTE_CHARS and write.output == note.text
        assert note.truncated == write.detail["truncated"] == (write.detail["characters_written"] > NOTE_CHARS)
        assert write.detail["version"] == note.position + 1
        assert not guard.find(read.output)  # the doctor never reads this case's diagnosis
    [first_read] = [t for t in tool_calls_of(store, [first.episode_id])[first.episode_id] if t.tool == "notebook-read"]
    assert first_read.detail["version"] is None and first_read.output == ""
    [read] = [t for t in tool_calls_of(store, [second.episode_id])[second.episode_id] if t.tool == "notebook-read"]
    assert read.detail["version"] == 1 and read.detail["written_by_episode"] == first.episode_id
    assert (read.output, read.detail["sentences_withheld"]) == without_mentions(notes[0].text, guard)


# ---- experience --------------------------------------------------------------------------------
def test_experience_shows_a_correct_episode_of_another_case_without_the_answer(llama_server, db_url):
    # The source run: the scripted doctor on three cases. It is right on this case (which must
    # not be its own example) and on cardiology-005, whose differential names this case's
    # diagnosis (that sentence must be withheld); it is wrong on cardiology-003.
    case = "cardiology-002"
    source = asyncio.run(run_batch(RunConfig(db=db_url, scenario_ids=[case, "cardiology-003", "cardiology-005"],
                                             survey=False), pack=PACK))
    correct = {o.episode_id: o for o in source.outcomes if o.correct}
    assert sorted(o.scenario_id for o in correct.values()) == [case, "cardiology-005"]
    result, store = run(db_url, llama_server, "experience", cases=(case,), max_turns=1,
                        experience_run=source.run_id)
    guard = diagnosis_guard(case)
    for outcome in result.outcomes:
        _, _, _, tools = episode_rows(store, outcome.episode_id)
        [example] = [t for t in tools if t.tool == "experience"]
        chosen = correct[example.detail["episode_id"]]  # a correct episode of the source run
        assert example.detail["source_run"] == source.run_id
        assert example.detail["scenario_id"] == chosen.scenario_id != outcome.scenario_id
        assert example.output.strip() and not guard.find(example.output)
        assert example.detail["sentences_withheld"] >= 1
        assert chosen.correct_diagnosis in example.output  # it is that episode's worked example
        assert example.input_tokens is None  # choosing an example costs no model call
