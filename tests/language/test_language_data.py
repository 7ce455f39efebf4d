"""Every language's data files hold what the scripted roles read, in the English shape."""

from __future__ import annotations

import re
import string

import pytest
import yaml

from agentclinic.language import LANGUAGES, language_data, languages_with
from agentclinic.language.data import languages_dir
from agentclinic.paths import data_file

OTHERS = [code for code in LANGUAGES if code != "en" and (languages_dir() / code).is_dir()]
_FIELDS = string.Formatter()


def _english(name: str) -> dict:
    with open(data_file(name), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in _FIELDS.parse(text) if field}


def _walk(english: object, own: object, where: str):
    """Pairs (where, english, own) of every string the language overrides."""
    if isinstance(own, dict) and (not english or where.endswith("timeline_swaps")):
        return  # mappings keyed by the language's own words (labels, time words)
    if isinstance(english, dict) and isinstance(own, dict):
        for key, value in own.items():
            assert key in english, f"{where}.{key}: not a key of the English file"
            yield from _walk(english[key], value, f"{where}.{key}")
    elif isinstance(english, list) and isinstance(own, list):
        for item in own:
            assert isinstance(item, str), f"{where}: {item!r} is not text (quote it in YAML)"
            yield where, english[0] if english and isinstance(english[0], str) else "", item
    else:
        assert isinstance(own, type(english)) or english == {}, f"{where}: expected {type(english).__name__}"
        if isinstance(own, str):
            yield where, english, own


def test_the_english_phrasebook_is_all_text():
    pairs = list(_walk(language_data("en", "phrases"), language_data("en", "phrases"), "en"))
    assert pairs and all(isinstance(own, str) for _, _, own in pairs)


@pytest.mark.parametrize("code", OTHERS)
def test_phrases_keep_the_english_keys_and_placeholders(code: str):
    english, own = language_data("en", "phrases"), language_data(code, "phrases")
    assert own, f"data/languages/{code}/phrases.yaml is missing"
    for role in ("patient", "doctor", "measurement", "brief", "episode"):
        missing = set(english[role]) - set(own.get(role) or {})
        assert not missing, f"{code}: phrases.{role} lacks {sorted(missing)}"
    for where, source, text in _walk(english, own, code):
        if "{" in source or "{" in text:
            assert _placeholders(text) <= _placeholders(source) | {"items"}, f"{where}: {text!r} vs {source!r}"


@pytest.mark.parametrize("code", OTHERS)
def test_patient_cues_cover_every_topic(code: str):
    english, own = _english("patient_topics.yaml"), language_data(code, "patient")
    for section in ("topics", "card_cues"):
        missing = set(english[section]) - set(own.get(section) or {})
        assert not missing, f"{code}: patient.{section} lacks {sorted(missing)}"
        for topic, cues in own[section].items():
            assert topic in english[section], f"{code}: unknown topic {topic!r}"
            assert cues and all(isinstance(c, str) and c.strip() for c in cues), f"{code}: {section}.{topic}"


@pytest.mark.parametrize("code", OTHERS)
def test_every_test_and_body_system_has_a_local_name(code: str):
    english, own = _english("terminology.yaml"), language_data(code, "terminology")
    names = {entry["name"] for entry in english["tests"]}
    local = own.get("tests") or {}
    assert set(local) <= names, f"{code}: unknown tests {sorted(set(local) - names)}"
    assert not names - set(local), f"{code}: tests without a local name: {sorted(names - set(local))[:10]}"
    assert set(english["exam_systems"]) <= set(own.get("exam_systems") or {})


@pytest.mark.parametrize("code", OTHERS)
def test_every_diagnosis_the_baseline_knows_has_a_local_name(code: str):
    knowledge = _english("baseline_doctor.yaml")
    local = (language_data(code, "diagnoses").get("names") or {})
    known = {d["name"] for d in knowledge["diagnoses"]}
    assert not known - set(local), f"{code}: no local name for {sorted(known - set(local))[:10]}"


@pytest.mark.parametrize("code", OTHERS)
def test_answer_phrases_have_every_key(code: str):
    english, own = _english("answer_phrases.yaml"), language_data(code, "answer_phrases").get("phrases") or {}
    assert set(english) <= set(own), f"{code}: answer_phrases lacks {sorted(set(english) - set(own))}"


@pytest.mark.parametrize("code", [c for c in OTHERS if (languages_dir() / c / "doctor.yaml").is_file()])
def test_the_baseline_knowledge_is_translated_whole(code: str):
    knowledge, own = _english("baseline_doctor.yaml"), language_data(code, "doctor")
    for complaint in knowledge["complaints"]:
        local = (own.get("complaints") or {}).get(complaint["id"]) or {}
        assert local.get("triggers"), f"{code}: complaint {complaint['id']} has no triggers"
        assert len(local.get("questions") or []) == len(complaint.get("questions") or []), \
            f"{code}: complaint {complaint['id']} must ask the same questions"
    features = own.get("features") or {}
    english_count = sum(len(d["features"]) for d in knowledge["diagnoses"])
    local_count = sum(len(features.get(d["name"]) or {}) for d in knowledge["diagnoses"])
    assert set(features) <= {d["name"] for d in knowledge["diagnoses"]}
    assert local_count >= 0.9 * english_count, f"{code}: {local_count} phrases for {english_count} English ones"
    assert all(1 <= float(w) <= 3 for phrases in features.values() for w in phrases.values())


@pytest.mark.parametrize("code", OTHERS)
def test_model_roles_get_an_instruction_in_the_language(code: str):
    instruction = str(language_data(code, "prompts").get("instruction") or "")
    assert instruction.strip()
    if code in {"zh", "hi", "ko", "fa"}:  # written in the language's own script, not in English
        assert not re.search(r"[A-Za-z]{4,}", instruction), instruction


def test_languages_with_lists_english_first():
    assert languages_with("phrases")[0] == "en"
