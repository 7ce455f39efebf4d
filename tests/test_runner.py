"""The batch engine: recorded outcomes, failures as data, reproducibility."""

import asyncio

from agentclinic.agents import registry
from agentclinic.runner import RunConfig, run_batch
from agentclinic.store import Store


class BrokenPatient:
    async def reply(self, question):
        raise ConnectionError("patient model unreachable")


def test_failing_episode_is_recorded_and_the_run_goes_on(mini_pack, db_url, monkeypatch):
    def patient_factory(opts):
        from agentclinic.agents.patient import ScriptedPatient

        return lambda scenario, seed: BrokenPatient() if scenario.id == "test-001" else ScriptedPatient(scenario, seed)

    registry.register("patient", "flaky-test", patient_factory)
    config = RunConfig(scenarios="mini", db=db_url, patient="flaky-test", max_turns=6)
    result = asyncio.run(run_batch(config, pack=mini_pack))
    statuses = {o.scenario_id: o.status for o in result.outcomes}
    assert statuses == {"test-001": "failed", "test-002": "completed"}
    failed = next(o for o in result.outcomes if o.status == "failed")
    assert "patient model unreachable" in failed.error
    store = Store(db_url)
    row = store.episode(failed.episode_id)
    assert row.status == "failed" and "ConnectionError: patient model unreachable" in row.error
    assert store.run(result.run_id).status == "completed"
    assert store.run(result.run_id).bindings["patient"] == "flaky-test"


def test_same_seed_same_transcripts(mini_pack, db_url):
    config = RunConfig(scenarios="mini", db=db_url, seed=5, trials=2)
    first = asyncio.run(run_batch(config, pack=mini_pack))
    second = asyncio.run(run_batch(config, pack=mini_pack))
    store = Store(db_url)

    def transcripts(result):
        return [[t.text for t in store.turns(o.episode_id)] for o in result.outcomes]

    assert len(first.outcomes) == 4
    assert transcripts(first) == transcripts(second)


def test_limit_and_selection(mini_pack, db_url):
    result = asyncio.run(run_batch(RunConfig(db=db_url, limit=1), pack=mini_pack))
    assert [o.scenario_id for o in result.outcomes] == ["test-001"]
    result = asyncio.run(run_batch(RunConfig(db=db_url, scenario_ids=["test-002"]), pack=mini_pack))
    assert [o.scenario_id for o in result.outcomes] == ["test-002"]


def test_accuracy_interval(mini_pack, db_url):
    result = asyncio.run(run_batch(RunConfig(db=db_url), pack=mini_pack))
    accuracy, low, high, n = result.accuracy()
    assert n == 2 and 0 <= low <= accuracy <= high <= 1
