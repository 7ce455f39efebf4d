"""Checks of what a simulated patient said against its card (pure, lexical).

Each detector returns the evidence (a short sentence a person can check) or ``None``:

* :func:`meta_reply` - the reply speaks of the patient in the third person ("The patient
  reports…", "She denies…", "Pt flew back…") or about the record or the role-play ("No
  mention of…", "The case doesn't specify…", "As an AI…") instead of as the patient;
* :func:`non_answer` - the reply says nothing: once evasions and fillers ("I don't know",
  "Hmm", "Can you repeat that?") are set aside, no word of content is left;
* :func:`contradiction` - the reply denies what the card holds (medicines, past illnesses,
  operations, allergies, habits, a symptom asked about) or affirms what it denies (a
  symptom the card lists as absent, a habit the card says the patient never had).

They are validated on labelled examples (``tests/data/fault_examples.yaml`` and a held-out
set); the tests print each one's precision and recall.
"""

from __future__ import annotations

import re

from ..scenario import PatientCard
from .folding import fold
from .topics import _stem, card_topics, question_topics, symptom_phrases, symptoms_asked

_CLINICAL_VERBS = (r"reports|denies|has|had|is|was|presents|notes|states|describes|complains|endorses|admits|mentions|"
                   r"feels|experienced|experiences|underwent|takes|drinks|smokes|lives|works|flew|travel(?:l)?ed|"
                   r"returned|developed|noticed|woke|wakes|says|gets|uses|sleeps|eats")
_ADVERB = "(?:also|still|now|often|usually|recently|then|later|first)"
_META = re.compile(
    rf"\b(?:the patient(?:'s|’s)?(?=(?: {_ADVERB})? (?:{_CLINICAL_VERBS})\b)|the patient's|patient's\b|"
    r"^(?:patient|pt)\b|\bpt\b|"
    rf"this patient|the (?:\d+[- ]year[- ]old )?(?:man|woman|boy|girl|child|infant|gentleman|lady|male|female)"
    rf"(?= (?:{_CLINICAL_VERBS})\b)|the (?:mother|father|parents?) (?:reports|states|notes|says that)|"

    r"no mention|not mentioned|(?:is |was )?not (?:provided|specified|documented|recorded|listed|stated)\b|"
    r"doesn'?t specify|does not specify|information (?:is )?not|no (?:information|details|data) (?:is |was )?"
    r"(?:given|available|provided)|history provided|per the (?:history|record|notes|case)|"
    r"\bthe (?:card|record|case|case file|scenario|vignette|chart)\b|my (?:card|script|role|information|notes|details)"
    r"\b|as an ai|language model|\bi am an ai\b|role-?play|in role\b|in character|out of character|patient actor|"
    r"your role|for the patient actor|i cannot provide|as the patient|patient card|"
    # A model echoing its own brief: "You're a 71-year-old female", "Why you came: ...".
    r"\byou(?:'re| are) an? \d+[- ]year[- ]old\b|\b(?:why you came|your story|what you have noticed|"
    r"you have not had|past illnesses|other body systems)\s*:|"
    r"the (?:social |medical |past |family )?(?:history|notes|file) (?:says|states|mentions|lists|shows)|"
    r"\b(?:hpi|pmh|psh|dh|sh|fh|ros|o/e|c/o|h/o)\s*:|(?<!i'm )(?<!i am )\bpresenting with\b)", re.I | re.M)
_EVASIONS = re.compile(
    r"\b(?:i (?:really )?(?:do not|don'?t|dont) (?:really )?know(?: how to answer that)?|i'?m not (?:really )?sure"
    r"(?: about that)?|not sure|i (?:can'?t|cannot) (?:remember|recall|say)|i (?:really )?couldn'?t say|"
    r"(?:i have )?no idea|hard to say|who knows|good question|let me think|can you (?:repeat|say) (?:the question|that)"
    r"(?: again)?|can you ask (?:me )?something else|sorry,? what do you mean|what do you mean|i don'?t understand|"
    r"pardon|i'?d rather not say|i'?m not certain|to be honest|okay|ok|hmm+|um+|uh+|er+|well|mm+-?h?m+|oh|really|"
    r"exactly|sorry|right|let me see|what to tell you|i didn'?t (?:catch|get|hear) (?:that|you)|doctor|doc)\b", re.I)
_EVASION_CUE = re.compile(
    r"\b(?:not (?:really )?sure|don'?t (?:really )?know|couldn'?t (?:tell|say)|can'?t (?:really )?(?:say|tell|think|"
    r"remember)|no idea|hard to (?:say|put)|rather not|(?:say|repeat) (?:that|the question)|say that again|"
    r"what (?:do )?you(?:'re| are)? (?:mean|asking)|sorry,? what|you know how it is|ask (?:my|someone)|"
    r"not (?:certain|positive)|beats me|who knows)\b|^\W*(?:what|pardon|sorry)\W*$", re.I)
_CONTENT_MARK = re.compile(r"\d|\b(?:but|maybe|probably|perhaps|about|around|roughly|i think|i guess|sometime|since|"
                           r"ago|last (?:week|month|year|night)|yesterday|today|every|yes|no|left|right|it'?s (?:a|an|"
                           r"more|like)|it was|it is)\b", re.I)
_FILLER = frozenset("i you it that this the a an to be so just well really about me of mate gosh ooh oh erm "
                    "honestly offhand actually mean".split())
_NO = re.compile(r"^\W*(?:no|nah|nope|not|i haven'?t|i have not|i'?ve not|i'?ve never|i have never|i never|never|"
                 r"none|nothing|"
                 r"i don'?t|i do not|i'?m not|i am not|she (?:doesn'?t|does not|isn'?t|hasn'?t)|"
                 r"he (?:doesn'?t|does not|isn'?t|hasn'?t))\b", re.I)
_YES = re.compile(r"^\W*(?:yes|yeah|yep|i have(?! not| never| no)|i've had|i do(?! not)|it does(?! not)|"
                  r"i'?m getting|quite a bit|a little|i (?:still )?(?:smoke|drink|use)|she (?:does|has|is)(?! not)|"
                  r"he (?:does|has|is)(?! not))\b", re.I)
_NEGATIVE_HABIT = re.compile(r"\b(?:never|non-?smoker|don'?t|do not|does not|doesn'?t|didn'?t|did not|haven'?t|"
                             r"have not|not|no|nothing|nobody|quit|stopped|gave up|denies|teetotal|abstain|"
                             r"hardly ever|none)\b", re.I)
_EX_HABIT = re.compile(r"\b(?:quit|stopped|gave up|used to|ex-|former)", re.I)
# A list item that says there is nothing ("nothing serious, I've always been healthy").
_NONE_ITEM = re.compile(r"^\W*(?:none|nil|no\b|nothing|healthy|never|not\b)", re.I)
_LIST_TOPICS = {"medications": "medications", "past_medical_history": "past_medical_history",
                "past_surgical_history": "past_surgical_history", "allergies": "allergies"}
_HABITS = ("smoking", "alcohol", "drugs")
# Denials that do not start with "No": "I've been pretty healthy all my life".
_DENIALS = {
    "past_medical_history": re.compile(r"\b(?:pretty healthy|fit and well|nothing wrong|never been (?:ill|sick)|"
                                       r"always been (?:healthy|well|fit)|healthy all my life|no (?:medical|health) "
                                       r"problems)\b", re.I),
    "medications": re.compile(r"\b(?:don'?t|do not|never) take (?:any|anything)|not on any|not taking any", re.I),
    "allergies": re.compile(r"\bnot allergic|no (?:known )?allergies\b", re.I),
}
_GENERIC_DENIAL = frozenset("no not none nothing never at all any anything i m am on have had taken take ever my "
                            "life either thing really thank thanks".split())
_RECENT = re.compile(r"\b(?:this (?:week|month|morning)|today|tonight|yesterday|recently|lately|last (?:night|week))\b",
                     re.I)
_DIRECT_TAIL = frozenset(_stem(w) for w in "at all recently lately before now anymore today these days much too as "
                         "well again ever often still currently at the moment since then any".split())
_GENERIC = frozenset("any pain problem problems issue issues trouble your you the a an of in on with have had "
                     "anything tablets pills medicine medicines medication regular daily".split())


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


# "She denies fever" is a clinician's note about the patient, unless a parent or carer is
# speaking for the patient, for whom "he complains of" is ordinary speech about the child.
_PRONOUN_NOTE = re.compile(r"\b(?:he|she) (?:reports|denies|presents|notes|states|describes|complains|endorses|"
                           r"has a (?:past )?history|was brought|mentions|admits)\b", re.I)


def meta_reply(reply: str, card: PatientCard | None = None) -> str | None:
    """Evidence that the reply is not the patient (or the parent answering for it) speaking."""
    found = _META.search(reply)
    if found is None and not (card is not None and card.demographics.informant):
        found = _PRONOUN_NOTE.search(reply)
    return f"speaks of {found.group(0)!r} instead of as the patient" if found else None


def _evasive(sentence: str) -> bool:
    """A sentence that says nothing: evasions and fillers only, or an evasion with no sign of
    content after it (no number, time, yes or no, "but", "maybe", "I think")."""
    rest = _EVASIONS.sub(" ", sentence)
    if not [w for w in fold(rest).split() if w not in _FILLER]:
        return True
    return bool(_EVASION_CUE.search(sentence)) and not _CONTENT_MARK.search(sentence)


def non_answer(reply: str) -> str | None:
    """Evidence that the reply answers nothing: every sentence evasive."""
    sentences = _sentences(reply) or [reply]
    return f"no answer: {reply.strip()[:80]!r}" if all(_evasive(s) for s in sentences) else None


def _card_text(card: PatientCard) -> list[str]:
    parts = [card.chief_complaint, card.history_of_present_illness, *card.social_history.values(),
             *(v if isinstance(v, str) else " ".join(v) for v in card.extra_sections.values())]
    return [s for text in parts for s in _sentences(text)]


def _has(card: PatientCard, topic: str) -> bool:
    """Whether the card affirms ``topic``: a non-empty list, or a non-negative statement."""
    if topic in _LIST_TOPICS:
        items = getattr(card, _LIST_TOPICS[topic])
        if items:
            return not all(_NONE_ITEM.match(item) for item in items)
        return topic != "allergies" and any(
            topic in card_topics(s) and not _NEGATIVE_HABIT.search(s) for s in _card_text(card))
    said = _habit_texts(card, topic) + [s for s in _card_text(card) if topic in card_topics(s)]
    return any(not _NEGATIVE_HABIT.search(text) for text in said)


def _habit_texts(card: PatientCard, topic: str) -> list[str]:
    """The social-history entries on a habit: keyed by it ("drugs") or speaking of it."""
    return [text for key, text in card.social_history.items()
            if fold(key).startswith(topic[:4]) or topic in card_topics(f"{key} {text}")]


def _never(card: PatientCard, topic: str) -> bool:
    """Whether the card says the patient never had a habit (not merely gave it up)."""
    said = _habit_texts(card, topic)
    return bool(said) and all(_NEGATIVE_HABIT.search(t) and not _EX_HABIT.search(t) for t in said)


def _was(card: PatientCard, topic: str) -> bool:
    """Whether the card says the patient gave a habit up (so did have it)."""
    return any(_EX_HABIT.search(text) for text in _habit_texts(card, topic))


def _names_item(question: str, items: list[str]) -> bool:
    """Whether the question asks about one of the card's own items by its name ("the pill",
    "sertraline"): the first telling word of an item."""
    asked = set(fold(question).split()) - _GENERIC
    heads = [next((w for w in fold(item).split() if w not in _GENERIC and len(w) > 3), "") for item in items]
    return any(head and head in asked for head in heads)


def _about_someone_else(question: str) -> bool:
    return re.search(r"\b(?:anyone|anybody|someone|somebody|your (?:wife|husband|partner|family|parents|mother|"
                     r"father|children|kids)|at home)\b", question, re.I) is not None


def _directly_asked(question: str, card: PatientCard):
    """The one symptom a yes/no question asks about, named last ("Have you been short of breath?")."""
    found = symptoms_asked(question, card.symptoms)
    if len(found) != 1:
        return None
    tail = fold(re.split(r"\b(?:since|when|with|after|before|during|while)\b", question)[0])
    words = tail.split()
    words = [_stem(w) for w in words]
    for phrase in symptom_phrases(found[0]):
        folded = [_stem(w) for w in fold(phrase).split()]
        for i in range(len(words) - len(folded) + 1):
            if words[i:i + len(folded)] == folded and len(set(words[i + len(folded):]) - _DIRECT_TAIL) == 0:
                return found[0]
    return None


def _generic_denial(sentence: str) -> bool:
    """"No", "Nah, none at all", "No, I'm not on anything": a denial of the whole topic, not a
    list of particular negatives ("No recent head trauma or known drug use")."""
    found = _NO.match(sentence)
    if not found:
        return False
    rest = [w for w in fold(sentence[found.end():]).split() if w not in _FILLER and w not in _GENERIC_DENIAL]
    return len(rest) <= 4


def _said_about(reply: str, topic: str, asked: list[str]) -> str:
    """The part of a reply that answers ``topic``: the sentences on it, or the first sentence
    when the question asked about nothing else."""
    sentences = _sentences(reply)
    on_topic = [s for s in sentences if topic in card_topics(s) or topic in question_topics(s)]
    if on_topic:
        return on_topic[0]
    return sentences[0] if len(asked) == 1 else ""


def contradiction(question: str, reply: str, card: PatientCard) -> str | None:
    """Evidence that ``reply`` denies what ``card`` holds, or affirms what it denies."""
    if non_answer(reply) or _about_someone_else(question):
        return None
    symptom = _directly_asked(question, card)
    if symptom is not None:  # a yes or no about one of the card's symptoms is judged on that alone
        first = _sentences(reply)[0]
        if symptom.present and _NO.match(first):
            return f"denies {symptom.name!r}, which the card has"
        if not symptom.present and _YES.match(first):
            return f"affirms {symptom.name!r}, which the card denies"
        return None
    if symptoms_asked(question, card.symptoms):
        return None  # a question about a symptom ("a new medicine before this?") is not one about habits
    asked = question_topics(question)
    if "allergies" in asked:  # "allergic to any medicines?" asks about allergies only
        asked = ["allergies"]
    if not asked and _names_item(question, card.medications):
        asked = ["medications"]  # "Are you on the pill?" asks about a medicine on the card
    for topic in [*_LIST_TOPICS, *_HABITS]:
        if topic not in asked:
            continue
        said = _said_about(reply, topic, asked)
        if not said:
            continue
        denied = _generic_denial(said) or (topic in _DENIALS and _DENIALS[topic].search(said))
        if topic in _LIST_TOPICS and _names_item(said, getattr(card, _LIST_TOPICS[topic])):
            denied = None  # "I take ibuprofen when my joints are bad, nothing regular" names what it has
        if topic in _HABITS and _RECENT.search(question):
            continue  # "any alcohol this week?" asks about a week, not a habit
        if denied and _has(card, topic) and not (topic in _HABITS and _EX_HABIT.search(reply)):
            return f"denies {topic.replace('_', ' ')} that the card holds"
        if denied and topic in _HABITS and re.search(r"\bever\b", question, re.I) and _was(card, topic):
            return f"denies ever having {topic}, which the card says the patient gave up"
        affirmed = _YES.match(said) and not _NO.match(said) and not _NEGATIVE_HABIT.search(said)
        if topic in _HABITS and affirmed and _never(card, topic):
            return f"affirms {topic}, which the card says the patient never had"
    return None


def asked_on_card(question: str, card: PatientCard) -> str | None:
    """What of the card a question asks about (a symptom or a topic the card holds), if any:
    a "don't know" to it is a non-answer the card could have given."""
    if found := symptoms_asked(question, card.symptoms):
        return found[0].name
    for topic in question_topics(question):
        if topic in {"opening", "more", "onset"}:
            return topic  # the story always says what happened and when
        if topic in {"course", "character", "location", "severity", "triggers", "other_symptoms"}:
            continue  # a story may well not say where or how bad: "I don't know" can be honest
        if topic in _LIST_TOPICS and getattr(card, _LIST_TOPICS[topic]):
            return topic
        if any(fold(key).startswith(topic[:4]) for key in card.social_history) or \
                any(topic in card_topics(s) for s in _card_text(card)):
            return topic
    return None
