"""The judge against a labelled set of answer shapes (tests/data/answer_shapes.yaml).

The set was written from the scoring rules in the README by someone who had not read the
implementation: lists and alternatives are hedged, one condition with qualifiers is judged
by name, negations rule a condition out, and two linked conditions are credited only when
one is the diagnosis and the other is not one of the case's alternatives.
"""

from __future__ import annotations

import collections
import re
from pathlib import Path

import pytest
import yaml

from agentclinic.matching import match

ITEMS = yaml.safe_load((Path(__file__).resolve().parent.parent / "data" / "answer_shapes.yaml")
                       .read_text(encoding="utf-8"))["items"]
LABELS = {"credited", "hedged", "wrong", "none"}


def _judge(item: dict):
    return match(item["predicted"], item["correct"], item.get("synonyms") or (), item.get("distractors") or ())


def _label(verdict) -> str:
    if verdict.correct:
        return "credited"
    return verdict.verdict if verdict.verdict in {"hedged", "none"} else "wrong"


def _id(index: int, item: dict) -> str:
    said = re.sub(r"\W+", "_", str(item["predicted"] or "<none>")).strip("_")[:40] or "blank"
    return f"{index:03d}-{item['expect']}-{said}"


@pytest.mark.parametrize("item", ITEMS, ids=[_id(i, item) for i, item in enumerate(ITEMS)])
def test_answer_is_judged_as_labelled(item):
    verdict = _judge(item)
    assert _label(verdict) == item["expect"], f"{item['note']}: {verdict.verdict}: {verdict.reason}"


def test_the_set_covers_every_shape():
    counts = collections.Counter(item["expect"] for item in ITEMS)
    assert set(counts) == LABELS
    assert counts["hedged"] >= 100 and counts["credited"] >= 100 and counts["wrong"] >= 40, counts


def test_no_hedge_is_credited():
    credited = [item["predicted"] for item in ITEMS if item["expect"] == "hedged" and _judge(item).correct]
    assert credited == []


def test_the_answer_vocabulary_is_all_words():
    """YAML reads a bare no as False: every entry must stay a word."""
    data = yaml.safe_load((Path(__file__).resolve().parents[2] / "agentclinic" / "data" / "answer_phrases.yaml")
                          .read_text(encoding="utf-8"))
    assert all(isinstance(entry, str) for entries in data.values() for entry in entries)
