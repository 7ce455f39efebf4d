"""Episodes in flight at once, per-model call limits and several servers for one model,
against stand-in OpenAI-compatible servers that answer in parallel after a fixed latency."""

import asyncio

from agentclinic.agents.registry import RoleSettings
from agentclinic.runner import RunConfig, run_batch
from agentclinic.store import Store

from stub_server import StubServer

CASES = 8


def run(core_pack, db_url, url, **options):
    settings = RoleSettings(base_url=url, max_retries=0, max_in_flight=options.pop("max_in_flight", None))
    config = RunConfig(db=db_url, limit=CASES, doctor="openai:stub", roles=settings, **options)
    return asyncio.run(run_batch(config, pack=core_pack))


def slow_server():
    # Every answer takes 0.3 s; the doctor diagnoses at once, so each episode is one call.
    return StubServer(schedule=["slow:0.3"] * 100, reply=lambda body: "DIAGNOSIS READY: Atrial fibrillation")


def test_concurrent_episodes_keep_several_calls_in_flight(core_pack, db_url):
    with slow_server() as server:
        result = run(core_pack, db_url, server.url, concurrency=4)
    assert server.peak >= 2  # sequential episodes would never overlap
    assert [o.scenario_id for o in result.outcomes] == [s.id for s in core_pack.scenarios[:CASES]]
    store = Store(db_url)
    rows = store.episodes(result.run_id)
    assert len(rows) == CASES and all(r.status == "completed" for r in rows)
    assert sum(r.llm_calls for r in rows) == CASES and len({r.scenario_id for r in rows}) == CASES


def test_max_in_flight_caps_calls_per_model(core_pack, db_url):
    with slow_server() as server:
        run(core_pack, db_url, server.url, concurrency=6, max_in_flight=2)
    assert server.peak == 2


def test_several_base_urls_share_the_load(core_pack, db_url):
    with slow_server() as first, slow_server() as second:
        result = run(core_pack, db_url, f"{first.url},{second.url}", concurrency=4)
    assert len(first.requests) + len(second.requests) == CASES
    assert first.requests and second.requests
    assert all(o.status == "completed" for o in result.outcomes)
