"""AgentClinic's NEJM image-challenge JSONL records -> our scenario format.

The doctor is told only "What is the most likely diagnosis?", as in AgentClinic; the
patient speaks from ``patient_info``, rewritten once into the first person with the
role-play framing and the parts about tests and examination (which the patient does not
know) left out; ``physical_exams`` (examination and instrument readings) is what the
measurement role reports; the image is a remote reference fetched on first use; the five
answers become the diagnosis and its distractors. Age and sex come from the vignette's
opening ("A 3-year-old girl presented...") and stay unknown when it does not state them.
The original vignette and patient text are kept in ``notes`` for reviewers, never shown
to agents.
"""

from __future__ import annotations

import re

from ..validity.guard import guard_for
from .cards import denied_symptoms, history_items, key_facts, without_conclusions
from .common import parse_demographics
from .voice import first_person, is_meta, sentences, strip_preamble

NEJM_OBJECTIVE = "What is the most likely diagnosis?"
_SECTION = re.compile(r"(?:^|\s)-?\s*\*\*([^*]{1,60})\*\*\s*:?")
# Blocks and sentences about what the doctors found: the measurement role reports those.
_CLINICAL = re.compile(r"\b(?:test|tests|result|results|reading|readings|examination|exam|examined|biopsy|"
                       r"scan|imaging|x-ray|ct\b|mri|ultrasound|laborator|microscop|culture|it was noted|"
                       r"the doctors? (?:noted|found|observed|saw)|they found|findings?|dermoscopy|stain)", re.I)
_SYMPTOM = re.compile(
    r"\bI(?:'ve| have)?(?: also)?(?: been)? (?:experiencing|having|had|noticed|noticing|developed|observed|"
    r"suffering from|felt|feeling|feel|experience|get|got)\s+(?:a |an |some |the |this )?(?P<what>[^.;:]+)"
    r"|\bI (?:also )?have (?:a |an |some )(?P<had>[^.;:]+)", re.I)
_SITES = re.compile(r"\b(?:on|in|across|around|under|behind|over|at|of) (?:my|the|both)\b", re.I)


def _demographics(vignette: str, info: str) -> dict:
    """Age and sex from the vignette's first sentence, else the patient text; unknown if unsaid."""
    for text in (re.split(r"(?<=[.!?])\s+", vignette.strip())[0] if vignette.strip() else "", info):
        found = parse_demographics(text)
        if found["age_years"] is not None:
            return found
    found = parse_demographics(vignette or info)
    return {"age_years": None, "sex": found["sex"]}


def _patient_blocks(info: str) -> str:
    """The patient text without sections about tests or examination findings."""
    marks = list(_SECTION.finditer(info))
    if not marks:
        return info
    kept = [info[: marks[0].start()]]
    for mark, following in zip(marks, [*marks[1:], None]):
        body = info[mark.end(): following.start() if following else len(info)]
        if not _CLINICAL.search(mark.group(1)):
            kept.append(body)
    return " ".join(kept)


_GENERIC = re.compile(r"^(?:symptoms?|issues?|problems?|changes?|things?|it|this|that|these|them|\w+ed)$", re.I)


def _symptom_names(spoken: list[str]) -> list[str]:
    """Symptoms named after "I've been experiencing", "I've noticed", "I feel" and the like."""
    names = []
    for sentence in spoken:
        sentence = re.sub(r"\s*\([^)]*\)", "", sentence)  # "(itchy)", "(small bumps)": glosses
        for found in _SYMPTOM.finditer(sentence):
            what = re.sub(r"^(?:my|any|a|an|some|the)\s+", "", (found.group("what") or found.group("had")).strip(),
                          flags=re.I)
            what = re.split(r"\s+(?:for|over|since|during|that|which|when|while|after|especially|about|lately|"
                            r"recently|accompanied by|along with|as well)\b", what, flags=re.I)[0]
            # "patches on my cheeks, nose and mouth" is one symptom at several sites, not a list.
            head = re.split(r",|\s+and\s+", what)[0]
            pieces = [head if len(what.split()) > 8 else what] if _SITES.search(head) else \
                [p.strip() for p in re.split(r",\s*(?:and\s+)?|\s+and\s+", what) if p.strip()]
            merged: list[str] = []
            for piece in pieces:
                if merged and len(merged[-1].split()) == 1 and not re.search(r"s$", merged[-1]):
                    merged[-1] = f"{merged[-1]}, {piece}"  # "small, visible blood vessels": one thing
                elif merged and _SITES.search(merged[-1]) and len(piece.split()) <= 2:
                    continue  # "nodules across my chest, abdomen, and legs": more sites, not symptoms
                else:
                    merged.append(piece)
            for item in merged:
                item = re.sub(r"^(?:a|an|some|the|my|any)\s+", "", item, flags=re.I).strip(" ,;:")
                if 1 <= len(item.split()) <= 8 and not re.match(r"^(?:that|it|this|to|like|I|history of)\b", item) \
                        and not re.search(r"transplant|surgery|operation", item, re.I) \
                        and not _GENERIC.match(item):
                    names.append(item)
    return list(dict.fromkeys(names))


def _findings(text: str) -> str:
    """The examination and test text without its framing ("The information extracted from
    the case report ... includes:"); a text that is all framing says nothing was recorded."""
    kept = re.sub(r"^[^:]*\b(?:information extracted|the provided text|case report)\b[^:]*:\s*", "", text.strip(),
                  flags=re.I)
    kept = " ".join(s for s in re.split(r"(?<=[.!?])\s+", kept) if s and not is_meta(s))
    return kept or "No instrument readings or test results were recorded for this patient."


def from_nejm(record: dict, *, case_id: str, source: str, license: str) -> dict:
    answers = record["answers"]
    correct = [a["text"] for a in answers if a.get("correct")]
    if len(correct) != 1:
        raise ValueError(f"expected exactly one answer marked correct, found {len(correct)}")
    info = str(record.get("patient_info") or "").strip()
    vignette = str(record.get("question") or "").strip()
    demographics = _demographics(vignette, info)
    said = (strip_preamble(s) for s in sentences(_patient_blocks(info)))
    spoken = [first_person(s, demographics["sex"]) for s in said if s and not is_meta(s) and not _CLINICAL.search(s)]
    spoken = [s for s in spoken if s and not re.match(r"^I am an? \d+[- ]", s)] or \
        [first_person("I came to see the doctor.")]
    names = _symptom_names(spoken)
    symptoms = [{"name": name[:300]} for name in names]
    symptoms += [{"name": name[:300], "present": False} for s in spoken for name in denied_symptoms(s)
                 if name.lower() not in {n.lower() for n in names}]
    if not any(s.get("present", True) for s in symptoms):
        symptoms.insert(0, {"name": re.sub(r"^I(?:'ve| have)? ", "", spoken[0]).rstrip(".")[:300]})
    complaint = next((s for s in spoken if _symptom_names([s])), spoken[0])
    conditions, _, _, _ = history_items(". ".join(
        re.split(r",|\s+(?:for|since|and|which|who|primarily|using)\s+", m.group(1))[0] for s in spoken
        for m in re.finditer(r"(?<!never been )(?<!not been )\b(?:history of|diagnosed with|living with|managing)"
                             r"\s+([^.;]+)", s, re.I)))
    treatments = []
    surgery = [s for s in spoken if re.search(r"\b(?:transplant|surgery|operation|underwent|operated)", s, re.I)]
    treatments += [s for s in spoken if s not in surgery and re.search(
        r"\b(?:undergoing|on (?:\w+ ){0,2}therapy|using an? |taking|dialysis|inhaled|medication)", s, re.I)]
    names = guard_for(correct[0]).find  # reports give findings; the conclusion is the doctor's to draw
    exams = without_conclusions(_findings(str(record.get("physical_exams") or "")), names)
    tests = [{"name": "Reported examination and investigation findings",
              "aliases": ["findings", "test results", "investigations", "instrument readings"],
              "category": "procedure", "result": exams, "images": ["image"] if record.get("image_url") else []}]
    data = {
        "id": case_id,
        "title": f"{source} ({record.get('type') or 'image challenge'})"[:300],
        "specialty": "general",
        "source": source,
        "license": license,
        "objective": NEJM_OBJECTIVE,
        "patient": {
            "demographics": demographics,
            "chief_complaint": complaint,
            "history_of_present_illness": " ".join(spoken),
            "symptoms": symptoms,
            "past_medical_history": conditions,
            "medications": list(dict.fromkeys(treatments)),
            "past_surgical_history": surgery,
        },
        "physical_exam": {"findings": exams},
        "tests": tests,
        "diagnosis": {"name": correct[0]},
        "distractors": [a["text"] for a in answers if not a.get("correct")],
        "key_facts": key_facts(symptoms, conditions, treatments, {}, tests),
        "notes": (f"Vignette: {vignette}\n\nOriginal patient text: {info}\n\nOriginal examination and test text: "
                  f"{record.get('physical_exams') or ''}")[:20_000],
    }
    if record.get("image_url"):
        data["images"] = [{"id": "image", "url": record["image_url"], "modality": "clinical image"}]
    return data
