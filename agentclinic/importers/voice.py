"""Imported card prose in the patient's own voice (pure, rule-based).

AgentClinic's OSCE records describe the patient in the third person ("The patient reports a
1-month history of double vision. She notes..."); its NEJM records address a patient actor
in the second person ("For your role as a patient, you are a 55-year-old woman who has
noticed your skin darkening..."). A simulated patient must speak as itself, so the
importers rewrite both into the first person once, at import, and keep the original text
in the case's ``notes``. The rules are deliberately plain and documented here:

* role-play framing and meta sentences ("For your role as a patient…", "Remember, you are
  not aware of your diagnosis", "No mention of…", "Information not provided") are dropped;
* the patient as subject ("The patient", "The 35-year-old woman", "She" on a woman's card,
  "You") becomes "I", then the verb agrees ("I notes" -> "I note", "I has" -> "I have");
* reporting frames are unwrapped ("The patient reports that she has…" -> "I have…",
  "reports a 1-month history of…" -> "I've had a 1-month history of…", "denies chest
  pain" -> "I haven't had chest pain");
* the patient's possessives and objects become "my" and "me";
* on a card answered by a parent (an infant or young child), the child stays "he"/"she"
  and "the patient" becomes "my son", "my daughter" or "my baby", while the parent
  ("the mother reports") becomes "I".
"""

from __future__ import annotations

import re

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(\d*-])|\n+")
# Sentences that talk about the record or the role-play rather than the patient's life.
_META = re.compile(
    r"\b(?:for your role|patient actor|as a patient|your role|role as|convey|here'?s (?:what|the)|"
    r"you need to know|minimal information|remember,|you are not aware|you're not aware|not aware of (?:your|the|any)|"
    r"aware of (?:your|the) (?:diagnosis|specific)|(?:specific|any) (?:test readings|test results)|"
    r"no mention|not mentioned|not (?:provided|specified|available|applicable|reported|documented|recorded)|"
    r"information (?:not|is not)|\bno\b[^.]{0,60}\b(?:history|information|details|symptoms|data|habits)\b[^.]{0,20}"
    r"\b(?:provided|mentioned|given|specified|available)\b|"
    r"didn'?t provide|does not specify|^n/?a\b|^na$|not applicable|informed of any diagnosis|your knowledge|"
    r"based on these symptoms|which you(?:'re| are) not aware|information extracted|the provided text|"
    r"aware of the following|the following (?:symptoms|information|details)|case report|case information|"
    r"information provided|no instrument readings|does not (?:include|contain) (?:any |specific )|"
    r"i cannot generate|i can't generate|as an ai|^it (?:describes|mentions|includes|contains|provides|details)\b)",
    re.IGNORECASE)
_MARKDOWN = re.compile(r"\*\*([^*]*)\*\*|__([^_]*)__")
_HEADING = re.compile(r"^\s*(?:[-*•]\s*)?(?:\*\*)?[A-Z][\w ,/&()'-]{1,60}(?:\*\*)?\s*:\s*(?=\S|$)")
_BULLET = re.compile(r"(?:^|\s)(?:[-*•]|\d+\.)\s+(?=\S)")

# Symptoms named with -ing that are things one has, not things one keeps doing.
_ING_NOUNS = r"(?:burning|bleeding|swelling|itching|tingling|ringing|bruising|wheezing|stabbing|throbbing|" \
             r"numbness|morning|evening)\b"
_CHILD = "\x00"  # stands for the child while the parent's sentence is rewritten
_PARENTS = {"mother": "mother", "mom": "mother", "mum": "mother", "father": "father", "dad": "father",
            "parents": "parent", "parent": "parent", "grandmother": "grandmother", "caregiver": "caregiver"}
_ADVERBS = ("also", "recently", "frequently", "now", "still", "often", "occasionally", "currently", "previously",
            "never", "sometimes", "usually", "always", "only", "just", "further", "additionally", "reportedly",
            "first", "then", "initially", "later", "subsequently", "originally", "regularly", "rarely", "actively")
_IRREGULAR = {"has": "have", "is": "am", "are": "am", "does": "do", "goes": "go", "hasn't": "haven't",
              "doesn't": "don't",
              "isn't": "am not", "was": "was", "wasn't": "wasn't", "says": "say"}
# Verbs that follow "and" in a sentence about the patient ("...and takes no medicines").
_COORDINATED = ("takes|has|uses|smokes|drinks|works|lives|reports|denies|notes|mentions|describes|complains|"
                "experiences|feels|does|gets|goes|enjoys|attends|consumes|admits|states|wants|needs|says|remains|"
                "continues|appears|seems|is|are|hasn't|has not|occasionally drinks|plays|eats|sleeps|wakes|walks|"
                "exercises|travels")
_FRAGMENT_VERBS = frozenset("states reports mentions notes denies admits describes complains endorses recalls "
                            "recently attends enjoys consumes".split())
# Words after "you" that make it the subject of the sentence ("..., you have been").
_SUBJECT_VERBS = ("have|had|are|were|will|would|can|could|should|may|might|must|do|did|don't|didn't|haven't|hadn't|"
                  "aren't|weren't|feel|felt|notice|noticed|look|see|saw|experience|experienced|get|got|also|recently|"
                  "often|never|always|still|first|began|started|developed|chose|decided|underwent|sought|went|came|"
                  "live|lived|work|worked|use|used|take|took|know|knew|think|believe|remember|describe|mention|"
                  "need|want|tried|try|became|become|wake|woke|find|found|hear|heard|breathe|cough|walk|eat|drink")
_NOT_VERBS = frozenset("is was has does as this thus his yes its always perhaps less across whereas unless "
                       "various previous serious nervous numerous anxious famous".split())


def sentences(text: str) -> list[str]:
    """Sentences of a paragraph or a bulleted list, markdown removed."""
    text = _MARKDOWN.sub(lambda m: m.group(1) or m.group(2) or "", text)
    pieces: list[str] = []
    for line in re.split(r"\n+|(?<=[.!?:])\s+(?=(?:[-*•]|\d+\.)\s)|\s+(?=[-*•]\s)", text):
        line = _BULLET.sub(" ", line).strip()
        line = _HEADING.sub("", line).strip()
        pieces += [s.strip() for s in _SENTENCE.split(line) if s and s.strip()]
    return [p for p in pieces if re.search(r"[A-Za-z]", p)]


def is_meta(sentence: str) -> bool:
    """A sentence about the record or the role-play, not about the patient."""
    return bool(_META.search(sentence))


def _agree(verb: str) -> str:
    """The first-person form of a third-person verb ("reports" -> "report")."""
    lower = verb.lower()
    if lower in _IRREGULAR:
        return _IRREGULAR[lower]
    if lower in _NOT_VERBS or not lower.endswith("s") or lower.endswith("ss") or len(lower) < 4:
        return verb
    if lower.endswith("ies") and len(lower) > 4:
        return verb[:-3] + "y"
    if re.search(r"(?:ss|sh|ch|x|z|o)es$", lower):
        return verb[:-2]
    return verb[:-1]


def _after_i(text: str) -> str:
    """Make every verb after "I" (past an adverb or two), and a verb joined to it by "and",
    agree with it."""
    adverbs = "|".join(_ADVERBS)
    pattern = re.compile(rf"\bI((?:\s+(?:{adverbs}))*)\s+([A-Za-z']+)")
    text = pattern.sub(lambda m: f"I{m.group(1)} {_agree(m.group(2))}", text)
    if re.match(r"^(?:I|My)\b", text):
        text = re.sub(rf"(,? (?:and|but|or) )({_COORDINATED})\b", lambda m: m.group(1) + " ".join(
            _agree(word) for word in m.group(2).split()), text)
    text = re.sub(r"^(?:Lifelong |Current |Former |Ex-|Heavy |Occasional )?(?:non-?smoker|smoker)\b|"
                  r"^(?:Retired|(?:College |University |High school |Medical )?[Ss]tudent)\b",
                  lambda m: f"I'm a {m.group(0).lower()}", text, flags=re.IGNORECASE)
    text = re.sub(r"^(?:Does not|Doesn't|Did not|Didn't)\b", lambda m: "I " + m.group(0).lower().replace("does", "do")
                  .replace("doesn't", "don't"), text)
    if re.match(r"^I\b", text):  # "I'm a non-smoker, drinks wine" -> "..., I drink wine"
        text = re.sub(rf",\s+((?:rarely |occasionally |sometimes |also )?(?:{_COORDINATED}|does not|doesn't))\b",
                      lambda m: ", I " + " ".join(_agree(w) for w in m.group(1).split()), text)
    # A sentence that starts with the verb ("States he was...", "Drinks wine occasionally").
    first = re.match(r"^([A-Z][a-z]+s)\b", text)
    verb = first.group(1).lower() if first else ""
    if verb and verb not in _NOT_VERBS and (verb in _FRAGMENT_VERBS or re.fullmatch(_COORDINATED, verb)):
        text = "I " + _agree(first.group(1).lower()) + text[first.end():]
    return text


def _reporting_frames(text: str) -> str:
    """Unwrap "I report that X" and friends into the patient's own statement."""
    frame = r"(?:report|state|note|mention|say|explain|recall|admit|indicate|add|describe|notice)(?:s|ed)?"
    rules = [
        (rf"\bI (?:also )?{frame},? (?:that )?(?=I\b)", ""),  # "I report that I have" -> "I have"
        (rf"^I (?:also )?{frame} that (.)", lambda m: m.group(1).upper()),  # "I note that the pain" -> "The pain"
        (rf"\bI (?:also )?{frame} that ", ""),
        (rf"\bI (?:also )?(?:report|describe|endorse|note|mention|notice)(?:s|ed)? (?!{_ING_NOUNS})(\w+ing)\b",
         r"I've been \1"),
        (r"\bI (?:also )?describe(?:s|d)? (?!(?:my|the|it|this) [\w ]*?\bas\b)", "I've had "),  # not "my job as"
        (r"\bI (?:also )?(?:report|endorse|note|mention|complain of|complains of)(?:s|ed)? ", "I've had "),
        (r"\bI (?:also )?present(?:s|ed)? (?:to|at) (the [\w ]+?) (?:with|for|because of|due to) ",
         r"I came to \1 with "),
        (r"\bI (?:am|was) presenting (?:with|for) ", "I came in with "),
        (r"\bI (?:also )?present(?:s|ed)? (?:with|for) ", "I came in with "),
        (r"\bI (?:also )?present(?:s|ed)?\b", "I came in"),
        (r"\bI (?:also )?den(?:y|ies|ied) (?:any )?(\w+ing)\b", r"I haven't been \1"),
        (r"\bI (?:also )?den(?:y|ies|ied) ", "I haven't had "),
    ]
    text = _apply(text, rules)
    text = re.sub(r"\b(I've had [^.]*?) and (?:report|reports|note|notes|describe|describes) ", r"\1 and ", text)
    return re.sub(r"\bI I\b", "I", text)


def _second_person(sentence: str) -> str:
    """NEJM's "you" to "I"."""
    rules = [
        (r"\byou're\b", "I'm"), (r"\bYou're\b", "I'm"), (r"\byou've\b", "I've"), (r"\bYou've\b", "I've"),
        (r"\byou'll\b", "I'll"), (r"\byou'd\b", "I'd"), (r"\byou are\b", "I am"), (r"\bYou are\b", "I am"),
        (r"\byou were\b", "I was"), (r"\bYou were\b", "I was"), (r"\byourself\b", "myself"),
        (r"\bYour\b", "My"), (r"\byour\b", "my"), (r"\byours\b", "mine"),
    ]
    sentence = _apply(sentence, rules)
    # "you" as a subject (start, after a conjunction or "that", or before a verb) is "I";
    # elsewhere it is "me".
    sentence = re.sub(r"(^|[.;:!?]\s+|\b(?:and|but|or|that|when|which|because|if|so|while|since|as|until|"
                      r"after|before|where|although|though)\s+)[Yy]ou\b", lambda m: f"{m.group(1)}I", sentence)
    sentence = re.sub(rf"\b[Yy]ou(?=\s+(?:{_SUBJECT_VERBS})\b)", "I", sentence)
    sentence = re.sub(r"\b[Yy]ou\b", "me", sentence)
    return sentence


def _apply(text: str, rules: list[tuple[str, object]], flags: int = 0) -> str:
    """Each (pattern, replacement) in turn."""
    for pattern, replacement in rules:
        text = re.sub(pattern, replacement, text, flags=flags)  # type: ignore[arg-type]
    return text


_PATIENT = r"(?:the |this |a |an )?(?:patient|pt|\d+[- ](?:year|month|week|day)s?[- ]old(?: [a-z]+)*? " \
           r"(?:man|woman|male|female|gentleman|lady|patient|person|individual))\b"
_CONJUNCTION = r"(\b(?:and|but|or|that|when|because|since|while|as|so|which)\s+)"


def _third_person(sentence: str, sex: str) -> str:
    """An OSCE sentence about the patient, in the patient's voice."""
    sentence = _apply(sentence, [
        (rf"^{_PATIENT}(?:'s|’s)", "My"), (rf"^{_PATIENT}", "I"), (rf"\b{_PATIENT}(?:'s|’s)", "my"),
        (rf"{_CONJUNCTION}{_PATIENT}", r"\1I"), (rf"\b{_PATIENT}", "me")], re.IGNORECASE)
    if sex not in {"female", "male"}:
        return sentence
    she, herself = ("she", "herself") if sex == "female" else ("he", "himself")
    sentence = _apply(sentence, [(rf"\b{she}'s\b", "I'm"), (rf"\b{she}\b", "I"), (rf"\b{herself}\b", "myself")],
                      re.IGNORECASE)
    if sex == "male":
        return _apply(sentence, [(r"\b[Hh]is\b", "my"), (r"\b[Hh]im\b", "me")])
    # "her" is "my" before a noun, "me" elsewhere.
    not_a_noun = "|".join(["and", "or", "to", "that", "the", "a", "an", "in", "on", "at", "for", "with", "from", "by",
                           "as", "is", "was", "but", "so", "because", "when", "since", "after", "before"])
    return _apply(sentence, [(rf"\b[Hh]er\b(?=\s+(?!(?:{not_a_noun})\b)[a-z0-9])", "my"), (r"\b[Hh]er\b", "me")])


_PARENT = r"(?:the |his |her |their |patient's |the patient's |infant's |newborn's |child's |baby's |boy's |girl's )?" \
          r"(?:mother|father|parents?|mom|mum|dad|caregiver|grandmother)\b"
_CHILD_SUBJECT = r"(?:the |this |a |an )?(?:patient|infant|newborn|neonate|child|baby|toddler|boy|girl|" \
                 r"\d+[- ](?:year|month|week|day)s?[- ]old(?: [a-z]+)*? " \
                 r"(?:boy|girl|infant|child|male|female|baby|newborn|patient))\b"


def _informant_voice(sentence: str, child: str) -> str:
    """A parent speaking about the child: the parent is "I", the child keeps "he"/"she"."""
    sentence = _apply(sentence, [(rf"^{_PARENT}", "I"), (rf"(\b(?:and|but|that|when|because)\s+){_PARENT}", r"\1I")],
                      re.IGNORECASE)
    sentence = re.sub(r"\b(?:her|his|their) (?:child|son|daughter|baby|infant|newborn)\b", f"my {_CHILD}", sentence)
    sentence = _apply(sentence, [(rf"^{_CHILD_SUBJECT}", f"My {_CHILD}"), (rf"\b{_CHILD_SUBJECT}", f"my {_CHILD}")],
                      re.IGNORECASE)
    sentence = _apply(sentence, [
        # The child's own account, relayed by the parent: "He reports a taste" -> "He complains of a taste".
        (r"\b(He|She|he|she) (?:reports|describes|notes|states|mentions|endorses) that\b", r"\1 says that"),
        (r"\b(He|She|he|she) (?:reports|describes|notes|states|mentions|endorses)\b", r"\1 complains of"),
        (r"\b(is|was) presenting with\b", lambda m: "has" if m.group(1) == "is" else "had"),
        (r"\b(by|with|to|from|for) (?:the|his|her|their) (?:mother|father|parents?|mom|mum|dad)\b", r"\1 me"),
        (r"\b(?:the|his|her|their) (?:mother|father|parents?|mom|mum|dad)\b", "I")])
    # The child's word goes in last, so no rule above reads "my baby" as another subject.
    return sentence.replace(_CHILD, child)


def child_word(age_years: float | None, sex: str) -> str:
    """How a parent names the patient: 'baby' under one year, else 'son' / 'daughter' / 'child'."""
    if age_years is not None and age_years < 1:
        return "baby"
    return {"male": "son", "female": "daughter"}.get(sex, "child")


_INTRODUCTION = re.compile(
    r"^I am an? (?:\d+(?:\.\d+)?[- ](?:year|month|week|day)s?[- ]old )?(?:[\w-]+ ){0,3}?"
    r"(?:man|woman|male|female|boy|girl|person|patient|child|infant|baby)\b,?\s*(?P<rest>.*)$", re.I)
_PREAMBLE = re.compile(r"^(?:For (?:your|the|this) role as (?:a |the )?patient(?: actor)?|As (?:a |the )?patient actor|"
                       r"For the patient actor|As (?:a |the )?patient|In this role)\s*[,:]?\s*"
                       r"(?:here'?s[^:.]*[:.]\s*|you need to[^:.]*[:.]\s*)?", re.I)
_IMPERATIVE = re.compile(r"^(?:Mention|Report|Say|Tell the doctor|Tell them|Describe|Explain|Note|Share|Convey)"
                         r"(?: that)?\s+", re.I)


def _introduction(sentence: str) -> str:
    """'I am a 55-year-old woman who has noticed X' -> 'I have noticed X'; the age and sex
    alone say nothing the doctor is not told already, so 'I am a 28-year-old woman.' goes."""
    found = _INTRODUCTION.match(sentence)
    if not found:
        return sentence
    rest = found.group("rest").strip().rstrip(".")
    if not rest:
        return ""
    rest = re.sub(r"^(?:who|that)\s+", "I ", rest)
    rest = re.sub(r"^with\s+", "I have ", rest)
    if rest.startswith("and "):
        rest = "I " + rest[4:]
    return _after_i(rest) if rest.startswith("I ") else sentence


def _imperative(sentence: str) -> str:
    """An instruction to the actor ("Mention noticing X") as the patient's own words."""
    if not _IMPERATIVE.match(sentence):
        return sentence
    rest = _IMPERATIVE.sub("", sentence, count=1)
    if re.match(r"^\w+ing\b", rest):
        return f"I've been {rest}"
    return rest[:1].upper() + rest[1:]


def strip_preamble(sentence: str) -> str:
    """A sentence without the role-play framing in front of it."""
    return _PREAMBLE.sub("", sentence)


def first_person(text: str, sex: str = "unknown", informant: str | None = None, child: str = "child") -> str:
    """``text`` with meta sentences dropped and the rest in the speaker's first person."""
    spoken = []
    for sentence in sentences(text):
        sentence = _PREAMBLE.sub("", sentence)  # "For your role as a patient, you are..." -> "you are..."
        if not sentence or is_meta(sentence):
            continue
        sentence = _imperative(sentence)
        if re.search(r"\b[Yy]ou(?:'re|'ve|r)?\b", sentence):
            sentence = _introduction(_second_person(sentence))
            if not sentence:
                continue
        elif informant:
            sentence = _informant_voice(sentence, child)
        else:
            sentence = _third_person(sentence, sex)
        sentence = _reporting_frames(_after_i(sentence))
        sentence = _after_i(sentence)
        sentence = sentence.rstrip(" :;,")
        if not sentence:
            continue
        sentence = sentence[0].upper() + sentence[1:]
        spoken.append(sentence if sentence.endswith((".", "!", "?")) else sentence + ".")
    return " ".join(spoken)


def informant_of(text: str, age_years: float | None) -> str | None:
    """Who answers for a young child: the parent the record names, or 'parent'."""
    if age_years is None or age_years >= 12:
        return None
    for word, who in _PARENTS.items():
        if re.search(rf"\b{word}\b", text, re.IGNORECASE):
            return who
    return "parent"
