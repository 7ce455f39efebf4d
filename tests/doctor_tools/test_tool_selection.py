"""Parsing --doctor-tools: one composed condition, or a sweep of conditions."""

from __future__ import annotations

import pytest

from agentclinic.doctor_tools.selection import from_label, label, parse_conditions


def test_a_plain_list_composes_one_condition_in_canonical_order():
    assert parse_conditions("rag,cot, reflect") == [("cot", "reflect", "rag")]
    assert parse_conditions(None) == [()] and parse_conditions("") == [()]


def test_none_or_plus_makes_a_sweep():
    assert parse_conditions("none,rag,notebook,rag+notebook") == [(), ("rag",), ("notebook",), ("rag", "notebook")]
    assert parse_conditions("rag+cot") == [("cot", "rag")]


@pytest.mark.parametrize("text, fragment", [
    ("rag,telepathy", "unknown doctor tool 'telepathy'"),
    ("none,rag,rag", "listed twice"),
    ("rag,,cot", "empty item"),
])
def test_mistakes_are_named(text, fragment):
    with pytest.raises(ValueError, match=fragment):
        parse_conditions(text)


def test_labels_round_trip():
    for condition in [(), ("rag",), ("cot", "reflect", "rag", "notebook", "experience")]:
        assert from_label(label(condition)) == condition
    assert label(()) == "none" and from_label(None) == ()
