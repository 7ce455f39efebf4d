"""The redaction guard holds for every spelling of every bundled diagnosis.

A property test writes each protected term of each bundled case in the ways a model (or an
adversary) might: accents, possessives, British spellings, punctuation, zero-width
characters or soft hyphens inside the term, fullwidth letters, look-alike letters from
other scripts, other letter case. None may survive redaction.
"""

from __future__ import annotations

import asyncio
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import agentclinic
from agentclinic.agents.registry import RoleSettings, build
from agentclinic.loader import load_pack
from agentclinic.validity.folding import fold
from agentclinic.validity.guard import PLACEHOLDER, TermFinder, guard_for, protected_terms
from stub_server import StubServer

PACK = load_pack("core")
CASE_IDS = [s.id for s in PACK.scenarios]

_BRITISH = [("emia", "aemia"), ("hem", "haem"), ("edema", "oedema"), ("esoph", "oesoph"), ("tumor", "tumour"),
            ("celiac", "coeliac"), ("pediatric", "paediatric"), ("ischemi", "ischaemi"), ("diarrhea", "diarrhoea"),
            ("leukemia", "leukaemia"), ("fetal", "foetal"), ("estrogen", "oestrogen")]
_ACCENTS = {"e": "é", "a": "à", "o": "ö", "u": "ü", "i": "ï", "c": "ç", "n": "ñ"}
_LOOKALIKES = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "i": "і",
               "A": "А", "B": "В", "E": "Е", "H": "Н", "K": "К", "M": "М", "O": "О", "P": "Р", "C": "С", "T": "Т"}
_INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]
_INSIDE = ["-", "/", ", ", ".", "_", " ", "  ", "\n", "–"]


def _is_abbreviation(term: str) -> bool:
    return term.isupper() and len(term) <= 6 and " " not in term


def _variant(term: str, rng: random.Random) -> str:
    """One adversarial spelling of ``term``; abbreviations keep their capitals."""
    text = term
    if rng.random() < 0.5 and not _is_abbreviation(term):
        for american, british in _BRITISH:
            if british not in text.lower():
                text = text.replace(american, british)
    if rng.random() < 0.3 and not _is_abbreviation(term):
        text = rng.choice([text.upper(), text.lower(), text.title()])
    if rng.random() < 0.3 and not _is_abbreviation(term):
        text += rng.choice(["'s", "’s"])
    if rng.random() < 0.4 and not _is_abbreviation(term):
        text = "".join(_ACCENTS.get(c, c) if rng.random() < 0.3 else c for c in text)
    if rng.random() < 0.4 and " " in text:
        text = text.replace(" ", rng.choice(_INSIDE), rng.randint(1, text.count(" ")))
    if rng.random() < 0.4:  # after any change of case: a look-alike imitates the letter as shown
        text = "".join(_LOOKALIKES.get(c, c) if rng.random() < 0.4 else c for c in text)
    if rng.random() < 0.4:
        text = "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalpha() and rng.random() < 0.3 else c
                       for c in text)
    if rng.random() < 0.5 and len(text) > 2:
        cut = rng.randint(1, len(text) - 1)
        text = text[:cut] + rng.choice(_INVISIBLE) + text[cut:]
    return text


def _survives(redacted: str, term: str) -> bool:
    """Whether any trace of the term's letters remains as a word run in the redacted text."""
    return bool(TermFinder([term]).find(redacted)) or fold(term).replace(" ", "") in fold(redacted).replace(" ", "")


@pytest.mark.parametrize("case_id", CASE_IDS)
@settings(max_examples=60, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), frame=st.sampled_from(
    ["{}", "I think it is {}.", "Could this be {}? I read about it.", "My aunt said '{}' when she saw me",
     "({})", "- {}\n- something else"]))
def test_no_spelling_of_the_diagnosis_survives(case_id, seed, frame):
    scenario = PACK.get(case_id)
    guard = guard_for(scenario.diagnosis.name, tuple(scenario.diagnosis.synonyms))
    rng = random.Random(seed)
    for term in protected_terms(scenario.diagnosis.name, scenario.diagnosis.synonyms):
        said = frame.format(_variant(term, rng))
        redacted, count = guard.redact(said)
        assert count >= 1 and PLACEHOLDER in redacted, (term, said)
        assert not _survives(redacted, term), (term, said, redacted)


@pytest.mark.parametrize(("said", "diagnosis"), [
    ("I'm worried it's Guillain-Barré syndrome.", "Guillain-Barre syndrome"),
    ("Mum had Hashimoto's thyroiditis.", "Hashimoto thyroiditis"),
    ("Could it be Addison's disease?", "Primary adrenal insufficiency"),
    ("My friend has coeliac disease.", "Celiac disease"),
    ("The GP said iron-deficiency anaemia.", "Iron deficiency anemia"),
    ("It might be A.F.", "Atrial fibrillation"),
    ("Could this be type II diabetes?", "Type 2 diabetes mellitus"),
    ("Someone said it was an STEMI", "Myocardial infarction"),  # a narrower form reveals it too
])
def test_the_spellings_named_in_the_issue_are_removed(said, diagnosis):
    redacted, count = guard_for(diagnosis).redact(said)
    assert count == 1 and PLACEHOLDER in redacted, redacted


@pytest.mark.parametrize(("said", "diagnosis"), [
    ("I take amlodipine 5 mg and my QRS was 90 ms.", "Myasthenia gravis"),
    ("I take amlodipine 5 mg and my QRS was 90 ms.", "Multiple sclerosis"),
    ("I went to a talk as well as all the rest.", "Acute lymphoblastic leukemia"),
    ("I go to a gym near the park.", "Gout"),
    ("I was sad all week after a fall.", "Seasonal affective disorder"),
])
def test_ordinary_words_are_not_redacted(said, diagnosis):
    assert guard_for(diagnosis).redact(said) == (said, 0)


def test_a_model_patient_naming_a_variant_is_redacted_before_the_doctor_reads_it(mini_pack):
    scenario = mini_pack.get("test-001")
    with StubServer(reply=lambda body: "My sister thinks it's commun\u00adity-acquired pneumonía.") as server:
        patient = build("patient", "openai:stub", RoleSettings(base_url=server.url))(scenario, 0)
        episode = agentclinic.Episode(scenario, patient, build("measurement", "scripted")(scenario, 0),
                                      build("assessor", "scripted")(0))
        episode.start()
        observation = asyncio.run(episode.step("What do you think it is?"))
    assert observation.text == f"My sister thinks it's {PLACEHOLDER}."
    assert episode.stats.redactions == 1


@pytest.mark.parametrize(("reworded", "kept"), [
    ("Opacity in the right lower zone with air bronchograms. Maybe pneumonia.", False),
    ("Right lower zone opacity with air bronchograms, as seen in pulmonary embolism.", False),
    ("There is a dense shadow in the lower right lung with air bronchograms.", True),
])
def test_phrased_results_may_not_add_a_condition(mini_pack, reworded, kept):
    scenario = mini_pack.get("test-001")
    settings_ = RoleSettings(phrase_results=True, base_url="")
    with StubServer(reply=lambda body: reworded) as server:
        settings_.base_url = server.url
        measurement = build("measurement", "openai:stub", settings_)(scenario, 0)
        result = asyncio.run(measurement.measure(agentclinic.RequestTest(name="CXR"), None))
    original = "Chest X-ray: Dense opacity in the right lower zone with air bronchograms."
    assert result.text == (reworded if kept else original)
    assert kept or "rewording discarded" in result.note
