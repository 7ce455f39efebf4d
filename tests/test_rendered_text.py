"""Text users read, rendered the way the code renders it, checked for broken grammar and punctuation.

Two sources: persona fragments (every bias, temperament, stored stack and swap, for every
role, with the anchor filled the ways the code fills it) and measurement replies (every test
of every case in every bundled pack, through the scripted measurement role). Faults are fixed
where the text comes from (the templates, the case files or the formatter), never here.
"""

from __future__ import annotations

import asyncio
import re
from functools import lru_cache

import pytest

from agentclinic.actions import RequestTest
from agentclinic.agents.measurement import ScriptedMeasurement
from agentclinic.language import base_code, phrasebook
from agentclinic.loader import list_bundled_packs, load_pack
from agentclinic.persona import (
    DEFAULT_ANCHOR,
    GENERIC_ANCHOR,
    Persona,
    load_library,
    load_swaps,
    swap_variants,
)
from agentclinic.resolver import MeasurementContext
from agentclinic.scenario import Scenario, describe_in

LIBRARY = load_library()

# ---- rules ---------------------------------------------------------------------------------
# Punctuation rules hold in every language; a sentence end is ASCII or the script's own mark.
_END = r"[.!?\u3002\uff01\uff1f\u0964\u061f]"
_SEP = r"[;\uff1b\u061b]"
PUNCTUATION_RULES: dict[str, re.Pattern[str]] = {
    "sentence end then separator ('.;')": re.compile(_END + r"\s*" + _SEP),
    "separator then period (';.')": re.compile(_SEP + r"\s*\."),
    "doubled period ('..')": re.compile(r"\.\."),
    "doubled separator ('; ;')": re.compile(_SEP + r"\s*" + _SEP),
    "space before period (' .')": re.compile(r" \.(?!\d)"),
    "doubled space": re.compile(r"\S {2,}\S"),
    "separator at line end": re.compile(r"[;,:\uff1b\uff0c\uff1a\u3001\u061b\u060c]\s*$", re.MULTILINE),
    "unfilled placeholder": re.compile(r"\{\w*\}"),
}
# Words read as a consonant sound though spelled with a vowel ("a unit", "a one-off").
_YOU_SOUND = ("one", "once", "uni", "use", "usu", "uti", "ure", "uri", "uro", "eu", "ewe")
ENGLISH_RULES: dict[str, re.Pattern[str]] = {
    "determiner before 'the' ('several the')": re.compile(
        r"\b(?:several|many|few|some|a|an|any|every|each|most)\s+the\b", re.IGNORECASE),
    "'a' before a vowel sound ('a anchor')": re.compile(
        # lower-case "a", or "A" opening a sentence ("hemophilia A is" names a type, not an article)
        r"(?:\ba|(?:^|[.!?]\s+)A)\s+(?!(?:" + "|".join(_YOU_SOUND) + r"))[aeiouAEIOU]\w*"),
    "'an' before a consonant ('an cancer')": re.compile(r"\b[aA]n\s+[bcdfgjklmnpqrstvwxyz]\w*"),
    "space before comma (' ,')": re.compile(r" ,"),
    "lower-case sentence start": re.compile(r"[.!?]\s+[a-z]"),
}


def violations(text: str, *, english: bool, sentence: bool = False) -> list[str]:
    """Names of the rules ``text`` breaks (English-only rules when ``english``)."""
    found = [name for name, rule in PUNCTUATION_RULES.items() if rule.search(text)]
    if english:
        found += [name for name, rule in ENGLISH_RULES.items() if rule.search(text)]
    if not text.strip():
        found.append("empty")
    elif text != text.strip():
        found.append("leading or trailing whitespace")
    if sentence and english and text[:1].isalpha() and not text[:1].isupper():
        found.append("sentence starts lower-case")
    return found


def _report(faults: list[tuple[str, list[str], str]]) -> str:
    lines = [f"{where}: {', '.join(rules)}: {text[:200]!r}" for where, rules, text in faults[:40]]
    more = f"\n... and {len(faults) - 40} more" if len(faults) > 40 else ""
    return f"{len(faults)} rendered text(s) break a rule:\n" + "\n".join(lines) + more


@pytest.mark.parametrize(("text", "rule"), [
    ("The doctor has dealt with several the anchor condition cases lately.", "several the"),
    ("Serum cortisol: Drawn at 08:10.; Cortisol: 1.8 µg/dL", "'.;'"),
    ("Tryptase: 27 ug/L;", "line end"),
    ("You think it is a anchor of the illness.", "vowel sound"),
    ("It hurts. A ache is there.", "vowel sound"),
    ("It is an cancer.", "consonant"),
    ("You believe {anchor} is common.", "placeholder"),
    ("Lumbar puncture: Clear fluid.. Protein high", "'..'"),
    ("It hurts. it is bad.", "lower-case"),
    ("Value:  3", "doubled space"),
    ("血清类胰蛋白酶: 蜇伤后约 60 分钟采血。; 类胰蛋白酶: 27.4 ug/L", "'.;'"),
])
def test_the_rules_catch_known_faults(text, rule):
    # The checks below would pass vacuously if a rule could never fire.
    assert any(rule in name for name in violations(text, english=True))


@pytest.mark.parametrize("text", [
    "Serum cortisol: Drawn at 08:10. Cortisol: 1.8 µg/dL (reference 5-23)",
    "You have a unique history and an anchor; a one-off test is used. Then a urine test.",
    "You believe Acquired hemophilia A is common, and an hour is enough.",
    "CSF neutrophils: 91 %; CSF protein: 1.8 g/L",
])
def test_the_rules_pass_good_text(text):
    assert violations(text, english=True) == []


# ---- persona fragments ---------------------------------------------------------------------
@lru_cache(maxsize=1)
def bundled_cases() -> tuple[tuple[str, Scenario], ...]:
    """(pack, case) for every case of every bundled pack, loaded once."""
    return tuple((pack, case) for pack in list_bundled_packs() for case in load_pack(pack).scenarios)


def anchors() -> list[str]:
    """Every way an anchor is filled: the default, the generic phrase of `personas list`, the
    stored stacks' anchors and (as a user may pass with --anchor) every English case's diagnosis."""
    found = [DEFAULT_ANCHOR, GENERIC_ANCHOR, *(stack.anchor for stack in LIBRARY.stacks.values())]
    found += [case.diagnosis.name for _, case in bundled_cases() if base_code(case.language) == "en"]
    return list(dict.fromkeys(found))


def persona_texts() -> list[tuple[str, str, bool]]:
    """(where, text, is a sentence) for every persona fragment the code renders, in English."""
    texts: list[tuple[str, str, bool]] = []
    all_anchors = anchors()
    for key, bias in sorted(LIBRARY.biases.items()):
        texts.append((f"{key} description (generic)", bias.describe(), True))
        for anchor in all_anchors if "{anchor}" in bias.prompt + bias.description else [DEFAULT_ANCHOR]:
            persona = LIBRARY.validate(Persona(**{f"{bias.role}_biases": (bias.id,)}, anchor=anchor))
            [fragment] = LIBRARY.fragments(persona, bias.role)
            texts += [(f"{key} prompt, anchor {anchor!r}", fragment, True),
                      (f"{key} description, anchor {anchor!r}", bias.describe(anchor), True)]
    for axis_name, axis in LIBRARY.axes.items():
        texts.append((f"{axis_name} axis description", axis.description, True))
        for option in axis.options:
            texts.append((f"{axis_name}={option.id} description", option.description, True))
            persona = LIBRARY.validate(Persona(temperament={axis_name: option.id}))
            texts += [(f"{axis_name}={option.id} prompt", t, True) for t in LIBRARY.fragments(persona, "patient")]
    for stack_id, stack in LIBRARY.stacks.items():
        for role in ("doctor", "patient"):
            texts += [(f"stack {stack_id} ({role})", t, True) for t in LIBRARY.fragments(stack, role)]
    say = phrasebook("en", "patient")
    texts += [(f"scripted patient steer_to_anchor, anchor {a!r}", say.say("steer_to_anchor", anchor=a), True)
              for a in all_anchors]
    return texts


def test_every_persona_fragment_reads_correctly():
    texts = persona_texts()
    assert len(texts) > 1000  # every bias with every anchor, not a handful
    faults = [(where, found, text) for where, text, sentence in texts
              if (found := violations(text, english=True, sentence=sentence))]
    assert not faults, _report(faults)


def test_generic_description_reads_as_the_cli_lists_it():
    recency = LIBRARY.bias("doctor", "recency")
    assert recency.describe() == ("The doctor has dealt with several cases of the anchor condition lately, "
                                  "so that diagnosis springs to mind first.")
    assert "several cases of cancer" in recency.describe("cancer")


def test_anchor_is_trimmed_so_no_doubled_spaces():
    persona = LIBRARY.validate(Persona(doctor_biases=("recency",), anchor="  lupus "))
    [fragment] = LIBRARY.fragments(persona, "doctor")
    assert "have lupus," in fragment and violations(fragment, english=True) == []


def test_every_swap_renders_a_clean_description():
    faults = []
    swaps = load_swaps()
    for name, spec in swaps.items():  # the line `personas list` shows for the swap
        line = f"{spec['field']}: {', '.join(map(str, spec['values']))}"
        faults += [(f"swap {name} list line", found, line) for found in [violations(line, english=True)] if found]
    for pack, case in bundled_cases():
        for name in swaps:
            for label, variant in swap_variants(case, name, swaps):
                text = describe_in(variant.patient.demographics, variant.language)
                found = violations(text, english=base_code(variant.language) == "en")
                if found:
                    faults.append((f"{pack}/{case.id} {label}", found, text))
    assert not faults, _report(faults)


# ---- measurement replies -------------------------------------------------------------------
_EMPTY_VALUES = {"", "-", "\u2013", "\u2014", "?", ".", "n/a", "na", "none given", "tbd", "pending"}


def _measure(case: Scenario, name: str, measurement: ScriptedMeasurement | None = None):
    measurement = measurement or ScriptedMeasurement(case)
    return asyncio.run(measurement.measure(RequestTest(name=name), MeasurementContext()))


def _value_faults(case: Scenario, test) -> list[str]:
    found = []
    for item in test.values:
        text = str(item.value).strip()
        if text.lower() in _EMPTY_VALUES:
            found.append(f"empty value for {item.name!r}")
        if item.unit and isinstance(item.value, str) and text.endswith(item.unit):
            found.append(f"unit {item.unit!r} doubled in {item.name!r}")
    return found


def _reply_faults(reply_text: str, test, english: bool) -> list[str]:
    found = violations(reply_text, english=False)
    if english and " ," in reply_text:
        found.append("space before comma (' ,')")
    for item in test.values:
        if item.unit and re.search(rf"(?<!\S){re.escape(item.unit)}\s+{re.escape(item.unit)}(?!\S)", reply_text):
            found.append(f"unit {item.unit!r} doubled")
    return found


@pytest.mark.parametrize("pack", list_bundled_packs())
def test_every_bundled_test_result_reads_correctly(pack):
    cases = [case for name, case in bundled_cases() if name == pack]
    faults, checked = [], 0
    for case in cases:
        english, measurement = base_code(case.language) == "en", ScriptedMeasurement(case)
        for test in case.tests:
            reply = _measure(case, test.name, measurement)
            assert reply.provenance == "case" and reply.resolved == test.name, (case.id, test.name, reply.resolved)
            found = _reply_faults(reply.text, test, english) + _value_faults(case, test)
            if found:
                faults.append((f"{case.id} / {test.name}", found, reply.text))
            checked += 1
    assert checked >= len(cases)
    assert not faults, _report(faults)


def test_a_note_that_ends_a_sentence_is_followed_by_a_new_sentence():
    case = load_pack("core").get("endocrinology-003")
    text = _measure(case, "cortisol").text
    assert text == "Serum cortisol: Drawn at 08:10. Cortisol: 1.8 µg/dL (reference 5-23)"


def test_short_parts_without_a_sentence_end_are_still_joined_by_semicolons():
    case = load_pack("core").get("cardiology-006")
    text = _measure(case, "troponin").text
    assert "samples. High-sensitivity troponin I (first sample): 29 ng/L (reference < 16); " in text


def test_full_width_sentence_end_takes_no_space():
    case = next(c for _, c in bundled_cases() if c.id == "zh-emergency-002")
    test = next(t for t in case.tests if t.result and t.values and t.result.endswith("\u3002"))
    text = _measure(case, test.name).text
    assert f"{test.result}{test.values[0].name}:" in text
