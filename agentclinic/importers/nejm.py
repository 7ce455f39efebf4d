"""AgentClinic's NEJM image-challenge JSONL records -> our scenario format.

The doctor is told only "What is the most likely diagnosis?", as in AgentClinic; the
patient speaks from ``patient_info``; ``physical_exams`` (examination and instrument
readings) is what the measurement role reports; the image is a remote reference fetched on
first use; the five answers become the diagnosis and its distractors. The original vignette
(``question``) is kept in ``notes`` for reviewers, never shown to agents.
"""

from __future__ import annotations

import re

from .common import parse_demographics

NEJM_OBJECTIVE = "What is the most likely diagnosis?"
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def from_nejm(record: dict, *, case_id: str, source: str, license: str) -> dict:
    answers = record["answers"]
    correct = [a["text"] for a in answers if a.get("correct")]
    if len(correct) != 1:
        raise ValueError(f"expected exactly one answer marked correct, found {len(correct)}")
    info = str(record.get("patient_info") or "").strip()
    first = _SENTENCE.split(info, maxsplit=1)[0] if info else "I came to see the doctor."
    exams = str(record.get("physical_exams") or "").strip() or "Not recorded."
    data = {
        "id": case_id,
        "title": f"{source} ({record.get('type') or 'image challenge'})"[:300],
        "specialty": "general",
        "source": source,
        "license": license,
        "objective": NEJM_OBJECTIVE,
        "patient": {
            "demographics": parse_demographics(info),
            "chief_complaint": first,
            "history_of_present_illness": info or first,
            "symptoms": [{"name": "main complaint", "detail": first}],
        },
        "physical_exam": {"findings": exams},
        "tests": [{"name": "Reported examination and investigation findings",
                   "aliases": ["findings", "test results", "investigations", "instrument readings"],
                   "category": "procedure", "result": exams, "images": ["image"] if record.get("image_url") else []}],
        "diagnosis": {"name": correct[0]},
        "distractors": [a["text"] for a in answers if not a.get("correct")],
        "notes": str(record.get("question") or "") or None,
    }
    if record.get("image_url"):
        data["images"] = [{"id": "image", "url": record["image_url"], "modality": "clinical image"}]
    return data
