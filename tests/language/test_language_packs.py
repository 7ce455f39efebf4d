"""The language packs (``scenarios/<code>/``): the same cases in every language, played end to
end in the case's language by the scripted roles and the baseline doctor, judged in that
language or in English, and held to the simulator audit's bar."""

from __future__ import annotations

import asyncio
import re

import pytest

from agentclinic.agents.doctor import BaselineDoctor
from agentclinic.agents.registry import resolve_roles
from agentclinic.language import LANGUAGES, language_data, phrasebook
from agentclinic.loader import check_sources
from agentclinic.matching import match
from agentclinic.paths import bundled_dir
from agentclinic.runner import RunConfig, run_batch
from agentclinic.scenario import DoctorBrief
from agentclinic.store import Store
from agentclinic.validity.audit import run_audit

ROOT = bundled_dir("scenarios")
CODES = [code for code in LANGUAGES if any((ROOT / code).glob("*.yaml"))]
OTHERS = [code for code in CODES if code != "en"]
# Replies in these languages are written in their own script.
SCRIPT = {"zh": "[\u4e00-\u9fff]", "ko": "[\uac00-\ud7a3]", "hi": "[\u0900-\u097f]", "fa": "[\u0600-\u06ff]"}


def _cases(code: str):
    found, problems = check_sources([ROOT / code])
    assert problems == [], code
    return [s for _, s in found]


@pytest.mark.parametrize("code", CODES)
def test_a_language_pack_is_clean_and_parallel_to_english(code: str):
    cases = _cases(code)
    assert len(cases) >= 40
    assert {s.language for s in cases} == {code}
    english = {s.translated_from for s in _cases("en")} if "en" in CODES else set()
    assert {s.translated_from for s in cases} == english, "every language translates the same cases"


@pytest.mark.parametrize("code", OTHERS)
def test_the_baseline_doctor_asks_in_the_case_language(code: str):
    case = _cases(code)[0]
    doctor = BaselineDoctor(DoctorBrief.from_scenario(case, 20))
    assert doctor.plan[0] == phrasebook(code, "doctor").say("opening")
    assert doctor.plan[0] != phrasebook("en", "doctor").say("opening")


@pytest.mark.parametrize("code", OTHERS)
def test_the_scripted_roles_answer_in_the_case_language(code: str, tmp_path):
    db = f"sqlite:///{tmp_path / 'lang.db'}"
    result = asyncio.run(run_batch(RunConfig(scenarios=str(ROOT / code), survey=False, db=db)))
    assert all(o.status == "completed" for o in result.outcomes)
    english = {phrasebook("en", "patient").say(k) for k in ("nothing_else", "acknowledge", "minimised")}
    english |= set(phrasebook("en", "patient").raw("dont_know"))
    store = Store(db)
    replies = [t.text for e in store.episodes(result.run_id) for t in store.turns(e.id) if t.speaker == "patient"]
    assert replies and not english & set(replies)
    if code in SCRIPT:
        own = sum(1 for r in replies if re.search(SCRIPT[code], r))
        assert own / len(replies) >= 0.95, [r for r in replies if not re.search(SCRIPT[code], r)][:5]


@pytest.mark.parametrize("code", OTHERS)
def test_the_judge_reads_answers_in_the_language_and_in_english(code: str):
    hedge = (language_data(code, "answer_phrases").get("phrases") or {}).get("alternatives") or []
    # The language's own word for "or" ("或", "या", "یا"), else any one-word alternative.
    words = [w for w in hedge if " " not in w and not any(c in "/.,;&+" for c in w)]
    word = next((w for w in words if not w.isascii()), words[0] if words else None)
    for case in _cases(code):
        english = next(s for s in case.diagnosis.synonyms if s.isascii()) if any(
            s.isascii() for s in case.diagnosis.synonyms) else None
        assert match(case.diagnosis.name, case.diagnosis.name, case.diagnosis.synonyms).correct, case.id
        if english:
            assert match(english, case.diagnosis.name, case.diagnosis.synonyms).correct, (case.id, english)
        if word and case.distractors:  # "X or Y" in the language is a hedge, never credited
            joined = f"{case.diagnosis.name} {word} {case.distractors[0]}"
            assert not match(joined, case.diagnosis.name, case.diagnosis.synonyms,
                             distractors=case.distractors).correct, (case.id, joined)


@pytest.mark.parametrize("code", OTHERS)
def test_the_scripted_roles_meet_the_audit_bar(code: str):
    roles = resolve_roles()
    summary = asyncio.run(run_audit(_cases(code), lambda case: roles.patient(case, 0),
                                    lambda case: roles.measurement(case, 0))).summary()
    assert summary["open_answered"] == 1.0 and summary["first_person"] == 1.0, code
    assert summary["card_topics_answered"] >= 0.95, (code, summary["card_topics_answered"])
    assert summary["contradictions"] == 0 and summary["leaks"] == 0, code
    assert summary["off_card_dont_know"] >= 0.95, code
