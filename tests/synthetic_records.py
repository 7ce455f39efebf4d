"""Made-up AgentClinic-style dataset records (not from the datasets) for reader tests."""

from __future__ import annotations

import copy
import json

OSCE_RECORD = {"OSCE_Examination": {
    "Objective_for_Doctor": "Assess and diagnose the patient presenting with cough and fever.",
    "Patient_Actor": {
        "Demographics": "52-year-old male",
        "History": "The patient reports a productive cough and fever for five days.",
        "Symptoms": {"Primary_Symptom": "Cough", "Secondary_Symptoms": ["Fever", "Shortness of breath"]},
        "Past_Medical_History": "Hypertension.",
        "Social_History": "Smokes ten cigarettes a day.",
        "Review_of_Systems": "Denies chest pain.",
    },
    "Physical_Examination_Findings": {"Vital_Signs": {"Temperature": "38.6 C", "Heart_Rate": "104 bpm"},
                                      "Respiratory": "Crackles at the left base."},
    "Test_Results": {"Chest_X-Ray": "Left lower lobe consolidation.", "Blood_Tests": {"WBC": "15.1 x10^9/L"}},
    "Correct_Diagnosis": "Lobar pneumonia",
}}

NEJM_RECORD = {
    "question": "A 40-year-old woman presents with an itchy rash on her forearm.",
    "patient_info": "I have had a red, itchy rash on my forearm for two weeks. It started after gardening.",
    "physical_exams": "A well-demarcated erythematous plaque with vesicles on the left forearm.",
    "answers": [{"text": "Contact dermatitis", "correct": True}, {"text": "Psoriasis", "correct": False},
                {"text": "Tinea corporis", "correct": False}],
    "image_url": "https://example.org/rash.png",
}


def osce_record(**exam_overrides) -> dict:
    record = copy.deepcopy(OSCE_RECORD)
    record["OSCE_Examination"].update(exam_overrides)
    return record


def nejm_record(**overrides) -> dict:
    record = copy.deepcopy(NEJM_RECORD)
    record.update(overrides)
    return record


def line(record: dict) -> str:
    """One JSONL line, non-ASCII kept as UTF-8 (as the datasets are)."""
    return json.dumps(record, ensure_ascii=False)


def nejm_line(image_url: str) -> str:
    return line(nejm_record(image_url=image_url))
