"""Every bundled case is its own: no two original cases (translations and the English parallel
pack aside) share a story, and no diagnosis is used twice within the specialist packs."""

from __future__ import annotations

import itertools
import re
from collections import Counter, defaultdict

from agentclinic.language import LANGUAGES
from agentclinic.loader import load_pack
from agentclinic.paths import bundled_dir

ROOT = bundled_dir("scenarios")
ORIGINAL = sorted(p.name for p in ROOT.iterdir() if p.is_dir() and p.name not in LANGUAGES and any(p.glob("*.yaml")))
# A handful of everyday sentences ("I teach a class of seven year olds") may recur; an adapted
# copy of a case shared 9 to 15 runs of eight words with its source.
MOST_SHARED_RUNS = 7


def _runs(text: str) -> set[str]:
    words = re.findall(r"[a-z0-9']+", text.lower())
    return {" ".join(words[i:i + 8]) for i in range(len(words) - 7)}


def _cases():
    return [case for pack in ORIGINAL for case in load_pack(ROOT / pack).scenarios]


def test_no_two_cases_share_a_story():
    owners: dict[str, set[str]] = defaultdict(set)
    for case in _cases():
        card = case.patient
        text = " ".join([card.chief_complaint, card.history_of_present_illness,
                         *(s.detail or "" for s in card.symptoms), *card.social_history.values()])
        for run in _runs(text):
            owners[run].add(case.id)
    shared = Counter(pair for ids in owners.values() if len(ids) < 5
                     for pair in itertools.combinations(sorted(ids), 2))
    assert [pair for pair, n in shared.items() if n > MOST_SHARED_RUNS] == []


def test_a_diagnosis_is_used_once_across_the_specialist_packs():
    specialist = [p for p in ORIGINAL if p not in {"core", "hard"}]
    seen = Counter(case.diagnosis.name.lower() for pack in specialist for case in load_pack(ROOT / pack).scenarios)
    # Written by two authors for two specialties before this check existed (see the README).
    assert {name for name, n in seen.items() if n > 1} <= {"pulmonary arterial hypertension"}
