"""Re-scoring logged runs: rows added (never overwritten), agreement reported, the case read
from the log's snapshot, model judges' calls logged, and reports using the new judgement."""

import asyncio

import pytest

from agentclinic.agents import registry
from agentclinic.agents.registry import RoleSettings
from agentclinic.assess.rescore import rescore_run
from agentclinic.loader import load_pack
from agentclinic.report.dataset import load_dataset
from agentclinic.report.summary import build_summary
from agentclinic.roles import Assessment
from agentclinic.runner import RunConfig, run_batch
from agentclinic.store import Store

from conftest import case_data, write_case
from stub_server import StubServer


class Constant:
    def __init__(self, name, correct):
        self.name, self.correct = name, correct

    async def assess(self, diagnosis, scenario):
        return Assessment(self.correct, "equivalent" if self.correct else "wrong", "constant", self.name)


registry.register("assessor", "always-yes", lambda settings: lambda seed: Constant("always-yes", True))
registry.register("assessor", "always-no", lambda settings: lambda seed: Constant("always-no", False))


@pytest.fixture()
def logged(core_pack, db_url):
    result = asyncio.run(run_batch(RunConfig(db=db_url, limit=5), pack=core_pack))
    return Store(db_url), result


def test_rescoring_adds_rows_and_reports_agreement(logged):
    store, result = logged
    rescored = asyncio.run(rescore_run(store, result.run_id, ["always-yes", "always-no"]))
    assert rescored.scored == 5
    assert rescored.assessors == ["always-yes", "always-no", "panel:majority(always-yes,always-no)", "scripted"]
    assert rescored.accuracy("always-yes") == 1.0 and rescored.accuracy("always-no") == 0.0
    # The panel split evenly on every episode, so the matcher decided: same as the matcher.
    assert rescored.decisions["panel:majority(always-yes,always-no)"] == rescored.decisions["scripted"]
    pairs = {(a.first, a.second): a for a in rescored.agreement()}
    assert len(pairs) == 6
    assert pairs[("always-yes", "always-no")].agreement == 0.0
    assert pairs[("panel:majority(always-yes,always-no)", "scripted")].agreement == 1.0
    episode_id = result.outcomes[0].episode_id
    rows = store.assessments_of([episode_id])[episode_id]
    assert [r.source for r in rows] == ["run", "rescore", "rescore", "rescore", "rescore"]
    assert rows[0].assessor == "scripted" and rows[3].details["votes"][0]["assessor"] == "always-yes"


def test_rescoring_twice_keeps_the_history_and_reports_can_choose(logged):
    store, result = logged
    asyncio.run(rescore_run(store, result.run_id, ["always-no"]))
    asyncio.run(rescore_run(store, result.run_id, ["always-no"]))
    episode_id = result.outcomes[0].episode_id
    assert sum(r.assessor == "always-no" for r in store.assessments_of([episode_id])[episode_id]) == 2
    summary = build_summary(load_dataset(store, [result.run_id], assessor="always-no"))
    assert summary["overall"]["accuracy"] == 0.0 and summary["assessor"] == "always-no"
    in_run = build_summary(load_dataset(store, [result.run_id]))
    assert in_run["overall"]["correct"] == sum(o.correct for o in result.outcomes)


def test_rescoring_reads_the_case_the_episode_played(tmp_path, db_url):
    pack_dir = tmp_path / "pack"
    path = write_case(pack_dir, case_data())
    result = asyncio.run(run_batch(RunConfig(db=db_url, scenarios=str(pack_dir)), pack=load_pack(pack_dir)))
    assert result.outcomes[0].correct
    # The case file changes after the run: the snapshot in the log still decides.
    path.write_text(path.read_text().replace("Community-acquired pneumonia", "Lung abscess"))
    store = Store(db_url)
    rescored = asyncio.run(rescore_run(store, result.run_id, ["scripted"]))
    assert rescored.decisions["scripted"] == [True] and rescored.skipped == []


def test_a_model_judge_is_called_once_per_episode_and_its_calls_are_logged(logged):
    store, result = logged
    with StubServer(reply=lambda body: "Yes.") as server:  # 'Yes.' with its period counts as yes
        settings = RoleSettings(base_url=server.url, max_retries=0)
        rescored = asyncio.run(rescore_run(store, result.run_id, ["openai:judge"], settings=settings))
        requests = len(server.requests)
    label = f"openai:judge@{server.url}"
    assert rescored.accuracy(label) == 1.0 and requests == 5
    calls = [c for o in result.outcomes for c in store.calls(o.episode_id)]
    assert len(calls) == 5 and {c.role for c in calls} == {"assessor"} and all(c.model == label for c in calls)


def test_unknown_run_is_a_clear_error(db_url):
    with pytest.raises(ValueError, match="no run 3 .*runs list"):
        asyncio.run(rescore_run(Store(db_url), 3))
