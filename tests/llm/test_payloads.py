"""What LLM roles send and how they read replies, against the stand-in endpoint."""

import asyncio
import itertools
import json

import pytest

from agentclinic.agents.registry import RoleSettings, build
from agentclinic.episode import Episode, run_episode
from agentclinic.loader import load_pack
from agentclinic.runner import RunConfig, run_batch
from agentclinic.store import Store
from agentclinic.text import find_terms

from stub_server import StubServer

PACK = load_pack("core")
DOCTOR_LINES = ["What brings you in today?", "PHYSICAL EXAM", "REQUEST TEST: CBC", "REQUEST IMAGES",
                "Any other symptoms?", "DIAGNOSIS READY: Something common"]


def cycling(lines):
    counter = itertools.count()
    return lambda body: lines[next(counter) % len(lines)]


def request_text(body: dict) -> str:
    """Every piece of text in a chat request, image data excluded."""
    parts = []
    for message in body["messages"]:
        content = message["content"]
        if isinstance(content, str):
            parts.append(content)
        else:
            parts += [p.get("text", "") for p in content if p.get("type") == "text"]
    return "\n".join(parts)


def test_doctor_prompts_never_contain_the_answer_over_every_case(db_url):
    with StubServer(reply=cycling(DOCTOR_LINES)) as server:
        config = RunConfig(db=db_url, doctor="openai:stub", max_turns=8, roles=RoleSettings(base_url=server.url))
        result = asyncio.run(run_batch(config, pack=PACK))
    assert len(result.completed) == len(PACK.scenarios)
    by_case = {}
    for body, outcome in zip(_split_by_episode(server.requests), result.outcomes):
        by_case[outcome.scenario_id] = body
    for scenario in PACK.scenarios:
        forbidden = scenario.diagnosis.terms() + scenario.distractors
        for body in by_case[scenario.id]:
            assert find_terms(request_text(body), forbidden) == [], scenario.id


def _split_by_episode(requests):
    # The doctor's conversation restarts (a single system message) at each new episode.
    episodes, current = [], []
    for body in requests:
        if len(body["messages"]) == 2 and current:
            episodes.append(current)
            current = []
        current.append(body)
    episodes.append(current)
    return episodes


def test_system_prompt_is_fixed_and_conversation_append_only(db_url):
    with StubServer(reply=cycling(DOCTOR_LINES)) as server:
        asyncio.run(run_batch(RunConfig(db=db_url, doctor="openai:stub", limit=1,
                                        roles=RoleSettings(base_url=server.url)),
                              pack=PACK))
    first, *rest = server.requests
    for earlier, later in zip(server.requests, rest):
        assert later["messages"][: len(earlier["messages"])] == earlier["messages"]  # a prefix: cache-friendly
    assert "[Turn 2 of 20]" in request_text(rest[0]) and "[Turn" not in first["messages"][0]["content"]


def vision_episode(spec: str, images: str, server: StubServer) -> Episode:
    scenario = PACK.get("cardiology-001")
    settings = RoleSettings(base_url=server.url)
    doctor = build("doctor", spec, settings)
    scripted = {role: build(role, "scripted" if role != "doctor" else "baseline") for role in
                ("patient", "measurement", "assessor")}
    episode = Episode(scenario, scripted["patient"](scenario, 0), scripted["measurement"](scenario, 0),
                      scripted["assessor"](0), max_turns=3, images=images)
    asyncio.run(run_episode(episode, doctor(episode.brief, 0)))
    return episode


def test_images_go_to_a_vision_model_as_base64_blocks():
    with StubServer(reply=cycling(["REQUEST IMAGES", "REQUEST TEST: ECG", "DIAGNOSIS READY: x"])) as server:
        vision_episode("openai:gpt-4o-mini", "on-request", server)
    image_parts = [p for body in server.requests for m in body["messages"] if isinstance(m["content"], list)
                   for p in m["content"] if p["type"] == "image_url"]
    assert image_parts and all(p["image_url"]["url"].startswith("data:image/png;base64,") for p in image_parts)
    caption = PACK.get("cardiology-001").images[0].caption
    assert all(caption not in json.dumps(body) for body in server.requests)


def test_upfront_images_arrive_in_the_first_message():
    with StubServer(reply=cycling(["DIAGNOSIS READY: x"])) as server:
        vision_episode("openai:gpt-4o-mini", "upfront", server)
    first_user = server.requests[0]["messages"][1]
    assert isinstance(first_user["content"], list)
    assert any(p["type"] == "image_url" for p in first_user["content"])


def test_text_only_model_is_told_an_image_exists():
    with StubServer(reply=cycling(["REQUEST IMAGES", "DIAGNOSIS READY: x"])) as server:
        vision_episode("openai:smollm2", "on-request", server)
    second = server.requests[1]
    assert all(isinstance(m["content"], str) for m in second["messages"])
    assert "cannot be shown to you" in request_text(second)


def test_images_off_sends_none():
    with StubServer(reply=cycling(["REQUEST IMAGES", "REQUEST TEST: ECG", "DIAGNOSIS READY: x"])) as server:
        episode = vision_episode("openai:gpt-4o-mini", "off", server)
    assert "image_url" not in json.dumps(server.requests)
    assert "not available in this setting" in episode.records[2].text


def test_cache_second_run_makes_no_calls(db_url):
    config = dict(db=db_url, doctor="openai:stub", patient="openai:stub", limit=2, max_turns=4)
    with StubServer(reply=cycling(DOCTOR_LINES)) as server:
        settings = RoleSettings(base_url=server.url, cache=True)
        first = asyncio.run(run_batch(RunConfig(roles=settings, **config), pack=PACK))
        calls_after_first = len(server.requests)
        # --fresh: an identical command would resume the finished run instead of replaying it.
        second = asyncio.run(run_batch(RunConfig(roles=settings, fresh=True, **config), pack=PACK))
    assert second.run_id != first.run_id
    assert calls_after_first > 0 and len(server.requests) == calls_after_first
    store = Store(db_url)
    first_calls = [c for o in first.outcomes for c in store.calls(o.episode_id)]
    second_calls = [c for o in second.outcomes for c in store.calls(o.episode_id)]
    assert not any(c.cache_hit for c in first_calls)
    assert second_calls and all(c.cache_hit for c in second_calls)
    assert sum(o.llm_calls for o in second.outcomes) == 0


def test_measurement_maps_unmatched_names_only_onto_case_tests():
    scenario = PACK.get("cardiology-001")
    replies = iter(['{"test": "Thyroid function tests"}', '{"test": "Made-up scan"}'])
    with StubServer(reply=lambda body: next(replies)) as server:
        measure = build("measurement", "openai:stub", RoleSettings(base_url=server.url))(scenario, 0)
        from agentclinic.actions import RequestTest
        from agentclinic.resolver import MeasurementContext

        mapped = asyncio.run(measure.measure(RequestTest(name="the gland in my neck bloods"), MeasurementContext()))
        invented = asyncio.run(measure.measure(RequestTest(name="quantum scan"), MeasurementContext()))
    assert mapped.provenance == "case" and mapped.resolved == "Thyroid function tests"
    assert mapped.note and "llm-mapped" in mapped.note
    assert invented.provenance == "default-normal"
    # Found by name: no model call at all.
    assert len(server.requests) == 2


@pytest.mark.parametrize(("answer", "correct"), [("Yes.", True), ("yes, they match", True), ("No.", False),
                                                 ("I think so", False)])
def test_llm_assessor_reads_yes_no_tolerantly(answer, correct):
    scenario = PACK.get("cardiology-001")
    with StubServer(reply=lambda body: answer) as server:
        assessor = build("assessor", "openai:stub", RoleSettings(base_url=server.url))(0)
        verdict = asyncio.run(assessor.assess("AF", scenario))
    assert verdict.correct is correct and verdict.assessor.startswith("openai:stub@")


def test_failed_model_calls_fail_the_episode_and_the_run_goes_on(db_url):
    with StubServer(["401"] + ["ok"] * 50, reply=cycling(DOCTOR_LINES)) as server:
        result = asyncio.run(run_batch(RunConfig(db=db_url, doctor="openai:stub", limit=2, max_turns=3,
                                                 roles=RoleSettings(base_url=server.url)), pack=PACK))
    assert [o.status for o in result.outcomes] == ["failed", "completed"]
    assert "AuthenticationError" in result.outcomes[0].error
    row = Store(db_url).episode(result.outcomes[0].episode_id)
    assert row.status == "failed" and "AuthenticationError" in row.error
