"""The hard pack: at least 60 cases built to separate doctors, over many specialties, clean,
rich enough for the simulator audit, and played end to end by the scripted roles."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from agentclinic.agents.registry import resolve_roles
from agentclinic.loader import check_sources
from agentclinic.paths import bundled_dir
from agentclinic.runner import RunConfig, run_batch
from agentclinic.validity.audit import run_audit

HARD = bundled_dir("scenarios") / "hard"
pytestmark = pytest.mark.skipif(not any(HARD.glob("*.yaml")), reason="the hard pack is not bundled")


@pytest.fixture(scope="module")
def cases():
    found, problems = check_sources([HARD])
    assert problems == []
    return [s for _, s in found]


def test_the_pack_is_large_varied_and_hard_by_design(cases):
    assert len(cases) >= 60
    assert len({s.specialty for s in cases}) >= 10
    assert len({s.diagnosis.name.lower() for s in cases}) == len(cases), "a diagnosis repeats"
    assert all(s.difficulty in (2, 3) for s in cases)
    assert Counter(s.difficulty for s in cases)[3] >= len(cases) * 2 // 3
    assert all(len(s.distractors) >= 4 and len(s.key_facts) >= 5 and s.language == "en" for s in cases)


def test_the_scripted_roles_meet_the_audit_bar(cases):
    roles = resolve_roles()
    summary = asyncio.run(run_audit(cases, lambda case: roles.patient(case, 0),
                                    lambda case: roles.measurement(case, 0))).summary()
    assert summary["open_answered"] == 1.0 and summary["first_person"] == 1.0
    assert summary["card_topics_answered"] >= 0.95
    assert summary["contradictions"] == 0 and summary["leaks"] == 0
    assert summary["normal_fill_contradictions"] == 0 and summary["case_tests_found"] == 1.0


def test_the_baseline_doctor_plays_every_case_and_scores_low(cases, tmp_path):
    result = asyncio.run(run_batch(RunConfig(scenarios=str(HARD), survey=False,
                                             db=f"sqlite:///{tmp_path / 'hard.db'}")))
    assert len(result.outcomes) == len(cases) and all(o.status == "completed" for o in result.outcomes)
    # The pack's purpose: the rule-based floor stays low (measured, not tuned: see the README).
    assert sum(o.correct for o in result.outcomes) / len(cases) <= 0.35
