"""The deterministic matcher behind the scripted assessor."""

import asyncio

import pytest

from agentclinic.agents.assessor import ScriptedAssessor
from agentclinic.matching import match
from agentclinic.scenario import Scenario

from conftest import case_data


@pytest.mark.parametrize(("predicted", "correct", "synonyms", "verdict"), [
    ("Atrial fibrillation", "Atrial fibrillation", (), "exact"),
    ("atrial-fibrillation.", "Atrial fibrillation", (), "exact"),
    ("AFib", "Atrial fibrillation", (), "equivalent"),
    ("Atrial fibrillation with rapid ventricular response", "Atrial fibrillation", (), "equivalent"),
    ("Atopic eczema", "Atopic dermatitis", (), "equivalent"),
    ("Graves' disease", "Graves disease", (), "exact"),
    ("Coeliac disease", "Celiac disease", (), "exact"),
    ("Shingles", "Herpes zoster", (), "equivalent"),
    ("Inferior STEMI", "ST-elevation myocardial infarction", (), "narrower"),
    ("Inferior ST-elevation myocardial infarction", "Myocardial infarction", (), "narrower"),
    ("Myocardial infarction", "Inferior ST-elevation myocardial infarction", (), "broader"),
    ("aortic stenosis", "Severe aortic stenosis", (), "equivalent"),
    ("my favourite", "Gout", ("my favourite",), "equivalent"),
])
def test_accepts_true_matches_and_grades_the_rest(predicted, correct, synonyms, verdict):
    assert match(predicted, correct, synonyms).verdict == verdict


@pytest.mark.parametrize(("predicted", "correct", "distractors"), [
    ("Contact dermatitis", "Atopic dermatitis", ("Contact dermatitis",)),
    ("Allergic contact dermatitis", "Atopic dermatitis", ()),
    ("Atrial flutter", "Atrial fibrillation", ()),
    ("Secondary adrenal insufficiency", "Primary adrenal insufficiency", ()),
    ("Viral meningitis", "Bacterial meningitis", ()),
    ("Chronic pancreatitis", "Acute pancreatitis", ()),
    ("Atrial fibrillation or atrial flutter", "Atrial fibrillation", ("Atrial flutter",)),
    ("Not atrial fibrillation", "Atrial fibrillation", ()),
    ("adrenal insufficiency", "Primary adrenal insufficiency", ("Secondary adrenal insufficiency",)),
])
def test_rejects_near_misses_hedges_and_negations(predicted, correct, distractors):
    verdict = match(predicted, correct, distractors=distractors)
    assert not verdict.correct, verdict


@pytest.mark.parametrize("predicted", [None, "", "  ", "..."])
def test_no_answer(predicted):
    assert match(predicted, "Gout").verdict == "none"


def test_scripted_assessor_uses_case_synonyms_and_distractors():
    scenario = Scenario.model_validate(case_data())
    assessor = ScriptedAssessor()
    ok = asyncio.run(assessor.assess("CAP", scenario))
    assert ok.correct and ok.assessor == "scripted" and ok.matched == "Community-acquired pneumonia"
    hedge = asyncio.run(assessor.assess("Community-acquired pneumonia or influenza", scenario))
    assert not hedge.correct and hedge.verdict == "hedged" and "alternatives" in hedge.reason
