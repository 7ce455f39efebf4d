"""AgentClinic's OSCE JSONL records (MedQA, MedQA-Extended, MIMIC-IV) -> our scenario format.

Nothing is dropped: the patient card is normalised into the patient's own voice and topics
(:mod:`.cards`) with the original record kept in ``notes``, unknown patient sections go to
``extra_sections``, nested examination findings keep their nesting, and every test result
(including analytes nested in panels and tests grouped under "Imaging" or "Blood_Work")
becomes a named test.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..text import normalize
from ..validity.guard import guard_for
from .cards import clean_findings, history_items, key_facts, speaker, split_social, symptoms_from
from .common import as_findings, as_list, as_sections, as_text, label, parse_demographics, test_category
from .voice import child_word, informant_of

# Top-level result keys that group several tests rather than name one.
_GROUPS = {"imaging", "blood work", "blood tests", "blood test", "laboratory tests", "laboratory studies", "labs",
           "laboratory", "lab results", "laboratory results", "laboratory findings", "biopsy", "other tests",
           "additional tests", "investigations", "tests", "diagnostic tests", "studies"}
_RESULT_KEYS = {"findings", "result", "results", "impression", "interpretation", "report", "description"}
_KNOWN_PATIENT = {"Demographics", "History", "Symptoms", "Past_Medical_History", "Social_History",
                  "Review_of_Systems", "Current_Medications", "Medications", "Drug_History"}


def _symptom_names(symptoms: Any) -> list[str]:
    """Primary first, then secondary, then anything else, each list item a symptom."""
    if isinstance(symptoms, dict):
        primary = as_list(symptoms.get("Primary_Symptom"))
        secondary = as_list(symptoms.get("Secondary_Symptoms"))
        rest = [t for k, v in symptoms.items() if k not in {"Primary_Symptom", "Secondary_Symptoms"}
                for t in as_list(v)]
        names = primary + secondary + rest
    else:
        names = as_list(symptoms)
    return [name for name in dict.fromkeys(names) if name.strip()]


def _test(key: str, value: Any, group: str | None) -> dict | None:
    name = label(key)
    test: dict[str, Any] = {"name": name, "category": test_category(f"{name} {label(group or '')}")}
    aliases = [key] if key != name else []
    if group:
        aliases.append(f"{label(group)} {name}")
    test["aliases"] = aliases
    if isinstance(value, dict):
        lines, values = [], []
        for sub_key, sub_value in value.items():
            text = as_text(sub_value)
            if not text:
                continue
            if normalize(label(sub_key)) in _RESULT_KEYS or isinstance(sub_value, (dict, list)) or len(text) > 300:
                lines.append(text if normalize(label(sub_key)) in _RESULT_KEYS else f"{label(sub_key)}: {text}")
            else:
                values.append({"name": label(sub_key)[:300], "value": text})
        if lines:
            test["result"] = "\n".join(lines)
        if values:
            test["values"] = values
    elif as_text(value):
        test["result"] = as_text(value)
    return test if ("result" in test or "values" in test) else None


def _tests(results: Any) -> list[dict]:
    if not isinstance(results, dict):
        return [{"name": "Test results", "category": "lab", "result": as_text(results)}] if as_text(results) else []
    tests: list[dict] = []
    for key, value in results.items():
        grouped = isinstance(value, dict) and value and (
            normalize(label(key)) in _GROUPS or all(isinstance(v, dict) for v in value.values()))
        pairs = [(sub_key, sub_value, key) for sub_key, sub_value in value.items()] if grouped else [(key, value, None)]
        for test_key, test_value, group in pairs:
            if (test := _test(test_key, test_value, group)) is not None:
                tests.append(test)
    seen: dict[str, int] = {}
    for test in tests:  # two groups may hold a test of the same name: keep both, distinguishable
        count = seen.get(normalize(test["name"]), 0)
        seen[normalize(test["name"])] = count + 1
        if count:
            test["name"] = f"{test['name']} ({count + 1})"
    return tests


def _social(value: Any) -> str:
    if isinstance(value, dict):
        return " ".join(as_text(v).rstrip(".") + "." for v in value.values() if as_text(v))
    return as_text(value)


def _chief_complaint(story: str, primary: str, voice) -> str:
    """The first sentence of the story that speaks of the main symptom, else a plain one."""
    wanted = {w for w in re.findall(r"[a-z]{4,}", primary.lower())}
    for sentence in re.split(r"(?<=[.!?])\s+", story):
        if wanted & set(re.findall(r"[a-z]{4,}", sentence.lower())):
            return sentence
    return voice(f"The patient has {primary[:1].lower()}{primary[1:]}")


def from_osce(record: dict, *, case_id: str, source: str, license: str) -> dict:
    """One OSCE record (the object under ``OSCE_Examination``) as scenario data, its patient
    card normalised (:mod:`.cards`) and the original record kept in ``notes``."""
    exam = record["OSCE_Examination"]
    actor = exam.get("Patient_Actor") or {}
    demographics_text = as_text(actor.get("Demographics"))
    demographics = parse_demographics(demographics_text)
    history = as_text(actor.get("History"))
    informant = informant_of(f"{demographics_text} {history}", demographics["age_years"])
    if informant:
        demographics["informant"] = informant
    voice = speaker(demographics["sex"], informant, child_word(demographics["age_years"], demographics["sex"]))

    def phrase(text: str) -> str:  # a name or list item in the patient's voice, without a full stop
        return voice(text).rstrip(".") if text.strip() else ""

    review = as_text(actor.get("Review_of_Systems"))
    symptoms = symptoms_from([phrase(name) for name in _symptom_names(actor.get("Symptoms"))], f"{history} {review}")
    conditions, treatments, family, other = history_items(as_text(actor.get("Past_Medical_History")))
    medicines = [m for key in ("Current_Medications", "Medications", "Drug_History") for m in as_list(actor.get(key))]
    social, allergies = split_social(_social(actor.get("Social_History")), voice)
    story = voice(history)
    primary = next((s["name"] for s in symptoms if s.get("present", True)), "feeling unwell")
    extra = {label(k).lower().replace(" ", "_"): voice(as_text(v)) for k, v in actor.items()
             if k not in _KNOWN_PATIENT and voice(as_text(v))}
    extra.update(other)
    diagnosis = as_text(exam.get("Correct_Diagnosis")).strip()[:300]
    names = guard_for(diagnosis).find  # reports give findings; the conclusion is the doctor's to draw
    tests = clean_findings(_tests(exam.get("Test_Results") or {}), names)
    if not any(s.get("present", True) for s in symptoms):
        symptoms.insert(0, {"name": primary})
    return {
        "id": case_id,
        "title": f"{source} ({demographics_text or 'patient'})"[:300],
        "specialty": "general",
        "source": source,
        "license": license,
        "objective": as_text(exam.get("Objective_for_Doctor")) or "Evaluate the patient and reach a diagnosis.",
        "patient": {
            "demographics": demographics,
            "chief_complaint": _chief_complaint(story, primary, voice),
            "history_of_present_illness": story or voice(f"The patient has {primary.lower()}"),
            "symptoms": symptoms,
            "past_medical_history": [phrase(c) for c in conditions if phrase(c)],
            "medications": [phrase(m) for m in medicines if phrase(m)] + [voice(t) for t in treatments],
            "social_history": social,
            "review_of_systems": {k: voice(v) for k, v in as_sections(actor.get("Review_of_Systems")).items()
                                  if voice(v)},
            "allergies": allergies,
            "family_history": [phrase(f) for f in family if phrase(f)],
            "extra_sections": extra,
        },
        "physical_exam": clean_findings(as_findings(exam.get("Physical_Examination_Findings") or {}), names)
        or {"general": "Not recorded."},
        "tests": tests,
        "diagnosis": {"name": diagnosis},
        "key_facts": key_facts(symptoms, [phrase(c) for c in conditions], treatments, social, tests),
        "notes": ("Original AgentClinic record: " + json.dumps(exam, ensure_ascii=False))[:20_000],
    }
