"""The verifiers environment: rows, the episode loop, the rubric, and verifiers' own CLI.

The end-to-end tests run ``vf-eval`` (verifiers' evaluation entry point) in a subprocess,
against the stand-in endpoint (a policy whose answers the test controls) and against the
real llama.cpp server with SmolLM2 (which cannot diagnose; it checks the plumbing).
"""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from llm_support import need

need("verifiers", "the verifiers environment tests")

from stub_server import StubServer

from agentclinic.integrations.verifiers import (
    ClinicSetup,
    load_environment,
    score_episode,
)
from agentclinic.loader import load_pack
from agentclinic.text import find_terms

PACK = load_pack("core")
VF_EVAL = str(Path(sys.executable).with_name("vf-eval"))


def forbidden(scenario) -> list[str]:
    return [*scenario.diagnosis.terms(), *scenario.distractors]


# ---- rows ------------------------------------------------------------------------------------
@pytest.mark.parametrize("persona", [None, "anchored-doctor", "worried-googler"])
def test_no_row_shows_the_diagnosis_synonyms_or_options(persona):
    env = load_environment(max_turns=5, persona=persona)
    tasks = list(env.taskset)
    assert [t.data.scenario_id for t in tasks] == [s.id for s in PACK.scenarios]
    for task in tasks:
        scenario = PACK.get(task.data.scenario_id)
        shown = f"{task.data.prompt}\n{task.data.system_prompt}"
        assert find_terms(shown, forbidden(scenario)) == [], scenario.id
        assert task.data.answer == scenario.diagnosis.name  # kept for scoring only


def test_row_prompt_is_the_episodes_opening_observation():
    setup = ClinicSetup(max_turns=4)
    for row in setup.rows():
        assert setup.episode(row.scenario_id, row.seed).start().text == row.prompt


# ---- the episode step and the rubric ---------------------------------------------------------
async def play(setup: ClinicSetup, scenario_id: str, actions: list[str]):
    episode = setup.episode(scenario_id, 0)
    episode.start()
    observations = [await episode.step(action) for action in actions]
    return episode, observations


def test_env_response_comes_from_the_scripted_roles():
    setup = ClinicSetup(max_turns=6)
    scenario = PACK.scenarios[0]
    episode, seen = asyncio.run(play(setup, scenario.id, [
        "What brings you in today?", "REQUEST TEST: ECG", "PHYSICAL EXAM", "", "DIAGNOSIS READY: unsure"]))
    assert [o.speaker for o in seen[:3]] == ["patient", "measurement", "measurement"]
    assert all(o.text.strip() for o in seen)
    assert episode.done and episode.stats.invalid_actions == 1
    for observation in seen:
        assert find_terms(observation.text, scenario.diagnosis.terms()) == []


@pytest.mark.parametrize("reward", ["terminal", "shaped"])
def test_rubric_pays_the_judges_verdict(reward):
    setup = ClinicSetup(max_turns=4, reward=reward)
    scenario = PACK.scenarios[0]
    others = [s.diagnosis.name for s in PACK.scenarios if s.diagnosis.name != scenario.diagnosis.name][:4]
    answers = {
        "correct": scenario.diagnosis.name,
        "synonym": (scenario.diagnosis.synonyms or [scenario.diagnosis.name])[0],
        "wrong": others[0],
        "five": ", ".join([*others[:2], scenario.diagnosis.name, *others[2:4]]),
    }
    scores = {}
    for name, answer in answers.items():
        episode, _ = asyncio.run(play(setup, scenario.id, ["When did it start?", f"DIAGNOSIS READY: {answer}"]))
        scores[name] = score_episode(episode, setup.shaping)
    assert scores["correct"].metrics["correct"] == scores["synonym"].metrics["correct"] == 1.0
    assert scores["wrong"].metrics["correct"] == scores["five"].metrics["correct"] == 0.0
    assert scores["five"].total < scores["correct"].total  # a list of five is not full marks
    assert scores["wrong"].total < scores["correct"].total
    for result in scores.values():
        assert {"turns", "questions", "cost_usd", "repeated_questions", "diagnosed"} <= set(result.metrics)
    if reward == "terminal":
        assert scores["correct"].rewards == {"diagnosis": (1.0, 1.0)}
        assert scores["five"].total == 0.0
    else:
        assert set(scores["correct"].rewards) == {"terminal", "cost", "invalid", "repeat", "information"}
        assert scores["correct"].rewards["terminal"] == (1.0, 1.0)
        assert scores["correct"].rewards["cost"][0] < 0  # the question had a fee


def test_concurrent_rollouts_have_their_own_roles():
    setup = ClinicSetup(max_turns=6)
    scenario_id = PACK.scenarios[1].id
    scripts = [["What brings you in today?"] * 3, ["REQUEST TEST: CBC", "PHYSICAL EXAM"]]

    async def both():
        return await asyncio.gather(*(play(setup, scenario_id, actions) for actions in scripts))

    (first, _), (second, _) = asyncio.run(both())
    assert first.patient is not second.patient and first.measurement is not second.measurement
    assert (first.stats.questions, second.stats.questions) == (3, 0)
    assert (first.stats.tests, len(second.stats.tests)) == ([], 1)


def test_unknown_reward_mode_is_a_clear_error():
    with pytest.raises(ValueError, match="reward must be one of terminal, shaped"):
        ClinicSetup(reward="dense")


def test_missing_extra_names_it(monkeypatch):
    from agentclinic.llm.backends.base import MissingExtraError

    for name in [m for m in sys.modules if m.startswith("agentclinic.integrations.verifiers")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "verifiers.v1", None)  # as if the package were absent
    with pytest.raises(MissingExtraError, match=r"pip install 'agentclinic\[verifiers\]'"):
        importlib.import_module("agentclinic.integrations.verifiers")


def test_verifiers_resolves_the_installed_module():
    import verifiers.v1 as vf

    from agentclinic.integrations.verifiers import (
        ClinicEnv,
        ClinicHarness,
        ClinicTaskset,
    )

    assert vf.environment_class("agentclinic-verifiers") is ClinicEnv
    assert vf.load_taskset(vf.taskset_config_type("agentclinic-verifiers")(id="agentclinic-verifiers")).__class__ \
        is ClinicTaskset
    assert vf.default_harness_id("agentclinic-verifiers") == "agentclinic-verifiers"
    assert isinstance(load_environment()._harnesses["doctor"], ClinicHarness)
    # verifiers' own loader narrows a plain config dict to ours, as prime-rl and env servers do
    config = vf.resolve_env_config({"taskset": {"id": "agentclinic-verifiers", "max_turns": 4, "reward": "shaped"}})
    env = vf.load_environment(config)
    assert isinstance(env, ClinicEnv) and env.taskset.clinic.max_turns == 4 and env.taskset.clinic.shaping


# ---- verifiers' own evaluation entry point -------------------------------------------------
def vf_eval(tmp_path: Path, base_url: str, *options: str, timeout: int = 600) -> list[dict]:
    """Run ``vf-eval`` and return its traces (one per episode: the doctor's)."""
    out = tmp_path / "runs"
    done = subprocess.run(
        [VF_EVAL, "agentclinic-verifiers", "-m", "policy", "--client.base-url", base_url,
         "--client.api-key-var", "AGENTCLINIC_TEST_NO_KEY", "--no-push", "--no-rich", "-o", str(out), *options],
        check=False, capture_output=True, text=True, timeout=timeout, cwd=tmp_path,
        env={**os.environ, "AGENTCLINIC_TEST_NO_KEY": "none"})
    assert done.returncode == 0, done.stderr[-4000:]
    (traces_file,) = out.glob("*/traces.jsonl")
    episodes = [json.loads(line) for line in traces_file.read_text().splitlines() if line.strip()]
    assert all(e["ok"] for e in episodes), [e["errors"] for e in episodes]
    assert all(len(e["traces"]) == 1 for e in episodes)
    return [e["traces"][0] for e in episodes]


def opening_case(body: dict):
    """The case a policy request belongs to, found from its opening observation."""
    opening = next(m["content"] for m in body["messages"] if m["role"] == "user")
    return next(s for s in PACK.scenarios if s.objective in opening)


def diagnosing_policy(body: dict) -> str:
    """Asks once, then diagnoses: correctly for even-numbered cases, wrongly for odd ones."""
    scenario = opening_case(body)
    if sum(m["role"] == "assistant" for m in body["messages"]) == 0:
        return "What brings you in today?"
    right = PACK.scenarios.index(scenario) % 2 == 0
    return f"DIAGNOSIS READY: {scenario.diagnosis.name if right else 'tension headache'}"


def test_vf_eval_scores_a_stand_in_policy(tmp_path):
    with StubServer(reply=diagnosing_policy) as server:
        traces = vf_eval(tmp_path, server.url, "-n", "3", "--env.taskset.max-turns", "4")
        requests = list(server.requests)
    assert len(traces) == 3 and all(t["ok"] and t["is_completed"] for t in traces)
    for trace in traces:
        scenario = PACK.get(trace["task"]["data"]["scenario_id"])
        expected = 1.0 if PACK.scenarios.index(scenario) % 2 == 0 else 0.0
        assert trace["rewards"]["diagnosis"]["score"] == expected
        assert trace["metrics"]["correct"] == expected and trace["metrics"]["questions"] == 1.0
    # What the policy was sent (system and user messages) never names the diagnosis.
    assert len(requests) == 6
    for body in requests:
        scenario = opening_case(body)
        shown = "\n".join(m["content"] for m in body["messages"] if m["role"] in ("system", "user"))
        assert find_terms(shown, forbidden(scenario)) == []


def test_vf_eval_runs_many_rollouts_at_once(tmp_path):
    with StubServer(schedule=["slow:0.05"] * 1000, reply=diagnosing_policy) as server:
        traces = vf_eval(tmp_path, server.url, "-n", "6", "-r", "3", "-c", "18", "--env.taskset.max-turns", "3",
                         "--env.taskset.reward", "shaped")
        peak = server.peak
    assert len(traces) == 18 and all(t["ok"] for t in traces)
    assert peak > 1  # rollouts really overlapped
    for trace in traces:  # each rollout kept its own episode
        assert trace["info"]["agentclinic"]["scenario_id"] == trace["task"]["data"]["scenario_id"]
        assert trace["metrics"]["turns"] == 2.0 and trace["metrics"]["questions"] == 1.0
        assert set(trace["rewards"]) == {"terminal", "cost", "invalid", "repeat", "information"}


def test_vf_eval_against_the_real_llama_server(llama_server, tmp_path):
    traces = vf_eval(tmp_path, llama_server, "-n", "2", "-c", "1", "--sampling.max-tokens", "48",
                     "--sampling.temperature", "0", "--env.taskset.max-turns", "2",
                     "--env.taskset.patient", "openai:smollm2", "--env.taskset.base-url", llama_server,
                     "--env.taskset.max-tokens", "48", timeout=1200)  # SmolLM2 on shared CPUs: minutes
    assert len(traces) == 2
    for trace in traces:
        assert trace["ok"] and trace["is_completed"], trace.get("errors")
        assert "diagnosis" in trace["rewards"] and trace["rewards"]["diagnosis"]["score"] in (0.0, 1.0)
        assert trace["metrics"]["turns"] >= 1 and trace["metrics"]["facts_total"] > 0
        assert trace["num_output_tokens"] > 0  # the policy's calls went through verifiers' interception
