"""AgentClinic's OSCE JSONL records (MedQA, MedQA-Extended, MIMIC-IV) -> our scenario format.

Nothing is dropped: unknown patient sections go to ``extra_sections``, nested examination
findings keep their nesting, and every test result (including analytes nested in panels and
tests grouped under "Imaging" or "Blood_Work") becomes a named test.
"""

from __future__ import annotations

from typing import Any

from ..text import normalize
from .common import as_findings, as_list, as_sections, as_text, label, parse_demographics, test_category

# Top-level result keys that group several tests rather than name one.
_GROUPS = {"imaging", "blood work", "blood tests", "blood test", "laboratory tests", "laboratory studies", "labs",
           "laboratory", "lab results", "laboratory results", "laboratory findings", "biopsy", "other tests",
           "additional tests", "investigations", "tests", "diagnostic tests", "studies"}
_RESULT_KEYS = {"findings", "result", "results", "impression", "interpretation", "report", "description"}
_KNOWN_PATIENT = {"Demographics", "History", "Symptoms", "Past_Medical_History", "Social_History",
                  "Review_of_Systems", "Current_Medications", "Medications", "Drug_History"}


def _symptoms(symptoms: Any) -> list[dict]:
    if isinstance(symptoms, dict):
        primary = as_list(symptoms.get("Primary_Symptom"))
        secondary = as_list(symptoms.get("Secondary_Symptoms"))
        rest = [t for k, v in symptoms.items() if k not in {"Primary_Symptom", "Secondary_Symptoms"}
                for t in as_list(v)]
        names = primary + secondary + rest
    else:
        names = as_list(symptoms)
    return [{"name": name[:300]} for name in dict.fromkeys(names) if name.strip()] or [{"name": "unwell"}]


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


def from_osce(record: dict, *, case_id: str, source: str, license: str) -> dict:
    """One OSCE record (the object under ``OSCE_Examination``) as scenario data."""
    exam = record["OSCE_Examination"]
    actor = exam.get("Patient_Actor") or {}
    demographics_text = as_text(actor.get("Demographics"))
    symptoms = _symptoms(actor.get("Symptoms"))
    medications = [m for key in ("Current_Medications", "Medications", "Drug_History") for m in as_list(actor.get(key))]
    extra = {label(k).lower().replace(" ", "_"): as_text(v) for k, v in actor.items()
             if k not in _KNOWN_PATIENT and as_text(v)}
    if demographics_text:
        extra["demographics_as_written"] = demographics_text
    diagnosis = as_text(exam.get("Correct_Diagnosis")).strip()
    return {
        "id": case_id,
        "title": f"{source} ({demographics_text or 'patient'})"[:300],
        "specialty": "general",
        "source": source,
        "license": license,
        "objective": as_text(exam.get("Objective_for_Doctor")) or "Evaluate the patient and reach a diagnosis.",
        "patient": {
            "demographics": parse_demographics(demographics_text),
            "chief_complaint": symptoms[0]["name"],
            "history_of_present_illness": as_text(actor.get("History")) or symptoms[0]["name"],
            "symptoms": symptoms,
            "past_medical_history": as_list(actor.get("Past_Medical_History")),
            "medications": medications,
            "social_history": as_sections(actor.get("Social_History")),
            "review_of_systems": as_sections(actor.get("Review_of_Systems")),
            "extra_sections": extra,
        },
        "physical_exam": as_findings(exam.get("Physical_Examination_Findings") or {}) or {"general": "Not recorded."},
        "tests": _tests(exam.get("Test_Results") or {}),
        "diagnosis": {"name": diagnosis[:300]},
    }
