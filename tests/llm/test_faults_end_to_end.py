"""Faults end to end: every model role talks to the real llama.cpp server through a proxy
that injects 429s, 500s, stalls, truncated and garbage bodies on a seeded share of calls.
Whatever happens, every planned episode ends completed or failed with its reason, the
database holds exactly the plan, and retries show in the call log."""

import asyncio

from agentclinic.agents.registry import RoleSettings
from agentclinic.loader import load_pack
from agentclinic.runner import RunConfig, run_batch
from agentclinic.store import Store

from fault_proxy import FaultProxy

PACK = load_pack("core")


def test_every_episode_ends_completed_or_failed_under_injected_faults(llama_server, db_url):
    spec = "openai:smollm2"
    with FaultProxy(llama_server, fault_rate=0.3, seed=5, stall_s=9.0) as proxy:
        settings = RoleSettings(base_url=proxy.url, max_tokens=32, temperature=0.0, timeout_s=8.0, max_retries=2,
                                structured=True)
        config = RunConfig(db=db_url, doctor=spec, patient=spec, assessor=spec, limit=4, max_turns=3,
                           concurrency=2, roles=settings)
        result = asyncio.run(run_batch(config, pack=PACK))
    assert sum(proxy.injected.values()) >= 3 and proxy.forwarded > 0
    store = Store(db_url)
    run = store.run(result.run_id)
    rows = store.episodes(result.run_id)
    assert run.status == "completed" and run.episodes_planned == 4 and len(rows) == 4
    assert len({r.scenario_id for r in rows}) == 4
    for row in rows:
        assert row.status in ("completed", "failed")
        assert row.status == "completed" or row.error  # a failure always says why
    calls = [c for row in rows for c in store.calls(row.id)]
    assert any(c.attempts > 1 for c in calls)  # faults were retried, not ignored
    assert all(c.error is None or c.attempts == 3 for c in calls)  # an error only after every attempt
