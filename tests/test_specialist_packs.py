"""The specialist packs (every bundled pack but ``core``, ``hard`` and the language packs) meet the bar set for them: clean,
at least 25 original cases of one specialty with a spread of difficulty, rich enough for the
simulator audit, and played end to end by the scripted roles and the baseline doctor."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from agentclinic.agents.registry import resolve_roles
from agentclinic.language import LANGUAGES
from agentclinic.loader import check_sources, load_pack
from agentclinic.paths import bundled_dir
from agentclinic.prices import load_prices
from agentclinic.resolver import render_findings
from agentclinic.runner import RunConfig, run_batch
from agentclinic.validity.audit import run_audit

PACKS = sorted(p.name for p in bundled_dir("scenarios").iterdir() if p.is_dir()
               and p.name not in {"core", "hard", *LANGUAGES} and any(p.glob("*.yaml")))
pytestmark = pytest.mark.skipif(not PACKS, reason="no specialist pack is bundled yet")


@pytest.fixture(scope="module", params=PACKS)
def pack(request):
    cases, problems = check_sources([bundled_dir("scenarios") / request.param])
    return request.param, [s for _, s in cases], problems


def test_a_pack_is_clean_sized_and_of_one_specialty(pack):
    name, scenarios, problems = pack
    assert problems == [], name
    assert len(scenarios) >= 25, name
    assert {s.specialty for s in scenarios} == {name.replace("-", " ")}, name
    assert len({s.diagnosis.name.lower() for s in scenarios}) == len(scenarios), f"{name}: a diagnosis repeats"


def test_every_case_records_its_difficulty_and_the_pack_spreads_it(pack):
    name, scenarios, _ = pack
    assert all(s.difficulty in (1, 2, 3) for s in scenarios), [s.id for s in scenarios if s.difficulty is None]
    spread = Counter(s.difficulty for s in scenarios)
    assert all(spread[level] >= len(scenarios) // 5 for level in (1, 2, 3)), (name, spread)


def test_every_case_meets_the_minimums(pack):
    prices = load_prices()
    for s in pack[1]:
        assert render_findings(s.physical_exam).count(":") >= 3, s.id
        assert len(s.tests) >= 3 and all(prices.test_price(t) > 0 for t in s.tests), s.id
        assert len(s.distractors) >= 4 and len(s.key_facts) >= 5, s.id
        assert s.license and s.source == "original" and s.language == "en", s.id
        card = s.patient
        assert card.medications is not None and card.social_history and card.family_history is not None, s.id
        assert sum(1 for symptom in card.symptoms if not symptom.present) >= 2, f"{s.id}: too few negatives"


def test_case_ids_are_unique_across_all_bundled_packs():
    every = sorted(p.name for p in bundled_dir("scenarios").iterdir() if p.is_dir() and any(p.glob("*.yaml")))
    ids = Counter(s.id for name in every for s in load_pack(bundled_dir("scenarios") / name).scenarios)
    assert [i for i, n in ids.items() if n > 1] == []


def test_the_scripted_roles_meet_the_audit_bar(pack):
    name, scenarios, _ = pack
    roles = resolve_roles()
    summary = asyncio.run(run_audit(scenarios, lambda case: roles.patient(case, 0),
                                    lambda case: roles.measurement(case, 0))).summary()
    assert summary["open_answered"] == 1.0 and summary["first_person"] == 1.0, name
    assert summary["card_topics_answered"] >= 0.95, (name, summary["card_topics_answered"])
    assert summary["contradictions"] == 0 and summary["leaks"] == 0, name
    assert summary["normal_fill_contradictions"] == 0 and summary["case_tests_found"] == 1.0, name
    assert summary["compound_answered"] >= 0.95 and summary["off_card_dont_know"] >= 0.95, name


def test_the_baseline_doctor_plays_every_case_to_the_end(pack, tmp_path):
    name, scenarios, _ = pack
    result = asyncio.run(run_batch(RunConfig(scenarios=str(bundled_dir("scenarios") / name), survey=False,
                                             db=f"sqlite:///{tmp_path / 'pack.db'}")))
    assert len(result.outcomes) == len(scenarios) and all(o.status == "completed" for o in result.outcomes), name
