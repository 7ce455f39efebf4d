"""Imported patient cards, normalised once so the simulated patient speaks like the case (pure).

AgentClinic's records are written for a human actor: third- or second-person prose,
symptom lists with negatives mixed in, one social-history sentence for every habit, meta
lines ("Information not provided"). Here they become well-formed cards:

* prose in the first person (:mod:`.voice`), meta sentences dropped;
* symptom lists split into symptoms, "No nipple changes" a denied symptom, and the
  negatives of the history and review of systems ("denies chest pain, palpitations or
  fever") denied symptoms too;
* a past history that is a sentence split into conditions, with treatments moved to the
  medicines and family history to the family;
* the social history split into the topics a patient is asked about (smoking, alcohol,
  drugs, occupation, living, travel, sexual history, activity, diet);
* key facts derived from what the card and the tests hold, so coverage works.

Nothing is lost: the importers keep the record's original text in the case's ``notes``.
"""

from __future__ import annotations

import re

from ..validity.topics import SOCIAL_TOPICS, card_topics
from .voice import first_person, is_meta, sentences

# "Not oriented to time" is a finding, not a denial: only these words deny a listed symptom.
_NEGATION = re.compile(r"^(?:no|denies|denied|without|absence of|negative for)\b\s*(?:any\s+)?", re.I)
_NOT_A_SYMPTOM_START = re.compile(r"^(?:using|taking|having|being|providing|seeking|trying|use|known|other|further|"
                                  r"additional|significant|relevant|reported|mention|information|data|details|"
                                  r"changes that|that|it|I|family|personal|relief|improvement|response|family or)\b",
                                  re.I)
_NEGATIVE_CLAUSE = re.compile(
    r"\b(?:denies|denied|deny|no|negative for|haven't had|have not had|hasn't had|has not had|not had|never had|"
    r"no history of|do not have|don't have|does not have|doesn't have|never been diagnosed with|"
    r"haven't noticed|have not noticed)\s+(?:any\s+|experiencing\s+(?:any\s+)?|recent\s+|an?\s+)?"
    r"(?P<items>[^.;:]+)", re.I)
_LIST_SPLIT = re.compile(r",\s*(?:and\s+|or\s+)?|\s+(?:and|or|nor)\s+", re.I)
_NOT_SYMPTOMS = re.compile(r"\b(?:history|significant|relevant|other|known|additional|further|reported|symptoms?|"
                           r"complaints?|changes? in (?:appetite|weight)|problems?|issues?|illness(?:es)?)$", re.I)
_TREATMENT = re.compile(r"\b(?:treat|therap|medication|taking|takes|started on|"
                        r"on (?:a |an )?[a-z]+ (?:therapy|tablets)|"
                        r"inhaler|insulin|dialysis|hemodialysis|haemodialysis|prescribed|current treatment|"
                        r"mg\b|regimen)", re.I)
_FAMILY = re.compile(r"\bfamily history\b|\b(?:mother|father|sister|brother|sibling|aunt|uncle|grand\w+)\b", re.I)
_NONE_SAID = re.compile(r"^(?:(?:generally |previously |otherwise )?healthy\b.*|none|nil|"
                        r"no (?:significant |known |relevant |other |prior |previous |past )*"
                        r"(?:past )?(?:medical |surgical )?(?:history|illness|conditions?|medications?|problems?)"
                        r"(?: of note| reported| to report)?|unremarkable|healthy|previously healthy)\.?$", re.I)
_LEAD = re.compile(r"^(?:history of|diagnosed with|known|h/o|hx of|previous|prior|past)\s+", re.I)


def _short(text: str, words: int = 10) -> str:
    return " ".join(text.split()[:words]).strip(" ,.;:")


def denied_symptoms(text: str) -> list[str]:
    """The symptoms a sentence denies: "denies chest pain, palpitations or fever"."""
    found = []
    text = re.sub(r"\s*\([^)]*\)", "", text)  # "(no hepatosplenomegaly)" repeats what it follows
    for clause in _NEGATIVE_CLAUSE.finditer(text):
        for item in _LIST_SPLIT.split(clause.group("items")):
            leading = r"^(?:(?:any|recent|other|significant|episodes of|signs of|no|an?|the)\s+)+"
            item = re.sub(leading, "", item.strip(),
                          flags=re.I)
            item = re.split(r"\s+(?:since|for|over|in the past|recently|reported|noted|at all)\b", item)[0].strip()
            if 2 < len(item) <= 60 and len(item.split()) <= 6 and not _NOT_SYMPTOMS.search(item) \
                    and not _NOT_A_SYMPTOM_START.match(item) \
                    and not re.search(r"\b(?:smok|alcohol|drug|travel|medication|allerg)", item, re.I):
                found.append(item)
    return found


def symptoms_from(items: list[str], negative_text: str) -> list[dict]:
    """Listed symptoms (negatives marked absent) plus the denials found in ``negative_text``."""
    symptoms: dict[str, dict] = {}
    for item in items:
        item = item.strip().rstrip(".")
        if not item:
            continue
        if _NEGATION.match(item):
            for name in denied_symptoms(item) or [_NEGATION.sub("", item)]:
                symptoms.setdefault(name.lower(), {"name": name[:300], "present": False})
        else:
            symptoms.setdefault(item.lower(), {"name": item[:300]})
    for sentence in sentences(negative_text):
        if is_meta(sentence):
            continue
        for name in denied_symptoms(sentence):
            symptoms.setdefault(name.lower(), {"name": name[:300], "present": False})
    return list(symptoms.values())


def history_items(text: str) -> tuple[list[str], list[str], list[str], dict[str, str]]:
    """A past-history text or list, split: (conditions, treatments, family history, other)."""
    conditions, treatments, family, other = [], [], [], {}
    for sentence in sentences(text):
        if is_meta(sentence):
            continue
        for piece in re.split(r";\s*|,\s*(?=[a-z]*\s*(?:current|treated|on|started|taking|no|family|immuni|"
                              r"for which|which))",
                              sentence):
            piece = piece.strip().rstrip(".")
            if not piece or _NONE_SAID.match(piece):
                continue
            if re.search(r"\bimmuni[sz]ation|vaccin", piece, re.I):
                other["immunisations"] = piece
            elif _FAMILY.search(piece):
                family.append(piece)
            elif _TREATMENT.search(piece):
                treatments.append(piece)
            elif re.match(r"^(?:no|denies|not)\b", piece, re.I):
                continue  # "No known drug reactions": a negative, not a condition
            else:
                conditions += [_LEAD.sub("", item).strip() for item in re.split(r",\s*(?:and\s+)?|\s+and\s+", piece)
                               if len(item.split()) <= 12 and _LEAD.sub("", item).strip()] \
                    if len(piece.split()) <= 25 else [piece]
    return conditions, treatments, family, other


def split_social(text: str, speak) -> tuple[dict[str, str], list[str]]:
    """A social-history paragraph as topic -> the first-person sentences on that topic, and
    any allergies it mentions (a social history saying "No known allergies" says no more)."""
    topics: dict[str, list[str]] = {}
    allergies: list[str] = []
    for sentence in sentences(text):
        if is_meta(sentence):
            continue
        spoken = speak(sentence)
        if not spoken:
            continue
        found = card_topics(sentence)
        if "allergies" in found and not [t for t in found if t in SOCIAL_TOPICS]:
            if not re.match(r"^(?:no|denies|nkda)\b", sentence, re.I):
                allergies.append(spoken.rstrip("."))
            continue
        found = [t for t in found if t in SOCIAL_TOPICS] or ["general"]
        for topic in found:
            topics.setdefault(topic, []).append(spoken)
    return {topic: " ".join(dict.fromkeys(parts)) for topic, parts in topics.items()}, allergies


def speaker(sex: str, informant: str | None, child: str):
    """The rewriting function for one card's voice."""
    def speak(text: str) -> str:
        return first_person(text, sex, informant, child)

    return speak


def key_facts(symptoms: list[dict], conditions: list[str], treatments: list[str], social: dict[str, str],
              tests: list[dict], limit: int = 12) -> list[str]:
    """Facts a thorough doctor should elicit, from the card and the tests."""
    facts = [s["name"] for s in symptoms if s.get("present", True)][:6]
    facts += conditions[:3] + treatments[:2]
    facts += [text for topic, text in social.items() if topic in {"smoking", "alcohol", "drugs", "travel", "sexual"}
              and not re.search(r"\b(?:non-?smoker|never|no|not|denies|don't|doesn't|haven't)\b", text, re.I)][:2]
    for test in tests:
        result = test.get("result") or "; ".join(f"{v['name']}: {v['value']}" for v in test.get("values", []))
        said = [s for s in sentences(result) if not is_meta(s)]
        if said and not re.match(r"^(?:normal|unremarkable|negative|within normal)", said[0], re.I):
            facts.append(f"{test['name']}: {_short(said[0], 14)}")
    cleaned = [_short(fact, 24) for fact in facts if fact and fact.strip()]
    return list(dict.fromkeys(cleaned))[:limit]


# A report's closing opinion ("..., consistent with Hirschsprung disease"): the measurement
# role reports findings, and the doctor draws the conclusion.
_CONCLUSION = re.compile(
    r"(?:[,;:]\s*|\.\s+|\s+|^)"
    r"(?:(?:which|this|these(?: findings)?|(?:the )?findings|all)\s+(?:(?:is|are|was|were)\s+)?)?"
    r"(?:(?:most |highly |strongly )?(?:consistent with|compatible with|suggestive of|indicative of|diagnostic of|"
    r"confirming(?: the diagnosis of)?|confirmatory of|characteristic of|typical of|in keeping with|"
    r"pathognomonic (?:of|for)|associated with|indicating|suggesting)|(?:the )?(?:diagnosis|impression) (?:of|is))"
    r"\s+[^.;\n]*", re.I)


def without_conclusions(text: str, names) -> str:
    """``text`` without concluding clauses that name the diagnosis (``names`` finds its names)."""
    def drop(found: re.Match[str]) -> str:
        return "" if names(found.group(0)) else found.group(0)

    cleaned = _CONCLUSION.sub(drop, text)
    return re.sub(r"\s+([.,;])", r"\1", cleaned).strip() or text


def clean_findings(value, names):
    """A finding tree or report with diagnostic conclusions removed, leaf by leaf."""
    if isinstance(value, dict):
        return {key: clean_findings(item, names) for key, item in value.items()}
    if isinstance(value, list):
        return [clean_findings(item, names) for item in value]
    if isinstance(value, str):
        return without_conclusions(value, names)
    return value
